"""Task modules for navigate: the target direction -> the circuit's turn and speed inputs.

Both read ``to_target`` (nose to target in the head frame, (..., 2)) as the
authors' release does: ``x = -to_target[..., 0]`` (positive: target to the
right), ``y = to_target[..., 1]``.
"""

from __future__ import annotations

import typing
from typing import Literal

import torch
from torch import Tensor, nn

from ncap.errors import ConfigError

ControllerName = Literal["hand-coded", "learned"]
CONTROLLERS: tuple[str, ...] = typing.get_args(ControllerName)


def _target_features(to_target: Tensor) -> tuple[Tensor, Tensor]:
    return -to_target[..., 0], to_target[..., 1]


class HandCodedController(nn.Module):
    """Thresholds: turn right if x > 0.1, left if x < -0.1, swim if |y| > 0.12.

    No parameters. Returns turn (..., 2) = (r, l) and speed (...), all in {0, 1}.
    """

    def __init__(self, turn_threshold: float = 0.1, speed_threshold: float = 0.12):
        super().__init__()
        self.turn_threshold = turn_threshold
        self.speed_threshold = speed_threshold

    def forward(self, to_target: Tensor) -> tuple[Tensor, Tensor]:
        x, y = _target_features(to_target)
        right = (x > self.turn_threshold).to(to_target.dtype)
        left = (x < -self.turn_threshold).to(to_target.dtype)
        speed = (y.abs() > self.speed_threshold).to(to_target.dtype)
        return torch.stack((right, left), dim=-1), speed


class LearnedController(nn.Module):
    """A linear layer (x, |y|) -> (r, l, s), clamped to [0, 1]: 9 parameters.

    Initialized near the hand-coded rule's spirit: r grows with x, l with -x,
    s with |y|, so an untrained controller already steers roughly.
    """

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 3)
        with torch.no_grad():
            self.linear.weight.copy_(torch.tensor([[5.0, 0.0], [-5.0, 0.0], [0.0, 5.0]]))
            self.linear.bias.copy_(torch.tensor([-0.5, -0.5, -0.6]))

    def forward(self, to_target: Tensor) -> tuple[Tensor, Tensor]:
        x, y = _target_features(to_target)
        out = self.linear(torch.stack((x, y.abs()), dim=-1)).clamp(0.0, 1.0)
        return out[..., :2], out[..., 2]


def make_controller(name: str) -> nn.Module:
    """A navigate task module by name ("hand-coded" or "learned")."""
    if name == "hand-coded":
        return HandCodedController()
    if name == "learned":
        return LearnedController()
    raise ConfigError(f"unknown controller {name!r}; choose one of {list(CONTROLLERS)}")
