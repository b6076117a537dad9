"""``ncap train``: one command for every task x architecture x algorithm, resumable."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import yaml

from ncap.cli.config_flags import add_config_flags, config_overrides
from ncap.cli.errors import UsageError
from ncap.config import TrainConfig, merge


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("train", help="train a policy (or --resume a run)",
                                   description="Every setting of the run's config is a flag (see docs/training.md).")
    parser.add_argument("--resume", metavar="RUN_DIR", help="continue an interrupted run from its last checkpoint")
    parser.add_argument("--out", metavar="RUN_DIR", help="run directory to create (or continue, same config)")
    parser.add_argument("--config", metavar="FILE.yaml", help="YAML overrides of any setting (see docs/training.md)")
    add_config_flags(parser)
    parser.set_defaults(handler=run)


def _yaml_overrides(path: str) -> dict:
    file = Path(path)
    if not file.is_file():
        raise UsageError(f"--config {path}: no such file")
    try:
        data = yaml.safe_load(file.read_text())
    except yaml.YAMLError as error:
        raise UsageError(f"--config {path}: not valid YAML ({str(error).splitlines()[0]})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"--config {path}: expected a mapping of settings at the top level")
    return data


def resolve_config(args: argparse.Namespace) -> TrainConfig:
    """Defaults, then the YAML file, then the flags given on the command line."""
    config = TrainConfig()
    if args.config:
        config = merge(config, _yaml_overrides(args.config))
    return merge(config, config_overrides(args))


def run(args: argparse.Namespace) -> None:
    from ncap.training.train import resume, train  # noqa: PLC0415  (heavy imports after parsing)

    if args.resume:
        if args.out or args.config or config_overrides(args):
            raise UsageError("--resume takes only the run directory: its settings are in its config.yaml")
        run_dir = resume(args.resume)
    else:
        if not args.out:
            raise UsageError("give --out RUN_DIR (or --resume RUN_DIR)")
        run_dir = train(resolve_config(args), args.out)
    rows = run_dir.read_metrics()
    if rows:
        last = rows[-1]
        sampled = "" if math.isnan(last["return_sampled"]) else f", sampled {last['return_sampled']:.1f}"
        print(f"{run_dir.path}: {int(last['env_steps'])} env steps, evaluation return "
              f"{last['return_deterministic']:.1f} ± {last['return_deterministic_std']:.1f} (deterministic){sampled}")
