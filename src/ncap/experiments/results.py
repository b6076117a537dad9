"""Runs grouped over seeds, summarised by the interquartile mean over seeds and its 95% stratified bootstrap
interval (rliable, :mod:`ncap.experiments.statistics`)."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from ncap.algorithms import get_algorithm
from ncap.circuits import num_parameters
from ncap.config import TrainConfig, identity
from ncap.envs.swimmer.swimming import SWIM
from ncap.errors import ConfigError
from ncap.experiments.labels import arch_key, arch_label
from ncap.experiments.statistics import Interval, iqm, iqm_curve
from ncap.policies import ArchitectureConfig, build_policy
from ncap.runs import CONFIG, RunDir


def estimate(values: list[float] | np.ndarray, seed: int = 0) -> Interval:
    """IQM over seeds of ``values`` (one per seed) and its 95% stratified bootstrap interval (NaN bounds for
    one seed)."""
    return iqm(values, seed=seed)


SPLIT_GAP = 0.25
"""A group's final returns are split (bimodal) when the widest gap between two sorted seeds exceeds this
fraction of the return's scale and half of the seeds' range: some seeds stuck while the others learn."""


def is_split(values: list[float] | np.ndarray, scale: float) -> bool:
    """Whether seeds' results fall into two groups far apart: a gap wider than :data:`SPLIT_GAP` x ``scale``
    (the task's best return: a gap that matters on the task, not among seeds that all fail) and than half
    the seeds' range. A mean and its band would describe no seed, so figures draw each seed instead."""
    values = np.sort(np.asarray(values, dtype=float))
    if len(values) < 2 or not np.isfinite(values).all():
        return False
    gap = float(np.diff(values).max())
    return gap > SPLIT_GAP * scale and gap > 0.5 * float(values[-1] - values[0])


def paper_measure(algo: str) -> str:
    """The metrics column that stands for the paper's return under ``algo`` (see ``Algorithm.paper_measure``)."""
    return get_algorithm(algo).paper_measure


@dataclass
class RunGroup:
    """The seeds of one configuration: runs whose configs differ only in their seed.

    ``config`` is the first seed's (seed aside, the others are alike); figures
    and summaries filter on its fields (``config.algo``, ``config.arch`` ...).
    """

    config: TrainConfig
    runs: list[RunDir]
    _curves: dict = dataclasses.field(default_factory=dict, repr=False, compare=False)

    @property
    def algo(self) -> str:
        return self.config.algo

    @property
    def n_links(self) -> int:
        return self.config.n_links

    @property
    def arch(self) -> ArchitectureConfig:
        return self.config.arch

    @property
    def key(self) -> str:
        """The architecture's name in tables (:func:`arch_key`)."""
        return arch_key(self.arch)

    @property
    def label(self) -> str:
        """The architecture as figures show it (:func:`arch_label`)."""
        return arch_label(self.arch)

    @cached_property
    def num_parameters(self) -> int:
        return num_parameters(build_policy(self.config.arch, self.config.task, self.n_links))

    @cached_property
    def _metrics(self) -> list[list[dict]]:
        """Each seed's metrics rows, read once."""
        return [run.read_metrics() for run in self.runs]

    def metrics(self) -> list[list[dict]]:
        """Each seed's metrics rows (one list per run in :attr:`runs`, in that order)."""
        return self._metrics

    @cached_property
    def measure(self) -> str:
        """The metrics column figures show: the paper's (:func:`paper_measure`), or the deterministic
        return if any seed's rows lack it (runs saved before sampled evaluation), so that every seed is
        compared in one measure."""
        measure = paper_measure(self.algo)
        if any(math.isnan(r.get(measure, math.nan)) for rows in self._metrics for r in rows):
            return "return_deterministic"  # a seed saved before sampled evaluation: one measure for every seed
        return measure

    def seed_curves(self, measure: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Steps every seed has (T,) and each seed's evaluation return there (S, T) (``measure``, default
        :attr:`measure`)."""
        measure = measure or self.measure
        tables = [{int(r["env_steps"]): r[measure] for r in rows} for rows in self._metrics]
        tables = [t for t in tables if t]
        if not tables:
            return np.zeros(0), np.zeros((0, 0))
        steps = sorted(set.intersection(*(set(t) for t in tables)))
        return np.asarray(steps), np.array([[t[s] for s in steps] for t in tables])

    def curve(self, measure: str | None = None) -> tuple[np.ndarray, list[Interval]]:
        """Evaluation return (``measure``, default :attr:`measure`) over env steps (the steps every seed has,
        (T,)): the IQM over seeds at each step with its stratified bootstrap interval (T intervals; computed
        once per measure)."""
        measure = measure or self.measure
        if measure not in self._curves:
            steps, seeds = self.seed_curves(measure)
            self._curves[measure] = (steps, iqm_curve(seeds) if len(steps) else [])
        return self._curves[measure]

    def final_returns(self, measure: str | None = None) -> list[float]:
        """Each seed's last evaluation return (``measure``, default :attr:`measure`)."""
        return [rows[-1][measure or self.measure] for rows in self._metrics if rows]


def shared_starts(groups: list[RunGroup]) -> tuple[int, int]:
    """The evaluation starts every run of ``groups`` shares: ``(eval_seed, eval_episodes)``.

    Raises ConfigError when they differ: returns on other starts are not one measure.
    """
    starts = {(run.config.eval_seed, run.config.eval_episodes) for g in groups for run in g.runs}
    if len(starts) != 1:
        raise ConfigError(f"the runs evaluate on different starts (eval_seed, eval_episodes) {sorted(starts)}: "
                          "no common measure")
    return starts.pop()


def load_groups(runs_dir: str | Path) -> list[RunGroup]:
    """Every finished swim run under ``runs_dir``, grouped over seeds.

    Runs still training are left out, so that final returns are final and
    every seed's curve reaches the end.
    """
    groups: dict[tuple, RunGroup] = {}
    for path in sorted(Path(runs_dir).iterdir()) if Path(runs_dir).is_dir() else []:
        if not (path / CONFIG).is_file():
            continue
        run = RunDir(path)
        config = run.config
        if config.task != SWIM.name or not run.finished or not run.read_metrics():
            continue
        group = groups.setdefault(identity(dataclasses.replace(config, seed=0)), RunGroup(config, []))
        group.runs.append(run)
    return list(groups.values())
