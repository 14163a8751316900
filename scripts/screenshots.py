"""Screenshot every page in both languages (for the README) and make the home page's cards.

Writes ``screenshots/<page>-<lang>.png`` (full pages, git-ignored, for people to look at),
``docs/<page>-<lang>.png`` (the README's pictures, viewport-sized) and
``static/cards/<page>.png`` (small pictures for the home page's cards).

    .venv/bin/python scripts/screenshots.py [--pages activations,losses]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.conftest import _free_port, open_from_nav, set_language, start_server, wait_idle  # noqa: E402
from ui.nav import available  # noqa: E402

CARD_WIDTH = 480
DOC_WIDTH = 1000
LANG_LABELS = {"zh": "简体中文", "en": "English"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default="", help="comma-separated page names (default: all)")
    args = parser.parse_args()
    wanted = set(filter(None, args.pages.split(",")))
    specs = [s for s in available() if not wanted or s.name in wanted]
    for folder in ("screenshots", "docs", "static/cards"):
        (ROOT / folder).mkdir(parents=True, exist_ok=True)
    port = _free_port()
    server = start_server(port)
    url = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"]
            )
            for lang in ("en", "zh"):
                page = browser.new_page(locale="en-US", viewport={"width": 1400, "height": 900})
                page.goto(url)
                wait_idle(page)
                set_language(page, LANG_LABELS[lang])
                for spec in [None, *specs]:
                    name = spec.name if spec else "home"
                    if spec:
                        open_from_nav(page, spec.url, idle=False)
                    wait_idle(page, timeout=180_000)
                    page.wait_for_timeout(1500)  # let plotly finish drawing
                    page.screenshot(path=str(ROOT / "screenshots" / f"{name}-{lang}.png"), full_page=True)
                    doc = ROOT / "docs" / f"{name}-{lang}.png"
                    page.screenshot(path=str(doc))
                    picture = Image.open(doc).convert("RGB")
                    picture.thumbnail((DOC_WIDTH, DOC_WIDTH))
                    picture.save(doc, optimize=True)
                    if spec and lang == "en":
                        charts = page.locator(".js-plotly-plot")  # a page's first chart says most about it
                        subject = charts.first if charts.count() else page.locator('[data-testid="stMain"]')
                        subject.screenshot(path=str(ROOT / "static" / "cards" / f"{name}.png"))
                        card = Image.open(ROOT / "static" / "cards" / f"{name}.png").convert("RGB")
                        card = card.crop((0, 0, card.width, min(card.height, int(card.width * 0.6))))
                        card.thumbnail((CARD_WIDTH, CARD_WIDTH))
                        card.save(ROOT / "static" / "cards" / f"{name}.png", optimize=True)
                    print(f"{lang} {name}")
                page.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
