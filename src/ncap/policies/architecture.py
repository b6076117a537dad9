"""Typed description of a policy architecture, and the factory that builds it."""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import torch
from torch import nn

from ncap.circuits import CompiledCircuit, dense_like, to_mlp
from ncap.circuits.chain import compile_chain, swimmer_spec
from ncap.circuits.limb_compiler import CompiledLimbCircuit
from ncap.circuits.mlp import HIDDEN_ACTIVATIONS, HiddenActivation
from ncap.circuits.spec import (
    CircuitSpec,
    with_activation,
    with_uniform_init,
    without_sharing,
    without_signs,
)
from ncap.circuits.spec_files import load_spec
from ncap.circuits.swimmer import INITS, InitName
from ncap.circuits.units import (
    ACTIVATIONS,
    OSCILLATOR_DUTY,
    OSCILLATOR_PERIOD,
    OSCILLATORS,
    ActivationName,
    OscillatorName,
)
from ncap.envs.quadruped.task import QuadrupedTaskConfig
from ncap.envs.registry import get_task
from ncap.envs.task import Task, TaskSettings
from ncap.errors import ConfigError
from ncap.policies.navigation import CONTROLLERS, ControllerName, make_controller
from ncap.policies.policy import CircuitPolicy, MLPPolicy, RandomPolicy
from ncap.policies.quadruped import build_quadruped_policy, is_shipped_quadruped
from ncap.validation import is_int

ArchName = Literal["ncap", "mlp", "random"]
ARCHS: tuple[str, ...] = typing.get_args(ArchName)


@dataclass(frozen=True)
class ArchitectureConfig:
    """Which policy to build; ablation switches apply to the circuit only."""

    arch: ArchName = "ncap"
    """"ncap" (the swimmer circuit), "mlp" (baseline) or "random" (uniform commands)."""
    hidden: tuple[int, ...] = (256, 256)
    """MLP hidden layer widths."""
    mlp_activation: HiddenActivation = "relu"
    """MLP hidden nonlinearity: "relu" (the paper's) or "tanh" (the authors' released ES MLP)."""
    weight_sharing: bool = True
    """Circuit: share each named weight across modules and sides."""
    sign_constraints: bool = True
    """Circuit: keep every weight's excitatory/inhibitory sign."""
    init: InitName = "constant"
    """Circuit: initial magnitudes, constant 1 or uniform in [0, 1]."""
    activation: ActivationName = "clamp"
    """Circuit: graded activation, clamp to [0, 1] or rectifier."""
    oscillator: OscillatorName = "square"
    """Circuit: head oscillator waveform, "square" (paper) or "sine"."""
    oscillator_period: int = OSCILLATOR_PERIOD
    """Circuit: oscillator period in control steps."""
    oscillator_duty: int = OSCILLATOR_DUTY
    """Circuit: steps per period during which the square wave's dorsal output is on."""
    dense_embedding: bool = False
    """Circuit: train the ReLU MLP of its embedding's architecture with every weight free (Fig. 7B)."""
    embedding_init: Literal["circuit", "random"] = "circuit"
    """With dense_embedding: start at the circuit (its sparse embedding) or, the paper's dense
    MLP(12,10,10) baseline, with every weight drawn at random (PyTorch's default ranges)."""
    circuit_spec: str | None = None
    """Circuit: a circuit spec, shipped ("swimmer", "swimmer-cpg") or a .yaml path, compiled instead of the
    built-in swimmer circuit; the ablation switches above apply to it as spec transformations."""
    controller: ControllerName | None = None
    """Navigate: task module feeding the circuit's turn and speed inputs."""
    train_circuit: bool = True
    """With a controller: False keeps the circuit at its initialization and trains only the task module."""
    mlp_init: Literal["default", "zeros"] = "default"
    """Quadruped MLP: PyTorch's default initialization, or every weight 0 (the follow-up paper's ES MLPs)."""
    drive: float | None = None
    """Quadruped circuit: brainstem command in [0, 1]; None: from the task's speed (0.3 walk, 0.5 run)."""
    repeat: int = 1
    """Quadruped circuit: redundant copies of each trainable weight (the follow-up paper's runs: 8)."""
    afferent_feedback: bool = True
    """Quadruped circuit: afferents onto the rhythm generator (False: open-loop CPG and pattern formation)."""

    def __post_init__(self) -> None:
        if self.arch not in ARCHS:
            raise ConfigError(f"unknown arch {self.arch!r}; choose one of {list(ARCHS)}")
        if not self.hidden or any(not is_int(h) or h < 1 for h in self.hidden):
            raise ConfigError(f"hidden sizes must be positive integers, got {self.hidden!r}")
        if self.mlp_activation not in HIDDEN_ACTIVATIONS:
            raise ConfigError(f"unknown mlp_activation {self.mlp_activation!r}; "
                              f"choose one of {list(HIDDEN_ACTIVATIONS)}")
        if self.mlp_activation != "relu" and self.arch != "mlp":
            raise ConfigError("mlp_activation applies to arch mlp only")
        if self.controller is not None:
            if self.controller not in CONTROLLERS:
                raise ConfigError(f"unknown controller {self.controller!r}; choose one of {list(CONTROLLERS)}")
            if self.arch != "ncap":
                raise ConfigError("a controller drives the circuit's turn and speed inputs: it needs arch ncap")
        if self.dense_embedding and self.arch != "ncap":
            raise ConfigError("dense_embedding applies to the ncap circuit only")
        if not self.train_circuit and self.controller != "learned":
            raise ConfigError("freezing the circuit leaves only a learned controller to train (controller learned)")
        if self.embedding_init not in ("circuit", "random"):
            raise ConfigError(f"unknown embedding_init {self.embedding_init!r}; choose one of ['circuit', 'random']")
        if self.embedding_init == "random" and not self.dense_embedding:
            raise ConfigError("embedding_init random needs dense_embedding (it initializes the embedding's MLP)")
        if self.dense_embedding and self.controller is not None:
            raise ConfigError("dense_embedding is defined for the swim circuit, without a controller")
        if self.circuit_spec is not None:
            self._check_spec()
        if self.mlp_init not in ("default", "zeros"):
            raise ConfigError(f"unknown mlp_init {self.mlp_init!r}; choose one of ['default', 'zeros']")
        if not is_int(self.repeat) or self.repeat < 1:
            raise ConfigError(f"repeat must be a positive integer, got {self.repeat!r}")
        if self.drive is not None and not (isinstance(self.drive, (int, float)) and 0 <= self.drive <= 1):
            raise ConfigError(f"drive must be a number in [0, 1], got {self.drive!r}")
        for name, choices in (("init", INITS), ("activation", ACTIVATIONS), ("oscillator", OSCILLATORS)):
            if getattr(self, name) not in choices:
                raise ConfigError(f"unknown {name} {getattr(self, name)!r}; choose one of {list(choices)}")
        for name in ("oscillator_period", "oscillator_duty"):
            if not is_int(getattr(self, name)):
                raise ConfigError(f"{name} must be an integer, got {getattr(self, name)!r}")
        if self.circuit_spec is None:  # the oscillator's period and duty, checked by its spec now rather than later
            circuit_spec(self)


    def _check_spec(self) -> None:
        if self.arch != "ncap":
            raise ConfigError("circuit_spec needs arch ncap")
        if self.dense_embedding:
            raise ConfigError("dense_embedding is defined for the built-in swimmer circuit, not a circuit_spec")
        defaults = ArchitectureConfig()
        for name in ("oscillator", "oscillator_period", "oscillator_duty"):
            if getattr(self, name) != getattr(defaults, name):
                raise ConfigError(f"with a circuit_spec, set the oscillator in the spec, not {name}")
        spec = load_spec(self.circuit_spec)  # SpecError (a ConfigError) now rather than at build time
        if self.controller is not None and not any(u.is_command for u in spec.units):
            raise ConfigError(f"circuit spec {self.circuit_spec!r} has no turn or speed inputs for a controller to drive")
        if spec.body is None:
            CompiledCircuit(circuit_spec(self), 2, commands=self.controller is not None)  # what only compiling finds
        else:
            CompiledLimbCircuit(spec)
        path = Path(self.circuit_spec)
        if path.suffix in (".yaml", ".yml") and not path.is_absolute():  # a file: recorded wherever it is read from
            object.__setattr__(self, "circuit_spec", str(path.resolve()))


