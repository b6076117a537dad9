"""Compiling a chain spec: the swimmer spec, under any of its transformations, runs on the fused swimmer kernel.

The spec is the one way to describe a circuit; ``arch: ncap`` is the shipped
``swimmer.yaml``. ``compile_chain`` recognises a spec that equals the shipped
swimmer under the paper's ablations (sharing, signs, initialisation,
activation) and an oscillator setting, and builds :class:`SwimmerCircuit`
(the fused, hand-vectorised kernel: the same function, the same parameter
names and initial weights, faster); any other chain compiles to
:class:`CompiledCircuit`. ``swimmer_options`` says which options a spec is.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import torch
from torch import nn

from ncap.circuits.compiler import CompiledCircuit
from ncap.circuits.spec import (
    CircuitSpec,
    SpecError,
    with_activation,
    with_oscillator,
    with_uniform_init,
    without_sharing,
    without_signs,
)
from ncap.circuits.spec_files import load_spec
from ncap.circuits.swimmer import SwimmerCircuit

SWIMMER = "swimmer"
"""The shipped spec that ``arch: ncap`` means."""


@lru_cache(maxsize=1)
def _shipped_swimmer() -> CircuitSpec:
    """The shipped swimmer spec, read once (specs are frozen: sharing it is safe)."""
    return load_spec(SWIMMER)


def swimmer_spec(weight_sharing: bool = True, sign_constraints: bool = True, init: str = "constant",
                 activation: str = "clamp", oscillator: str | None = None, period: int | None = None,
                 duty: int | None = None) -> CircuitSpec:
    """The shipped swimmer spec under the paper's ablations and an oscillator setting (None: the spec's)."""
    spec = _shipped_swimmer()
    if not weight_sharing:
        spec = without_sharing(spec)
    if not sign_constraints:
        spec = without_signs(spec)
    if init == "uniform":
        spec = with_uniform_init(spec)
    if activation != "clamp":
        spec = with_activation(spec, activation)
    return with_oscillator(spec, oscillator, period, duty)


def swimmer_options(spec: CircuitSpec) -> dict | None:
    """The :class:`SwimmerCircuit` options of a spec equal to the shipped swimmer under them (its name and
    description aside), or None for any other circuit."""
    if spec.body is not None or not any(u.name == "osc" and u.kind == "oscillator" for u in spec.units):
        return None
    osc = spec.unit("osc")
    reference = _shipped_swimmer()
    own = CircuitSpec(reference.name, spec.units, spec.synapses, reference.description, spec.body)
    for sharing, signs, init, activation in itertools.product((True, False), (True, False), ("constant", "uniform"),
                                                               ("clamp", "relu")):
        options = {"weight_sharing": sharing, "sign_constraints": signs, "init": init, "activation": activation,
                   "oscillator": osc.waveform, "oscillator_period": osc.period, "oscillator_duty": osc.duty}
        candidate = swimmer_spec(sharing, signs, init, activation, osc.waveform, osc.period, osc.duty)
        if candidate == own or candidate.without_commands() == own:
            return options
    return None


def compile_chain(spec: CircuitSpec, n_joints: int, commands: bool = False,
                  generator: torch.Generator | None = None) -> nn.Module:
    """The circuit of chain ``spec`` on ``n_joints`` joints: :class:`SwimmerCircuit` for the swimmer spec
    (under any ablation), else :class:`CompiledCircuit`. ``commands`` keeps the turn and speed inputs."""
    if commands and not any(u.is_command for u in spec.units):
        raise SpecError(f"circuit spec {spec.name!r} has no turn or speed inputs for commands to drive")
    options = swimmer_options(spec)
    if options is None:
        return CompiledCircuit(spec, n_joints, commands=commands, generator=generator)
    return SwimmerCircuit(n_joints, generator=generator, turn=commands, speed=commands, **options)
