"""A control for claim 5 ("zero-shot transfer to other body lengths, better for longer bodies").

At each body length it sets three things side by side, all as deterministic returns on the same evaluation
starts (the runs' ``eval_seed`` and ``eval_episodes``, which must agree):

- **direct**: circuits trained at that length (each run's final evaluation);
- **transfer**: circuits trained at 6 links (5 joints), moved to that length with no further training;
- **untrained**: the untrained circuit at that length.

If transfer's return rises with length only as fast as the untrained circuit's and the directly trained
one's, longer bodies are easier, not better reached by transfer; the gaps to the untrained circuit and to
direct training say which. Statistic over seeds: IQM with its 95% stratified bootstrap interval.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ncap.errors import ConfigError
from ncap.evaluation import evaluate
from ncap.experiments.figures import transfer_returns
from ncap.experiments.labels import is_plain_circuit
from ncap.experiments.results import RunGroup, estimate, load_groups, shared_starts
from ncap.experiments.statistics import Interval
from ncap.policies import ArchitectureConfig, build_policy, transfer_policy
from ncap.runs import atomic_csv
from ncap.viz import canvas

FIELDS = ("joints", "source", "statistic", "point", "ci_low", "ci_high", "n_seeds", "seeds")
SOURCES = ("direct", "transfer", "untrained")
COLORS = {"direct": "tab:blue", "transfer": "tab:orange", "untrained": "black"}
TRAINED_LINKS = 6


def _circuit_groups(runs_dir: str | Path) -> list[RunGroup]:
    return [g for g in load_groups(runs_dir) if is_plain_circuit(g.arch)]


def length_control_rows(direct_dir: str | Path, transfer_dir: str | Path) -> list[dict]:
    """One row per (joints, source) with the IQM over seeds and its interval; ``seeds`` holds each seed's
    return (``;``-separated)."""
    direct = [g for g in _circuit_groups(direct_dir) if g.algo == "ppo"]
    sources = [g for g in _circuit_groups(transfer_dir) if g.n_links == TRAINED_LINKS and g.algo == "ppo"]
    if not direct or len(sources) != 1:
        raise ConfigError(f"need PPO circuit runs at several lengths in {direct_dir} and one PPO circuit group at "
                          f"{TRAINED_LINKS} links in {transfer_dir}")
    (source,) = sources
    seed, episodes = shared_starts([*direct, source])
    lengths = sorted({g.n_links for g in direct} | {TRAINED_LINKS})
    moved = [transfer_returns(run, tuple(lengths)) for run in source.runs]
    untrained = build_policy(ArchitectureConfig(), "swim", TRAINED_LINKS)
    rows = []
    for n_links in lengths:
        by_length = [g for g in [*direct, source] if g.n_links == n_links]
        values = {"direct": by_length[0].final_returns("return_deterministic") if by_length else [],
                  "transfer": [returns[n_links] for returns in moved],
                  "untrained": [evaluate(transfer_policy(untrained, n_links), "swim", n_links, episodes,
                                         seed).mean_return]}
        for name in SOURCES:
            if not values[name]:
                continue
            est = estimate(values[name]) if name != "untrained" else Interval(
                "one policy", values[name][0], float("nan"), float("nan"), 1)
            rows.append({"joints": n_links - 1, "source": name, "statistic": est.statistic, "point": est.point,
                         "ci_low": est.low, "ci_high": est.high, "n_seeds": est.n,
                         "seeds": ";".join(f"{v:.1f}" for v in values[name])})
    return rows


def length_control_figure(direct_dir: str | Path, transfer_dir: str | Path, out: str | Path) -> list[Path]:
    """``length_control.png/.svg/.csv`` in ``out``: the three sources against the number of joints."""
    rows = length_control_rows(direct_dir, transfer_dir)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    atomic_csv(out / "length_control.csv", FIELDS, rows)
    figure, axis = canvas.subplots(figsize=(7, 4.4), constrained_layout=True)
    for offset, name in zip((-0.15, 0.15, 0.0), SOURCES):
        mine = [r for r in rows if r["source"] == name]
        joints = np.array([r["joints"] for r in mine]) + offset
        points = np.array([r["point"] for r in mine])
        seeds = max((r["n_seeds"] for r in mine), default=0)
        label = {"direct": f"trained at that length (n={seeds})",
                 "transfer": f"trained on {TRAINED_LINKS - 1} joints, moved there zero-shot (n={seeds})",
                 "untrained": "untrained circuit"}[name]
        errors = np.nan_to_num([[r["point"] - r["ci_low"] for r in mine], [r["ci_high"] - r["point"] for r in mine]])
        axis.errorbar(joints, points, yerr=np.maximum(errors, 0), fmt="o-" if name != "untrained" else "s--",
                      color=COLORS[name], capsize=3, label=label, markersize=5)
        for x, row in zip(joints, mine):
            each = [float(v) for v in row["seeds"].split(";")]
            if len(each) > 1:
                axis.plot([x] * len(each), each, ".", color=COLORS[name], alpha=0.5, markersize=4)
    axis.axvline(TRAINED_LINKS - 1, color="gray", lw=0.8)
    axis.set_xlabel(f"joints of the body (vertical line: the transferred circuits' {TRAINED_LINKS - 1})")
    axis.set_ylabel("deterministic evaluation return")
    axis.set_title("Claim 5 control: direct training vs zero-shot transfer vs untrained (PPO)\n"
                   "same evaluation starts; IQM over seeds, 95% stratified bootstrap CI; dots: seeds", fontsize=10)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7)
    paths = [out / "length_control.png", out / "length_control.svg"]
    for path in paths:
        canvas.save(figure, path, dpi=130)
    return [*paths, out / "length_control.csv"]
