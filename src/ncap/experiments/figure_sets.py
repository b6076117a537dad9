"""The registry of figure sets beyond the paper's numbered figures: each one's name, what it needs and
how it is drawn. ``ncap figures --figure NAME`` reads it; the paper's figures are ``grids.FIGURES``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FigureSet:
    """A figure set drawn from a folder of runs: ``draw(runs_dir, out, episodes) -> written paths``."""

    help: str
    draw: Callable[[str | Path, str | Path, int], list[Path]]


def _navigate(runs_dir, out, episodes: int) -> list[Path]:
    from ncap.experiments.navigation import navigation_figure  # noqa: PLC0415

    return navigation_figure(runs_dir, out, episodes=episodes)


def _quadruped(runs_dir, out, episodes: int) -> list[Path]:
    from ncap.experiments.quadruped_figures import make_quadruped_figures  # noqa: PLC0415

    return make_quadruped_figures(runs_dir, out, episodes=episodes)


FIGURE_SETS: dict[str, FigureSet] = {
    "nav": FigureSet("the navigate comparison (navigate runs)", _navigate),
    "quadruped": FigureSet("the quadruped's curves, generalisation, gait and parameters", _quadruped),
}
"""Figure sets by name, in the order ``ncap figures`` draws them."""
