"""Argument types and helpers shared by the CLI's commands."""

from __future__ import annotations

import argparse
import json
import math
import sys

from ncap.errors import ConfigError
from ncap.validation import validate_n_links


def _int_at_least(text: str, minimum: int, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a {what} integer, got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"expected a {what} integer, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    return _int_at_least(text, 1, "positive")


def non_negative_int(text: str) -> int:
    """argparse type: an integer >= 0."""
    return _int_at_least(text, 0, "non-negative")


def positive_float(text: str) -> float:
    """argparse type: a finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def n_links_arg(text: str) -> int:
    """argparse type: a body length n_links >= 3."""
    try:
        return validate_n_links(int(text))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error) if isinstance(error, ConfigError)
                                         else f"n_links must be an integer, got {text!r}") from None


def hidden_sizes(text: str) -> tuple[int, ...]:
    """argparse type: comma-separated positive layer widths, e.g. '256,256'."""
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"hidden sizes must be comma-separated integers, got {text!r}") from None
    if not sizes or any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"hidden sizes must be positive, got {text!r}")
    return sizes


def print_json(payload: dict) -> None:
    """Write ``payload`` as indented JSON to stdout."""
    json.dump(payload, sys.stdout, indent=2)
    sys.stdout.write("\n")
