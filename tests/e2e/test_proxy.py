"""Two app replicas behind Debian's nginx with deploy/nginx.conf: a visitor sticks to one replica.

The proxy's own config (sticky cookie, websocket upgrade) is the one shipped in deploy/,
with only its addresses changed for localhost. Each visitor's page, widget values and
training run must work through the proxy, and every request of a visitor (page, static
files, the websocket, uploads) must reach the same replica.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.request

import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import _free_port, open_from_nav, start_server, stop_server, wait_idle

COOKIE = "dlp_replica"
# Opened at /<page>, Streamlit's frontend first probes /<page>/_stcore/… as its base path, then
# falls back to /: those two 404s happen without a proxy too.
BASE_PROBE = re.compile(r"/[a-z]+/_stcore/(health|host-config)$")


def watch(context) -> tuple[set[str], list[str]]:
    """The replicas that answered the context's requests, and the requests that failed."""
    seen: set[str] = set()
    failed: list[str] = []

    def on_response(response) -> None:
        if not response.url.startswith("http"):
            return  # a blob: or data: URL the page made itself (e.g. the neuron maps' images): no request was sent
        seen.add(response.headers.get("x-dlp-replica", "?"))
        if response.status >= 400 and not BASE_PROBE.search(response.url):
            failed.append(f"{response.status} {response.url}")

    context.on("response", on_response)
    return seen, failed


def site_config(ports: list[int], listen: int) -> str:
    """deploy/nginx.conf with the compose file's replica and listen addresses replaced by local ones."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    servers = "\n".join(f"    server 127.0.0.1:{port};" for port in ports)
    text, n = re.subn(r"(?m)^    server app\d:8501;\n(    server app\d:8501;\n)*", servers + "\n", text)
    assert n == 1, "deploy/nginx.conf should list its replicas as app1:8501, app2:8501"
    text, n = re.subn(r"listen 80;", f"listen 127.0.0.1:{listen};", text)
    assert n == 1
    return text


def replica_of(url: str, key: str) -> str:
    """Which replica answers a request carrying `key` as the sticky cookie."""
    request = urllib.request.Request(f"{url}/_stcore/health", headers={"Cookie": f"{COOKIE}={key}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.headers["X-DLP-Replica"]


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if nginx is None:
        pytest.fail("Debian's nginx is not installed (apt-get install -y nginx); the proxy test needs it")
    tmp = tmp_path_factory.mktemp("nginx")
    ports = [_free_port(), _free_port()]
    servers = [start_server(port) for port in ports]
    listen = _free_port()
    (tmp / "site.conf").write_text(site_config(ports, listen))
    temp_paths = " ".join(
        f"{kind}_temp_path {tmp}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp / "nginx.conf").write_text(
        f"worker_processes 1; pid {tmp}/nginx.pid; error_log {tmp}/error.log;\n"
        "events { worker_connections 256; }\n"
        f"http {{ access_log off; {temp_paths} include {tmp}/site.conf; }}\n"
    )
    user = ["-g", "daemon off; user root;"] if os.geteuid() == 0 else ["-g", "daemon off;"]
    log = tmp / "stderr.log"
    with log.open("wb") as stderr:
        proc = subprocess.Popen([nginx, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), *user], stderr=stderr)
    url = f"http://127.0.0.1:{listen}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: {log.read_text()}") from None
            time.sleep(0.3)
    yield url, [f"127.0.0.1:{port}" for port in ports]
    for process in (proc, *servers):
        stop_server(process)


def keys_for_each_replica(url: str, replicas: list[str]) -> dict[str, str]:
    """A cookie value that routes to each replica (consistent hashing is deterministic)."""
    found: dict[str, str] = {}
    for i in range(200):
        found.setdefault(replica_of(url, f"visitor{i}"), f"visitor{i}")
        if len(found) == len(replicas):
            return found
    raise AssertionError(f"the proxy sent 200 keys to {sorted(found)} only, not to both replicas")


def test_a_visitor_keeps_page_widgets_and_training_run_on_one_replica(browser, proxy):
    url, replicas = proxy
    keys = keys_for_each_replica(url, replicas)
    assert set(keys) == set(replicas)
    for replica, key in keys.items():
        check_one_visitor(browser, url, replica, key)


def check_one_visitor(browser, url: str, replica: str, key: str) -> None:
    """A visitor whose cookie routes to `replica`: start a run, switch pages, find it all again."""
    context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
    context.add_cookies([{"name": COOKIE, "value": key, "url": url}])
    seen, failed = watch(context)
    page = context.new_page()
    page.goto(f"{url}/training")
    wait_idle(page, timeout=180_000)
    epochs = page.get_by_role("spinbutton", name="Epochs", exact=True)
    epochs.fill("40", timeout=120_000)
    epochs.press("Enter")
    wait_idle(page)
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Start").click()
    page.get_by_text(re.compile(r"Run #1 .*: finished")).wait_for(timeout=300_000)
    open_from_nav(page, "activations")  # the session, its widget values and its run live on the replica
    open_from_nav(page, "training")
    assert page.get_by_role("spinbutton", name="Epochs", exact=True).input_value() == "40"
    page.get_by_text(re.compile(r"Run #1 .*: finished")).wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert seen == {replica}, (key, seen)
    assert not failed, failed
    context.close()


def test_a_new_visitor_gets_the_cookie_and_then_sticks(browser, proxy):
    url, replicas = proxy
    context = browser.new_context(locale="en-US")
    seen, failed = watch(context)
    page = context.new_page()
    page.goto(url)  # the home page's cards are media files, kept in memory by the replica that drew them
    wait_idle(page, timeout=180_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('img')].filter(i => i.complete && i.naturalWidth).length >= 3"
    )
    cookie = [c for c in context.cookies() if c["name"] == COOKIE]
    assert len(cookie) == 1 and cookie[0]["value"]
    assert len(seen) == 1 and seen <= set(replicas)
    open_from_nav(page, "losses")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert len(seen) == 1
    assert not failed, failed
    context.close()
