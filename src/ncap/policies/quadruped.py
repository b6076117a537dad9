"""Policies of the quadruped's observations: the quadruped circuit and MLP baselines.

The MLP sees what the circuit's afferents see, as the follow-up paper's MLPs
do (their ``legs_feet`` observations): position, velocity and force of the
12 actuators and the 4 foot contacts, 40 numbers, already scaled by the body
(no running normalizer); its output is tanh. Zero-initialized (``mlp_init:
zeros``) for ES, as theirs (``monolithic_ff_mlp256x256_zeroall``).
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import Tensor, nn

from ncap.circuits import MLPPolicyNet
from ncap.circuits.limb_compiler import CompiledLimbCircuit
from ncap.circuits.mlp import HiddenActivation
from ncap.circuits.quadruped import QuadrupedCircuit, QuadrupedCircuitConfig
from ncap.circuits.spec_files import load_spec
from ncap.errors import ConfigError

FEATURES = ("joint_positions", "joint_velocities", "actuator_forces", "foot_contact")
"""The observation parts the MLP baselines read (40 numbers)."""
N_FEATURES = 40


def drive_for_speed(speed: float) -> float:
    """The brainstem command for a target speed: the follow-up paper's 0.3 at 0.5 m/s (walk) and
    0.5 at 1.0 m/s (run), linear between and beyond (clipped to [0, 1])."""
    return min(1.0, max(0.0, 0.3 + 0.4 * (speed - 0.5)))


class QuadrupedMLPPolicy(nn.Module):
    """tanh(MLP(proprioception and contact)) -> (..., n_actions) commands."""

    def __init__(self, hidden: tuple[int, ...], n_actions: int = 8, activation: HiddenActivation = "relu",
                 zero_init: bool = False):
        super().__init__()
        self.n_actions = n_actions
        self.net = MLPPolicyNet(N_FEATURES, hidden, n_actions, activation)
        if zero_init:
            with torch.no_grad():
                for parameter in self.net.parameters():
                    parameter.zero_()

    def forward(self, obs: Mapping[str, Tensor]) -> Tensor:
        return torch.tanh(self.net(torch.cat([obs[key] for key in FEATURES], -1)))


class QuadrupedRandomPolicy(nn.Module):
    """Uniform random commands in [-1, 1] from its own seeded generator (a baseline)."""

    def __init__(self, n_actions: int = 8, seed: int = 0):
        super().__init__()
        self.n_actions = n_actions
        self.generator = torch.Generator().manual_seed(seed)

    def forward(self, obs: Mapping[str, Tensor]) -> Tensor:
        lead = obs["step"].shape[:-1]
        return torch.rand((*lead, self.n_actions), generator=self.generator) * 2 - 1


def build_quadruped_policy(arch, speed: float, n_actions: int, seed: int = 0) -> nn.Module:
    """The policy of ``arch`` (an ``ArchitectureConfig``) for the quadruped task at ``speed``.

    ``arch: ncap`` is the shipped spec ``quadruped``, built as the hand-written circuit (its fast path);
    any other limbed spec (``circuit_spec``) is compiled."""
    if arch.arch == "random":
        return QuadrupedRandomPolicy(n_actions, seed)
    if arch.arch == "mlp":
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            return QuadrupedMLPPolicy(arch.hidden, n_actions, arch.mlp_activation, zero_init=arch.mlp_init == "zeros")
    drive = arch.drive if arch.drive is not None else drive_for_speed(speed)
    if arch.circuit_spec is not None and not is_shipped_quadruped(arch.circuit_spec):
        circuit = CompiledLimbCircuit(load_spec(arch.circuit_spec), drive=drive, seed=seed, channels=CHANNELS)
        if circuit.n_actions != n_actions:
            raise ConfigError(f"circuit spec {arch.circuit_spec!r} commands {circuit.n_actions} actuators; the task "
                              f"takes {n_actions}")
        return circuit
    return QuadrupedCircuit(QuadrupedCircuitConfig(drive=drive, repeat=arch.repeat,
                                                   sign_constraints=arch.sign_constraints,
                                                   afferent_feedback=arch.afferent_feedback), seed=seed)


CHANNELS = {"joint_positions": 12, "joint_velocities": 12, "actuator_forces": 12, "foot_contact": 4,
            "torso_up": 3, "torso_velocity": 3, "torso_angular_velocity": 3}
"""The quadruped's observation channels a circuit spec may read, and their sizes (joints leg-major, yaw/lift/
extend; the torso's in its own frame). They are read as the body gives them (radians, rad/s, the actuators'
forces, contact 0/1, the gravity direction's components, m/s, rad/s), as the hand-written circuit reads them;
``freq`` and ``sync`` come from the task's commands, or are the drive on both sides."""


def is_shipped_quadruped(name_or_path: str) -> bool:
    """Whether a spec is the shipped quadruped circuit (which the hand-written circuit computes)."""
    return load_spec(name_or_path) == load_spec("quadruped")
