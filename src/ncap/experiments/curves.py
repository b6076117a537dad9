"""Learning curves of runs: evaluation return against environment steps."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ncap.training.runs import RunDir, RunError  # noqa: E402


def run_label(run: RunDir) -> str:
    """A short label: algorithm, architecture (with ablations) and seed."""
    config = run.config
    arch = config.arch
    name = "NCAP" if arch.arch == "ncap" else f"MLP{tuple(arch.hidden)}"
    ablations = [flag for flag, on in (("no sharing", not arch.weight_sharing), ("no signs", not arch.sign_constraints),
                                       ("uniform init", arch.init == "uniform"), ("dense", arch.dense_embedding),
                                       (f"{arch.controller} module", arch.controller is not None),
                                       ("circuit frozen", not arch.train_circuit)) if on]
    suffix = f" ({', '.join(ablations)})" if ablations else ""
    return f"{config.algo.upper()} {name}{suffix}, {config.n_links} links, seed {config.seed}"


def plot_learning_curves(run_dirs: list[str | Path], out: str | Path) -> None:
    """One line per run (evaluation mean, band of ± std over evaluation episodes); PNG or SVG."""
    figure, axis = plt.subplots(figsize=(7, 4.2), constrained_layout=True)
    for path in run_dirs:
        run = RunDir(path)
        rows = run.read_metrics()
        if not rows:
            raise RunError(f"{path} has no metrics yet")
        steps = np.array([r["env_steps"] for r in rows])
        mean = np.array([r["return_deterministic"] for r in rows])
        std = np.array([r["return_deterministic_std"] for r in rows])
        (line,) = axis.plot(steps, mean, marker="o", ms=3, label=run_label(run))
        axis.fill_between(steps, mean - std, mean + std, color=line.get_color(), alpha=0.2)
    axis.set_xlabel("environment steps")
    axis.set_ylabel("evaluation return (max 1000)")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=120)
    plt.close(figure)
