"""``ncap train``: one command for every task x architecture x algorithm, resumable."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import yaml

from ncap.cli.common import hidden_sizes, n_links_arg, non_negative_int, positive_int
from ncap.cli.errors import UsageError
from ncap.policies import CONTROLLERS
from ncap.training.config import ALGOS, TrainConfig, merge

ARCHS_TRAINABLE = ("ncap", "mlp")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("train", help="train a policy (or --resume a run)")
    parser.add_argument("--resume", metavar="RUN_DIR", help="continue an interrupted run from its last checkpoint")
    parser.add_argument("--out", metavar="RUN_DIR", help="run directory to create (or continue, same config)")
    parser.add_argument("--config", metavar="FILE.yaml", help="YAML overrides of any setting (see docs/training.md)")
    parser.add_argument("--task", choices=["swim", "navigate"])
    parser.add_argument("--n-links", type=n_links_arg)
    parser.add_argument("--arch", choices=ARCHS_TRAINABLE)
    parser.add_argument("--hidden", type=hidden_sizes, help="MLP widths, e.g. 256,256")
    parser.add_argument("--no-weight-sharing", action="store_true", default=None)
    parser.add_argument("--no-sign-constraints", action="store_true", default=None)
    parser.add_argument("--init", choices=["constant", "uniform"])
    parser.add_argument("--dense-embedding", action="store_true", default=None,
                        help="train the MLP of the circuit's embedding with all weights free (Fig. 7B)")
    parser.add_argument("--embedding-init", choices=["circuit", "random"],
                        help="with --dense-embedding: start at the circuit, or at random weights "
                             "(the paper's dense MLP(12,10,10))")
    parser.add_argument("--controller", choices=CONTROLLERS, help="navigate: task module for turn and speed")
    parser.add_argument("--freeze-circuit", action="store_true", default=None,
                        help="navigate: train only the learned controller, the circuit stays as initialized")
    parser.add_argument("--algo", choices=ALGOS)
    parser.add_argument("--steps", type=positive_int, help="budget in environment steps")
    parser.add_argument("--seed", type=non_negative_int)
    parser.add_argument("--eval-every", type=positive_int, help="env steps between evaluations/checkpoints")
    parser.add_argument("--eval-episodes", type=positive_int)
    parser.add_argument("--threads", type=positive_int, help="simulator threads")
    parser.add_argument("--workers", type=non_negative_int, help="ES: Ray actors evaluating the population")
    parser.add_argument("--ray-address", help="ES: address of a running Ray cluster")
    parser.set_defaults(handler=run)


def _flag_overrides(args: argparse.Namespace) -> dict:
    top = {"task": args.task, "n_links": args.n_links, "algo": args.algo, "steps": args.steps, "seed": args.seed,
           "eval_every": args.eval_every, "eval_episodes": args.eval_episodes, "threads": args.threads}
    arch = {"arch": args.arch, "hidden": list(args.hidden) if args.hidden else None, "init": args.init,
            "controller": args.controller, "dense_embedding": args.dense_embedding,
            "embedding_init": args.embedding_init,
            "weight_sharing": False if args.no_weight_sharing else None,
            "train_circuit": False if args.freeze_circuit else None,
            "sign_constraints": False if args.no_sign_constraints else None}
    es = {"workers": args.workers, "ray_address": args.ray_address}
    out = {key: value for key, value in top.items() if value is not None}
    for name, section in (("arch", arch), ("es", es)):
        section = {key: value for key, value in section.items() if value is not None}
        if section:
            out[name] = section
    return out


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
    return merge(config, _flag_overrides(args))


def run(args: argparse.Namespace) -> None:
    from ncap.training.train import resume, train  # noqa: PLC0415  (heavy imports after parsing)

    if args.resume:
        if args.out or args.config or _flag_overrides(args):
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
