"""Policies: a task observation (dict of tensors) -> motor commands (..., n_joints).

Observation keys are those of ``ncap.envs`` (``joints``, ``body_velocities``,
``step`` and, for navigate, ``to_target``); policies are pure torch and can be
used in any RL pipeline that produces such dicts.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import Tensor, nn

from ncap.circuits import EmbeddedMLP, MLPPolicyNet, SwimmerCircuit


def step_index(obs: Mapping[str, Tensor]) -> Tensor:
    """Integer control step (...,) from ``obs["step"]`` (..., 1)."""
    return obs["step"][..., 0].round().long()


class CircuitPolicy(nn.Module):
    """The swimmer circuit (or its MLP embedding) driven by task observations.

    Args:
        circuit: a ``SwimmerCircuit`` or an ``EmbeddedMLP``.
        controller: for navigate, a task module ``to_target -> (turn, speed)``.
    """

    def __init__(self, circuit: SwimmerCircuit | EmbeddedMLP, controller: nn.Module | None = None):
        super().__init__()
        self.circuit = circuit
        self.controller = controller

    @property
    def n_joints(self) -> int:
        return self.circuit.n_joints

    def commands(self, obs: Mapping[str, Tensor]) -> tuple[Tensor | None, Tensor | None]:
        """Turn (..., 2) and speed (...) from the controller, or (None, None)."""
        if self.controller is None:
            return None, None
        return self.controller(obs["to_target"])

    def forward(self, obs: Mapping[str, Tensor], return_activity: bool = False):
        """Observation dict with leading dims (...) -> torques (..., N) [, activity]."""
        turn, speed = self.commands(obs)
        if return_activity:
            return self.circuit(obs["joints"], step_index(obs), turn, speed, return_activity=True)
        return self.circuit(obs["joints"], step_index(obs), turn, speed)


class MLPPolicy(nn.Module):
    """MLP baseline: tanh(MLP(joints, body_velocities[, to_target])).

    Observes what the authors' MLPs observed (23 numbers for 6 links), not time.
    """

    def __init__(self, n_joints: int, hidden: tuple[int, ...], observes_target: bool = False):
        super().__init__()
        self.n_joints = n_joints
        self.keys = ("joints", "body_velocities") + (("to_target",) if observes_target else ())
        in_dim = n_joints + 3 * (n_joints + 1) + (2 if observes_target else 0)
        self.net = MLPPolicyNet(in_dim, hidden, n_joints)

    def features(self, obs: Mapping[str, Tensor]) -> Tensor:
        """The observed numbers, concatenated: (..., in_dim)."""
        return torch.cat([obs[key] for key in self.keys], dim=-1)

    def forward(self, obs: Mapping[str, Tensor]) -> Tensor:
        return torch.tanh(self.net(self.features(obs)))


class RandomPolicy(nn.Module):
    """Uniform random commands in [-1, 1], from its own seeded generator (a baseline)."""

    def __init__(self, n_joints: int, seed: int = 0):
        super().__init__()
        self.n_joints = n_joints
        self.generator = torch.Generator().manual_seed(seed)

    def forward(self, obs: Mapping[str, Tensor]) -> Tensor:
        shape = obs["joints"].shape
        return torch.rand(shape, generator=self.generator, dtype=obs["joints"].dtype) * 2 - 1
