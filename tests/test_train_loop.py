"""The training loop, the live runner and the run metrics, with torch (and scikit-learn) as the oracle."""

import math
import threading
import time

import numpy as np
import pytest
import torch
from sklearn.metrics import confusion_matrix as sk_confusion
from sklearn.metrics import r2_score as sk_r2
from torch import nn

from core.train import LiveRun, fit, metrics, tensor_batches
from core.train.loop import History


def toy(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 2, generator=g)
    y = (x[:, 0] * x[:, 1] > 0).long()
    return x, y


def net(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))


def run_fit(epochs=3, batch_size=16, seed=0, **kw):
    x, y = toy()
    model = net(seed)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    gen = torch.Generator().manual_seed(seed)
    h = fit(model, nn.CrossEntropyLoss(), opt, lambda e: tensor_batches(x, y, batch_size, gen), epochs=epochs, **kw)
    return model, h


def test_fit_matches_a_bare_torch_loop():
    model, history = run_fit()
    x, y = toy()
    ref = net(0)
    opt = torch.optim.SGD(ref.parameters(), lr=0.1)
    gen = torch.Generator().manual_seed(0)
    losses = []
    for _ in range(3):
        order = torch.randperm(64, generator=gen)
        for s in range(0, 64, 16):
            idx = order[s : s + 16]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(ref(x[idx]), y[idx])
            loss.backward()
            opt.step()
            losses.append(loss.item())
    assert history.step_loss == pytest.approx(losses, abs=1e-6)
    for a, b in zip(model.parameters(), ref.parameters(), strict=True):
        torch.testing.assert_close(a, b)
    assert history.samples == 3 * 64
    assert [r["epoch"] for r in history.epochs] == [1.0, 2.0, 3.0]


@pytest.mark.parametrize(("batch_size", "sizes"), [(None, [10]), (100, [10]), (1, [1] * 10), (4, [4, 4, 2])])
def test_tensor_batches_cover_every_row_once(batch_size, sizes):
    x = torch.arange(10.0).reshape(10, 1)
    y = torch.arange(10)
    batches = list(tensor_batches(x, y, batch_size, torch.Generator().manual_seed(1)))
    assert [b[0].shape[0] for b in batches] == sizes
    seen = torch.cat([b[1] for b in batches]).sort().values
    assert seen.tolist() == list(range(10))
    for bx, by in batches:
        assert (bx[:, 0].long() == by).all()


def test_should_stop_returns_the_partial_history():
    calls = iter(range(100))
    _, history = run_fit(epochs=5, should_stop=lambda: next(calls) >= 6)
    assert history.stopped
    assert history.steps == 7  # stop is polled after each step; the 7th poll says stop
    assert len(history.epochs) == 1  # 4 steps an epoch: one finished epoch
    assert history.samples == 7 * 16


def test_a_nan_loss_ends_the_run_as_diverged():
    x, _ = toy()
    y = x.sum(dim=1, keepdim=True)
    torch.manual_seed(0)
    model = nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=100.0)  # far too large: |w| grows ×~100 a step
    h = fit(model, nn.MSELoss(), opt, lambda e: tensor_batches(x, y, None), epochs=50)
    assert h.diverged_at is not None
    assert not math.isfinite(h.step_loss[-1])
    assert h.steps == h.diverged_at < 50


def test_history_resumes_at_its_epoch_count():
    _, h = run_fit(epochs=2)
    x, y = toy()
    model = net()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    fit(model, nn.CrossEntropyLoss(), opt, lambda e: tensor_batches(x, y, 16), epochs=4, history=h)
    assert len(h.epochs) == 4 and h.steps == 16


def test_per_step_scheduler_records_each_lr():
    x, y = toy()
    model = net()
    opt = torch.optim.SGD(model.parameters(), lr=1.0)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    h = fit(model, nn.CrossEntropyLoss(), opt, lambda e: tensor_batches(x, y, 32), epochs=2,
            scheduler=sched, scheduler_per_step=True)  # fmt: skip
    assert h.lr == pytest.approx([1.0, 0.5, 0.25, 0.125])


def live_fit(run, steps_seen, gate=None):
    """A LiveRun job: deterministic fit whose should_stop is the run's checkpoint."""
    x, y = toy()
    model = net()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    gen = torch.Generator().manual_seed(0)

    def on_step(info):
        steps_seen.append(info.step)
        run.publish(step=info.step)
        if gate is not None and info.step == 5:
            gate.wait(10)

    return fit(model, nn.CrossEntropyLoss(), opt, lambda e: tensor_batches(x, y, 16, gen), epochs=20,
               on_step=on_step, should_stop=run.checkpoint)  # fmt: skip


