"""Streamlit's own widget text in 中文 mode: uploaders, multiselects and the sidebar read in Chinese.

Streamlit draws an uploader's button ("Upload") and limit ("25MB per file • CSV") in English,
with the server-wide cap; `ui.widgets.uploader` replaces both with the uploader's own limit,
which it also enforces. A multiselect's placeholder is translated and its English-only
"Select all" is not offered in 中文.
"""

from core.data.limits import MAX_CSV_BYTES
from tests.e2e.conftest import goto, screenshot, wait_idle

AFTER = "(selector) => getComputedStyle(document.querySelector(selector), '::after').content"


def zh_page(browser, app_url, path: str):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    goto(page, app_url, path)
    return page


def test_uploader_states_and_enforces_its_own_limit_in_chinese(browser, app_url, tmp_path):
    page = zh_page(browser, app_url, "training")
    page.get_by_text("上传 CSV 表格", exact=True).click(timeout=120_000)  # the data source: an uploaded table
    wait_idle(page)
    scope = ".st-key-training_csv [data-testid='stFileUploaderDropzone']"
    page.wait_for_selector(scope, timeout=60_000)
    assert page.evaluate(AFTER, f"{scope} button p") == '"上传文件"'
    assert page.evaluate(AFTER, f"{scope} [data-testid='stFileUploaderDropzoneInstructions'] span") == (
        '"每个文件最大 5 MB · CSV, TXT"'
    )
    size = "(selector) => getComputedStyle(document.querySelector(selector)).fontSize"
    assert (
        page.evaluate(size, f"{scope} [data-testid='stFileUploaderDropzoneInstructions'] span") == "0px"
    )  # English hidden
    big = tmp_path / "big.csv"
    row = "1,2,3\n"
    big.write_text("a,b,c\n" + row * (MAX_CSV_BYTES // len(row) + 10))
    page.locator(".st-key-training_csv input[type='file']").set_input_files(str(big))
    page.get_by_text("这里只接受不超过 5 MB 的文件").wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "training-csv-too-big-zh")
    page.context.close()


def test_sidebar_and_multiselect_read_in_chinese(browser, app_url):
    page = zh_page(browser, app_url, "optimizers")
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "线程数" in sidebar and "threads" not in sidebar
    assert "View" not in sidebar  # the navigation is fully expanded, no English "View 3 more"
    box = page.locator('[data-testid="stMultiSelect"]:visible').first
    box.scroll_into_view_if_needed()
    box.locator("input").first.click()
    page.wait_for_timeout(300)
    assert page.get_by_text("Select all").count() == 0
    page.keyboard.press("Escape")
    placeholders = page.locator('[data-testid="stMultiSelect"] input').evaluate_all(
        "els => els.map(e => e.placeholder)"
    )
    assert all("Choose" not in p for p in placeholders), placeholders
    page.context.close()
