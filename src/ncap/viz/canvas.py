"""Matplotlib figures without pyplot: no global backend to choose, no registry of open figures.

Every figure ncap draws is a ``matplotlib.figure.Figure`` on its own Agg
canvas, so importing ncap never calls ``matplotlib.use`` and a user's
interactive backend is left alone; nothing needs closing.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def figure(**kwargs: Any) -> Figure:
    """A new figure (``Figure`` keyword arguments) drawn by its own Agg canvas."""
    made = Figure(**kwargs)
    FigureCanvasAgg(made)
    return made


def subplots(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] | None = None,
             constrained_layout: bool = False, **kwargs: Any) -> tuple[Figure, Any]:
    """Like ``pyplot.subplots`` (``sharex``, ``sharey``, ``squeeze`` ...), without pyplot."""
    made = figure(figsize=figsize, constrained_layout=constrained_layout)
    return made, made.subplots(nrows, ncols, **kwargs)


def save(made: Figure, path: str | Path, **kwargs: Any) -> None:
    """Write ``made`` to ``path`` (format from the suffix; ``savefig`` keyword arguments) atomically.

    SVGs carry no date and derive their element ids from a fixed salt, so the
    same figure gives the same bytes (matplotlib otherwise stamps the time and
    draws random ids); PNGs are written as ``savefig`` writes them.
    """
    path = Path(path)
    kind = path.suffix[1:].lower()
    extra = {"metadata": {"Date": None}} if kind == "svg" else {}
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "ncap"}):
        made.savefig(buffer, format=kind, **extra, **kwargs)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(buffer.getvalue())
    os.replace(temporary, path)


def colormap(name: str, count: int) -> list[tuple[float, float, float, float]]:
    """``count`` colours from matplotlib's colormap ``name``, from its lighter third to its dark end (the
    lightest shades are hard to see on white)."""
    from matplotlib import colormaps  # noqa: PLC0415

    cmap = colormaps[name]
    return [cmap(0.35 + 0.65 * (i / max(count - 1, 1))) for i in range(count)]