def wait_for(cond, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_pause_resume_continues_from_the_same_step():
    reference = run_fit(epochs=20)[1]
    steps: list[int] = []
    gate = threading.Event()
    run = LiveRun(lambda r: live_fit(r, steps, gate)).start()
    wait_for(lambda: run.get("step") == 5)
    run.pause()  # takes effect at the checkpoint after step 5
    gate.set()
    wait_for(lambda: run.paused)
    time.sleep(0.2)
    assert steps == [1, 2, 3, 4, 5]
    assert run.status == "paused" and run.get("step") == 5
    run.resume()
    run.join(30)
    h = run.result
    assert steps == list(range(1, 81))
    assert h.step_loss == pytest.approx(reference.step_loss, abs=1e-6)  # same run as without the pause
    assert run.status == "done"


def test_stopping_a_live_run_returns_the_partial_history():
    steps: list[int] = []
    gate = threading.Event()
    run = LiveRun(lambda r: live_fit(r, steps, gate)).start()
    wait_for(lambda: run.get("step") == 5)
    run.stop()
    gate.set()
    run.join(30)
    h: History = run.result
    assert h.stopped and h.steps == 5 and len(h.step_loss) == 5
    assert run.status == "stopped"


def test_an_error_in_the_job_reads_failed_and_is_not_raised():
    run = LiveRun(lambda r: 1 / 0).start()
    run.join(10)
    assert run.status == "failed"
    assert "ZeroDivisionError" in run.error_text


def test_snapshot_is_a_copy():
    run = LiveRun(lambda r: r.publish(values=[1, 2], status="done")).start()
    run.join(10)
    snap = run.snapshot()
    snap["values"].append(3)
    assert run.snapshot()["values"] == [1, 2]
    assert run.status == "done"


def test_accuracy_confusion_and_misclassified_match_sklearn():
    g = torch.Generator().manual_seed(3)
    logits = torch.randn(50, 4, generator=g)
    y = torch.randint(0, 4, (50,), generator=g)
    pred = logits.argmax(1)
    assert metrics.accuracy(logits, y) == pytest.approx(float((pred == y).float().mean()))
    np.testing.assert_array_equal(metrics.confusion_matrix(pred, y, 4).numpy(), sk_confusion(y, pred, labels=range(4)))
    wrong = metrics.misclassified(pred, y, limit=5)
    assert len(wrong) == min(5, int((pred != y).sum()))
    for i, t, p in wrong:
        assert y[i] == t and pred[i] == p and t != p


def test_binary_single_logit_predictions():
    z = torch.tensor([[-2.0], [0.5], [3.0]])
    assert metrics.labels_from_outputs(z).tolist() == [0, 1, 1]
    assert metrics.accuracy(z, torch.tensor([[0.0], [0.0], [1.0]])) == pytest.approx(2 / 3)
    p = metrics.probabilities(z)
    torch.testing.assert_close(p.sum(1), torch.ones(3))
    torch.testing.assert_close(p[:, 1], torch.sigmoid(z[:, 0]))


def test_r2_matches_sklearn():
    g = torch.Generator().manual_seed(4)
    y = torch.randn(40, 1, generator=g)
    yhat = y + 0.3 * torch.randn(40, 1, generator=g)
    assert metrics.r2_score(yhat, y) == pytest.approx(sk_r2(y.numpy(), yhat.numpy()), abs=1e-5)


def test_decision_grid_layout():
    x = torch.tensor([[0.0, 0.0], [1.0, 2.0]])
    xs, ys = metrics.grid_2d(x, steps=11, margin=0.0)
    assert xs[0] == 0 and xs[-1] == 1 and ys[-1] == 2
    model = nn.Linear(2, 2)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[1.0, 0.0], [-1.0, 0.0]]))  # class 0 where x > 0
        model.bias.zero_()
    label, conf = metrics.decision_grid(model, xs - 0.5, ys)
    assert label.shape == conf.shape == (11, 11)
    assert (label[:, -1] == 0).all() and (label[:, 0] == 1).all()  # columns follow x
    assert ((conf >= 0.5) & (conf <= 1)).all()


def test_curve_1d_follows_the_model():
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.fill_(2.0)
        model.bias.fill_(1.0)
    xs, ys = metrics.curve_1d(model, torch.tensor([[-1.0], [1.0]]), steps=5, margin=0.0)
    torch.testing.assert_close(ys, 2 * xs + 1)


def test_unit_range_rescales_for_display():
    img = torch.tensor([[-1.0, 0.0], [1.0, 3.0]])
    out = metrics.unit_range(img)
    torch.testing.assert_close(out, torch.tensor([[0.0, 0.25], [0.5, 1.0]]))
    assert metrics.unit_range(torch.zeros(2, 2)).abs().max() == 0
