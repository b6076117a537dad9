"""Tests of ncap.circuits.mlp: the MLP baseline and parameter counting."""

import pytest
import torch
from torch import nn

from ncap.circuits.mlp import MLPPolicyNet, num_parameters
from ncap.circuits.swimmer import SwimmerCircuit


def test_parameter_counts_match_the_paper_minus_one():
    assert num_parameters(MLPPolicyNet(23, (2, 2), 5)) == 69  # paper: 70
    assert num_parameters(MLPPolicyNet(23, (256, 256), 5)) == 73_221  # paper: 73,222
    assert num_parameters(MLPPolicyNet(4, (3,), 2)) == 4 * 3 + 3 + 3 * 2 + 2


def test_num_parameters_counts_circuits_and_skips_frozen():
    assert num_parameters(SwimmerCircuit(5)) == 4
    assert num_parameters(SwimmerCircuit(5, weight_sharing=False)) == 30
    net = MLPPolicyNet(4, (3,), 2)
    net.net[0].weight.requires_grad_(False)
    assert num_parameters(net) == 3 + 3 * 2 + 2


def test_forward_by_hand():
    net = MLPPolicyNet(2, (2,), 1)
    with torch.no_grad():
        net.net[0].weight.copy_(torch.tensor([[1.0, -1.0], [0.5, 0.5]]))
        net.net[0].bias.copy_(torch.tensor([0.0, -1.0]))
        net.net[2].weight.copy_(torch.tensor([[2.0, 3.0]]))
        net.net[2].bias.copy_(torch.tensor([0.5]))
    # hidden = relu(-1, 0.5) = (0, 0.5); output = 3 * 0.5 + 0.5
    assert net(torch.tensor([1.0, 2.0])).item() == pytest.approx(2.0)


def test_structure_and_shapes():
    net = MLPPolicyNet(23, (64, 32), 5)
    assert [type(layer) for layer in net.net] == [nn.Linear, nn.ReLU, nn.Linear, nn.ReLU, nn.Linear]
    assert net(torch.zeros(7, 3, 23)).shape == (7, 3, 5)
    assert [type(layer) for layer in MLPPolicyNet(3, (), 2).net] == [nn.Linear]


def test_tanh_hidden_layers_keep_the_parameters_and_their_names():
    import typing

    from ncap.circuits.mlp import HIDDEN_ACTIVATIONS, HiddenActivation

    assert tuple(HIDDEN_ACTIVATIONS) == typing.get_args(HiddenActivation)
    relu, tanh = MLPPolicyNet(23, (64, 32), 5), MLPPolicyNet(23, (64, 32), 5, activation="tanh")
    assert [type(layer) for layer in tanh.net] == [nn.Linear, nn.Tanh, nn.Linear, nn.Tanh, nn.Linear]
    assert relu.state_dict().keys() == tanh.state_dict().keys()
    tanh.load_state_dict(relu.state_dict())
    x = torch.randn(4, 23)
    expected = tanh.net[4](torch.tanh(tanh.net[2](torch.tanh(tanh.net[0](x)))))
    assert torch.allclose(tanh(x), expected)
    assert not torch.allclose(tanh(x), relu(x))
    with pytest.raises(ValueError, match="unknown MLP activation 'gelu'"):
        MLPPolicyNet(23, (4,), 5, activation="gelu")


@pytest.mark.parametrize(
    "args, message",
    [((0, (2,), 1), "in_dim"), ((2, (2,), True), "out_dim"), ((2, (0,), 1), r"hidden\[0\]"),
     ((2, (4, -1), 1), r"hidden\[1\]"), ((2, (2.5,), 1), r"hidden\[0\]"),
     ((2, "22", 1), "hidden must be a sequence")],
)
def test_bad_sizes_raise_value_errors(args, message):
    with pytest.raises(ValueError, match=message):
        MLPPolicyNet(*args)
