"""e2e: choose two optimizers, run, see two paths on the contour; a click on the plot moves the start."""

from tests.e2e.conftest import open_from_nav, screenshot, set_language, wait_idle
from tests.e2e.fragments import Wire

PATHS_JS = """() => {
  const plot = document.querySelector('.st-key-optimizers_contour .js-plotly-plot')
            || document.querySelector('.js-plotly-plot');
  if (!plot || !plot.data) return null;
  return plot.data.filter(t => t.meta === 'path').map(t => t.name);  // ui.surface_charts tags each path
}"""


def open_optimizers(page, app_url):
    page.goto(app_url)
    wait_idle(page)
    open_from_nav(page, "optimizers")
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)


def test_two_optimizers_two_paths_and_click_to_start(page, app_url):
    wire = Wire(page)
    open_optimizers(page, app_url)
    assert page.locator('[data-testid="stException"]').count() == 0
    for name in ("Momentum (PyTorch)", "AdaGrad (PyTorch)"):  # the default race has four; keep SGD and Adam
        wire.clear()
        page.get_by_role("button", name=f"Remove {name}").click()
        wait_idle(page, timeout=120_000)
        wire.fragment_run()  # the race section alone reran: the page's title and intro were not re-sent
    page.wait_for_function(f"() => {{ const n = ({PATHS_JS})(); return n && n.length === 2; }}", timeout=60_000)
    names = page.evaluate(PATHS_JS)
    assert len(names) == 2
    assert any("SGD" in n for n in names) and any("Adam" in n for n in names)
    screenshot(page, "optimizers-en")

    start_x = page.get_by_label("Start x")
    assert start_x.input_value() == "-7"
    box = page.locator(".js-plotly-plot .nsewdrag").first.bounding_box()
    wire.clear()
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.25)  # upper right quarter
    page.wait_for_function(
        "() => { const i = [...document.querySelectorAll('input')].find(e => e.getAttribute('aria-label') === 'Start x'"
        " || (e.closest('[data-testid=stNumberInput]') || {}).innerText?.includes('Start x'));"
        " return i && parseFloat(i.value) > 0; }",
        timeout=60_000,
    )
    wait_idle(page, timeout=120_000)
    wire.fragment_run()
    assert float(start_x.input_value()) > 0
    assert float(page.get_by_label("Start y").input_value()) > 0
    assert page.locator('[data-testid="stException"]').count() == 0

    set_language(page, "简体中文")
    page.wait_for_selector("text=优化器赛跑", timeout=60_000)
    wait_idle(page, timeout=120_000)
    page.wait_for_timeout(1500)
    screenshot(page, "optimizers-zh")


SCENES_JS = """() => [...document.querySelectorAll('.js-plotly-plot')]
  .filter(p => (p.data || []).some(t => t.type === 'surface')).length"""


def test_the_3d_surface_is_drawn_only_when_its_tab_is_opened(page, app_url):
    open_optimizers(page, app_url)
    assert page.evaluate(SCENES_JS) == 0  # lazy tabs: the contour tab is open, no WebGL scene yet
    page.get_by_role("tab", name="3-D surface").click()
    page.wait_for_function(f"() => ({SCENES_JS})() > 0", timeout=120_000)
    wait_idle(page, timeout=120_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "optimizers-3d-en")
    page.get_by_role("tab", name="Loss vs step").click()
    wait_idle(page, timeout=120_000)
    page.wait_for_function(f"() => ({SCENES_JS})() === 0", timeout=60_000)
    set_language(page, "简体中文")  # the open tab's label changes with the language: the page must still draw
    page.wait_for_selector("text=优化器赛跑", timeout=60_000)
    wait_idle(page, timeout=120_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_role("tab").count() == 4
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)


def test_an_overflowing_formula_gives_a_message_not_a_traceback(page, app_url):
    open_optimizers(page, app_url)
    box = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').filter(has_text="Loss surface")
    box.click()
    page.get_by_role("option", name="Custom formula…").click()
    wait_idle(page, timeout=120_000)
    formula = page.get_by_role("textbox", name="f(x, y) =")
    formula.fill("exp(1000*x)")
    formula.press("Enter")
    wait_idle(page, timeout=120_000)
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="overflows")
    alert.wait_for(timeout=60_000)
    assert "exp(1000*x)" in alert.inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "optimizers-overflow-en")
    set_language(page, "简体中文")
    page.locator('[data-testid="stAlert"]').filter(has_text="溢出").wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "optimizers-overflow-zh")
    formula = page.get_by_role("textbox", name="f(x, y) =")
    formula.fill("x^2 + y^2")  # a sane formula brings the race back
    formula.press("Enter")
    wait_idle(page, timeout=120_000)
    page.wait_for_function(f"() => {{ const n = ({PATHS_JS})(); return n && n.length === 4; }}", timeout=60_000)
    assert page.locator('[data-testid="stAlert"]').filter(has_text="溢出").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0


# Rectangles of the chart's toolbar (modebar) and of every legend entry, as drawn.
OVERLAP_JS = """(key) => {
  const root = document.querySelector(`.st-key-${key}`);
  const bar = root.querySelector('.modebar');
  if (!bar) return null;
  const b = bar.getBoundingClientRect();
  return [...root.querySelectorAll('.legend .traces')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.left < b.right && b.left < r.right && r.top < b.bottom && b.top < r.bottom;
  }).map(e => e.textContent);
}"""


def test_the_toolbar_never_covers_the_legend(page, app_url):
    open_optimizers(page, app_url)
    set_language(page, "简体中文")  # the Chinese entries are the widest: 动量法 Momentum（PyTorch）
    page.wait_for_selector("text=优化器赛跑", timeout=60_000)
    wait_idle(page, timeout=120_000)
    plot = page.locator(".st-key-optimizers_contour .js-plotly-plot")
    plot.hover()  # plotly shows its toolbar while the pointer is over the chart
    page.wait_for_function(f"() => ({OVERLAP_JS})('optimizers_contour') !== null", timeout=30_000)
    assert page.evaluate(OVERLAP_JS, "optimizers_contour") == []
    page.get_by_role("tab", name="损失 vs 步数").click()
    wait_idle(page, timeout=120_000)
    page.locator(".st-key-optimizers_loss .js-plotly-plot").hover()
    page.wait_for_function(f"() => ({OVERLAP_JS})('optimizers_loss') !== null", timeout=30_000)
    assert page.evaluate(OVERLAP_JS, "optimizers_loss") == []
    assert page.locator('[data-testid="stException"]').count() == 0
