"""The 2-D playground's core: input features, L1/L2 penalties, neuron maps, gradient norms, run controls, edits."""

import math
import sys
import time

import numpy as np
import pytest
import torch
from torch import nn

from core.data import DATASETS
from core.data.edit import edited, empty_like, nearest, remove_at
from core.data.features import FEATURES, FeatureMap, expand
from core.errors import UserError
from core.models import MODELS, build_model, count_params, layer_table
from core.train import LiveRun
from core.train.controls import RunControls, scale_lr
from core.train.gradients import GradientLog, grad_norms, verdict
from core.train.neurons import GRID, histograms, neuron_maps, neuron_view, plane, viewable
from core.train.penalty import penalty
from core.train.setup import prepare
from core.train.worker import train


def wait_for(cond, timeout=120.0):
    """Wait for a state (generous: a busy machine is slow, never wrong)."""
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def config_for(data, hidden=(8, 8), features=None, epochs=20, **extra):
    model = MODELS.get("mlp").config(data.input_shape, data.n_outputs, {"layers": len(hidden), "width": hidden[0]})
    if features is not None:
        model["features"] = list(features)
    return {"model": model, "loss": {"name": "cross_entropy", "params": {}},
            "optimizer": {"name": "adam", "params": {"lr": 0.01}}, "scheduler": {"name": "constant", "params": {}},
            "batch_mode": "minibatch", "batch_size": 32, "epochs": epochs, "seed": 0, **extra}  # fmt: skip


def test_core_never_imports_streamlit():
    import subprocess

    modules = "core.data.features, core.data.edit, core.train.neurons, core.train.gradients, core.train.controls"
    code = f"import sys, {modules}, core.train.report, core.train.penalty; assert 'streamlit' not in sys.modules"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr


# -- input features ----------------------------------------------------------------------


def test_feature_expansion_matches_numpy():
    x = torch.randn(50, 2, generator=torch.Generator().manual_seed(0))
    a, b = x[:, 0].numpy(), x[:, 1].numpy()
    want = {"x1": a, "x2": b, "x1_sq": a**2, "x2_sq": b**2, "x1x2": a * b, "sin_x1": np.sin(a), "sin_x2": np.sin(b)}
    out = expand(x, FEATURES).numpy()
    assert out.shape == (50, 7)
    for j, name in enumerate(FEATURES):
        np.testing.assert_allclose(out[:, j], want[name], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(expand(x, ["sin_x2", "x1"]).numpy(), np.stack([np.sin(b), a], 1), rtol=1e-6)


@pytest.mark.parametrize("bad", [[], ["x1", "x1"], ["x3"], "x1"])
def test_bad_feature_choices_are_refused_with_the_valid_names(bad):
    with pytest.raises(UserError) as err:
        expand(torch.zeros(3, 2), bad)
    assert "x1_sq" in str(err.value) or "list" in str(err.value)


def test_an_mlp_with_features_takes_raw_points_and_its_layer_table_shows_the_input_width():
    config = MODELS.get("mlp").config([2], 3, {"layers": 1, "width": 4}, features=["x1", "x2", "x1_sq", "sin_x1"])
    model = build_model(config)
    assert isinstance(model.features, FeatureMap)
    rows = layer_table(model, [2])
    assert rows[0] == {"name": "features", "type": "FeatureMap", "output_shape": (4,), "params": 0}
    assert model.fc1.in_features == 4 and sum(r["params"] for r in rows) == count_params(model)
    x = torch.randn(5, 2)
    manual = model.out(model.act1(model.fc1(expand(x, ["x1", "x2", "x1_sq", "sin_x1"]))))
    torch.testing.assert_close(model(x), manual)
    with pytest.raises(UserError):
        build_model(MODELS.get("mlp").config([3], 2, {}, features=["x1"]))


# -- penalties -----------------------------------------------------------------------------


def test_l1_and_l2_penalties_match_a_hand_computation():
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[1.0, -2.0], [0.5, 0.0]]))
        model[0].bias.fill_(100.0)  # biases are not penalised
        model[2].weight.copy_(torch.tensor([[-3.0, 1.0]]))
    # Σ|w| = 1 + 2 + 0.5 + 0 + 3 + 1 = 7.5;  Σw² = 1 + 4 + 0.25 + 0 + 9 + 1 = 15.25
    assert penalty(model, l1=0.1).item() == pytest.approx(0.75)
    assert penalty(model, l2=0.2).item() == pytest.approx(0.5 * 0.2 * 15.25)
    assert penalty(model, l1=0.1, l2=0.2).item() == pytest.approx(0.75 + 1.525)
    assert penalty(model).item() == 0.0
    penalty(model, l2=1.0).backward()  # the L2 gradient is λ₂·W: weight decay
    torch.testing.assert_close(model[0].weight.grad, model[0].weight.detach())
    with pytest.raises(ValueError):
        penalty(model, l1=-1)


