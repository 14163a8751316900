"""Live training in Chromium: start a run, watch its curve grow, stop it, download the model, reject a bad file."""

import os
import re
import time

from core import artifacts
from tests.e2e.conftest import goto, open_from_nav, screenshot, set_language, wait_idle
from tests.e2e.fragments import PAGE_DONE, Wire

PROGRESS = re.compile(r"(?:step|第) (\d+)/(\d+)")  # English and 中文 progress lines


def main(page):
    """The page body (the header has Streamlit's own Stop button while a script runs)."""
    return page.get_by_test_id("stMainBlockContainer")


def progress(page) -> tuple[int, int]:
    """(step, total steps) of the progress line; (-1, -1) when it shows none."""
    text = page.locator('[data-testid="stProgress"]').first.inner_text(timeout=60_000)
    match = PROGRESS.search(text)
    return (int(match.group(1)), int(match.group(2))) if match else (-1, -1)


def progress_step(page) -> int:
    return progress(page)[0]


_CURVE_JS = """() => {
    const box = [...document.querySelectorAll('[class*="st-key-"]')]
        .find(e => /[-.]loss(\\s|$)/.test(e.className) && e.querySelector('.js-plotly-plot'));
    const plot = box && box.querySelector('.js-plotly-plot');
    const trace = plot && plot._fullData && plot._fullData[0];  // decoded (numpy arrays arrive base64-packed)
    return (trace && trace._length) ? Number(trace.x[trace._length - 1]) : 0;
}"""


def curve_end(page) -> float:
    """The last step drawn on the live loss chart (its point count is capped, so it stops growing)."""
    return page.evaluate(_CURVE_JS)


def long_recipe(page) -> None:
    """500 epochs of single-sample steps: a run that lasts minutes even on a fast idle
    machine, so it is still training when a test stops it or switches pages."""
    for label, value in (("Epochs", "500"), ("Batch size", "1")):
        box = page.locator(f'input[aria-label="{label}"]')
        box.fill(value)
        box.press("Enter")
        wait_idle(page)


def test_start_watch_stop_download_and_reload(page, app_url, tmp_path):
    goto(page, app_url, "training")
    assert page.locator("h1").first.inner_text().strip()
    long_recipe(page)
    main(page).get_by_role("button", name="Start").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stProgress\"]')].some(e => /step [1-9]/.test(e.innerText))",
        timeout=120_000,
    )
    page.wait_for_function(f"() => ({_CURVE_JS})() > 0", timeout=120_000)
    first, end = progress_step(page), curve_end(page)
    page.wait_for_function(
        f"() => {{ const m = /step (\\d+)\\//.exec(document.querySelector('[data-testid=\"stProgress\"]').innerText);"
        f" return m && Number(m[1]) > {first}; }}",
        timeout=120_000,
    )
    assert progress_step(page) > first
    page.wait_for_function(f"() => ({_CURVE_JS})() > {end}", timeout=120_000)  # the live loss curve moves on
    assert curve_end(page) > end > 0
    screenshot(page, "training-running-en")
    main(page).get_by_role("button", name="Stop").click()
    page.get_by_text(re.compile(r"Run #1 .*: stopped")).wait_for(timeout=60_000)
    wait_idle(page)
    stopped_at, total = progress(page)
    assert 0 < stopped_at < total  # it stopped part-way: not finished (however far a machine got meanwhile)
    page.wait_for_timeout(1500)
    assert progress(page) == (stopped_at, total)  # and once stopped, the counter no longer moves

    with page.expect_download(timeout=60_000) as info:
        main(page).get_by_role("button", name="Download the model (.pt)").click()
    path = tmp_path / "model.pt"
    info.value.save_as(path)
    ckpt = artifacts.load(path.read_bytes())  # torch.load(weights_only=True) inside
    assert ckpt["meta"]["status"] == "stopped" and ckpt["meta"]["steps"] == stopped_at
    assert ckpt["config"]["model"]["kind"] == "mlp"

    uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]').last
    uploader.set_input_files(str(path))
    page.get_by_text(re.compile(r"Loaded a mlp model")).wait_for(timeout=60_000)
    bad = tmp_path / "broken.pt"
    bad.write_bytes(b"this is not a model file")
    uploader.set_input_files(str(bad))
    page.locator('[data-testid="stAlertContentError"]').first.wait_for(timeout=60_000)
    assert "cannot be read" in page.locator('[data-testid="stAlertContentError"]').first.inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "training-stopped-en")

    set_language(page, "简体中文")
    page.get_by_text("已停止").first.wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "training-stopped-zh")


def test_a_csv_table_trains_and_a_binary_file_is_refused(page, app_url, tmp_path):
    goto(page, app_url, "training")
    main(page).get_by_text("Upload a CSV table").click()
    wait_idle(page)
    rows = ["area,rooms,city,price"]
    for i in range(80):
        area, rooms = 40 + (i * 37) % 120, 1 + i % 5
        rows.append(f"{area},{rooms},{['north', 'south', ''][i % 3]},{3 * area + 20 * rooms + (i * 7) % 11}")
    table = tmp_path / "houses.csv"
    table.write_text("\n".join(rows), encoding="utf-8")
    uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]').first
    uploader.set_input_files(str(table))
    page.get_by_text(re.compile(r"regression · 6\d training / 1\d test samples")).wait_for(timeout=60_000)
    main(page).get_by_role("button", name="Start").click()
    page.get_by_text(re.compile(r"Run #\d+ csv .*: finished")).wait_for(timeout=180_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "training-csv-en")

    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 64)
    uploader.set_input_files(str(junk))
    error = page.locator('[data-testid="stAlertContentError"]').first
    error.wait_for(timeout=60_000)
    assert "binary" in error.inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0


