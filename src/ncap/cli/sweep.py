"""``ncap sweep`` and ``ncap figures``: the paper's experiments, one command each."""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from ncap.cli.common import n_links_arg, positive_int
from ncap.cli.errors import UsageError
from ncap.experiments.figure_sets import FIGURE_SETS
from ncap.experiments.grids import BUDGETS, FIGURES

FIGURE_CHOICES = (*FIGURES, "all")
FIGURES_ONLY = FIGURE_CHOICES + tuple(FIGURE_SETS)


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    sweep = subparsers.add_parser("sweep", help="train every run a figure needs (skips finished, resumes the rest)")
    sweep.add_argument("--figure", choices=FIGURE_CHOICES, action="append",
                       help="figure(s) to train for (repeatable); default: all")
    sweep.add_argument("--grid", metavar="FILE.yaml", help="a grid of your own: base settings and lists to vary")
    sweep.add_argument("--budget", choices=list(BUDGETS), default="small",
                       help="steps and seeds (medium: the runs of claims 2 and 7 at the paper's steps, 3 seeds)")
    sweep.add_argument("--out", required=True, metavar="RUNS_DIR")
    sweep.add_argument("--workers", type=positive_int, default=1,
                       help="runs at a time: local processes, or a local Ray's CPUs (a cluster runs one per CPU)")
    sweep.add_argument("--threads", type=positive_int,
                       help="local runs: simulator threads per run (default: cores / workers)")
    sweep.add_argument("--ray", action="store_true", help="run each training as a Ray task (local Ray)")
    sweep.add_argument("--ray-address", help="address of a running Ray cluster, or auto (implies --ray)")
    sweep.add_argument("--storage-path", metavar="DIR",
                       help="Ray: directory every node shares, where each run is kept in step with its latest "
                            "checkpoint (default: --out); finished runs are copied into --out")
    sweep.add_argument("--dry-run", action="store_true", help="list the runs and exit")
    sweep.set_defaults(handler=run_sweep)
    figures = subparsers.add_parser("figures", help="draw the paper's figures from the runs in RUNS_DIR")
    figures.add_argument("runs_dir", metavar="RUNS_DIR")
    figures.add_argument("--out", required=True, metavar="FIG_DIR")
    figures.add_argument("--figure", choices=FIGURES_ONLY, action="append",
                         help="default (or all): every paper figure whose runs exist; " +
                              "; ".join(f"{name}: {figure_set.help}" for name, figure_set in FIGURE_SETS.items()))
    figures.add_argument("--transfer-episodes", type=positive_int, default=5,
                         help="nav and quadruped: evaluation episodes per policy and condition (Fig. 6 evaluates "
                              "each run on its own training's evaluation episodes and starts)")
    figures.add_argument("--transfer-links", type=_links, default=tuple(range(3, 17)),
                         help="Fig. 6: body lengths (n_links), e.g. 3,6,10 (default 3..16)")
    figures.set_defaults(handler=run_figures)


def _links(text: str) -> tuple[int, ...]:
    return tuple(n_links_arg(part) for part in text.split(","))


def _specs(args: argparse.Namespace):
    from ncap.experiments.grids import expand, expand_yaml  # noqa: PLC0415

    if args.grid:
        if args.figure:
            raise UsageError("give --figure or --grid, not both")
        path = Path(args.grid)
        if not path.is_file():
            raise UsageError(f"--grid {args.grid}: no such file")
        try:
            return expand_yaml(yaml.safe_load(path.read_text()))
        except yaml.YAMLError as error:
            raise UsageError(f"--grid {args.grid}: not valid YAML ({str(error).splitlines()[0]})") from None
    return expand(args.figure or ["all"], args.budget)


def run_sweep(args: argparse.Namespace) -> None:
    from ncap.experiments.sweep import run_sweep as sweep  # noqa: PLC0415

    specs = _specs(args)
    if args.dry_run:
        for spec in specs:
            print(spec.name)
        return
    where = f"on the Ray cluster at {args.ray_address}" if args.ray_address else f"{args.workers} at a time"
    print(f"{len(specs)} runs into {args.out} ({where})", flush=True)
    report = sweep(specs, args.out, workers=args.workers, ray_address=args.ray_address, use_ray=args.ray,
                   progress=lambda line: print(line, flush=True), storage_path=args.storage_path,
                   threads=args.threads)
    print(f"skipped (finished before): {len(report.skipped)}, trained: {len(report.trained)}, "
          f"failed: {len(report.failed)}")
    if report.failed:
        lines = "; ".join(f"{name}: {error}" for name, error in report.failed.items())
        raise UsageError(f"{len(report.failed)} run(s) failed: {lines}")


def run_figures(args: argparse.Namespace) -> None:
    from ncap.experiments.figures import make_figures  # noqa: PLC0415

    if not Path(args.runs_dir).is_dir():
        raise UsageError(f"no runs directory at {args.runs_dir}")
    written = []
    for name, figure_set in FIGURE_SETS.items():
        if args.figure and name in args.figure:
            written += figure_set.draw(args.runs_dir, args.out, args.transfer_episodes)
    paper = [f for f in args.figure or ["all"] if f not in FIGURE_SETS]
    if paper:
        chosen = None if "all" in paper else tuple(paper)  # all: every figure whose runs exist
        written += make_figures(args.runs_dir, args.out, chosen, transfer_links=args.transfer_links)
    for path in written:
        print(f"wrote {path}")
