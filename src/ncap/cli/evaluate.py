"""``ncap eval``: evaluate an untrained architecture (``--init``) or a trained run."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from ncap.cli.common import positive_float, positive_int, print_json
from ncap.cli.errors import UsageError
from ncap.cli.policy_source import add_source_arguments, init_architecture, load_source, source_noise
from ncap.envs.registry import get_task
from ncap.evaluation import ActionNoise, evaluate

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
    parser.add_argument("--terrain", choices=["flat", "bumps"], default=None,
                        help="quadruped: evaluate on this terrain (default: the run's, or flat)")
    parser.add_argument("--friction", type=positive_float, default=None,
                        help="quadruped: a fixed ground friction (default: the run's range)")
    parser.add_argument("--speed", type=positive_float, default=None,
                        help="quadruped: target speed in m/s (default: the run's, or 0.5); the circuit's drive follows")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=run)


def _quadruped(args: argparse.Namespace, policy):
    """The quadruped task to evaluate on (the run's, with the flags' changes) and the policy for it."""
    import dataclasses  # noqa: PLC0415

    from ncap.envs.quadruped import QuadrupedTaskConfig  # noqa: PLC0415
    from ncap.experiments.quadruped_figures import build_with_weights  # noqa: PLC0415
    from ncap.runs import read_config  # noqa: PLC0415

    config = None if args.init else read_config(Path(args.run_dir))
    base = config.quadruped if config else QuadrupedTaskConfig()
    changes = {key: value for key, value in (("terrain", args.terrain), ("speed", args.speed),
                                             ("friction", None if args.friction is None else (args.friction,) * 2))
               if value is not None}
    task = dataclasses.replace(base, **changes)
    if config is None:
        from ncap.policies import build_policy  # noqa: PLC0415

        return task, build_policy(init_architecture(args), "quadruped", 6, seed=args.seed, quadruped=task)
    return task, build_with_weights(policy, config, task)


def _swimmer(args: argparse.Namespace, policy):
    """The swimmer's tasks take no task flags: (no quadruped task, the policy as it is)."""
    if (args.terrain, args.friction, args.speed) != (None, None, None):
        raise UsageError("--terrain, --friction and --speed apply to quadruped runs")
    return None, policy


SETTINGS = {"swimmer": _swimmer, "quadruped": _quadruped}
"""Each body's task flags: (args, policy) -> (quadruped task config or None, policy), by body name."""


def run(args: argparse.Namespace) -> None:
    policy, task, n_links = load_source(args)
    quadruped, policy = SETTINGS[get_task(task).body](args, policy)
    n_joints = quadruped.n_actions if quadruped else n_links - 1
    if args.action_std is not None:  # a run's squashing (SAC's tanh) stays; only the std changes
        own = None if args.init else source_noise(args, n_joints)
        noise = ActionNoise((args.action_std,) * n_joints, own is not None and own.squashed)
    elif args.init:
        noise = ActionNoise((INIT_ACTION_STD,) * n_joints)
    else:
        noise = source_noise(args, n_joints)
    result = evaluate(policy, task, n_links, episodes=args.episodes, seed=args.seed, nthread=args.threads,
                      noise=noise, quadruped=quadruped)
    if args.json:
        print_json(result.to_dict())
    else:
        reach = f", reached {result.reach_rate:.0%} of targets" if result.reached_at else ""
        if result.displacements:
            reach = (f"; forward {result.mean_displacement:.2f} m ({result.mean_forward_speed:.2f} m/s), "
                     f"fell in {result.fall_rate:.0%}; {quadruped}")
        sampled = result.mean_sampled_return
        sampled = "" if math.isnan(sampled) else f"; sampled {sampled:.1f} ± {result.std_sampled_return:.1f}"
        body = "quadruped" if quadruped else f"{task} n_links={n_links}"
        print(f"{body} episodes={result.episodes}: return {result.mean_return:.1f} "
              f"± {result.std_return:.1f} (std, deterministic){sampled}, {result.num_parameters} parameters{reach}")
