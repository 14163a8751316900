"""core.env: caps from the environment, the data directory, and the imports the server skips."""

from __future__ import annotations

import subprocess
import sys

import pytest

from core.env import env_int
from tests.conftest import ROOT

STEP_AN_OPTIMIZER = """
import sys
from core.env import skip_unused_imports
skip_unused_imports()
import torch
model = torch.nn.Linear(3, 2)
optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
before = model.weight.detach().clone()
model(torch.ones(4, 3)).sum().backward()
optimizer.step()
assert not torch.equal(before, model.weight), "the step did nothing"
assert "torch._dynamo" in sys.modules, "torch no longer imports dynamo on a step: this guard may be obsolete"
assert sys.modules.get("triton") is None, "triton was imported"
print("ok")
"""


def test_an_optimizer_steps_without_importing_triton():
    done = subprocess.run(
        [sys.executable, "-c", STEP_AN_OPTIMIZER], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def test_env_int(monkeypatch):
    monkeypatch.delenv("DLP_TEST_INT", raising=False)
    assert env_int("DLP_TEST_INT", 3) == 3
    monkeypatch.setenv("DLP_TEST_INT", " 7 ")
    assert env_int("DLP_TEST_INT", 3) == 7
    for bad in ("x", "0", "-2"):
        monkeypatch.setenv("DLP_TEST_INT", bad)
        with pytest.raises(ValueError):
            env_int("DLP_TEST_INT", 3)
