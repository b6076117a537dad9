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
from ncap.circuits.dynamics import STATE_KEY
from ncap.circuits.mlp import HiddenActivation
from ncap.policies.normalizer import RunningNormalizer


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


SWIMMER_FEATURES = ("joints", "body_velocities", "to_target")
QUADRUPED_FEATURES = ("joint_positions", "joint_velocities", "actuator_forces", "foot_contact", "torso_up",
                      "torso_velocity", "torso_angular_velocity")


def feature_keys(keys) -> tuple[str, ...]:
    """The observation parts that are state features (not time, not the task's constant target speed), in
    order: the swimmer's joints, body velocities [, to_target]; the quadruped's proprioception, contact and torso;
    a stateful circuit's state when the observation carries it (training/circuit_state.py)."""
    return tuple(key for key in SWIMMER_FEATURES + QUADRUPED_FEATURES + (STATE_KEY,) if key in keys)


def observed_features(obs: Mapping[str, Tensor]) -> Tensor:
    """The state features of an observation, (..., D): for the swimmer what its MLP baselines observe,
    23 numbers for 6 links (the authors' MLP input), 25 with the target; for the quadruped 49; not time."""
    return torch.cat([obs[key] for key in feature_keys(obs)], dim=-1)


def observed_size(observation_space) -> int:
    """Size D of :func:`observed_features` for a Gymnasium Dict observation space."""
    return sum(int(observation_space[key].shape[0]) for key in feature_keys(observation_space.spaces))


def feature_size(n_joints: int, observes_target: bool) -> int:
    """Size D of :func:`observed_features`."""
    return n_joints + 3 * (n_joints + 1) + (2 if observes_target else 0)


class MLPPolicy(nn.Module):
    """MLP baseline: tanh(MLP(normalize(joints, body_velocities[, to_target]))).

    The normalizer (running mean/std, identity until trained with statistics)
    is part of the policy, so a saved MLP policy is self-contained.
    """

    def __init__(self, n_joints: int, hidden: tuple[int, ...], observes_target: bool = False,
                 activation: HiddenActivation = "relu"):
        super().__init__()
        self.n_joints = n_joints
        in_dim = feature_size(n_joints, observes_target)
        self.normalizer = RunningNormalizer(in_dim)
        self.net = MLPPolicyNet(in_dim, hidden, n_joints, activation)

    def forward(self, obs: Mapping[str, Tensor]) -> Tensor:
        return torch.tanh(self.net(self.normalizer(observed_features(obs))))


class RandomPolicy(nn.Module):
    """Uniform random commands in [-1, 1], from its own seeded generator (a baseline)."""

    def __init__(self, n_joints: int, seed: int = 0):
        super().__init__()
        self.n_joints = n_joints
        self.generator = torch.Generator().manual_seed(seed)

    def forward(self, obs: Mapping[str, Tensor]) -> Tensor:
        shape = obs["joints"].shape
        return torch.rand(shape, generator=self.generator, dtype=obs["joints"].dtype) * 2 - 1
