"""``ncap diagram``: a circuit spec or a trained run's circuit drawn as the paper's Fig. 3."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from ncap.cli.common import positive_int
from ncap.cli.errors import UsageError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("diagram", help="draw a circuit spec or a trained run's circuit (PNG or SVG)")
    parser.add_argument("source", metavar="SPEC_OR_RUN",
                        help="a shipped spec name (swimmer, swimmer-cpg), a spec .yaml file or a run directory")
    parser.add_argument("--out", required=True, help="output image (.png or .svg)")
    parser.add_argument("--n-links", type=positive_int, default=None,
                        help="body length to draw a spec on (default 6; a run's own length)")
    parser.set_defaults(handler=run)


def _run_circuit(run_dir: Path):
    """(spec, n_joints, used weights by group, title) of a trained run's circuit."""
    from ncap.circuits import CompiledCircuit, SwimmerCircuit  # noqa: PLC0415  (torch)
    from ncap.experiments.labels import run_label  # noqa: PLC0415
    from ncap.policies.architecture import circuit_spec  # noqa: PLC0415
    from ncap.training.runs import load_run  # noqa: PLC0415

    policy, config, _ = load_run(run_dir)
    circuit = getattr(policy, "circuit", None)
    if isinstance(circuit, SwimmerCircuit):  # the built-in circuit is the shipped swimmer spec, same weight names
        spec = circuit_spec(dataclasses.replace(config.arch, circuit_spec="swimmer", oscillator="square",
                                                oscillator_period=60, oscillator_duty=30))
        spec = spec if circuit.config.turn else spec.without_commands()
    elif isinstance(circuit, CompiledCircuit):
        spec = circuit.spec
    else:
        raise UsageError(f"{run_dir} holds no circuit to draw (an MLP or an embedded MLP)")
    weights = {name: w.detach().numpy() for name, w in circuit.used_weights().items()}
    return spec, circuit.n_joints, weights, f"{run_label(config)}: line width = |weight|"


def run(args: argparse.Namespace) -> None:
    from ncap.circuits.spec_files import load_spec  # noqa: PLC0415
    from ncap.viz.canvas import save  # noqa: PLC0415  (matplotlib)
    from ncap.viz.diagram import draw_circuit  # noqa: PLC0415

    if not args.out.lower().endswith((".png", ".svg")):
        raise UsageError(f"--out must end with .png or .svg, got {args.out!r}")
    source = Path(args.source)
    if source.is_dir():
        spec, n_joints, weights, title = _run_circuit(source)
        if args.n_links is not None and args.n_links - 1 != n_joints:
            raise UsageError(f"--n-links: the run's body has {n_joints + 1} links")
    else:
        spec, weights, title = load_spec(args.source), None, ""
        n_links = 6 if args.n_links is None else args.n_links
        if n_links < 3:
            raise UsageError(f"--n-links must be at least 3, got {n_links}")
        n_joints = n_links - 1
    save(draw_circuit(spec, n_joints, weights, title), args.out, dpi=150, bbox_inches="tight")
    print(f"wrote {args.out}")
