"""Poems page in Chromium: type a four-character head, get acrostic poems with the heads in place."""

from tests.e2e.conftest import goto, screenshot, set_language, wait_idle

HEADS = "山水清风"


def poem_lines(page) -> list[list[str]]:
    """Each displayed poem's lines (the text before the final/rhyme annotation)."""
    poems = []
    for poem in page.locator(".poem").all():
        lines = []
        for line in poem.locator(".poem-line").all():
            lines.append(line.evaluate("el => el.firstChild.textContent"))
        poems.append(lines)
    return poems


def test_acrostic_poem_has_heads_in_place(page, app_url):
    goto(page, app_url, "poems")
    wait_idle(page, timeout=120_000)
    box = page.get_by_role("textbox", name="Head characters (typed in a row)")
    box.fill(HEADS)
    box.press("Enter")
    wait_idle(page, timeout=120_000)
    poems = poem_lines(page)
    assert poems, "no poem shown"
    for lines in poems:
        assert [line[0] for line in lines] == list(HEADS)
        assert all(len(line) == 7 for line in lines)
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "poems-en")
    page.get_by_role("tab", name="The model's thinking").click()
    wait_idle(page)
    screenshot(page, "poems-think-en")
    set_language(page, "简体中文")
    wait_idle(page, timeout=120_000)
    for lines in poem_lines(page):
        assert [line[0] for line in lines] == list(HEADS)
    screenshot(page, "poems-zh")
    page.get_by_role("tab", name="字向量").click()
    wait_idle(page)
    screenshot(page, "poems-embed-zh")
    page.get_by_role("tab", name="语料统计").click()
    wait_idle(page)
    screenshot(page, "poems-corpus-zh")
