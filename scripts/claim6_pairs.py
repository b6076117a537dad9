"""Every single-factor pair of Fig. 7A's variants in one Markdown table (claim 6, issue 29).

The three factors are weight sharing, sign constraints and initialisation (constant or uniform); each
pair differs in one factor with the other two held, 12 pairs in all for the 8 variants
(:func:`ncap.experiments.pairs.fig7a_pairs`). Pairs without finished runs of both groups in RUNS_DIR are
left out. Each row is ``ncap compare RUNS_DIR A B``: the IQM over seeds [95% stratified bootstrap
interval] of the final return and of the mean return over training, and P(A > B) [interval].

Usage: python scripts/claim6_pairs.py RUNS_DIR [--algo ppo]
"""

from __future__ import annotations

import argparse
import sys

from ncap.errors import ConfigError
from ncap.experiments.pairs import compare_pair, fig7a_pairs, find_group
from ncap.experiments.results import load_groups


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs_dir")
    parser.add_argument("--algo", default=None)
    args = parser.parse_args(argv)
    try:
        groups = load_groups(args.runs_dir)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    algos = sorted({g.algo for g in groups if args.algo in (None, g.algo)})
    if len(algos) > 1:
        print(f"error: {args.runs_dir} has runs under {', '.join(algos)}: choose one with --algo", file=sys.stderr)
        return 1
    lines, seeds = [], set()
    for label, key_a, key_b in fig7a_pairs():
        try:
            a, b = find_group(groups, key_a, args.algo), find_group(groups, key_b, args.algo)
        except ConfigError:
            continue
        final, mean = compare_pair(a, b).comparisons
        seeds.update((len(a.runs), len(b.runs)))
        lines.append(f"| {label} | {final.a.cell()} | {final.b.cell()} | {final.a_beats_b.cell()} | "
                     f"{mean.a.cell()} | {mean.b.cell()} | {mean.a_beats_b.cell()} |")
    if not lines:
        print(f"error: no pair of Fig. 7A variants has finished runs of both sides in {args.runs_dir}",
              file=sys.stderr)
        return 1
    print(f"IQM over {' or '.join(map(str, sorted(seeds)))} seeds [95% stratified bootstrap interval]; "
          "P(A > B) [interval], a seed of A against a seed of B")
    print()
    print("| A / B (held) | final A | final B | P(A > B), final | mean over training A | mean over training B "
          "| P(A > B), mean |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
