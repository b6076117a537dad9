"""``ncap eval``: evaluate an untrained architecture (``--init``) or a trained run."""

from __future__ import annotations

import argparse

from ncap.cli.common import hidden_sizes, n_links_arg, non_negative_int, positive_int, print_json
from ncap.cli.errors import UsageError
from ncap.policies import ARCHS, CONTROLLERS, ArchitectureConfig, build_policy, transfer_policy
from ncap.training.evaluation import evaluate


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("eval", help="evaluate an untrained architecture or a trained run")
    parser.add_argument("run_dir", nargs="?", help="a run directory written by `ncap train`")
    parser.add_argument("--init", action="store_true", help="evaluate an untrained architecture instead of a run")
    parser.add_argument("--task", choices=["swim", "navigate"], default="swim")
    parser.add_argument("--arch", choices=ARCHS, default="ncap")
    parser.add_argument("--hidden", type=hidden_sizes, default=(256, 256), help="MLP widths, e.g. 256,256")
    parser.add_argument("--controller", choices=CONTROLLERS, default=None, help="navigate task module (ncap only)")
    parser.add_argument("--n-links", type=n_links_arg, default=None, help="body length (default 6, or the run's)")
    parser.add_argument("--episodes", type=positive_int, default=10)
    parser.add_argument("--seed", type=non_negative_int, default=0)
    parser.add_argument("--threads", type=positive_int, default=None, help="simulator threads (default: all cores)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    if args.init == (args.run_dir is not None):
        raise UsageError("give either a RUN_DIR or --init")
    if args.run_dir is not None:
        from ncap.training.runs import load_run_policy  # noqa: PLC0415  (training stack is heavy)

        policy, task, trained_links = load_run_policy(args.run_dir)
        n_links = args.n_links or trained_links
        if n_links != trained_links:
            policy = transfer_policy(policy, n_links)
    else:
        task, n_links = args.task, args.n_links or 6
        config = ArchitectureConfig(arch=args.arch, hidden=args.hidden, controller=args.controller)
        policy = build_policy(config, task, n_links, seed=args.seed)
    result = evaluate(policy, task, n_links, episodes=args.episodes, seed=args.seed, nthread=args.threads)
    if args.json:
        print_json(result.to_dict())
    else:
        print(f"{task} n_links={n_links} episodes={result.episodes}: return {result.mean_return:.1f} "
              f"± {result.std_return:.1f} (std), {result.num_parameters} parameters")
