"""Every schedule equals torch.optim.lr_scheduler step by step (built here independently)."""

import pytest
import torch
from torch.optim import lr_scheduler as S

from core.errors import UserError
from core.schedulers import MAX_STEPS, SCHEDULERS, LRTrack, lr_curve

T, LR = 200, 0.1


def oracle(name, opt):
    """The torch scheduler each entry must reproduce with its default settings, for T steps."""
    return {
        "constant": lambda: S.LambdaLR(opt, lambda _: 1.0),
        "step": lambda: S.StepLR(opt, step_size=60, gamma=0.5),
        "multistep": lambda: S.MultiStepLR(opt, milestones=[100, 160], gamma=0.1),
        "exponential": lambda: S.ExponentialLR(opt, gamma=0.99),
        "cosine": lambda: S.CosineAnnealingLR(opt, T_max=T, eta_min=0.0),
        "cosine_warm_restarts": lambda: S.CosineAnnealingWarmRestarts(opt, T_0=50, T_mult=1, eta_min=0.0),
        "onecycle": lambda: S.OneCycleLR(opt, max_lr=LR, total_steps=T, cycle_momentum=False),
        "cyclic": lambda: S.CyclicLR(
            opt, base_lr=0.1 * LR, max_lr=LR, step_size_up=20, gamma=0.99, cycle_momentum=False
        ),  # fmt: skip
        "linear": lambda: S.LinearLR(opt, start_factor=1 / 3, end_factor=1.0, total_iters=40),
        "constant_lr": lambda: S.ConstantLR(opt, factor=1 / 3, total_iters=40),
        "polynomial": lambda: S.PolynomialLR(opt, total_iters=T, power=1.0),
        "warmup_cosine": lambda: S.SequentialLR(
            opt,
            [S.LinearLR(opt, start_factor=0.01, end_factor=1.0, total_iters=20), S.CosineAnnealingLR(opt, T_max=180)],
            milestones=[20],
        ),
        "plateau": lambda: S.ReduceLROnPlateau(opt, factor=0.5, patience=10, threshold=1e-4),
    }[name]()


def metric():
    """A loss that falls, then stalls (plateau has something to react to)."""
    return [1.0 / (1 + k) if k < 50 else 0.02 + 0.001 * ((k * 7) % 5) for k in range(T)]


def torch_curve(name, make, metric_values=None):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=LR)
    sched = make(opt)
    out = []
    for k in range(T):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step(metric_values[k]) if metric_values else sched.step()
    return out


def test_every_contract_name_exists():
    for name in ("constant", "step", "multistep", "exponential", "cosine", "cosine_warm_restarts", "onecycle",
                 "cyclic", "linear", "constant_lr", "polynomial", "warmup_cosine", "plateau"):  # fmt: skip
        assert name in SCHEDULERS


@pytest.mark.filterwarnings("ignore::UserWarning")  # SequentialLR's own deprecation notice in the oracle
@pytest.mark.parametrize("name", SCHEDULERS.names())
def test_default_schedule_equals_torch_step_by_step(name):
    m = metric() if SCHEDULERS.get(name).needs_metric else None
    expected = torch_curve(name, lambda opt: oracle(name, opt), m)
    got = lr_curve(name, {}, LR, T, metric=m)
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
def test_cyclic_modes_equal_torch(mode):
    make = lambda opt: S.CyclicLR(  # noqa: E731
        opt, base_lr=0.02, max_lr=LR, step_size_up=30, mode=mode, gamma=0.995, cycle_momentum=False
    )
    got = lr_curve("cyclic", {"mode": mode, "floor_factor": 0.2, "up_frac": 0.15, "gamma": 0.995}, LR, T)
    assert got == pytest.approx(torch_curve("cyclic", make), rel=1e-12)


def test_non_default_settings_equal_torch():
    make = lambda opt: S.CosineAnnealingWarmRestarts(opt, T_0=20, T_mult=2, eta_min=0.01 * LR)  # noqa: E731
    got = lr_curve("cosine_warm_restarts", {"cycle_frac": 0.1, "t_mult": 2, "min_factor": 0.01}, LR, T)
    assert got == pytest.approx(torch_curve("x", make), rel=1e-12)
    make = lambda opt: S.OneCycleLR(opt, max_lr=LR, total_steps=T, pct_start=0.4, anneal_strategy="linear",  # noqa: E731
                                    div_factor=10, final_div_factor=100, three_phase=True, cycle_momentum=False)  # fmt: skip
    hp = {"pct_start": 0.4, "anneal_strategy": "linear", "div_factor": 10, "final_div_factor": 100, "three_phase": True}
    assert lr_curve("onecycle", hp, LR, T) == pytest.approx(torch_curve("x", make), rel=1e-12)


def test_build_works_on_adam_and_needs_metric_flag():
    opt = torch.optim.Adam([torch.zeros(2, requires_grad=True)], lr=0.01)
    for entry in SCHEDULERS:
        sched = SCHEDULERS.get(entry.name).build(torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=0.01), 100)
        assert hasattr(sched, "step")
    assert [e.name for e in SCHEDULERS if e.needs_metric] == ["plateau"]
    assert opt.param_groups[0]["lr"] == 0.01


def test_track_reports_the_rate_of_the_current_step():
    track = LRTrack("step", {"step_frac": 0.5, "gamma": 0.1}, 1.0, 10)
    seen = []
    for _ in range(10):
        seen.append(track.lr)
        track.step()
    assert seen == pytest.approx([1.0] * 5 + [0.1] * 5)


@pytest.mark.parametrize("steps", [0, -5, MAX_STEPS + 1, 2.5, "many"])
def test_bad_step_counts_are_user_errors(steps):
    with pytest.raises(UserError):
        lr_curve("cosine", {}, LR, steps)


def test_bad_values_are_user_errors():
    with pytest.raises(UserError) as info:
        lr_curve("plateau", {}, LR, 10)  # no metric
    assert info.value.key == "schedulers.errors.needs_metric"
    with pytest.raises(UserError):
        lr_curve("exponential", {"gamma": 3.0}, LR, 10)
    with pytest.raises(UserError):
        lr_curve("cosine", {}, 0.0, 10)
    with pytest.raises(UserError):
        lr_curve("cosine", {}, LR, 10, metric=None) and lr_curve("nope", {}, LR, 10)
    with pytest.raises(UserError):
        lr_curve("nope", {}, LR, 10)
