"""Linear-model page in Chromium: the learning-rate and step sliders change the update line; bad input is a message."""

from tests.e2e.conftest import goto, screenshot, set_language, wait_idle
from tests.e2e.fragments import Wire

COURSE_LINE = "w ← 1.000 − 0.01 × (−9.333) = 1.093"


def _open_section(page, text: str) -> None:
    page.locator('[data-testid="stButtonGroup"] button', has_text=text).click(timeout=120_000)
    wait_idle(page)


def _slider(page, label: str):
    return page.locator(f'[data-testid="stSlider"] input[type="range"][aria-label="{label}"]')


def _code(page) -> str:
    return page.locator('[data-testid="stCode"]').first.inner_text().strip()


def _wait_code_change(page, before: str) -> None:
    page.wait_for_function(
        "before => document.querySelector('[data-testid=\"stCode\"]')?.innerText.trim() !== before", arg=before
    )


def _no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


def test_learning_rate_and_step_sliders_change_the_update(page, app_url):
    wire = Wire(page)
    goto(page, app_url, "linear")
    _open_section(page, "Gradient descent")
    assert _code(page) == COURSE_LINE
    lr = _slider(page, "Learning rate η")
    wire.clear()
    lr.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")  # 0.010 → 0.015
    wait_idle(page)
    wire.fragment_run()  # the gradient-descent section alone reran
    _wait_code_change(page, COURSE_LINE)
    assert _code(page).startswith("w ← 1.000 − 0.015 × (−9.333)")
    _no_exception(page)

    before = _code(page)
    _slider(page, "Step k").focus()
    page.keyboard.press("ArrowRight")
    wait_idle(page)
    _wait_code_change(page, before)
    assert _code(page).startswith("w ← 1.140")  # w₁ = 1 + 0.015 · 9.333
    _no_exception(page)

    lr.focus()
    page.keyboard.press("End")  # 0.3: above 2/λ_max = 0.2143
    wait_idle(page)
    page.locator('[data-testid="stAlert"]', has_text="Diverges").first.wait_for()
    _no_exception(page)
    screenshot(page, "linear-gd-diverged-en")


def test_typed_zero_learning_rate_is_refused_with_a_message(page, app_url):
    goto(page, app_url, "linear")
    _open_section(page, "Gradient descent")
    page.locator('[data-testid="stMain"] label', has_text="Type the learning rate").click()  # the switch's label
    wait_idle(page)
    box = page.locator('[data-testid="stNumberInput"] input[aria-label="Learning rate η (typed)"]')
    box.fill("0")
    box.press("Enter")
    wait_idle(page)
    page.locator('[data-testid="stAlert"]', has_text="must be greater than 0").wait_for()
    _no_exception(page)
    box.fill("1e9")
    box.press("Enter")
    wait_idle(page)
    page.locator('[data-testid="stAlert"]', has_text="stopped at step 0").wait_for()
    assert "1e9 × (−9.333)" in _code(page)
    _no_exception(page)


def test_every_section_in_both_languages(page, app_url):
    goto(page, app_url, "linear")
    sections = ("Exhaustive search", "Gradient descent", "Batch vs stochastic", "Logistic regression")
    for i, text in enumerate(sections):
        _open_section(page, text)
        _no_exception(page)
        assert page.locator('[data-testid="stPlotlyChart"]').count() >= 2
        screenshot(page, f"linear-{i + 1}-en")
    set_language(page, "简体中文")
    for i, text in enumerate(("穷举法", "梯度下降", "批量与随机梯度", "逻辑回归")):
        _open_section(page, text)
        _no_exception(page)
        assert page.locator('[data-testid="stPlotlyChart"]').count() >= 2
        screenshot(page, f"linear-{i + 1}-zh")
    _open_section(page, "逻辑回归")
    before = page.locator('[data-testid="stMetricValue"]').first.inner_text()
    _slider(page, "第 k 步").focus()
    page.keyboard.press("Home")  # back to step 0: the untrained model
    wait_idle(page)
    page.wait_for_function(
        "before => document.querySelector('[data-testid=\"stMetricValue\"]').innerText !== before", arg=before
    )
    _no_exception(page)


def test_play_moves_the_decision_boundary_until_paused(page, app_url):
    goto(page, app_url, "linear")
    _open_section(page, "Logistic regression")
    page.get_by_role("button", name="▶ Play").click()
    page.wait_for_function(  # the timer moved the step on past the first frame (10 of 300)
        """() => +document.querySelector('[data-testid="stSlider"] input[aria-label="Step k"]')?.value > 10""",
        timeout=120_000,
    )
    page.get_by_role("button", name="⏸ Pause").click(timeout=120_000)  # a busy machine: the timer's runs queue up
    wait_idle(page, timeout=120_000)
    page.get_by_role("button", name="▶ Play").wait_for(timeout=120_000)
    _no_exception(page)
