"""``ncap diagram``: a circuit spec or a trained run's circuit drawn: a chain as the paper's Fig. 3, a limbed
body seen from above."""

from __future__ import annotations

import argparse
from pathlib import Path

from ncap.cli.common import positive_int
from ncap.cli.errors import UsageError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("diagram", help="draw a circuit spec or a trained run's circuit (PNG or SVG)")
    parser.add_argument("source", metavar="SPEC_OR_RUN",
                        help="a shipped spec name (swimmer, swimmer-cpg, quadruped, ...), a spec .yaml file or a run directory")
    parser.add_argument("--out", required=True, help="output image (.png or .svg)")
    parser.add_argument("--n-links", type=positive_int, default=None,
                        help="body length to draw a chain spec on (default 6; a run's own length; not for limbed specs)")
    parser.set_defaults(handler=run)


def _run_circuit(run_dir: Path):
    """(spec, n_joints or None for a limbed body, used weights by group, title) of a trained run's circuit."""
    from ncap.circuits import CompiledCircuit, SwimmerCircuit  # noqa: PLC0415  (torch)
    from ncap.circuits.limb_compiler import CompiledLimbCircuit  # noqa: PLC0415
    from ncap.circuits.quadruped import QuadrupedCircuit  # noqa: PLC0415
    from ncap.circuits.quadruped.as_spec import as_compiled  # noqa: PLC0415
    from ncap.experiments.labels import run_label  # noqa: PLC0415
    from ncap.policies.architecture import circuit_spec  # noqa: PLC0415
    from ncap.runs import load_run  # noqa: PLC0415

    policy, config, _ = load_run(run_dir)
    circuit = getattr(policy, "circuit", policy)
    if isinstance(circuit, QuadrupedCircuit):  # the hand-written quadruped circuit is its spec's fast path
        try:
            circuit = as_compiled(circuit)
        except ValueError as error:
            raise UsageError(f"{run_dir}: {error}") from None
    if isinstance(circuit, SwimmerCircuit):  # the swimmer spec's fused kernel: the spec it compiled, same weight names
        spec = circuit_spec(config.arch)
        spec = spec if circuit.config.turn else spec.without_commands()
    elif isinstance(circuit, CompiledCircuit | CompiledLimbCircuit):
        spec = circuit.spec
    else:
        raise UsageError(f"{run_dir} holds no circuit to draw (an MLP or an embedded MLP)")
    weights = {name: w.detach().numpy() for name, w in circuit.used_weights().items()}
    n_joints = circuit.n_joints if isinstance(circuit, SwimmerCircuit | CompiledCircuit) else None
    return spec, n_joints, weights, f"{run_label(config)}: line width = |weight|"


def run(args: argparse.Namespace) -> None:
    from ncap.circuits.spec_files import load_spec  # noqa: PLC0415
    from ncap.viz.canvas import save  # noqa: PLC0415  (matplotlib)
    from ncap.viz.diagram import draw_circuit  # noqa: PLC0415
    from ncap.viz.limb_diagram import draw_limb_circuit  # noqa: PLC0415

    if not args.out.lower().endswith((".png", ".svg")):
        raise UsageError(f"--out must end with .png or .svg, got {args.out!r}")
    source = Path(args.source)
    if source.is_dir():
        spec, n_joints, weights, title = _run_circuit(source)
    else:
        spec, weights, title = load_spec(args.source), None, ""
        n_joints = None if spec.body is not None else 5 if args.n_links is None else args.n_links - 1
    if spec.body is not None:
        if args.n_links is not None:
            raise UsageError(f"--n-links applies to chain circuits; {spec.name!r} has its own limbed body")
        made = draw_limb_circuit(spec, weights, title)
    else:
        if args.n_links is not None and source.is_dir() and args.n_links - 1 != n_joints:
            raise UsageError(f"--n-links: the run's body has {n_joints + 1} links")
        if not source.is_dir() and n_joints < 2:
            raise UsageError(f"--n-links must be at least 3, got {n_joints + 1}")
        made = draw_circuit(spec, n_joints, weights, title)
    save(made, args.out, dpi=150, bbox_inches="tight")
    print(f"wrote {args.out}")
