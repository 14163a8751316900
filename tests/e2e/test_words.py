"""Words page in Chromium: type a sentence, see its words, the vocabulary and the similarity tables
(redrawn by the explorer's fragment alone)."""

from tests.e2e.conftest import goto, screenshot, set_language, wait_idle
from tests.e2e.fragments import Wire


def _open(page, app_url) -> None:
    # On a fresh server Streamlit serves a deep link to pages/<x>.py as an auto-discovered page
    # until app.py (which calls st.navigation) has run once, so open the app's root first.
    goto(page, app_url, "")
    goto(page, app_url, "words")


def _shot(page, name: str) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside its main block, so grow the viewport."""
    height = page.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], '
        '[data-testid="stMainBlockContainer"]\')].map(e => e.scrollHeight))'
    )
    page.set_viewport_size({"width": 1400, "height": min(int(height) + 80, 8000)})
    page.wait_for_timeout(800)
    screenshot(page, name)
    page.set_viewport_size({"width": 1400, "height": 1000})


def _chips(page) -> list[str]:
    page.wait_for_selector(".word-chips .word-chip", timeout=60_000)  # first run loads jieba's dictionary
    return page.locator(".word-chips .word-chip").all_inner_texts()


def test_type_a_sentence_and_see_words_and_similarity(page, app_url):
    wire = Wire(page)
    _open(page, app_url)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "运动员" in _chips(page)

    wire.clear()
    box = page.locator(".st-key-p-words-text textarea")
    box.fill("我来到北京清华大学，我爱自然语言处理")
    box.press("Control+Enter")
    wait_idle(page)
    wire.fragment_run()  # the explorer alone: the header and the closing explanation were not re-sent
    chips = _chips(page)
    assert chips[:4] == ["我", "来到", "北京", "清华大学"]
    assert "自然语言" in chips
    assert page.locator('[data-testid="stAlert"]').filter(has_text="empty").count() == 0

    # the vocabulary, three heatmaps (vectors, one-hot, embedding) and the neighbours table
    assert page.locator('[data-testid="stDataFrame"]').count() == 1
    assert page.locator(".js-plotly-plot").count() == 3
    assert page.get_by_text("Cosine similarity of one-hot vectors").first.is_visible()
    table = page.locator('[data-testid="stTable"]')
    assert table.count() == 1
    cells = table.locator("td").all_inner_texts()
    assert any(c.startswith(("+", "-")) and "." in c for c in cells)
    _shot(page, "words-en")

    set_language(page, "简体中文")
    assert page.get_by_text("one-hot 向量的余弦相似度").first.is_visible()
    assert "清华大学" in _chips(page)
    _shot(page, "words-zh")


def test_empty_text_shows_a_message(page, app_url):
    _open(page, app_url)
    box = page.locator(".st-key-p-words-text textarea")
    box.fill("")
    box.press("Control+Enter")
    wait_idle(page)
    assert page.get_by_text("The text is empty").first.is_visible()
    assert page.locator('[data-testid="stException"]').count() == 0


def _vector_dims(page) -> list[str]:
    """The embedding heatmap's columns (one per dimension of W), once plotly has drawn it (the word chips can come first)."""
    plot = "document.querySelector('.st-key-words-vectors .js-plotly-plot')"
    page.wait_for_function(f"() => {plot}?.data?.[0]?.x !== undefined", timeout=60_000)
    return page.evaluate(f"() => {plot}.data[0].x")


def test_dimension_slider_redraws_the_vectors_only_in_the_explorer(page, app_url):
    wire = Wire(page)
    _open(page, app_url)
    _chips(page)
    assert _vector_dims(page) == ["0", "1", "2", "3"]  # the course's embedding_dim=4
    wire.clear()
    page.locator('.st-key-p-words-dim input[type="range"]').focus()
    page.keyboard.press("ArrowRight")
    wait_idle(page)
    wire.fragment_run()
    page.wait_for_function(
        "() => document.querySelector('.st-key-words-vectors .js-plotly-plot').data[0].x.length === 5", timeout=30_000
    )
    assert _vector_dims(page) == ["0", "1", "2", "3", "4"]
    assert page.locator('[data-testid="stException"]').count() == 0
