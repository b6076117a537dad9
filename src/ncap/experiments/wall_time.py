"""Expected wall time of a sweep budget on N cores, from the per-run rates of finished runs.

A finished run's training rate r (env steps per second, one run per core) is

    r = steps / (wall time of the last evaluation - the evaluations' time)

over its evaluation intervals from its warm-up on, with one evaluation's time = the first row's wall
time (setup and one evaluation).
- The warm-up is DDPG/TD3/SAC's ``learning_starts``: before it no gradient step is taken, those steps
  go 20-50 times faster, and counting them would make a long run look fast. PPO and ES have none.
- A pause inside a run (a suspended machine, a SIGSTOP) shows as one evaluation interval much longer
  than its neighbours: an interval (not the first or last) more than PAUSE_FACTOR times as long as
  both counts as their mean instead.

A budget's run then takes

    T = (steps - warm-up) / r + evaluations * episodes * copies * t_episode

with evaluations = ceil(steps / eval_every) + 1 (the last is forced at the end), copies = 2 where
the sampled episodes run beside the deterministic ones (PPO, DDPG, TD3, SAC) and 1 for ES, and
t_episode one episode copy's time (a run's first evaluation time over its episodes and copies). The
warm-up's few seconds are left out. r and t_episode are the medians over the finished runs of the
same algorithm, ES population and architecture (else the closest architecture: the next larger MLP,
the plain circuit). A run whose simulator ran on k > 1 threads (``threads`` in its config) counts
as k cores: its rate is divided by k and its episode time multiplied by k. N cores run the budget's
runs longest first, each on the first free core.
"""

from __future__ import annotations

import dataclasses
import heapq
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ncap.algorithms import get_algorithm
from ncap.config import TrainConfig
from ncap.errors import NcapError
from ncap.experiments.grids import expand
from ncap.experiments.labels import arch_key
from ncap.policies import ArchitectureConfig
from ncap.runs import RunDir

PAUSE_FACTOR = 3.0
"""An evaluation interval this many times longer than both neighbours is a pause, not training."""


@dataclass(frozen=True)
class Rate:
    """Measured speed of one (algorithm, architecture) on one core."""

    steps_per_second: float
    """Median training env steps per second (evaluations excluded)."""
    seconds_per_episode: float
    """Median seconds of one evaluation episode copy (deterministic or sampled)."""
    runs: int
    """Finished runs measured."""


@dataclass
class Measured:
    """Rates per (algorithm label, architecture), and the folders that are not readable runs."""

    rates: dict[tuple[str, ArchitectureConfig], Rate]
    skipped: list[str] = field(default_factory=list)


class MissingRate(KeyError):
    """No finished run of an algorithm the budget needs."""


def algo_label(config: TrainConfig) -> str:
    """The algorithm as rates are keyed: ES with its population, whose size sets the speed per step."""
    return get_algorithm(config.algo).rate_label(config)


def warmup_steps(config: TrainConfig) -> int:
    """Env steps before the first gradient step: off-policy ``learning_starts``, else 0."""
    return get_algorithm(config.algo).warmup_steps(config)


def evaluation_copies(config: TrainConfig) -> int:
    """Episode copies per evaluation start: deterministic and sampled, except for ES."""
    return get_algorithm(config.algo).evaluation_copies()


def without_pauses(intervals: list[float]) -> list[float]:
    """``intervals`` (seconds between evaluations) with each pause replaced by its neighbours' mean.

    Only interior intervals can be pauses: a last interval longer than the one before is a slower
    phase as often as a pause (DDPG's training after its random steps)."""
    kept = list(intervals)
    for i in range(1, len(intervals) - 1):
        before, after = intervals[i - 1], intervals[i + 1]
        if intervals[i] > PAUSE_FACTOR * max(before, after):
            kept[i] = (before + after) / 2
    return kept


def run_cores(config: TrainConfig) -> int:
    """Cores a run's simulator used: its recorded ``threads``, else 1 (a sweep's runs, one per core;
    runs that recorded no thread count are counted as one core too)."""
    return config.threads if isinstance(config.threads, int) and config.threads > 1 else 1


