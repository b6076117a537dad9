"""The swimmer circuit embedded in a plain ReLU MLP (paper Appendix B, Fig. 7B).

Input features ``x = [q_1..q_N, o^d, o^v]``, followed by ``(r, l)`` if the
circuit has turn inputs and by ``s`` if it has a speed input. Layers:

1. hidden width ``2N + 2`` (``+2`` with turn, ``+1`` with speed):
   ``ReLU(q_j), ReLU(-q_j)`` for every joint j (dorsal, ventral), then
   ``ReLU(o^d), ReLU(o^v)``, then ``ReLU(r), ReLU(l)``, then the brake
   ``ReLU(1 - s)`` (weight -1, bias 1);
2. hidden width ``2N``: B neurons ``b_i^d, b_i^v`` for every module i;
3. hidden width ``2N``: muscles ``m_i^d, m_i^v``;
4. linear output width ``N``: ``torque_i = m_i^d - m_i^v``.

For N = 5 the hidden widths are (12, 10, 10). Most weights are zero;
:func:`to_mlp` copies the circuit's used (sign-constrained) weights into them.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from ncap.circuits.swimmer import SwimmerCircuit
from ncap.circuits.units import OSCILLATOR_DUTY, OSCILLATOR_PERIOD, OscillatorName, make_oscillator


class EmbeddedMLP(nn.Module):
    """ReLU MLP with the circuit's layer widths, called like the circuit.

    All weights are free (no sharing, no signs, no sparsity mask): training it
    is the paper's sparsity ablation. A fresh instance has all weights zero;
    use :func:`to_mlp` or :func:`dense_like` to fill them.

    Attributes:
        net: ``nn.Sequential`` of Linear, ReLU, Linear, ReLU, Linear, ReLU, Linear.
        oscillator: the oscillator unit, driven by the step index.
    """

    def __init__(
        self,
        n_joints: int,
        turn: bool = False,
        speed: bool = False,
        oscillator: OscillatorName = "square",
        oscillator_period: int = OSCILLATOR_PERIOD,
        oscillator_duty: int = OSCILLATOR_DUTY,
    ) -> None:
        super().__init__()
        self.n_joints, self.turn, self.speed = n_joints, turn, speed
        self.oscillator = make_oscillator(oscillator, oscillator_period, oscillator_duty)
        in_dim = n_joints + 2 + 2 * turn + speed
        widths = (in_dim, *self.hidden_sizes, n_joints)
        layers: list[nn.Module] = []
        for fan_in, fan_out in zip(widths[:-1], widths[1:]):
            layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
        self.net = nn.Sequential(*layers[:-1])
        with torch.no_grad():
            for parameter in self.net.parameters():
                parameter.zero_()

    @property
    def hidden_sizes(self) -> tuple[int, int, int]:
        """Hidden widths (2N + 2 [+ 2 turn] [+ 1 speed], 2N, 2N)."""
        n = self.n_joints
        return (2 * n + 2 + 2 * self.turn + self.speed, 2 * n, 2 * n)

    def features(
        self, joint_pos: Tensor, step: Tensor | int, turn: Tensor | None = None, speed: Tensor | None = None
    ) -> Tensor:
        """Network input (..., N + 2 [+ 2] [+ 1]); missing commands = no turn, full speed."""
        if joint_pos.shape[-1:] != (self.n_joints,):
            raise ValueError(
                f"joint_pos must have last dimension {self.n_joints}, got shape {tuple(joint_pos.shape)}"
            )
        if turn is not None and not self.turn:
            raise ValueError("turn was given but the network has no turn inputs")
        if speed is not None and not self.speed:
            raise ValueError("speed was given but the network has no speed input")
        batch = joint_pos.shape[:-1]
        oscillator = self.oscillator(step, dtype=joint_pos.dtype)
        parts = [joint_pos, oscillator.expand(*batch, 2)]
        if self.turn:
            parts.append(joint_pos.new_zeros(*batch, 2) if turn is None else turn.expand(*batch, 2))
        if self.speed:
            parts.append(joint_pos.new_ones(*batch, 1) if speed is None else speed.expand(batch)[..., None])
        return torch.cat(parts, dim=-1)

    def forward(
        self, joint_pos: Tensor, step: Tensor | int, turn: Tensor | None = None, speed: Tensor | None = None
    ) -> Tensor:
        """Torques (..., N) from joint_pos (..., N), step (...), turn (..., 2), speed (...)."""
        return self.net(self.features(joint_pos, step, turn, speed))


def _empty_like(circuit: SwimmerCircuit) -> EmbeddedMLP:
    cfg = circuit.config
    mlp = EmbeddedMLP(
        cfg.n_joints, cfg.turn, cfg.speed, cfg.oscillator, cfg.oscillator_period, cfg.oscillator_duty
    )
    return mlp.to(circuit.w_osc)


def to_mlp(circuit: SwimmerCircuit) -> EmbeddedMLP:
    """Embed ``circuit`` exactly in a sparse :class:`EmbeddedMLP` (Appendix B).

    The MLP's weights are copies of the circuit's used weights at call time.
    Its outputs equal the circuit's for every input when the circuit's
    activation is "relu". With "clamp" they are equal as long as no B neuron
    or muscle of the circuit exceeds 1 (clamp and ReLU then agree), e.g. at the
    constant initialization without turn inputs; once a unit saturates the
    MLP output keeps growing where the circuit's is clamped, and they differ.
    """
    mlp = _empty_like(circuit)
    n = circuit.n_joints
    w = {name: value.detach() for name, value in circuit.used_weights(expanded=True).items()}
    first, b_layer, muscle_layer, output = (mlp.net[k] for k in (0, 2, 4, 6))
    sides = torch.arange(2)
    with torch.no_grad():
        joints = torch.arange(n)
        first.weight[2 * joints, joints] = 1.0
        first.weight[2 * joints + 1, joints] = -1.0
        first.weight[2 * n + sides, n + sides] = 1.0
        b_layer.weight[sides, 2 * n + sides] = w["w_osc"]
        extra = 2 * n + 2
        if circuit.config.turn:
            first.weight[extra + sides, n + 2 + sides] = 1.0
            b_layer.weight[sides, extra + sides] = w["w_turn"]
            extra += 2
        if circuit.config.speed:
            first.weight[extra, -1] = -1.0
            first.bias[extra] = 1.0
            b_layer.weight[:, extra] = w["w_speed"].reshape(-1)
        for i in range(1, n):
            b_layer.weight[2 * i + sides, 2 * (i - 1) + sides] = w["w_prop"][i - 1]
        for i in range(n):
            muscle_layer.weight[2 * i + sides, 2 * i + sides] = w["w_ipsi"][i]
            muscle_layer.weight[2 * i + sides, 2 * i + 1 - sides] = w["w_contra"][i]
            output.weight[i, 2 * i + sides] = torch.tensor([1.0, -1.0])
    return mlp


def dense_like(circuit: SwimmerCircuit, generator: torch.Generator | None = None) -> EmbeddedMLP:
    """Dense, randomly initialized :class:`EmbeddedMLP` of the circuit's shape:
    the MLP(12, 10, 10) baseline for N = 5. Each Linear layer's weights and
    biases are drawn from U(-1/sqrt(fan_in), 1/sqrt(fan_in)), PyTorch's default
    range, with ``generator`` for reproducibility."""
    mlp = _empty_like(circuit)
    with torch.no_grad():
        for layer in mlp.net:
            if isinstance(layer, nn.Linear):
                bound = 1.0 / math.sqrt(layer.in_features)
                for parameter in (layer.weight, layer.bias):
                    sample = torch.rand(parameter.shape, generator=generator) * 2 * bound - bound
                    parameter.copy_(sample)
    return mlp
