"""Checks of plain values shared by every layer (pure Python: circuits, envs and configs use them).

Each rule is written here once: an integer is never a bool; a body has at least
``MIN_LINKS`` links.
"""

from __future__ import annotations

import numbers
import types
import typing
from typing import Any, Literal

from ncap.errors import ConfigError

MIN_LINKS = 3
"""dm_control builds swimmers of at least three links."""


def is_int(value: object) -> bool:
    """An integer (Python's or NumPy's), and not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def require_int(name: str, value: object, minimum: int | None = None) -> int:
    """``value`` as an int, or ConfigError naming ``name`` if it is not an integer >= ``minimum``."""
    if not is_int(value) or (minimum is not None and value < minimum):
        what = {None: "an integer", 0: "a non-negative integer", 1: "a positive integer"}.get(
            minimum, f"an integer >= {minimum}")
        raise ConfigError(f"{name} must be {what}, got {value!r}")
    return int(value)


def validate_n_links(n_links: object) -> int:
    """``n_links`` as an int, or ConfigError naming the problem."""
    if not is_int(n_links):
        raise ConfigError(f"n_links must be an integer, got {n_links!r}")
    if n_links < MIN_LINKS:
        raise ConfigError(f"n_links must be at least {MIN_LINKS} (joints = n_links - 1), got {n_links}")
    return int(n_links)


def check_value(value: Any, hint: Any, where: str, error: type[ConfigError] = ConfigError) -> Any:
    """``value`` converted to the annotated type ``hint`` (Literal, optional, tuple, bool, int, float,
    str), or ``error`` naming ``where``. Configs and circuit specs check their fields with it."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        return check_value(value, next(a for a in args if a is not type(None)), where, error)
    if origin is Literal:
        if value not in args:
            raise error(f"{where} must be one of {list(args)}, got {value!r}")
        return value
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise error(f"{where} must be a list, got {value!r}")
        return tuple(check_value(v, args[0], f"{where}[{i}]", error) for i, v in enumerate(value))
    if hint is bool:
        if not isinstance(value, bool):
            raise error(f"{where} must be true or false, got {value!r}")
        return value
    if hint is int:
        if not is_int(value):
            raise error(f"{where} must be an integer, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, str):  # YAML 1.1 reads 1e-3 as a string
            try:
                return float(value)
            except ValueError:
                raise error(f"{where} must be a number, got {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise error(f"{where} must be a number, got {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise error(f"{where} must be a string, got {value!r}")
        return value
    raise TypeError(f"unsupported setting type {hint!r} at {where}")
