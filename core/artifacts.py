"""Saved models: ``{"format": 1, "config", "state_dict", "meta"}``, loaded with weights_only=True.

A model is rebuilt from its plain-data config by a builder, never from pickled classes,
so an uploaded file cannot execute code.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import torch
from torch import nn

from core.errors import UserError

FORMAT = 1


def checkpoint(config: Mapping[str, Any], model: nn.Module, meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The saved form of `model`: plain config, tensors on the CPU, measured metadata."""
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    return {"format": FORMAT, "config": dict(config), "state_dict": state, "meta": dict(meta or {})}


def save(ckpt: Mapping[str, Any], target: str | Path | BinaryIO) -> None:
    torch.save(dict(ckpt), target)


def to_bytes(ckpt: Mapping[str, Any]) -> bytes:
    """For a download button."""
    buffer = io.BytesIO()
    save(ckpt, buffer)
    return buffer.getvalue()


def load(source: str | Path | bytes | BinaryIO) -> dict[str, Any]:
    """Read a checkpoint safely (weights_only=True) and check its shape.

    Raises:
        UserError: not a torch file, or not a checkpoint of this app's format.
    """
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    try:
        ckpt = torch.load(source, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for a bad file (UnpicklingError, RuntimeError…)
        raise UserError("bad_model_file", f"not a readable model file: {exc}") from None
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT:
        raise UserError("bad_model_file", "not a Deep Learning Playground model file (format 1)")
    for field, kind in (("config", dict), ("state_dict", dict), ("meta", dict)):
        if not isinstance(ckpt.get(field), kind):
            raise UserError("bad_model_file", f"model file lacks its {field!r}")
    return ckpt


def restore(ckpt: Mapping[str, Any], build: Callable[[dict[str, Any]], nn.Module]) -> nn.Module:
    """Build the model from `ckpt["config"]` and load its weights (strict)."""
    try:
        model = build(dict(ckpt["config"]))
        model.load_state_dict(ckpt["state_dict"])
    except UserError:
        raise
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise UserError("bad_model_file", f"model file does not match its config: {exc}") from None
    return model.eval()
