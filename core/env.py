"""What a hosted demo can tune through environment variables: caps, and where the data is."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def env_int(name: str, default: int) -> int:
    """The whole number ≥ 1 in ``$name``, or `default` when it is unset or blank."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"environment variable {name}={value!r} must be a whole number") from None
    if number < 1:
        raise ValueError(f"environment variable {name}={value!r} must be ≥ 1")
    return number


def data_root() -> Path:
    """The data directory: ``$DLP_DATA`` when it is set (a host's mount), else ``../shared/data`` beside the repo.

    A set ``$DLP_DATA`` is used even when it does not exist, so a host that mounts nothing is
    told so by the pages, rather than silently served whatever sits beside the repository.
    """
    value = os.environ.get("DLP_DATA", "").strip()
    return Path(value).expanduser() if value else REPO.parent / "shared" / "data"


UNUSED_IMPORTS = ("triton",)


def skip_unused_imports() -> None:
    """Keep packages this app never uses out of the server process (call before torch is imported).

    Every optimizer step imports ``torch._dynamo`` (torch wraps ``Optimizer.step`` for
    ``torch.compile``), and on a CUDA build that imports Triton, the GPU kernel compiler behind
    ``torch.compile``. This app never compiles, so Triton only costs memory: about 75 MB of RSS
    per server. With ``sys.modules[name] = None`` an ``import triton`` raises ImportError, which
    torch takes as "no Triton", as on its CPU builds; eager CPU and CUDA training are unaffected.
    """
    import sys

    for name in UNUSED_IMPORTS:
        sys.modules.setdefault(name, None)
