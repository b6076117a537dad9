"""``ncap plot``: learning curves of one or more runs."""

from __future__ import annotations

import argparse

from ncap.cli.errors import UsageError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("plot", help="learning curves of runs (PNG or SVG)")
    parser.add_argument("run_dirs", nargs="+", metavar="RUN_DIR")
    parser.add_argument("--out", required=True, help="output image (.png or .svg)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    from ncap.experiments.curves import plot_learning_curves  # noqa: PLC0415  (matplotlib)

    if not args.out.lower().endswith((".png", ".svg")):
        raise UsageError(f"--out must end with .png or .svg, got {args.out!r}")
    plot_learning_curves(args.run_dirs, args.out)
    print(f"wrote {args.out}")