def test_a_run_with_l2_ends_with_smaller_weights_than_without():
    data = DATASETS.get("moons").load(0)
    norms = []
    for l2 in (0.0, 0.05):
        setup = prepare(config_for(data, epochs=15, regularization={"l1": 0.0, "l2": l2}), data, torch.device("cpu"))
        train(setup, LiveRun(lambda r: None))
        norms.append(sum((w**2).sum().item() for n, w in setup.model.named_parameters() if n.endswith("weight")))
    assert norms[1] < norms[0]


# -- neuron maps -----------------------------------------------------------------------------


def test_neuron_maps_are_the_hidden_outputs_of_a_forward_pass_on_the_grid():
    torch.manual_seed(0)
    model = build_model(MODELS.get("mlp").config([2], 3, {"layers": 2, "width": 5, "activation": "tanh"},
                                                 features=["x1", "x2", "x1x2"]))  # fmt: skip
    xs, ys = torch.linspace(-1, 1, GRID), torch.linspace(-2, 2, GRID + 3)
    maps = neuron_maps(model, xs, ys)
    assert [m.shape for m in maps] == [(5, GRID + 3, GRID), (5, GRID + 3, GRID)]
    with torch.no_grad():
        h1 = model[:3](plane(xs, ys))  # features → fc1 → act1
        h2 = model[:5](plane(xs, ys))
    i, j = 7, 11  # z[i][j] is the neuron at (xs[j], ys[i])
    point = torch.tensor([[xs[j], ys[i]]])
    with torch.no_grad():
        np.testing.assert_allclose(maps[0][:, i, j], model[:3](point)[0].numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(maps[0], h1.T.reshape(5, GRID + 3, GRID).numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(maps[1], h2.T.reshape(5, GRID + 3, GRID).numpy(), rtol=1e-5, atol=1e-6)


def test_neuron_view_carries_maps_histograms_and_weights_and_leaves_training_mode():
    torch.manual_seed(0)
    model = build_model(MODELS.get("mlp").config([2], 2, {"layers": 2, "width": 3, "batchnorm": True}))
    model.train()
    x = torch.randn(100, 2)
    view = neuron_view(model, x, x)
    assert model.training
    assert len(view["layers"]) == 2 and view["inputs"] == ["x1", "x2"]
    xs = torch.as_tensor(view["x"])
    np.testing.assert_allclose(view["input_maps"][0][5], xs.numpy(), rtol=1e-6)  # x1 grows along a row
    assert view["layers"][0]["maps"].shape == (3, GRID, GRID)
    assert view["layers"][1]["hist"].shape == (3, 20) and view["layers"][1]["hist"].sum(axis=1).tolist() == [100] * 3
    assert [w["weight"].shape for w in view["weights"]] == [(3, 2), (3, 3), (2, 3)]
    np.testing.assert_array_equal(view["weights"][0]["weight"], model.fc1.weight.detach().numpy())
    counts, edges = histograms(torch.tensor([[1.0], [1.0]]))  # a constant neuron still gets a bin range
    assert counts.sum() == 2 and edges[0, 0] < 1 < edges[0, -1]


def test_only_small_mlps_on_2d_points_get_a_neuron_view():
    assert viewable(build_model(MODELS.get("mlp").config([2], 2, {"layers": 4, "width": 8})), (2,))
    assert not viewable(build_model(MODELS.get("mlp").config([2], 2, {"layers": 0})), (2,))
    assert not viewable(build_model(MODELS.get("mlp").config([3], 2, {})), (3,))
    assert not viewable(build_model(MODELS.get("mlp").config([2], 2, {"layers": 2, "width": 100})), (2,))


# -- gradient norms -------------------------------------------------------------------------


def test_gradient_norms_per_layer_match_torch():
    torch.manual_seed(0)
    model = build_model(MODELS.get("mlp").config([2], 2, {"layers": 2, "width": 4}))
    model(torch.randn(8, 2)).sum().backward()
    want = [
        float(model.fc1.weight.grad.norm()),
        float(model.fc2.weight.grad.norm()),
        float(model.out.weight.grad.norm()),
    ]
    assert grad_norms(model) == pytest.approx(want)
    log = GradientLog(model, every_s=0.0)
    log()
    log()
    snap = log.snapshot()
    assert snap["layers"] == ["fc1", "fc2", "out"] and snap["steps"].tolist() == [1, 2]
    np.testing.assert_allclose(snap["norms"][0], want, rtol=1e-6)


def test_gradient_verdict_reads_vanishing_and_exploding_against_the_output_layer():
    assert verdict([1.0, 1.0, 1.0])["kind"] == "healthy"
    assert verdict([1e-5, 1e-2, 1.0]) == {"kind": "vanishing", "layer": 1, "ratio": pytest.approx(1e-5)}
    assert verdict([1e-3, 1.0, 1.0])["layer"] == 1
    assert verdict([1e4, 1e3, 1.0])["kind"] == "exploding" and verdict([1e4, 1e3, 1.0])["layer"] == 2
    assert verdict([math.inf, 1.0])["kind"] == "exploding"


def test_a_deep_sigmoid_run_reports_vanishing_gradients_in_its_snapshot():
    data = DATASETS.get("moons").load(0)
    config = config_for(data, hidden=(8,) * 6, epochs=2)
    config["model"]["activation"] = "sigmoid"
    setup = prepare(config, data, torch.device("cpu"))
    run = LiveRun(lambda r: train(setup, r)).start()
    run.join(120)
    grads = run.get("grads")
    assert grads["layers"][-1] == "out" and grads["norms"].shape[1] == 7
    assert grads["verdict"]["kind"] == "vanishing"
    assert "neurons" in run.snapshot() and len(run.get("neurons")["layers"]) == 6


# -- multi-class, and the accuracy bar -------------------------------------------------------


def test_a_seeded_three_arm_spiral_reaches_90_percent_test_accuracy_in_a_fixed_budget():
    data = DATASETS.get("spirals").load(0, arms=3)
    assert data.n_classes == 3
    setup = prepare(config_for(data, hidden=(16, 16), epochs=100), data, torch.device("cpu"))  # 1500 steps
    result = train(setup, LiveRun(lambda r: None))
    assert result.status == "done" and result.history.steps == setup.total_steps == 1500
    assert result.history.epochs[-1]["test_accuracy"] >= 0.90


def test_five_blobs_get_a_five_class_decision_map():
    data = DATASETS.get("blobs").load(0, centers=5)
    setup = prepare(config_for(data, epochs=3), data, torch.device("cpu"))
    run = LiveRun(lambda r: train(setup, r)).start()
    run.join(120)
    labels = run.get("boundary")["label"]
    assert labels.shape == (70, 70) and set(np.unique(labels).tolist()) <= set(range(5))
    assert len(np.unique(labels)) >= 3


# -- driving a run ---------------------------------------------------------------------------


def test_step_once_takes_exactly_one_step_from_a_run_started_paused():
    data = DATASETS.get("moons").load(0)
    setup = prepare(config_for(data, epochs=50), data, torch.device("cpu"))
    run = LiveRun(lambda r: train(setup, r)).start(paused=True)
    wait_for(lambda: run.parked)
    assert run.get("step") == 0 and "neurons" in run.snapshot()  # parked at step 0, the untrained network shown
    for n in (1, 2, 3):
        run.step_once()
        assert not run.parked  # a redraw right now must follow the run
        wait_for(lambda: run.parked)
        assert run.get("step") == n
    time.sleep(0.2)
    assert run.get("step") == 3
    run.resume()
    assert not run.parked
    wait_for(lambda: run.get("step") > 3)
    run.stop()
    run.join(60)
    assert run.status == "stopped"


def test_changes_while_paused_apply_on_resume_without_losing_the_run_and_are_marked():
    data = DATASETS.get("moons").load(0)
    setup = prepare(config_for(data, epochs=200), data, torch.device("cpu"))
    run = LiveRun(lambda r: train(setup, r)).start()
    wait_for(lambda: (run.get("step") or 0) > 5)
    run.pause()
    wait_for(lambda: run.parked)
    at = run.get("step")
    setup.controls.request(lr=0.001, l2=0.01, batch_size=16)
    assert setup.optimizer.param_groups[0]["lr"] == 0.01  # nothing changes while paused
    run.resume()
    wait_for(lambda: run.get("changes"))
    run.pause()
    wait_for(lambda: run.parked)
    changes = {c["name"]: c for c in run.get("changes")}
    assert changes["lr"] == {"step": at, "name": "lr", "old": 0.01, "new": 0.001}
    assert changes["l2"]["new"] == 0.01 and changes["batch_size"]["new"] == 16
    assert setup.optimizer.param_groups[0]["lr"] == pytest.approx(0.001)
    assert run.get("knobs")["lr"] == 0.001 and setup.batch_size == 16
    assert run.get("step") >= at and len(run.get("step_loss")) > 0  # the same run goes on
    run.stop()
    run.join(60)
    result = run.result
    assert result.history.lr[at - 1] == pytest.approx(0.01) and result.history.lr[-1] == pytest.approx(0.001)


def test_a_request_back_to_the_current_value_cancels_it_and_bad_values_are_refused():
    controls = RunControls({"lr": 0.1, "l1": 0.0, "l2": 0.0, "batch_size": 32})
    controls.request(lr=0.2)
    controls.request(lr=0.1)
    assert controls.pending == {}
    for bad in ({"lr": 0}, {"l1": -1}, {"batch_size": 0}, {"batch_size": 2.5}):
        with pytest.raises(UserError):
            controls.request(**bad)


def test_scaling_the_learning_rate_keeps_a_schedule_going_from_the_new_rate():
    p = nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.1)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
    for _ in range(3):
        opt.step()
        sched.step()
    before = opt.param_groups[0]["lr"]
    scale_lr(opt, sched, 0.5)
    assert opt.param_groups[0]["lr"] == pytest.approx(before / 2) and sched.base_lrs == [pytest.approx(0.05)]
    opt.step()
    sched.step()
    ref_opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=0.05)
    ref = torch.optim.lr_scheduler.CosineAnnealingLR(ref_opt, T_max=10)
    for _ in range(4):
        ref_opt.step()
        ref.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(ref_opt.param_groups[0]["lr"], rel=1e-6)