def circuit_spec(config: ArchitectureConfig) -> CircuitSpec:
    """The circuit ``config`` describes, as a spec: ``config.circuit_spec`` (None: the shipped swimmer spec with
    the config's oscillator) with the config's ablations applied as spec transformations."""
    if config.circuit_spec is None:
        return swimmer_spec(config.weight_sharing, config.sign_constraints, config.init, config.activation,
                            config.oscillator, config.oscillator_period, config.oscillator_duty)
    spec = load_spec(config.circuit_spec)
    if not config.weight_sharing:
        spec = without_sharing(spec)
    if not config.sign_constraints:
        spec = without_signs(spec)
    if config.init == "uniform":
        spec = with_uniform_init(spec)
    return with_activation(spec, config.activation) if config.activation != "clamp" else spec


def check_task(config: ArchitectureConfig, task: str) -> None:
    """ConfigError if ``config`` cannot act on ``task`` (the one place these rules live)."""
    if config.controller is not None and not get_task(task).observes_target:
        raise ConfigError("a controller is only meaningful on the navigate task")
    BODY_POLICIES[get_task(task).body].check(config)


def _check_quadruped(config: ArchitectureConfig) -> None:
    limbed = config.circuit_spec is not None and load_spec(config.circuit_spec).body is not None
    if config.dense_embedding:
        raise ConfigError("dense_embedding describes the swimmer circuit; the quadruped's is arch ncap or a "
                          "limbed circuit_spec")
    if config.circuit_spec is not None and not limbed:
        raise ConfigError(f"circuit spec {config.circuit_spec!r} describes a chain (the swimmer's body); the "
                          "quadruped needs a spec with a limbed body (e.g. quadruped)")
    if limbed and not is_shipped_quadruped(config.circuit_spec):
        set_in_spec = [name for name in ("repeat", "afferent_feedback", "sign_constraints")
                       if getattr(config, name) != getattr(ArchitectureConfig, name)]
        if set_in_spec:
            raise ConfigError(f"{', '.join(set_in_spec)}: options of the shipped quadruped circuit; write them "
                              f"into the spec {config.circuit_spec!r} instead")
    swimmer_only = [name for name in ("weight_sharing", "init", "activation", "oscillator", "oscillator_period",
                                      "oscillator_duty") if getattr(config, name) != getattr(ArchitectureConfig, name)]
    if swimmer_only:
        raise ConfigError(f"{', '.join(swimmer_only)} apply to the swimmer circuit, not the quadruped's")


