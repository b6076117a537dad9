"""MLP baseline policy network and the parameter count used for every architecture.

Parameter counts here are weights plus biases. The paper's MLP counts are one
more than that: with 23 inputs and 5 outputs, MLP(2, 2) has 69 here and 70 in
the paper; MLP(256, 256) has 73,221 here and 73,222 in the paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from torch import Tensor, nn

from ncap.validation import is_int


def _require_positive_int(name: str, value: object) -> None:
    if not is_int(value) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


HiddenActivation = Literal["relu", "tanh"]
HIDDEN_ACTIVATIONS: dict[str, type[nn.Module]] = {"relu": nn.ReLU, "tanh": nn.Tanh}
"""The MLP baselines' hidden nonlinearity: ReLU (the paper) or tanh (the authors' ES MLP)."""


class MLPPolicyNet(nn.Module):
    """MLP: Linear and ReLU (or tanh) per hidden layer, then a linear output.

    Args:
        in_dim: input size D_in.
        hidden: hidden layer widths, e.g. (256, 256); () gives a linear map.
        out_dim: output size D_out (no output activation).
        activation: hidden nonlinearity, "relu" (default, the paper's) or "tanh".
    """

    def __init__(self, in_dim: int, hidden: Sequence[int], out_dim: int,
                 activation: HiddenActivation = "relu") -> None:
        super().__init__()
        _require_positive_int("in_dim", in_dim)
        _require_positive_int("out_dim", out_dim)
        if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence):
            raise ValueError(f"hidden must be a sequence of positive integers, got {hidden!r}")
        for index, width in enumerate(hidden):
            _require_positive_int(f"hidden[{index}]", width)
        if activation not in HIDDEN_ACTIVATIONS:
            raise ValueError(f"unknown MLP activation {activation!r}; choose one of {list(HIDDEN_ACTIVATIONS)}")
        self.in_dim, self.hidden, self.out_dim = in_dim, tuple(hidden), out_dim
        widths = (in_dim, *self.hidden)
        layers: list[nn.Module] = []
        for fan_in, fan_out in zip(widths[:-1], widths[1:]):
            layers += [nn.Linear(fan_in, fan_out), HIDDEN_ACTIVATIONS[activation]()]
        layers.append(nn.Linear(widths[-1], out_dim))
        self.net = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        """Inputs (..., D_in) -> outputs (..., D_out)."""
        return self.net(x)


def num_parameters(module: nn.Module) -> int:
    """Number of trainable scalar parameters of ``module`` (weights + biases for
    an MLP; the circuit's weights for a :class:`~ncap.circuits.SwimmerCircuit`)."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