def test_closing_the_tab_stops_its_run(page, app_url):
    other = page.context.new_page()  # a second browser tab is a second Streamlit session
    goto(page, app_url, "training")
    long_recipe(page)
    main(page).get_by_role("button", name="Start").click()
    page.get_by_text(re.compile(r"Run #1 .*: training")).wait_for(timeout=60_000)
    goto(other, app_url, "training")
    other.get_by_text("Training on this server right now: 1 run(s)").wait_for(timeout=30_000)
    page.close()  # the session disconnects: its session cache is released and the run stops
    deadline = 60
    for _ in range(deadline):
        other.reload()
        wait_idle(other)
        if other.get_by_text("Training on this server right now: 0 run(s)").count():
            break
        other.wait_for_timeout(1000)
    else:
        raise AssertionError("the closed tab's run is still training")
    other.close()


def test_a_run_keeps_going_across_page_switches(page, app_url):
    goto(page, app_url, "training")
    long_recipe(page)
    main(page).get_by_role("button", name="Start").click()
    page.get_by_text(re.compile(r"Run #\d+ .*: training")).wait_for(timeout=60_000)
    before = progress_step(page)
    open_from_nav(page, "activations", timeout=60_000)
    page.wait_for_timeout(2000)
    open_from_nav(page, "training", idle=False)  # a page with a run going is never idle
    page.locator('[data-testid="stProgress"]').first.wait_for(timeout=60_000)
    assert progress_step(page) > before  # it trained while another page was open
    assert page.locator('input[aria-label="Epochs"]').input_value() == "500"  # and the recipe is still set
    main(page).get_by_role("button", name="Stop").click()
    page.get_by_text(re.compile(r"Run #\d+ .*: stopped")).wait_for(timeout=60_000)


def one_section_sent(wire: Wire) -> None:
    """`Wire.fragment_run` for a section that holds a nested fragment (the live view polls its run with a
    fragment of its own, so its elements carry two fragment ids): no whole-page run, and every element
    sent lies in one block below the page's columns, so the other sections were not re-sent."""
    for _ in range(100):  # the last frame can trail the idle flag
        if wire.finished():
            break
        time.sleep(0.05)
    assert wire.finished() and PAGE_DONE not in wire.finished(), wire.finished()
    paths = [list(m.metadata.delta_path) for m in wire.messages if m.WhichOneof("type") == "delta"]
    assert paths, "the section sent nothing"
    assert len(os.path.commonprefix(paths)) >= 3, f"elements of several sections were sent: {paths}"


def test_pause_says_paused_once_the_counter_has_stopped_and_resume_goes_on(page, app_url):
    wire = Wire(page)
    goto(page, app_url, "training")
    long_recipe(page)
    wire.clear()
    main(page).get_by_role("button", name="Start").click()
    page.get_by_text(re.compile(r"Run #\d+ .*: training")).wait_for(timeout=60_000)
    for _ in range(1200):  # the Start click's whole-page run can end after the live view already says "training"
        if PAGE_DONE in wire.finished():
            break
        page.wait_for_timeout(50)
    wire.clear()
    main(page).get_by_role("button", name="Pause").click()
    page.get_by_text(re.compile(r"Run #\d+ .*: paused$")).wait_for(timeout=60_000)
    wait_idle(page)  # parked: the page stops polling
    one_section_sent(wire)  # only the live view redrew (the settings, comparison and files were not re-sent)
    paused_at = progress_step(page)
    page.wait_for_timeout(1500)
    set_language(page, "简体中文")  # a full rerun draws the run's snapshot again
    page.get_by_text(re.compile(r"训练 #\d+ .*：已暂停")).wait_for(timeout=60_000)
    assert progress_step(page) == paused_at > 0  # paused means the worker has stopped stepping
    screenshot(page, "training-paused-zh")
    set_language(page, "English")
    main(page).get_by_role("button", name="Resume").click()
    page.wait_for_function(
        f"() => {{ const m = /step (\\d+)\\//.exec(document.querySelector('[data-testid=\"stProgress\"]').innerText);"
        f" return m && Number(m[1]) > {paused_at}; }}",
        timeout=120_000,
    )
    main(page).get_by_role("button", name="Stop").click()
    page.get_by_text(re.compile(r"Run #\d+ .*: stopped")).wait_for(timeout=60_000)


def test_epochs_out_of_range_are_refused_beside_start_not_replaced(page, app_url):
    goto(page, app_url, "training")
    box = page.locator('input[aria-label="Epochs"]')
    box.fill("0")
    box.press("Enter")
    wait_idle(page)
    assert box.input_value() == "0"  # kept as typed (a bounded box turned red and trained 60 epochs)
    main(page).get_by_role("button", name="Start").click()
    wait_idle(page)
    error = main(page).locator('[data-testid="stAlertContentError"]').first
    error.wait_for(timeout=60_000)
    assert "at least 1" in error.inner_text() and "0" in error.inner_text()
    assert main(page).get_by_text(re.compile(r"Run #\d+ ")).count() == 0  # nothing was started
    box.fill("501")
    box.press("Enter")
    wait_idle(page)
    main(page).get_by_role("button", name="Start").click()
    wait_idle(page)
    assert "501" in main(page).locator('[data-testid="stAlertContentError"]').first.inner_text()
    screenshot(page, "training-epochs-refused-en")
