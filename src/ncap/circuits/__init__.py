"""Pure-PyTorch NCAP circuits: units, the swimmer circuit, circuits as data (specs and
their compiler), the swimmer's MLP embedding and the MLP baseline. Imports no
simulator or environment code."""

from ncap.circuits.chain import compile_chain, swimmer_options, swimmer_spec
from ncap.circuits.compiler import CompiledCircuit
from ncap.circuits.embedding import EmbeddedMLP, dense_like, to_mlp
from ncap.circuits.mlp import MLPPolicyNet, num_parameters
from ncap.circuits.spec import CircuitSpec, SpecError
from ncap.circuits.spec_files import load_spec, shipped_specs
from ncap.circuits.swimmer import (
    WEIGHT_SIGNS,
    SwimmerCircuit,
    SwimmerCircuitConfig,
    full_weight_shape,
    swimmer_core,
)
from ncap.circuits.units import (
    DORSAL,
    VENTRAL,
    PeriodicOscillator,
    Sign,
    SineWaveOscillator,
    SquareWaveOscillator,
    activation_function,
    constrain,
    excitatory,
    graded_clamp,
    graded_relu,
    inhibitory,
    make_oscillator,
    unsigned,
)

__all__ = [
    "compile_chain", "swimmer_options", "swimmer_spec",
    "CircuitSpec",
    "CompiledCircuit",
    "SpecError",
    "load_spec",
    "shipped_specs",
    "DORSAL",
    "VENTRAL",
    "WEIGHT_SIGNS",
    "EmbeddedMLP",
    "MLPPolicyNet",
    "PeriodicOscillator",
    "Sign",
    "SineWaveOscillator",
    "SquareWaveOscillator",
    "SwimmerCircuit",
    "SwimmerCircuitConfig",
    "activation_function",
    "constrain",
    "dense_like",
    "excitatory",
    "full_weight_shape",
    "graded_clamp",
    "graded_relu",
    "inhibitory",
    "make_oscillator",
    "num_parameters",
    "swimmer_core",
    "to_mlp",
    "unsigned",
]
