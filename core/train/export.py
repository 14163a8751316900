"""A standalone PyTorch script that reproduces a run: only torch and numpy, no import of this app.

The script carries what cannot be re-derived without the app, as data:

- the train/test tensors (compressed, base64) exactly as the run saw them;
- the initial weights the app's initializer drew (so any initializer reproduces exactly);
- the per-step learning rate (and any other hyperparameter a scheduler moves, e.g. the
  momentum of one-cycle) as tables, so every schedule replays step for step.

The model is written as ``nn.Sequential`` code from the module tree (torch's own layers by
their constructor ``repr``; a course-written layer, loss or optimizer by its source), the
loss and the optimizer as their constructors, and the loop mirrors `core.train.loop.fit`:
same seed, same shuffles, same order of operations, so on the same device the script
prints the same losses as the app.
"""

from __future__ import annotations

import base64
import builtins
import inspect
import io
import math
import textwrap
import types
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from core.errors import UserError

MAX_SCRIPT_BYTES = 25 * 1024 * 1024  # a download; larger data sets should use a subset
SCRIPT_SEED_NOTE = "torch.manual_seed(SEED) after building the model, as the app does"


# -- data as text -------------------------------------------------------------------


def pack(arrays: dict[str, np.ndarray]) -> str:
    """Arrays → base64 of a compressed .npz (the script decodes it with `unpack`)."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def unpack(text: str) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(base64.b64decode(text))) as npz:
        return {k: npz[k] for k in npz.files}


def _wrap(text: str, width: int = 100) -> str:
    """A long base64 string as a parenthesised block of literal lines."""
    lines = [text[i : i + width] for i in range(0, len(text), width)] or [""]
    return "(\n" + "\n".join(f'    "{line}"' for line in lines) + "\n)"


# -- code for objects -----------------------------------------------------------------


def _value_code(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return f"torch.tensor({value.tolist()!r})"
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({str(value)!r})"
    return repr(value)


def constructor_code(obj: Any) -> str:
    """``ClassName(arg=value, ...)`` from the constructor's signature and the attributes of `obj`.

    torch's loss modules (and the course's) keep their constructor arguments as attributes
    of the same name; arguments not kept (deprecated ones) are left at their defaults.
    """
    cls = type(obj)
    args = []
    for name, p in inspect.signature(cls.__init__).parameters.items():
        if name == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or not hasattr(obj, name):
            continue
        value = getattr(obj, name)
        if p.default is not inspect.Parameter.empty and _same(value, p.default):
            continue
        args.append(f"{name}={_value_code(value)}")
    return f"{_qualified(cls)}({', '.join(args)})"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return False
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:
        return False


def _is_torch(obj: Any) -> bool:
    module = getattr(obj, "__module__", "") or ""
    return module.startswith("torch.")


def _qualified(cls: type) -> str:
    """How the script names `cls`: ``nn.X``, ``torch.optim.X`` or a class defined in the script."""
    if _is_torch(cls):
        if cls.__module__.startswith("torch.nn") and getattr(nn, cls.__name__, None) is cls:
            return f"nn.{cls.__name__}"
        if getattr(torch.optim, cls.__name__, None) is cls:
            return f"torch.optim.{cls.__name__}"
        return f"{cls.__module__}.{cls.__name__}"
    return cls.__name__


def _names_used(obj: Any) -> set[str]:
    """Global names a function or class refers to (through nested code objects)."""
    codes = []
    if isinstance(obj, type):
        codes = [v.__code__ for v in vars(obj).values() if isinstance(v, types.FunctionType)]
        codes += [v.__func__.__code__ for v in vars(obj).values() if isinstance(v, staticmethod | classmethod)]
    elif isinstance(obj, types.FunctionType):
        codes = [obj.__code__]
    names: set[str] = set()
    while codes:
        code = codes.pop()
        names.update(code.co_names)
        codes.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
    return names


def source_with_dependencies(obj: Any, seen: dict[str, str] | None = None) -> dict[str, str]:
    """Source of a class or function defined outside torch, plus the same-module functions,
    classes and constants it uses, in definition order (dependencies first)."""
    seen = {} if seen is None else seen
    for base in getattr(obj, "__bases__", ()):  # a same-module base class comes first
        if base.__module__ == obj.__module__ and base.__name__ not in seen:
            source_with_dependencies(base, seen)
    module = inspect.getmodule(obj)
    globals_ = vars(module) if module else {}
    for name in sorted(_names_used(obj)):
        if name in seen or name == obj.__name__ or hasattr(builtins, name):
            continue
        value = globals_.get(name)
        if isinstance(value, type | types.FunctionType) and getattr(value, "__module__", None) == obj.__module__:
            source_with_dependencies(value, seen)
        elif isinstance(value, int | float | str | bool) and not isinstance(value, type):
            seen[name] = f"{name} = {value!r}"
        elif isinstance(value, types.ModuleType) and name not in ("torch", "nn", "np", "math"):
            seen[f"import {name}"] = f"import {value.__name__} as {name}"
        elif _is_torch(value) and hasattr(value, "__name__"):
            seen[f"import {name}"] = f"from {value.__module__} import {value.__name__} as {name}"
    if obj.__name__ not in seen:
        seen[obj.__name__] = textwrap.dedent(inspect.getsource(obj))
    return seen


def model_code(model: nn.Module, sources: dict[str, str]) -> str:
    """``nn.Sequential(OrderedDict([...]))`` for a Sequential of leaf layers (the app's models)."""
    if not isinstance(model, nn.Sequential):
        raise UserError("training.errors.export_model", f"cannot write {type(model).__name__} as code")
    lines = []
    for name, layer in model.named_children():
        if list(layer.children()):
            raise UserError("training.errors.export_model", f"cannot write nested layer {name!r} as code")
        if _is_torch(type(layer)):
            code = f"nn.{layer!r}"
        else:
            source_with_dependencies(type(layer), sources)
            code = repr(layer)
        lines.append(f"    ({name!r}, {code}),")
    return "nn.Sequential(OrderedDict([\n" + "\n".join(lines) + "\n]))"


PREPARE = {  # (task, input_kind) → body of prepare(output, labels), as core.losses.Loss.prepare does it
    ("regression", "value"): "return output, labels.to(output.dtype)",
    ("binary", "probability"): "return torch.sigmoid(output), labels.to(output.dtype)",
    ("binary", "logit"): "return output, labels.to(output.dtype)",
    ("binary", "score"): "return output, 2 * labels.to(output.dtype) - 1  # targets in {-1, +1}",
    ("multiclass", "logits"): "return output, labels.long()",
    ("multiclass", "log_probs"): "return torch.log_softmax(output, dim=-1), labels.long()",
}
KL_PREPARE = (
    "return torch.log_softmax(output, dim=-1), "
    "torch.nn.functional.one_hot(labels.long(), output.shape[-1]).to(output.dtype)"
)


def prepare_code(entry: Any) -> str:
    if entry.name == "kl_div":
        return KL_PREPARE
    try:
        return PREPARE[(entry.task, entry.input_kind)]
    except KeyError:
        raise UserError("training.errors.export_loss", f"cannot write the input of loss {entry.name!r}") from None


def hyper_tables(optimizer_factory: Callable[[], torch.optim.Optimizer], build_scheduler, total_steps: int) -> dict:
    """The value of each scheduled hyperparameter before each step: {"lr": [...], "momentum": [...]}.

    Replays the schedule on a throwaway optimizer over one dummy parameter; only keys whose
    value changes are kept (lr always). Only the scheduler steps: a schedule reads the step
    count, never the parameters, and the optimizer's step was 9/10 of the replay's time
    (about 6 s for a 150,000-step run on the 2-core machine, 0.5 s without it).
    """
    opt = optimizer_factory()
    sched = build_scheduler(opt)
    keys = [k for k, v in opt.param_groups[0].items() if k != "params" and isinstance(v, int | float | tuple)]
    keys = [k for k in keys if not isinstance(opt.param_groups[0][k], bool)]
    tables: dict[str, list] = {k: [] for k in keys}
    group = opt.param_groups[0]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Detected call of `lr_scheduler.step\(\)` before")
        for _ in range(total_steps):
            for k in keys:
                value = group[k]
                tables[k].append(list(value) if isinstance(value, tuple) else value)
            sched.step()
    return {k: v for k, v in tables.items() if k == "lr" or any(x != v[0] for x in v)}


# -- the script -------------------------------------------------------------------------


def script(setup: Any) -> str:
    """The standalone script of a prepared run (`core.train.setup.Setup`).

    Raises:
        UserError: a piece cannot be written as code (a plateau scheduler reacts to the
            losses, so it has no fixed table), or the script would exceed `MAX_SCRIPT_BYTES`.
    """
    from core.losses import LOSSES
    from core.optim import OPTIMIZERS
    from core.schedulers import SCHEDULERS
    from core.train.setup import build_scheduler

    config = setup.config
    controls = getattr(setup, "controls", None)
    if controls is not None and (controls.changes or controls.values["l1"] or controls.values["l2"]):
        raise UserError("training.errors.export_knobs", "L1/L2 penalties and settings changed mid-run are not written")
    sched_cfg = config.get("scheduler") or {"name": "constant", "params": {}}
    sched_entry = SCHEDULERS.get(sched_cfg["name"])
    if getattr(sched_entry, "needs_metric", False):
        raise UserError("training.errors.export_plateau", "a plateau scheduler depends on the losses; no fixed table")
    sources: dict[str, str] = {}
    model = setup.model
    model_src = model_code(model, sources)

    loss_entry = LOSSES.get(config["loss"]["name"])
    inner = setup.loss_fn.inner if hasattr(setup.loss_fn, "inner") else setup.loss_fn
    if not _is_torch(type(inner)):
        source_with_dependencies(type(inner), sources)
    loss_src = constructor_code(inner)

    opt_entry = OPTIMIZERS.get(config["optimizer"]["name"])
    opt_values = opt_entry.resolve(config["optimizer"].get("params"))
    kwargs = opt_entry.torch_kwargs(opt_values, fused=bool(setup.optimizer.defaults.get("fused")))  # as it ran
    factory = opt_entry.factory
    if not _is_torch(factory):
        source_with_dependencies(factory, sources)
    opt_args = ", ".join(f"{k}={_value_code(v)}" for k, v in kwargs.items())
    opt_src = f"{_qualified(factory)}(model.parameters(), {opt_args})"

    sched_values = sched_entry.resolve(sched_cfg.get("params"))
    dummy = [nn.Parameter(torch.zeros(1))]
    tables = hyper_tables(
        lambda: opt_entry.build(dummy, **opt_values),
        lambda opt: build_scheduler(sched_entry, opt, setup.total_steps, sched_values),
        setup.total_steps,
    )
    data = setup.data
    arrays = {
        "x_train": data.x_train.cpu().numpy(),
        "y_train": setup.y_train.cpu().numpy(),
        "x_test": data.x_test.cpu().numpy(),
        "y_test": setup.y_test.cpu().numpy(),
    }
    arrays |= {f"init.{k}": v.cpu().numpy() for k, v in setup.initial_state.items()}
    arrays |= {f"hyper.{k}": np.asarray(v, dtype=np.float64) for k, v in tables.items()}
    blob = pack(arrays)
    if len(blob) > MAX_SCRIPT_BYTES:
        raise UserError(
            "training.errors.export_size",
            f"the script would be {len(blob) / 2**20:.1f} MB; use fewer samples",
            size=f"{len(blob) / 2**20:.1f}",
        )
    metric = setup.metric
    imports = "\n".join(v for k, v in sources.items() if k.startswith("import "))
    helpers = imports + "\n\n" + "\n\n\n".join(v for k, v in sources.items() if not k.startswith("import "))
    header = f'''"""Reproduce a Deep Learning Playground run with plain PyTorch.

Data set: {data.name} ({data.task}, {data.n_train} train / {data.n_test} test samples)
Model:    {config["model"].get("kind", "?")}  ·  loss: {loss_entry.name}  ·  optimizer: {opt_entry.name}
Schedule: {sched_entry.name}  ·  epochs: {setup.epochs}  ·  batch size: {setup.batch_size}  ·  seed: {setup.seed}

Run:  python this_script.py [--device cpu|cuda]
The data, the initial weights and the per-step hyperparameter tables are embedded below.
"""'''
    body = f'''
from __future__ import annotations

import argparse
import math
import base64
import io
from collections import OrderedDict

import numpy as np
import torch
from torch import nn

SEED = {setup.seed}
EPOCHS = {setup.epochs}
BATCH_SIZE = {setup.batch_size}
METRIC = {metric!r}

{helpers}


def build_model():
    return {textwrap.indent(model_src, "    ").lstrip()}


def prepare(output, labels):
    """The model's raw output and the labels → what the loss takes."""
    {prepare_code(loss_entry)}


def metric(output, labels):
    if METRIC == "accuracy":
        predicted = (output.reshape(-1) > 0).long() if output.shape[1] == 1 else output.argmax(dim=1)
        return float((predicted == labels.reshape(-1).long()).float().mean())
    y = labels.reshape(output.shape).float()
    total = ((y - y.mean(dim=0)) ** 2).sum()
    return float(1 - ((y - output) ** 2).sum() / total) if float(total) else 0.0


def batches(x, y, generator):
    n = x.shape[0]
    if BATCH_SIZE >= n:  # full batch (BGD): no shuffle
        yield x, y
        return
    order = torch.randperm(n, generator=generator).to(x.device)
    for start in range(0, n, BATCH_SIZE):
        idx = order[start : start + BATCH_SIZE]
        yield x[idx], y[idx]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    device = torch.device(parser.parse_args().device)
    with np.load(io.BytesIO(base64.b64decode(DATA))) as npz:
        arrays = {{k: npz[k] for k in npz.files}}
    x_train, y_train = torch.from_numpy(arrays["x_train"]).to(device), torch.from_numpy(arrays["y_train"]).to(device)
    x_test, y_test = torch.from_numpy(arrays["x_test"]).to(device), torch.from_numpy(arrays["y_test"]).to(device)
    hyper = {{k[6:]: arrays[k] for k in arrays if k.startswith("hyper.")}}

    torch.manual_seed(SEED)
    model = build_model()
    model.load_state_dict({{k[5:]: torch.from_numpy(arrays[k]) for k in arrays if k.startswith("init.")}})
    model.to(device)
    torch.manual_seed(SEED)  # dropout draws start from the seed, as in the app
    generator = torch.Generator().manual_seed(SEED)
    loss_fn = {loss_src}
    optimizer = {opt_src}

    step = 0
    for epoch in range(EPOCHS):
        model.train()
        total, count = 0.0, 0
        for inputs, targets in batches(x_train, y_train, generator):
            for key, table in hyper.items():  # the schedule, one value per step
                value = table[step].tolist()
                for group in optimizer.param_groups:
                    group[key] = tuple(value) if isinstance(value, list) else value
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(*prepare(model(inputs), targets))
            loss.backward()
            optimizer.step()
            step += 1
            total += loss.item() * inputs.shape[0]
            count += inputs.shape[0]
        print(f"epoch {{epoch + 1}}  train_loss {{total / count:.6f}}")
    model.eval()
    with torch.no_grad():
        out = model(x_test)
        print(f"final train_loss={{total / count:.8f}} test_loss={{float(loss_fn(*prepare(out, y_test))):.8f}} "
              f"test_{{METRIC}}={{metric(out, y_test):.6f}}")


DATA = {_wrap(blob)}

if __name__ == "__main__":
    main()
'''
    return header + "\n" + body
