"""Navigate: hand-coded vs learned task modules vs MLPs, and zero-shot to other body lengths.

Compares, on the same evaluation episodes, the constant-init circuit without
a task module, the same circuit with the hand-coded module, and every trained
navigate run found (learned modules, MLPs). Circuit policies are also
evaluated zero-shot on other body lengths (an MLP's input fixes its body).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from torch import nn

from ncap.envs.swimmer.swimming import NAVIGATE
from ncap.evaluation import evaluate
from ncap.experiments.labels import run_label
from ncap.policies import ArchitectureConfig, CircuitPolicy, build_policy, transfer_policy
from ncap.runs import CONFIG, RunDir, atomic_csv, load_run_policy
from ncap.viz import canvas

NAV_LINKS = (4, 6, 8, 10, 12)
FIELDS = ("policy", "n_links", "mean_return", "std_return", "median_return", "q25_return", "q75_return",
          "reach_rate", "mean_time_to_reach", "mean_final_distance", "num_parameters", "episodes")


def _policies(runs_dir: Path) -> list[tuple[str, nn.Module, int]]:
    """(label, policy, trained n_links) for the baselines and every navigate run."""
    found = [("circuit, no task module (untrained)", build_policy(ArchitectureConfig(), "navigate", 6), 6),
             ("hand-coded module (untrained circuit)",
              build_policy(ArchitectureConfig(controller="hand-coded"), "navigate", 6), 6)]
    for path in sorted(runs_dir.iterdir()) if runs_dir.is_dir() else []:
        run = RunDir(path)
        if (path / CONFIG).is_file() and run.config.task == NAVIGATE.name and (run.finished or run.has_checkpoint):
            policy, _, n_links = load_run_policy(path)
            found.append((run_label(run.config), policy, n_links))
    return found


def navigation_rows(runs_dir: str | Path, episodes: int = 20, seed: int = 3_000_000,
                    lengths: tuple[int, ...] = NAV_LINKS) -> list[dict]:
    """One row per (policy, body length) it can run on; ``returns`` holds each episode's return (not in the
    CSV)."""
    rows = []
    for label, policy, trained in _policies(Path(runs_dir)):
        for n_links in lengths:
            if n_links != trained and not (isinstance(policy, CircuitPolicy) and hasattr(policy.circuit, "transfer")):
                continue
            moved = policy if n_links == trained else transfer_policy(policy, n_links)
            result = evaluate(moved, "navigate", n_links, episodes=episodes, seed=seed)
            q25, median, q75 = np.percentile(result.returns, [25, 50, 75])
            rows.append({"policy": label, "n_links": n_links, "mean_return": result.mean_return,
                         "std_return": result.std_return, "median_return": float(median), "q25_return": float(q25),
                         "q75_return": float(q75), "returns": result.returns, "reach_rate": result.reach_rate,
                         "mean_time_to_reach": result.mean_time_to_reach,
                         "mean_final_distance": result.mean_final_distance,
                         "num_parameters": result.num_parameters, "episodes": episodes})
    return rows


def navigation_figure(runs_dir: str | Path, out: str | Path, episodes: int = 20,
                      lengths: tuple[int, ...] = NAV_LINKS) -> list[Path]:
    """figNav.png/.svg (return and reach rate at 6 links; zero-shot across lengths) and figNav.csv."""
    rows = navigation_rows(runs_dir, episodes, lengths=lengths)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    atomic_csv(out / "figNav.csv", FIELDS, [{field: row[field] for field in FIELDS} for row in rows])
    labels = list(dict.fromkeys(row["policy"] for row in rows))
    at6 = {row["policy"]: row for row in rows if row["n_links"] == 6}
    figure, (returns, reach, transfer) = canvas.subplots(1, 3, figsize=(14, 4.2), constrained_layout=True)
    figure.suptitle(f"Navigate: task modules and MLPs ({episodes} episodes each)")
    positions = np.arange(len(labels))
    medians = [at6[label]["median_return"] if label in at6 else np.nan for label in labels]
    spread = [[at6[label]["median_return"] - at6[label]["q25_return"] if label in at6 else 0 for label in labels],
              [at6[label]["q75_return"] - at6[label]["median_return"] if label in at6 else 0 for label in labels]]
    returns.bar(positions, medians, yerr=spread, capsize=3, alpha=0.6)
    for position, label in zip(positions, labels):
        if label in at6:
            episodes_returns = at6[label]["returns"]
            returns.plot(position + np.linspace(-0.25, 0.25, len(episodes_returns)), episodes_returns, ".",
                         color="black", markersize=3)
    reach.bar(positions, [at6[label]["reach_rate"] if label in at6 else np.nan for label in labels])
    for axis, title in ((returns, "return at 6 links: median, quartiles, dots: episodes"),
                        (reach, "fraction of targets reached")):
        axis.set_xticks(positions, [label.replace(", seed", "\nseed") for label in labels], rotation=30,
                        ha="right", fontsize=6)
        axis.set_title(title, fontsize=10)
    for label in labels:
        points = [(row["n_links"], row["mean_return"]) for row in rows if row["policy"] == label]
        if len(points) > 1:
            transfer.plot(*zip(*points), marker="o", label=label)
    transfer.set_xlabel("links of the body")
    transfer.set_ylabel("return")
    transfer.set_title("zero-shot to other body lengths", fontsize=10)
    transfer.legend(fontsize=6)
    transfer.grid(alpha=0.3)
    paths = [out / "figNav.png", out / "figNav.svg"]
    for path in paths:
        canvas.save(figure, path, dpi=130)
    return paths + [out / "figNav.csv"]
