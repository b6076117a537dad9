"""Expected wall time of each sweep budget on N cores, from the rates of finished runs.

    .venv/bin/python scripts/sweep_wall_time.py results/small results/learning-check results/medium

The method is in ``ncap.experiments.wall_time``. A budget that needs an algorithm with no finished
run in the given folders gets a line saying which, instead of a row.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ncap.experiments.grids import BUDGETS
from ncap.experiments.labels import arch_key
from ncap.experiments.wall_time import MissingRate, makespan, measured, run_seconds

CORES = (2, 8, 32, 128)
DEFAULT = ("small", "learning-check", "medium")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs_dirs", nargs="*", type=Path, default=[Path(f"results/{b}") for b in DEFAULT],
                        help=f"folders of run directories (default: {' '.join(f'results/{b}' for b in DEFAULT)})")
    args = parser.parse_args(argv)
    missing = [str(d) for d in args.runs_dirs if not d.is_dir()]
    if missing:
        parser.error(f"not a folder: {', '.join(missing)}")
    found = measured(args.runs_dirs)
    for path in found.skipped:
        print(f"skipped {path}: not a readable run", file=sys.stderr)
    rates = found.rates
    if not rates:
        parser.error(f"no finished runs in {' '.join(map(str, args.runs_dirs))}")
    print("| algo | architecture | training steps/s per core | s per evaluation episode | runs |")
    print("|---|---|---|---|---|")
    for (algo, key), rate in sorted(((algo, arch_key(arch)), rate) for (algo, arch), rate in rates.items()):
        print(f"| {algo} | {key} | {rate.steps_per_second:,.0f} | {rate.seconds_per_episode:.2f} | {rate.runs} |")
    print("\n| budget | runs | core-hours | longest run (h) | " + " | ".join(f"{n} cores (h)" for n in CORES) + " |")
    print("|---|---|---|---|" + "---|" * len(CORES))
    for budget in BUDGETS:
        try:
            seconds = run_seconds(rates, budget)
        except MissingRate as error:
            print(f"| {budget} | no finished run of {error.args[0]} (or a fallback) in these folders |")
            continue
        spans = " | ".join(f"{makespan(seconds, n) / 3600:,.1f}" for n in CORES)
        print(f"| {budget} | {len(seconds)} | {sum(seconds) / 3600:,.1f} | {max(seconds) / 3600:.1f} | {spans} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
