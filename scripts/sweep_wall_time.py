"""Expected wall time of a sweep budget on N cores, from the per-run rates of committed runs.

    .venv/bin/python scripts/sweep_wall_time.py results/small results/issue4

For each committed run: its training rate r (env steps per second, one run
per core) = steps / (wall time of the last evaluation - the evaluations' time),
with an evaluation's time = the first row's wall time (setup and one
deterministic evaluation). A budget's run then takes

    T = steps / r + (steps / eval_every + 1) * t_episode * episodes * (2 if PPO or DDPG else 1)

(PPO and DDPG are evaluated deterministically and sampled, ES deterministically),
with r and t_episode the medians of the committed runs of the same algorithm
and architecture (else the closest: the next larger MLP, the plain circuit).
N cores run the budget's runs longest first, each on the first free core.
"""

from __future__ import annotations

import heapq
import statistics
import sys
from collections import defaultdict
from pathlib import Path

from ncap.experiments.grids import BUDGETS, expand
from ncap.experiments.labels import arch_key
from ncap.training.runs import RunDir

CORES = (2, 8, 32, 128)


def measured(dirs: list[str]) -> dict[tuple[str, str], tuple[float, float, int]]:
    """(algo, arch key) -> median training steps/s and seconds per evaluation episode of the finished runs
    in ``dirs``, and their number."""
    samples = defaultdict(list)
    for directory in dirs:
        for path in sorted(Path(directory).iterdir()):
            run = RunDir(path)
            rows = run.read_metrics() if run.finished else []
            if len(rows) < 2:
                continue
            config, first, last = run.config, rows[0]["wall_time"], rows[-1]
            training = last["wall_time"] - len(rows) * first
            samples[config.algo, arch_key(config.arch)].append((last["env_steps"] / training,
                                                                first / config.eval_episodes))
    return {key: (statistics.median(r for r, _ in values), statistics.median(t for _, t in values), len(values))
            for key, values in samples.items()}


def rate_of(rates: dict, algo: str, key: str) -> tuple[float, float, int]:
    """The measured rates of (algo, key), else of the closest measured architecture."""
    if (algo, key) in rates:
        return rates[algo, key]
    if key.startswith("mlp") and key.count("x") == 1:
        width = int(key[3:].split("x")[0])
        sizes = sorted(int(k[3:].split("x")[0]) for a, k in rates
                       if a == algo and k.startswith("mlp") and k.count("x") == 1)
        return rates[algo, "mlp{0}x{0}".format(next((s for s in sizes if s >= width), sizes[-1]))]
    return rates[algo, "ncap-dense" if key == "ncap-denserandom" and (algo, "ncap-dense") in rates else "ncap"]


def run_seconds(rates: dict, budget: str) -> list[float]:
    """Each run's expected seconds on one core."""
    seconds = []
    for spec in expand(["all"], budget):
        config = spec.config
        rate, per_episode, _ = rate_of(rates, config.algo, arch_key(config.arch))
        evaluations = config.steps // config.eval_every + 1
        per_evaluation = per_episode * config.eval_episodes * (1 if config.algo == "es" else 2)
        seconds.append(config.steps / rate + evaluations * per_evaluation)
    return seconds


def makespan(seconds: list[float], cores: int) -> float:
    """Wall time of running ``seconds`` longest first, each on the first free of ``cores``."""
    free = [0.0] * cores
    for duration in sorted(seconds, reverse=True):
        heapq.heappush(free, heapq.heappop(free) + duration)
    return max(free)


def main(dirs: list[str]) -> None:
    rates = measured(dirs)
    print("| algo | architecture | training steps/s per core | s per evaluation episode | runs |")
    print("|---|---|---|---|---|")
    for (algo, key), (rate, episode, count) in sorted(rates.items()):
        print(f"| {algo} | {key} | {rate:,.0f} | {episode:.2f} | {count} |")
    print("\n| budget | runs | core-hours | longest run (h) | " + " | ".join(f"{n} cores (h)" for n in CORES) + " |")
    print("|---|---|---|---|" + "---|" * len(CORES))
    for budget in BUDGETS:
        seconds = run_seconds(rates, budget)
        spans = " | ".join(f"{makespan(seconds, n) / 3600:,.1f}" for n in CORES)
        print(f"| {budget} | {len(seconds)} | {sum(seconds) / 3600:,.1f} | {max(seconds) / 3600:.1f} | {spans} |")


if __name__ == "__main__":
    main(sys.argv[1:] or ["results/small", "results/issue4"])
