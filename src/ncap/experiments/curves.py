"""Learning curves of runs: evaluation return against environment steps."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ncap.experiments.labels import run_label
from ncap.runs import RunDir, RunError
from ncap.viz import canvas


def plot_learning_curves(run_dirs: list[str | Path], out: str | Path) -> None:
    """One line per run (evaluation mean, band of ± std over evaluation episodes); PNG or SVG."""
    figure, axis = canvas.subplots(figsize=(7, 4.2), constrained_layout=True)
    for path in run_dirs:
        run = RunDir(path)
        rows = run.read_metrics()
        if not rows:
            raise RunError(f"{path} has no metrics yet")
        steps = np.array([r["env_steps"] for r in rows])
        mean = np.array([r["return_deterministic"] for r in rows])
        std = np.array([r["return_deterministic_std"] for r in rows])
        (line,) = axis.plot(steps, mean, marker="o", ms=3, label=run_label(run.config))
        axis.fill_between(steps, mean - std, mean + std, color=line.get_color(), alpha=0.2)
    axis.set_xlabel("environment steps")
    axis.set_ylabel("evaluation return (max 1000)")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    canvas.save(figure, out, dpi=120)
