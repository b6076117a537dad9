"""Convert run state to what ``torch.load(weights_only=True)`` accepts, and back.

NumPy arrays become ``{"__ndarray__": tensor, "dtype": str}``; tensors,
numbers, strings, None, lists, tuples and dicts pass through. RNG states of
torch, NumPy and Python's ``random`` are captured and restored here too.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch

_ARRAY = "__ndarray__"


def pack(obj: Any) -> Any:
    """Replace NumPy arrays and scalars by tensors, recursively."""
    if isinstance(obj, np.ndarray):
        return {_ARRAY: torch.from_numpy(obj.astype(np.int64) if obj.dtype == np.uint32 else obj.copy()),
                "dtype": str(obj.dtype)}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, dict):
        return {key: pack(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(pack(value) for value in obj)
    return obj


def unpack(obj: Any) -> Any:
    """Inverse of :func:`pack`."""
    if isinstance(obj, dict):
        if _ARRAY in obj:
            return obj[_ARRAY].numpy().astype(obj["dtype"])
        return {key: unpack(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(unpack(value) for value in obj)
    return obj


def rng_state() -> dict:
    """The global RNG states of torch, NumPy and Python (packed)."""
    return pack({"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate()})


def set_rng_state(state: dict) -> None:
    """Restore :func:`rng_state`."""
    state = unpack(state)
    torch.set_rng_state(state["torch"])
    np.random.set_state(tuple(state["numpy"]))
    random.setstate(_tuplify(state["python"]))


def _tuplify(value: Any) -> Any:
    return tuple(_tuplify(v) for v in value) if isinstance(value, (list, tuple)) else value
