"""Where a command's policy comes from: a trained run (RUN_DIR) or an untrained architecture (--init)."""

from __future__ import annotations

import argparse

from torch import nn

from ncap.cli.common import n_links_arg, non_negative_int
from ncap.cli.config_flags import add_config_flags, config_overrides
from ncap.cli.errors import UsageError
from ncap.config import merge
from ncap.envs.registry import TASKS
from ncap.policies import ArchitectureConfig, build_policy, transfer_policy


def add_source_arguments(parser: argparse.ArgumentParser) -> None:
    """RUN_DIR or --init with its architecture flags, --n-links and --seed."""
    parser.add_argument("run_dir", nargs="?", help="a run directory written by `ncap train`")
    parser.add_argument("--init", action="store_true", help="use an untrained architecture instead of a run")
    parser.add_argument("--task", choices=list(TASKS), default="swim")
    group = parser.add_argument_group("architecture (with --init; the same flags as ncap train)")
    add_config_flags(group, ArchitectureConfig, "arch")
    parser.add_argument("--n-links", type=n_links_arg, default=None,
                        help="body length (default 6, or the run's; another length transfers a circuit zero-shot)")
    parser.add_argument("--seed", type=non_negative_int, default=0)


def load_source(args: argparse.Namespace) -> tuple[nn.Module, str, int]:
    """The policy, its task and the body length to use."""
    if args.init == (args.run_dir is not None):
        raise UsageError("give either a RUN_DIR or --init")
    if args.run_dir is None:
        n_links = args.n_links or 6
        return build_policy(init_architecture(args), args.task, n_links, seed=args.seed), args.task, n_links
    from ncap.runs import load_run_policy  # noqa: PLC0415  (training stack is heavy)

    policy, task, trained_links = load_run_policy(args.run_dir)
    n_links = args.n_links or trained_links
    if n_links != trained_links:
        policy = transfer_policy(policy, n_links)
    return policy, task, n_links


def init_architecture(args: argparse.Namespace) -> ArchitectureConfig:
    """The architecture the flags describe (defaults: the swimmer circuit), for ``--init``."""
    if args.run_dir is not None and config_overrides(args):
        flags = ", ".join(sorted(config_overrides(args).get("arch", {})))
        raise UsageError(f"architecture flags ({flags}) describe an untrained policy: give them with --init only")
    return merge(ArchitectureConfig(), config_overrides(args).get("arch", {}))


def source_noise(args: argparse.Namespace, n_joints: int):
    """The action distribution of the run in ``args.run_dir`` on ``n_joints`` joints (None if it has none).

    A per-joint std learned on another body length is replaced by its mean on every joint.
    """
    from ncap.evaluation import ActionNoise  # noqa: PLC0415  (training stack is heavy)
    from ncap.runs import load_run  # noqa: PLC0415

    noise = load_run(args.run_dir)[2]
    if noise is None or len(noise.std) == n_joints:
        return noise
    return ActionNoise((sum(noise.std) / len(noise.std),) * n_joints, noise.squashed)
