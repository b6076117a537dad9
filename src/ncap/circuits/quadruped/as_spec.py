"""The hand-written quadruped circuit's weights in the layout of its spec, ``specs/quadruped.yaml``.

The spec names each trainable weight after what it connects (``pf_lift_flx``, ``af_flx_pos_extend_n_fore``, a
tag suffix when fore and hind legs differ); the hand-written circuit stores them as arrays. This module reads
one layout into the other, so that a run trained with the hand-written circuit (its fast path) can be drawn,
compared and compiled as its spec.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch import Tensor

TAGS = ("fore", "hind")
"""The sharing tags of the hand-written arrays' leg-type axis."""
AFFERENTS = tuple(f"{c}_{j}" for c in ("pos", "vel", "force") for j in ("yaw", "lift", "extend")) + ("contact",)
"""Afferent channels in the hand-written circuit's order; the negative parts come first, then the positive."""
OUTPUTS, SOURCES = ("lift", "extend"), ("flx", "ext")


def spec_vector(groups: Sequence[str], weights: Mapping[str, Tensor]) -> Tensor:
    """Hand-written weights, one copy each, in the flat layout of the spec's trainable ``groups``.

    Args:
        groups: the spec's trainable weight names, in the compiled circuit's order.
        weights: ``pf_weight`` (P, 2, 2, 2) [leg type, output, source], ``pf_bias`` (P, 2, 2) and, with
            afferent feedback, ``af_weight`` (P, 2, 2, 20) [leg type, target, afferent].

    Returns:
        (P, D): for each group, one column, or one per leg type when the group is shared by fore and hind.
    """
    columns = []
    for group in groups:
        parts = group.split("_")
        name, tags = ("_".join(parts[:-1]), [TAGS.index(parts[-1])]) if parts[-1] in TAGS else (group, [0, 1])
        kind, rest = name.split("_", 1)
        for t in tags:
            if kind == "pf" and rest.endswith("bias"):
                columns.append(weights["pf_bias"][:, t, OUTPUTS.index(rest.split("_")[0])])
            elif kind == "pf":
                output, source = rest.split("_")
                columns.append(weights["pf_weight"][:, t, OUTPUTS.index(output), SOURCES.index(source)])
            else:
                target, afferent = rest.split("_", 1)
                base, polarity = afferent.rsplit("_", 1)
                index = AFFERENTS.index(base) + (0 if polarity == "n" else len(AFFERENTS))
                columns.append(weights["af_weight"][:, t, SOURCES.index(target), index])
    return torch.stack(columns, -1)


def as_compiled(circuit, seed: int = 0):
    """A :class:`~ncap.circuits.quadruped.QuadrupedCircuit` as its spec compiled with its effective weights
    (sign-constrained, copies summed): the same function for any ``repeat``, starting phases drawn from
    ``seed``. The spec is the shipped one, or the open-loop variant without afferent feedback; a circuit without
    sign constraints has no spec (ValueError)."""
    from ncap.circuits.limb_compiler import CompiledLimbCircuit  # noqa: PLC0415  (compiler imports the rhythm)
    from ncap.circuits.spec_files import load_spec  # noqa: PLC0415

    config = circuit.config
    if not config.sign_constraints:
        raise ValueError("a quadruped circuit without sign constraints has no spec: its free weights may cross sign")
    spec = load_spec("quadruped" if config.afferent_feedback else "quadruped-open-loop")
    compiled = CompiledLimbCircuit(spec, timestep=config.timestep, drive=config.drive,
                                   random_phase=config.random_phase, seed=seed)
    with torch.no_grad():
        effective = circuit.effective()
        compiled.weights.copy_(spec_vector([g.name for g in compiled.groups if g.trainable], effective)[0])
    return compiled