def test_the_speed_control_spaces_the_steps():
    controls = RunControls({"lr": 0.1, "l1": 0, "l2": 0, "batch_size": 1}, speed=10)
    now, slept = [0.0], []
    controls.throttle(clock=lambda: now[0], sleep=slept.append)
    now[0] = 0.02
    controls.throttle(clock=lambda: now[0], sleep=slept.append)
    assert slept == [pytest.approx(0.08)]


def test_early_stopping_ends_the_run_when_the_test_loss_stops_improving():
    data = DATASETS.get("moons").load(0, n_samples=60, noise=0.4)
    config = config_for(data, hidden=(64, 64), epochs=400, early_stop=5)
    config["optimizer"]["params"]["lr"] = 0.05
    setup = prepare(config, data, torch.device("cpu"))
    run = LiveRun(lambda r: train(setup, r)).start()
    run.join(300)
    assert run.status == "early_stopped" and run.result.history.steps < setup.total_steps
    losses = [r["test_eval_loss"] for r in run.result.history.epochs]
    best = int(np.argmin(losses))
    assert len(losses) - 1 - best == 5 and run.get("best_epoch") == best + 1  # five epochs without a better one
    with pytest.raises(UserError):
        prepare({**config, "early_stop": -1}, data, torch.device("cpu"))


