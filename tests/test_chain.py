"""compile_chain: the swimmer spec under any ablation runs on the fused SwimmerCircuit kernel, other chains compile."""

import itertools

import pytest
import torch

from ncap.circuits import CompiledCircuit, SwimmerCircuit, compile_chain, load_spec, swimmer_options, swimmer_spec

COMBOS = list(itertools.product((True, False), (True, False), ("constant", "uniform"), ("clamp", "relu")))


@pytest.mark.parametrize("sharing,signs,init,activation", COMBOS)
def test_the_swimmer_spec_under_every_ablation_selects_the_kernel_and_computes_the_compiled_function(
        sharing, signs, init, activation):
    spec = swimmer_spec(sharing, signs, init, activation, "square", 40, 10)
    kernel = compile_chain(spec, 5, generator=torch.Generator().manual_seed(3))
    assert isinstance(kernel, SwimmerCircuit)
    assert (kernel.config.weight_sharing, kernel.config.sign_constraints, kernel.config.init,
            kernel.config.activation, kernel.config.oscillator_period, kernel.config.oscillator_duty) == \
        (sharing, signs, init, activation, 40, 10)
    compiled = CompiledCircuit(spec, 5)
    assert kernel.state_dict().keys() == compiled.state_dict().keys()  # a compiled run's weights load into it
    compiled.load_state_dict(kernel.state_dict())
    joints, steps = torch.rand(7, 5) * 2 - 1, torch.arange(7) * 9
    torch.testing.assert_close(kernel(joints, steps), compiled(joints, steps))


def test_commands_and_a_renamed_copy_still_select_the_kernel():
    assert isinstance(compile_chain(load_spec("swimmer"), 5, commands=True), SwimmerCircuit)
    renamed = load_spec("swimmer").__class__("mine", load_spec("swimmer").units, load_spec("swimmer").synapses, "x")
    assert swimmer_options(renamed) is not None


def test_other_chains_compile_and_a_spec_without_commands_cannot_take_them():
    assert swimmer_options(load_spec("swimmer-cpg")) is None
    assert isinstance(compile_chain(load_spec("swimmer-cpg"), 5), CompiledCircuit)
    with pytest.raises(ValueError, match="turn or speed"):
        compile_chain(load_spec("swimmer").without_commands(), 5, commands=True)
