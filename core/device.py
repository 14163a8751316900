"""Pick the compute device: cuda, then mps, else cpu."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from core.threads import configured


@dataclass(frozen=True)
class DeviceInfo:
    """What the sidebar shows about a device."""

    device: torch.device
    name: str
    memory_gb: float | None  # total memory of a GPU, None for the CPU
    threads: int | None = None  # the CPU's intra-op threads (the server's setting, not a run's momentary one)


def pick_device(force_cpu: bool = False) -> torch.device:
    """The best available device; `force_cpu` overrides an accelerator."""
    if not force_cpu and torch.cuda.is_available():
        return torch.device("cuda")
    if not force_cpu and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def describe(device: torch.device) -> DeviceInfo:
    """Name and memory of `device` (the GPU's own name for cuda)."""
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        return DeviceInfo(device, props.name, props.total_memory / 2**30)
    if device.type == "mps":
        return DeviceInfo(device, "Apple GPU (MPS)", None)
    return DeviceInfo(device, "CPU", None, threads=configured())


def seed_everything(seed: int) -> torch.Generator:
    """Seed torch's global RNG and return a fresh generator with the same seed."""
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)
