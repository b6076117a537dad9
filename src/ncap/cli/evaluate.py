"""``ncap eval``: evaluate an untrained architecture (``--init``) or a trained run."""

from __future__ import annotations

import argparse
import math

from ncap.cli.common import positive_float, positive_int, print_json
from ncap.cli.source import add_source_arguments, load_source, source_noise
from ncap.training.evaluation import ActionNoise, evaluate

INIT_ACTION_STD = 0.1
"""Sampled evaluation of an untrained architecture: the std of PPO's Gaussian around a circuit."""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("eval", help="evaluate an untrained architecture or a trained run")
    add_source_arguments(parser)
    parser.add_argument("--episodes", type=positive_int, default=10)
    parser.add_argument("--threads", type=positive_int, default=None, help="simulator threads (default: all cores)")
    parser.add_argument("--action-std", type=positive_float, default=None,
                        help="std of the sampled episodes' Gaussian action noise (default: the run's own action "
                             f"distribution; {INIT_ACTION_STD} with --init)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    policy, task, n_links = load_source(args)
    n_joints = n_links - 1
    if args.action_std is not None:  # a run's squashing (SAC's tanh) stays; only the std changes
        own = None if args.init else source_noise(args, n_joints)
        noise = ActionNoise((args.action_std,) * n_joints, own is not None and own.squashed)
    elif args.init:
        noise = ActionNoise((INIT_ACTION_STD,) * n_joints)
    else:
        noise = source_noise(args, n_joints)
    result = evaluate(policy, task, n_links, episodes=args.episodes, seed=args.seed, nthread=args.threads,
                      noise=noise)
    if args.json:
        print_json(result.to_dict())
    else:
        reach = f", reached {result.reach_rate:.0%} of targets" if task == "navigate" else ""
        sampled = result.mean_sampled_return
        sampled = "" if math.isnan(sampled) else f"; sampled {sampled:.1f} ± {result.std_sampled_return:.1f}"
        print(f"{task} n_links={n_links} episodes={result.episodes}: return {result.mean_return:.1f} "
              f"± {result.std_return:.1f} (std, deterministic){sampled}, {result.num_parameters} parameters{reach}")