def run_rate(rows: list[dict], episodes: int, warmup: int = 0) -> tuple[float, float] | None:
    """(training steps/s, s per episode copy) of one run's metrics rows, over the intervals that start
    at or after step ``warmup``; None without such an interval. The copies are read from the rows: 2
    if the first evaluation logged a sampled return, else 1."""
    pairs = [(a, b) for a, b in zip(rows, rows[1:]) if a["env_steps"] >= warmup]
    if not pairs:
        return None
    evaluation = rows[0]["wall_time"]
    intervals = without_pauses([b["wall_time"] - a["wall_time"] for a, b in pairs])
    training = sum(intervals) - len(intervals) * evaluation
    steps = pairs[-1][1]["env_steps"] - pairs[0][0]["env_steps"]
    copies = 2 if math.isfinite(rows[0].get("return_sampled", math.nan)) else 1
    return (steps / training, evaluation / (episodes * copies)) if training > 0 else None


def measured(dirs: list[Path]) -> Measured:
    """The median rates of the finished runs in ``dirs``; folders that are not readable runs are
    skipped and named."""
    samples, skipped = defaultdict(list), []
    for directory in dirs:
        for path in sorted(p for p in Path(directory).iterdir() if p.is_dir()):
            run = RunDir(path)
            try:
                if not run.finished:
                    continue
                config, rows = run.config, run.read_metrics()
            except (NcapError, OSError, ValueError):
                skipped.append(str(path))
                continue
            rate = run_rate(rows, config.eval_episodes, warmup_steps(config))
            if rate is not None:
                cores = run_cores(config)
                samples[algo_label(config), config.arch].append((rate[0] / cores, rate[1] * cores))
    rates = {key: Rate(statistics.median(r for r, _ in values), statistics.median(t for _, t in values), len(values))
             for key, values in samples.items()}
    return Measured(rates, skipped)


def _plain_mlp(arch: ArchitectureConfig) -> int | None:
    """The width of a default two-layer MLP of equal widths (the grid's baselines), else None."""
    if arch.arch == "mlp" and len(arch.hidden) == 2 and arch == ArchitectureConfig(arch="mlp", hidden=arch.hidden):
        return arch.hidden[0] if arch.hidden[0] == arch.hidden[1] else None
    return None


def rate_of(rates: dict[tuple[str, ArchitectureConfig], Rate], algo: str, arch: ArchitectureConfig) -> Rate:
    """The measured rate of (algo label, architecture), else of the closest measured architecture (read from
    the config's fields): for a two-layer MLP the next wider measured one (else the widest), for the
    randomly started dense embedding the circuit-started one, else the plain circuit; MissingRate if none."""
    if (algo, arch) in rates:
        return rates[algo, arch]
    if arch.arch == "mlp" and len(arch.hidden) == 2:
        widths = sorted(w for a, measured_arch in rates if a == algo and (w := _plain_mlp(measured_arch)) is not None)
        if widths:
            width = next((w for w in widths if w >= arch.hidden[0]), widths[-1])
            return rates[algo, ArchitectureConfig(arch="mlp", hidden=(width, width))]
    dense = dataclasses.replace(arch, embedding_init="circuit")
    fallback = dense if arch.dense_embedding and (algo, dense) in rates else ArchitectureConfig()
    if (algo, fallback) not in rates:
        raise MissingRate(f"{algo} {arch_key(arch)}")
    return rates[algo, fallback]


def run_seconds(rates: dict[tuple[str, ArchitectureConfig], Rate], budget: str) -> list[float]:
    """Each run's expected seconds on one core; MissingRate names the first run that has no rate."""
    seconds = []
    for spec in expand(["all"], budget):
        config = spec.config
        rate = rate_of(rates, algo_label(config), config.arch)
        evaluations = -(-config.steps // config.eval_every) + 1
        per_evaluation = rate.seconds_per_episode * config.eval_episodes * evaluation_copies(config)
        training = config.steps - warmup_steps(config)
        seconds.append(training / rate.steps_per_second + evaluations * per_evaluation)
    return seconds


def makespan(seconds: list[float], cores: int) -> float:
    """Wall time of running ``seconds`` longest first, each on the first free of ``cores``."""
    free = [0.0] * cores
    for duration in sorted(seconds, reverse=True):
        heapq.heappush(free, heapq.heappop(free) + duration)
    return max(free)
