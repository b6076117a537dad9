"""``ncap compare``: two groups of runs, seed against seed (final return, mean return over training)."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from ncap.algorithms import ALGORITHMS
from ncap.cli.common import n_links_arg, print_json
from ncap.cli.errors import UsageError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compare", help="compare two groups of finished runs: IQM over seeds, intervals, P(A > B)")
    parser.add_argument("runs_dir", metavar="RUNS_DIR")
    parser.add_argument("a", metavar="A", help="architecture key as in summary.md (e.g. ncap)")
    parser.add_argument("b", metavar="B", help="architecture key (e.g. ncap-noshare)")
    parser.add_argument("--algo", choices=sorted(ALGORITHMS), help="when a key has runs under several algorithms")
    parser.add_argument("--n-links", type=n_links_arg, help="when a key has runs at several body lengths")
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    from ncap.experiments.pairs import compare_pair, find_group, report_markdown  # noqa: PLC0415
    from ncap.experiments.results import load_groups  # noqa: PLC0415

    if not Path(args.runs_dir).is_dir():
        raise UsageError(f"no runs directory at {args.runs_dir}")
    groups = load_groups(args.runs_dir)
    report = compare_pair(find_group(groups, args.a, args.algo, args.n_links),
                          find_group(groups, args.b, args.algo, args.n_links))
    if not args.json:
        print(report_markdown(report))
        return
    print_json({"a": args.a, "b": args.b, "algo": report.a.algo, "column": report.column,
                "seeds": [len(report.a.runs), len(report.b.runs)],
                "steps": [int(report.steps[0]), int(report.steps[-1]), len(report.steps)],
                "comparisons": [{"measure": c.measure, "a": dataclasses.asdict(c.a), "b": dataclasses.asdict(c.b),
                                 "p_a_beats_b": dataclasses.asdict(c.a_beats_b)} for c in report.comparisons]})
