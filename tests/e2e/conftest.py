"""End-to-end fixtures: one running app server per test session, driven by Debian's Chromium.

pytest-playwright supplies `page`; we point it at the system Chromium (no `playwright
install`). A missing browser fails the run — it never silently skips the e2e tests.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import ROOT

SHOTS = ROOT / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, root: Path = ROOT, python: str = sys.executable) -> subprocess.Popen:
    """Start `streamlit run app.py` (of the checkout at `root`, with interpreter `python`) on `port`; wait until healthy."""
    cmd = [
        python, "-m", "streamlit", "run", str(root / "app.py"),
        "--server.headless=true", f"--server.port={port}", "--server.address=127.0.0.1",
        "--browser.gatherUsageStats=false", "--server.fileWatcherType=none",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit server did not become healthy in 90 s")


@pytest.fixture(scope="session")
def app_url():
    port = _free_port()
    proc = start_server(port)
    yield f"http://127.0.0.1:{port}"
    stop_server(proc)


def stop_server(proc: subprocess.Popen) -> None:
    """Terminate a server; kill it if it has not exited within 30 s (a busy machine is slow to wind down)."""
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(30)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("Debian's chromium is not installed (apt-get install -y chromium); e2e tests need it")
    return {
        **browser_type_launch_args,
        "executable_path": chromium,
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ],
    }  # fmt: skip


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-US", "viewport": {"width": 1400, "height": 1000}}


def wait_idle(page, timeout: float = 60_000, settle_ms: int = 600) -> None:
    """Wait until the app is drawn and its script has stayed finished for `settle_ms`.

    A run can be followed at once by another (a rerun, a fragment), so one glimpse of
    "notRunning" is not enough: it must hold for a little while.
    """
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    deadline = time.monotonic() + timeout / 1000
    idle_since = None
    while time.monotonic() < deadline:
        state = page.evaluate(
            """() => document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state')"""
        )
        if state == "notRunning":
            idle_since = idle_since or time.monotonic()
            if (time.monotonic() - idle_since) * 1000 >= settle_ms:
                return
        else:
            idle_since = None
        page.wait_for_timeout(100)
    raise TimeoutError(f"the app did not become idle within {timeout / 1000:.0f} s")


def goto(page, app_url: str, path: str = "", timeout: float = 180_000) -> None:
    """Open a page by its url path and wait for it to settle (a page's first run can be slow)."""
    page.goto(f"{app_url}/{path}")
    wait_idle(page, timeout=timeout)


def wait_for_path(page, path: str, timeout: float = 30_000) -> None:
    """Wait until the address bar shows page `path`, whatever query string the page has written.

    A glob like `**/digits` misses `/digits?lang=en`, and the page writes its settings into
    the query string (ui.state) as soon as its first run ends, so match the path alone.
    """
    page.wait_for_url(lambda url: urlparse(url).path.rstrip("/").endswith(f"/{path}"), timeout=timeout)


def open_from_nav(page, path: str, *, idle: bool = True, timeout: float = 120_000) -> None:
    """Switch to another page with its sidebar link (same session, unlike `goto`), and wait for it."""
    page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').click()
    wait_for_path(page, path)
    if idle:
        wait_idle(page, timeout=timeout)


def set_language(page, label: str) -> None:
    """Pick 简体中文 or English in the sidebar's language box."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first
    box.click()
    page.get_by_role("option", name=label).click()
    wait_idle(page)


def visit_every_tab(page, prefix: str, tabs: tuple[str, ...]) -> None:
    """Open every tab of the page in English then in 中文: no exception, a screenshot of each."""
    for lang in ("en", "zh"):
        if lang == "zh":
            set_language(page, "简体中文")
        found = page.get_by_role("tab")
        assert found.count() == len(tabs)
        for i, name in enumerate(tabs):
            found.nth(i).click()
            wait_idle(page)
            page.wait_for_timeout(600)
            assert page.locator('[data-testid="stException"]').count() == 0
            screenshot(page, f"{prefix}-{name}-{lang}")
    page.get_by_role("tab").nth(0).click()
    page.wait_for_timeout(600)
    screenshot(page, f"{prefix}-zh")


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under screenshots/ (for people to look at)."""
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
