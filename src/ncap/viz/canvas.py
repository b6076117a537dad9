"""Matplotlib figures without pyplot: no global backend to choose, no registry of open figures.

Every figure ncap draws is a ``matplotlib.figure.Figure`` on its own Agg
canvas, so importing ncap never calls ``matplotlib.use`` and a user's
interactive backend is left alone; nothing needs closing.
"""

from __future__ import annotations

from typing import Any

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
