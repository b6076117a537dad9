"""Checks of plain values shared by every layer (pure Python: circuits, envs and configs use them).

Each rule is written here once: an integer is never a bool; a body has at least
``MIN_LINKS`` links.
"""

from __future__ import annotations

import numbers

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
