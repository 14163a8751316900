"""The exported script runs on its own (torch + numpy only) and reproduces the app's run."""

import re
import subprocess
import sys

import numpy as np
import pytest
import torch

from core.data import DATASETS
from core.errors import UserError
from core.models import MODELS
from core.train import LiveRun
from core.train.export import constructor_code, hyper_tables, pack, script, unpack
from core.train.setup import prepare
from core.train.worker import train

CPU = torch.device("cpu")


def tiny(data, loss, optimizer, scheduler, activation, mode, dropout=0.0, params=None):
    return {
        "model": MODELS.get("mlp").config(
            data.input_shape, 1, {"layers": 1, "width": 8, "activation": activation, "dropout": dropout}
        ),  # fmt: skip
        "loss": {"name": loss, "params": {}},
        "optimizer": {"name": optimizer, "params": {"lr": 0.05, **(params or {})}},
        "scheduler": {"name": scheduler, "params": {}},
        "batch_mode": mode,
        "batch_size": 16,
        "epochs": 3,
        "seed": 3,
    }


CASES = [
    # torch layers, dropout, a moving LR and Adam's betas
    ("moons", "cross_entropy", "adam", "cosine", "tanh", "minibatch", 0.1),
    # course-written pieces (Step activation, hinge loss, textbook momentum) and one-cycle's momentum table
    ("moons", "hinge", "course_momentum", "onecycle", "step", "full", 0.0),
    ("sine", "huber", "sgd", "step", "relu", "single", 0.0),
]


@pytest.mark.parametrize("case", CASES, ids=[c[1] for c in CASES])
def test_exported_script_reproduces_the_run(tmp_path, case):
    name, loss, optimizer, scheduler, activation, mode, dropout = case
    data = DATASETS.get(name).load(0, n_samples=60)
    setup = prepare(tiny(data, loss, optimizer, scheduler, activation, mode, dropout), data, CPU)
    source = script(setup)
    assert "import core" not in source and "from core" not in source
    run = LiveRun(lambda r: train(setup, r)).start()
    run.join(60)
    assert run.status == "done", run.error_text
    path = tmp_path / "reproduce.py"
    path.write_text(source, encoding="utf-8")
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    final = dict(re.findall(r"(\w+)=([-\d.e]+)", out.stdout.strip().splitlines()[-1]))
    last = run.result.history.epochs[-1]
    assert float(final["train_loss"]) == pytest.approx(last["train_loss"], rel=1e-5, abs=1e-7)
    assert float(final["test_loss"]) == pytest.approx(last["test_eval_loss"], rel=1e-5, abs=1e-7)
    metric = setup.metric
    assert float(final[f"test_{metric}"]) == pytest.approx(last[f"test_{metric}"], abs=1e-5)
    epoch_losses = [float(v) for v in re.findall(r"train_loss ([-\d.e]+)", out.stdout)]
    assert epoch_losses == pytest.approx([r["train_loss"] for r in run.result.history.epochs], rel=1e-5)


def test_pack_round_trip():
    arrays = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.array([1, 2], dtype=np.int64)}
    back = unpack(pack(arrays))
    for k, v in arrays.items():
        np.testing.assert_array_equal(back[k], v)
        assert back[k].dtype == v.dtype


def test_constructor_code_rebuilds_torch_losses():
    from torch import nn

    for module in (nn.CrossEntropyLoss(label_smoothing=0.1), nn.HuberLoss(delta=0.5), nn.MSELoss(),
                   nn.BCEWithLogitsLoss(pos_weight=torch.tensor(2.0))):  # fmt: skip
        code = constructor_code(module)
        rebuilt = eval(code, {"nn": nn, "torch": torch})
        z, y = torch.randn(4, 1), torch.rand(4, 1)
        if isinstance(module, nn.CrossEntropyLoss):
            z, y = torch.randn(4, 3), torch.tensor([0, 1, 2, 1])
        torch.testing.assert_close(rebuilt(z, y), module(z, y))


def test_hyper_tables_replay_the_schedule():
    from core.optim import OPTIMIZERS
    from core.schedulers import SCHEDULERS

    p = [torch.nn.Parameter(torch.zeros(1))]
    tables = hyper_tables(lambda: OPTIMIZERS.get("sgd").build(p, lr=1.0),
                          lambda o: SCHEDULERS.get("step").build(o, 10), 10)  # fmt: skip
    assert list(tables) == ["lr"] and len(tables["lr"]) == 10
    assert tables["lr"][0] == 1.0 and tables["lr"][-1] < 1.0


def test_a_plateau_schedule_cannot_be_exported():
    data = DATASETS.get("moons").load(0, n_samples=60)
    setup = prepare(tiny(data, "cross_entropy", "adam", "plateau", "relu", "full"), data, CPU)
    with pytest.raises(UserError) as info:
        script(setup)
    assert info.value.key == "training.errors.export_plateau"
