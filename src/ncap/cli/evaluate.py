"""``ncap eval``: evaluate an untrained architecture (``--init``) or a trained run."""

from __future__ import annotations

import argparse

from ncap.cli.common import positive_int, print_json
from ncap.cli.source import add_source_arguments, load_source
from ncap.training.evaluation import evaluate


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("eval", help="evaluate an untrained architecture or a trained run")
    add_source_arguments(parser)
    parser.add_argument("--episodes", type=positive_int, default=10)
    parser.add_argument("--threads", type=positive_int, default=None, help="simulator threads (default: all cores)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    policy, task, n_links = load_source(args)
    result = evaluate(policy, task, n_links, episodes=args.episodes, seed=args.seed, nthread=args.threads)
    if args.json:
        print_json(result.to_dict())
    else:
        reach = f", reached {result.reach_rate:.0%} of targets" if task == "navigate" else ""
        print(f"{task} n_links={n_links} episodes={result.episodes}: return {result.mean_return:.1f} "
              f"± {result.std_return:.1f} (std), {result.num_parameters} parameters{reach}")