# -- clicked points --------------------------------------------------------------------------


def test_clicked_points_reach_the_training_set_and_removed_ones_leave_it():
    data = DATASETS.get("spirals").load(0, arms=3)
    added = [(0.5, 0.5, 2, "train"), (-0.5, 0.1, 0, "train"), (0.0, -0.9, 1, "test")]
    out = edited(data, added, [("train", 0), ("test", 3)])
    assert out.n_train == data.n_train - 1 + 2 and out.n_test == data.n_test - 1 + 1
    torch.testing.assert_close(out.x_train[-2:], torch.tensor([[0.5, 0.5], [-0.5, 0.1]]))
    assert out.y_train[-2:].tolist() == [2, 0] and out.y_test[-1].item() == 1
    torch.testing.assert_close(out.x_train[0], data.x_train[1])
    assert data.n_train == 450  # the built-in set is not mutated
    plane_only = edited(data, added, empty=True)
    assert plane_only.n_train == 2 and plane_only.n_test == 1 and plane_only.n_classes == 3
    setup = prepare(config_for(plane_only, epochs=2), plane_only, torch.device("cpu"))
    torch.testing.assert_close(setup.x_train, plane_only.x_train)  # the run trains on them
    with pytest.raises(UserError):
        edited(data, [(0, 0, 3, "train")])
    with pytest.raises(UserError):
        prepare(config_for(data), empty_like(data), torch.device("cpu"))


