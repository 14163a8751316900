"""Poems page in Chromium: type a four-character head, get acrostic poems with the heads in place and
their 格律 analysis (the 平仄 under every character, the pattern, the verdict); paste a poem and see its
analysis; the thinking tab's temperature redraws only that tab."""

from tests.e2e.conftest import goto, screenshot, set_language, wait_idle
from tests.e2e.fragments import PAGE_DONE, Wire

HEADS = "山水清风"


def poem_lines(page) -> list[list[str]]:
    """Each poem of the Write tab: its lines (the text before the rhyme annotation)."""
    poems = []
    for poem in page.locator(".poem").all():
        lines = []
        for line in poem.locator(".poem-line").all():
            lines.append(line.evaluate("el => el.firstChild.textContent"))
        poems.append(lines)
    return poems


def think_bars(page) -> dict[str, list[float]]:
    """The thinking chart's bars: trace name (T = …) → probabilities."""
    page.wait_for_function(
        "() => { const g = document.querySelector('.st-key-poems-think .js-plotly-plot'); return g && g.data; }",
        timeout=60_000,
    )
    return page.evaluate(
        """() => Object.fromEntries(document.querySelector('.st-key-poems-think .js-plotly-plot').data
                .map(tr => [tr.name, Array.from(tr.y).map(Number)]))"""
    )


def test_acrostic_poem_has_heads_in_place(page, app_url):
    wire = Wire(page)
    goto(page, app_url, "poems")
    wait_idle(page, timeout=120_000)
    wire.clear()
    box = page.get_by_role("textbox", name="Head characters (typed in a row)")
    box.fill(HEADS)
    box.press("Enter")
    wait_idle(page, timeout=120_000)
    assert wire.finished() and PAGE_DONE not in wire.finished()  # the tabs reran, not the sidebar and header
    poems = poem_lines(page)
    assert poems, "no poem shown"
    for lines in poems:
        assert [line[0] for line in lines] == list(HEADS)
        assert all(len(line) == 7 for line in lines)
    # the 格律 analysis under every poem: one row of 平仄 marks per line, one mark per character; 格律 is on
    for poem in page.locator(".poem").all():
        assert poem.get_attribute("data-verdict") == "regular"
        rows = poem.locator(".poem-tones").all()
        assert len(rows) == 4
        assert all(set(row.inner_text().replace("\n", "")) <= set("平仄◎") and len(row.inner_text().strip()) == 7
                   for row in rows)  # fmt: skip
    assert page.get_by_text("regular (合律) ✓").count() >= len(poems)
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "poems-en")
    page.get_by_role("tab", name="Check a poem's 格律").click()
    box = page.get_by_role("textbox", name="Poem")
    box.fill("床前明月光，疑是地上霜。举头望明月，低头思故乡。")
    box.press("Control+Enter")
    wait_idle(page, timeout=120_000)
    page.get_by_text("not regulated verse (古绝/古体)").first.wait_for(timeout=60_000)
    assert page.locator(".poem-check").get_attribute("data-verdict") == "ancient"
    screenshot(page, "poems-gelv-en")
    page.get_by_role("tab", name="The model's thinking").click()
    wait_idle(page)
    screenshot(page, "poems-think-en")
    set_language(page, "简体中文")
    wait_idle(page, timeout=120_000)
    for lines in poem_lines(page):
        assert [line[0] for line in lines] == list(HEADS)
    assert page.get_by_text("合律 ✓").count() >= 1
    screenshot(page, "poems-zh")
    page.get_by_role("tab", name="真诗还是机器写？").click()
    wait_idle(page)
    page.get_by_role("button", name="A 是真诗").click()
    wait_idle(page, timeout=120_000)
    page.get_by_text("本次得分：1 轮中答对").wait_for(timeout=60_000)
    screenshot(page, "poems-game-zh")
    page.get_by_role("tab", name="字向量").click()
    wait_idle(page)
    screenshot(page, "poems-embed-zh")
    page.get_by_role("tab", name="语料统计").click()
    wait_idle(page)
    screenshot(page, "poems-corpus-zh")


def test_temperature_redraws_only_the_thinking_tab(page, app_url):
    wire = Wire(page)
    goto(page, app_url, "poems")
    wait_idle(page, timeout=120_000)  # seven tabs of poems and analyses: a busy machine takes a while
    page.get_by_role("tab", name="The model's thinking").click(timeout=120_000)
    before = think_bars(page)
    assert "T = 0.9" in before and "T = 1" in before  # the decoder's default temperature beside the fixed ones
    wire.clear()
    slider = page.locator('[data-testid="stSlider"] input[type="range"][aria-label="Temperature T"]:visible')
    slider.focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    wait_idle(page)
    wire.fragment_run()  # the poems, the embedding map and the corpus charts were not re-sent
    after = think_bars(page)
    assert "T = 1.1" in after and "T = 0.9" not in after
    assert after["T = 1"] == before["T = 1"]  # the same position: the model's view at T = 1 did not change
    assert after["T = 1.1"][0] < before["T = 0.9"][0]  # a hotter softmax: the favourite loses probability
    assert page.locator('[data-testid="stException"]').count() == 0


def test_choosing_the_model_switches_between_planned_and_unplanned_poems(page, app_url):
    goto(page, app_url, "poems")
    wait_idle(page, timeout=120_000)
    assert page.locator(".poem").count() >= 1
    planned = page.get_by_text("planned rhyme:")
    assert planned.count() + page.get_by_text("planned: no 平声 rhyme").count() >= 1  # the planning GRU is the default
    page.get_by_text("GRU (the course's model)").click()
    wait_idle(page, timeout=120_000)
    assert page.locator(".poem").count() >= 1 and planned.count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("Built-in model: GRU, 805,096 parameters").count() == 1  # the plain model's card
