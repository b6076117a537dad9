"""Tests of ncap.circuits.embedding: the circuit as a sparse ReLU MLP."""

import pytest
import torch
from torch import nn

from ncap.circuits.embedding import EmbeddedMLP, dense_like, to_mlp
from ncap.circuits.mlp import num_parameters
from ncap.circuits.swimmer import SwimmerCircuit


def _inputs(n_joints, batch=64, seed=0):
    generator = torch.Generator().manual_seed(seed)
    joint_pos = torch.rand(batch, n_joints, generator=generator) * 2 - 1
    step = torch.randint(0, 240, (batch,), generator=generator)
    turn = torch.rand(batch, 2, generator=generator)
    speed = torch.rand(batch, generator=generator)
    return joint_pos, step, turn, speed


def _call(module, joint_pos, step, turn, speed, config):
    return module(joint_pos, step, turn if config.turn else None, speed if config.speed else None)


def test_layer_widths():
    mlp = to_mlp(SwimmerCircuit(5))
    linears = [layer for layer in mlp.net if isinstance(layer, nn.Linear)]
    assert [(l.in_features, l.out_features) for l in linears] == [(7, 12), (12, 10), (10, 10), (10, 5)]
    assert [type(layer) for layer in mlp.net][1::2] == [nn.ReLU] * 3
    assert mlp.hidden_sizes == (12, 10, 10)
    assert EmbeddedMLP(5, turn=True, speed=True).hidden_sizes == (15, 10, 10)
    assert num_parameters(mlp) == 7 * 12 + 12 + 12 * 10 + 10 + 10 * 10 + 10 + 10 * 5 + 5


def test_embedding_is_sparse():
    mlp = to_mlp(SwimmerCircuit(5))
    nonzero = [int((layer.weight != 0).sum()) for layer in mlp.net if isinstance(layer, nn.Linear)]
    # 2N + 2 sensory relays; 2 oscillator + 2(N - 1) proprioceptive synapses;
    # 4N muscle synapses; 2N output weights.
    assert nonzero == [12, 10, 20, 10]
    assert all(torch.all(layer.bias == 0) for layer in mlp.net if isinstance(layer, nn.Linear))


def test_constant_init_by_hand():
    mlp = to_mlp(SwimmerCircuit(2))
    assert mlp(torch.tensor([0.5, 0.1]), 0).tolist() == pytest.approx([1.0, 0.5])
    assert mlp(torch.tensor([[-0.5, 0.1]]), torch.tensor([30]))[0].tolist() == pytest.approx([-1.0, -0.5])


@pytest.mark.parametrize(
    "options",
    [{}, {"weight_sharing": False}, {"sign_constraints": False}, {"turn": True}, {"speed": True},
     {"weight_sharing": False, "sign_constraints": False, "turn": True, "speed": True},
     {"oscillator": "sine"}],
)
def test_relu_circuit_embeds_exactly(options):
    generator = torch.Generator().manual_seed(1)
    circuit = SwimmerCircuit(5, activation="relu", init="uniform", generator=generator, **options)
    inputs = _inputs(5)
    expected = _call(circuit, *inputs, circuit.config)
    assert (_call(to_mlp(circuit), *inputs, circuit.config) - expected).abs().max() <= 1e-6


@pytest.mark.parametrize("options", [{}, {"weight_sharing": False}, {"speed": True}])
def test_clamp_circuit_embeds_exactly_at_constant_init(options):
    circuit = SwimmerCircuit(5, **options)
    inputs = _inputs(5, seed=2)
    expected = _call(circuit, *inputs, circuit.config)
    assert (_call(to_mlp(circuit), *inputs, circuit.config) - expected).abs().max() <= 1e-6


def test_clamp_circuit_differs_once_units_saturate():
    circuit = SwimmerCircuit(5)
    with torch.no_grad():
        circuit.w_osc.fill_(3.0)
    joint_pos = torch.zeros(1, 5)
    # b_1^d = clamp(3) = 1 in the circuit but ReLU(3) = 3 in the MLP.
    assert circuit(joint_pos, 0)[0, 0].item() == pytest.approx(1.0)
    assert to_mlp(circuit)(joint_pos, 0)[0, 0].item() == pytest.approx(3.0)


def test_mlp_weights_are_free_copies():
    circuit = SwimmerCircuit(3, init="uniform", generator=torch.Generator().manual_seed(3))
    mlp = to_mlp(circuit)
    assert all(p.requires_grad for p in mlp.parameters())
    before = circuit(torch.full((3,), 0.5), 0)
    with torch.no_grad():
        for parameter in mlp.parameters():
            parameter.fill_(-1.0)
    assert torch.equal(circuit(torch.full((3,), 0.5), 0), before)


def test_dense_like_is_dense_random_and_reproducible():
    circuit = SwimmerCircuit(5)
    dense = dense_like(circuit, torch.Generator().manual_seed(4))
    again = dense_like(circuit, torch.Generator().manual_seed(4))
    for layer, twin in zip(dense.net, again.net):
        if isinstance(layer, nn.Linear):
            bound = layer.in_features**-0.5
            assert torch.all(layer.weight != 0) and torch.all(layer.weight.abs() <= bound)
            assert torch.equal(layer.weight, twin.weight) and torch.equal(layer.bias, twin.bias)
    assert dense(*_inputs(5)[:2]).shape == (64, 5)


def test_embedded_mlp_validates_inputs_and_batch_shapes():
    mlp = to_mlp(SwimmerCircuit(5))
    assert mlp(torch.zeros(2, 3, 5), torch.zeros(2, 3, dtype=torch.long)).shape == (2, 3, 5)
    with pytest.raises(ValueError, match="last dimension 5"):
        mlp(torch.zeros(4), 0)
    with pytest.raises(ValueError, match="no turn inputs"):
        mlp(torch.zeros(5), 0, turn=torch.zeros(2))
    with pytest.raises(ValueError, match="no speed input"):
        mlp(torch.zeros(5), 0, speed=torch.ones(()))