def _check_swimmer(config: ArchitectureConfig) -> None:
    quadruped_only = {name: getattr(config, name) for name in QUADRUPED_OPTIONS
                      if getattr(config, name) != getattr(ArchitectureConfig, name)}
    if quadruped_only:
        raise ConfigError(f"{', '.join(quadruped_only)} apply to the quadruped only (task quadruped)")
    if config.circuit_spec is not None and load_spec(config.circuit_spec).body is not None:
        raise ConfigError(f"circuit spec {config.circuit_spec!r} describes a limbed body; the swimmer needs a chain "
                          "(e.g. swimmer)")


QUADRUPED_OPTIONS = ("mlp_init", "drive", "repeat", "afferent_feedback")
"""Architecture fields that only the quadruped's policies read."""


def build_policy(config: ArchitectureConfig, task: str, n_links: int, seed: int = 0,
                 quadruped: QuadrupedTaskConfig | None = None) -> nn.Module:
    """Build the policy for ``task``: on a swimmer of ``n_links`` links, or (task "quadruped") on the
    quadruped doing ``quadruped``'s task.

    Raises:
        ValueError: for a controller on the swim task, and bad configs.
    """
    check_task(config, task)
    return BODY_POLICIES[get_task(task).body].build(config, get_task(task), TaskSettings(n_links, quadruped), seed)


def _build_quadruped(config: ArchitectureConfig, task: Task, settings: TaskSettings, seed: int) -> nn.Module:
    quadruped = settings.quadruped or QuadrupedTaskConfig()
    return build_quadruped_policy(config, quadruped.speed, quadruped.n_actions, seed)


def _build_swimmer(config: ArchitectureConfig, task: Task, settings: TaskSettings, seed: int) -> nn.Module:
    n_joints = settings.n_links - 1
    if config.arch == "random":
        return RandomPolicy(n_joints, seed)
    if config.arch == "mlp":
        with torch.random.fork_rng():  # seeded init without touching the global stream
            torch.manual_seed(seed)
            return MLPPolicy(n_joints, config.hidden, observes_target=task.observes_target,
                             activation=config.mlp_activation)
    generator = torch.Generator().manual_seed(seed)
    steering = config.controller is not None
    circuit = compile_chain(circuit_spec(config), n_joints, commands=steering, generator=generator)
    controller = make_controller(config.controller) if steering else None
    circuit.requires_grad_(config.train_circuit)
    if config.dense_embedding:
        embedding = to_mlp(circuit) if config.embedding_init == "circuit" else dense_like(circuit, generator)
        return CircuitPolicy(embedding, controller)
    return CircuitPolicy(circuit, controller)


@dataclass(frozen=True)
class BodyPolicies:
    """How a body's policies are checked against an architecture and built."""

    check: Callable[[ArchitectureConfig], None]
    """ConfigError if the architecture cannot act on this body."""
    build: Callable[[ArchitectureConfig, Task, TaskSettings, int], nn.Module]
    """(architecture, task, settings, seed) -> policy."""
    stateful_circuit: bool
    """Whether its circuit carries state through an episode (a rhythm generator), which only some
    algorithms can train."""


BODY_POLICIES: dict[str, BodyPolicies] = {
    "swimmer": BodyPolicies(_check_swimmer, _build_swimmer, stateful_circuit=False),
    "quadruped": BodyPolicies(_check_quadruped, _build_quadruped, stateful_circuit=True),
}
"""Each body's policies, by the body's name (a new body adds one entry)."""


def is_stateful(config: ArchitectureConfig, task: Task) -> bool:
    """Whether ``config`` on ``task`` builds a policy with state carried through the episode."""
    return config.arch == "ncap" and BODY_POLICIES[task.body].stateful_circuit


def transfer_policy(policy: nn.Module, n_links: int) -> nn.Module:
    """The same trained circuit on a body of ``n_links`` links (zero-shot transfer, Fig. 6).

    Raises:
        ValueError: for MLPs and embedded MLPs, whose input size fixes the body length.
    """
    if not isinstance(policy, CircuitPolicy) or not hasattr(policy.circuit, "transfer"):
        raise ConfigError("only circuit policies transfer to other body lengths (an MLP's input fixes its body)")
    circuit = policy.circuit.transfer(n_links - 1)
    circuit.requires_grad_(any(p.requires_grad for p in policy.circuit.parameters()))
    return CircuitPolicy(circuit, policy.controller)