def test_a_click_removes_the_nearest_point_whether_built_in_or_clicked():
    data = DATASETS.get("moons").load(0)
    added = [(5.0, 5.0, 1, "train")]
    out = edited(data, added)
    split, index = nearest(out, 5.01, 5.0)
    assert (split, index) == ("train", out.n_train - 1)
    assert remove_at(data, added, [], split, index) == ([], [])
    p = data.x_test[4]
    split, index = nearest(out, float(p[0]), float(p[1]))
    assert remove_at(data, added, [], split, index) == ([list(added[0])], [("test", 4)])
    assert nearest(out, 100.0, 100.0) is None


# -- export ----------------------------------------------------------------------------------


def test_a_run_with_input_features_exports_a_script_that_reproduces_it(tmp_path):
    import re
    import subprocess

    from core.train.export import script

    data = DATASETS.get("circles").load(0, n_samples=60)
    setup = prepare(config_for(data, hidden=(4,), features=["x1_sq", "x2_sq", "sin_x1"], epochs=3), data,
                    torch.device("cpu"))  # fmt: skip
    source = script(setup)
    assert "class FeatureMap" in source and "from core" not in source
    result = train(setup, LiveRun(lambda r: None))
    path = tmp_path / "reproduce.py"
    path.write_text(source, encoding="utf-8")
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    final = dict(re.findall(r"(\w+)=([-\d.e]+)", out.stdout.strip().splitlines()[-1]))
    assert float(final["test_loss"]) == pytest.approx(result.history.epochs[-1]["test_eval_loss"], rel=1e-5)
    penalised = prepare(config_for(data, regularization={"l1": 0.01, "l2": 0}), data, torch.device("cpu"))
    with pytest.raises(UserError):
        script(penalised)
