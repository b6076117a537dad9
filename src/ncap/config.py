"""Typed, documented training configuration, saved with every run.

Defaults follow the authors' settings (Tonic's PPO and DDPG, the authors' ES;
see docs/training.md). Any field can be overridden from a YAML file with
the same nesting (``arch:``, ``ppo:``, ``offpolicy:``, ``es:``) or from CLI
flags; unknown keys and wrong types are refused with a ValueError naming them.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from typing import Any, Literal

from ncap.algorithms import ALGORITHMS, get_algorithm
from ncap.envs.quadruped.task import QuadrupedTaskConfig
from ncap.envs.registry import TASKS as TASK_REGISTRY
from ncap.envs.registry import get_task
from ncap.errors import ConfigError
from ncap.policies import ArchitectureConfig
from ncap.policies.architecture import check_task, is_stateful
from ncap.validation import check_value, require_int, validate_n_links

AlgoName = Literal[tuple(ALGORITHMS)]  # type: ignore[valid-type]  (the registry's names: CLI choices, checks)
TaskName = Literal[tuple(TASK_REGISTRY)]  # type: ignore[valid-type]
ALGOS: tuple[str, ...] = typing.get_args(AlgoName)
TASKS: tuple[str, ...] = typing.get_args(TaskName)


@dataclass(frozen=True)
class PPOConfig:
    """PPO as in Tonic v0.2 (the paper's RL settings)."""

    batch_steps: int = 4096
    """Environment steps collected per batch (over all swimmers)."""
    num_envs: int = 64
    """Swimmers stepped together by the batched simulator (64 x 64 steps per batch)."""
    gamma: float = 0.99
    """Discount factor."""
    gae_lambda: float = 0.97
    """GAE lambda."""
    clip_range: float = 0.2
    """PPO ratio clip."""
    actor_lr: float = 3e-4
    """Adam learning rate of the actor."""
    critic_lr: float = 1e-3
    """Adam learning rate of the critic."""
    iterations: int = 80
    """Full-batch gradient iterations per batch."""
    target_kl: float = 0.015
    """KL threshold of the early stop (see ``kl_stop``)."""
    kl_stop: Literal["actor", "both"] = "actor"
    """"actor" (Tonic, the authors): the actor stops once the KL, measured before a step, exceeds
    target_kl, and the critic runs all iterations; "both" (SB3): actor and critic stop at 1.5 x target_kl."""
    circuit_action_std: float = 0.1
    """Fixed std of the Gaussian around the circuit's output (NCAP actors)."""
    critic_hidden: tuple[int, ...] = (64, 64)
    """Critic MLP widths (tanh), on normalized observations."""


@dataclass(frozen=True)
class OffPolicyConfig:
    """DDPG (and TD3, SAC) as in Tonic v0.2."""

    num_envs: int = 10
    """Swimmers stepped together; train_every counts steps of all of them."""
    buffer_size: int = 1_000_000
    """Replay buffer capacity (transitions)."""
    batch_size: int = 100
    """Minibatch size."""
    learning_starts: int = 10_000
    """Environment steps before updates start."""
    random_steps: int = 20_000
    """Environment steps of uniformly random actions at the start (Tonic: 20,000, beyond learning_starts)."""
    train_every: int = 50
    """Environment steps between rounds of updates."""
    gradient_steps: int = 50
    """Updates per round."""
    gamma: float = 0.99
    """Discount factor."""
    actor_lr: float = 1e-3
    """Adam learning rate of the actor."""
    critic_lr: float = 1e-3
    """Adam learning rate of the critic."""
    tau: float = 0.005
    """Polyak factor of the target networks."""
    action_noise: float = 0.1
    """Std of the Gaussian exploration noise (DDPG, TD3)."""
    critic_hidden: tuple[int, ...] = (256, 256)
    """Critic MLP widths (ReLU), on normalized observation and action."""


@dataclass(frozen=True)
class ESConfig:
    """Evolution strategies (Salimans et al. 2017) through EvoTorch."""

    population: int = 256
    """Population size (antithetic pairs, so even)."""
    sigma: float = 0.02
    """Std of the parameter noise."""
    lr: float = 0.01
    """Adam learning rate of the distribution's center."""
    weight_decay: float = 0.005
    """L2 coefficient pulling the center towards zero."""
    grad_clip: float = 1.0
    """Clip each gradient element to [-grad_clip, grad_clip]."""
    gradient: Literal["authors", "salimans"] = "authors"
    """"authors": g = (1/n) sum_i rank_i z_i (the authors' code, eps ~ N(0, sigma), divided by n sigma);
    "salimans": g = (1/(n sigma)) sum_i rank_i z_i (Salimans et al. 2017, sigma times larger)."""
    update: Literal["adam", "ars"] = "adam"
    """"adam" (the swimmer paper's authors): Adam on the clipped, decayed gradient above; "ars" (the quadruped
    paper's augmented random search): z-scored returns, mu += lr * (1/n) sum_k (z+_k - z-_k) sigma eps_k
    - weight_decay * mu (plain SGD, no clip)."""
    member_starts: Literal["own", "shared"] = "own"
    """"own" (the authors): each member's episode starts from its own random state;
    "shared": every member of a generation starts from the same state."""
    workers: int = 0
    """Ray actors evaluating the population (EvoTorch num_actors); 0: in this process."""
    ray_address: str | None = None
    """Address of a running Ray cluster for the workers (None: start Ray locally)."""


@dataclass(frozen=True)
class TrainConfig:
    """One training run: task, body, architecture, algorithm, budget and seed."""

    task: TaskName = "swim"
    """Task: swim or navigate (the swimmer), or quadruped (the quadruped's locomotion task, set under quadruped)."""
    n_links: int = 6
    """Links of the swimmer's body (joints = n_links - 1)."""
    algo: AlgoName = "ppo"
    """Training algorithm."""
    steps: int = 1_000_000
    """Budget in environment (control) steps."""
    seed: int = 0
    """Seed of the policy's initialization, the algorithm and the training episodes."""
    eval_every: int = 100_000
    """Environment steps between evaluations (and checkpoints)."""
    eval_episodes: int = 10
    """Episodes per evaluation, each run twice: deterministic and with the policy's action noise."""
    eval_seed: int = 1_000_000
    """Seed of the evaluation episodes (fixed across evaluations and runs)."""
    threads: int | None = None
    """Simulator threads (default: all cores)."""
    arch: ArchitectureConfig = field(default_factory=ArchitectureConfig)
    """The policy's architecture."""
    ppo: PPOConfig = field(default_factory=PPOConfig)
    """PPO settings."""
    offpolicy: OffPolicyConfig = field(default_factory=OffPolicyConfig)
    """DDPG/TD3/SAC settings."""
    es: ESConfig = field(default_factory=ESConfig)
    """ES settings."""
    quadruped: QuadrupedTaskConfig = field(default_factory=QuadrupedTaskConfig)
    """Task quadruped: target speed, terrain, friction range, free yaw (ignored by the swimmer's tasks)."""

    def _get(self, dotted: str) -> Any:
        """The value of a (nested) field by its dotted name, e.g. ``ppo.actor_lr``."""
        value: Any = self
        for part in dotted.split("."):
            value = getattr(value, part)
        return value

    def __post_init__(self) -> None:
        algorithm, task = get_algorithm(self.algo), get_task(self.task)
        validate_n_links(self.n_links)
        integers = {"steps": 1, "eval_every": 1, "eval_episodes": 1, "seed": 0, "eval_seed": 0,
                    "ppo.batch_steps": 1, "ppo.num_envs": 1, "ppo.iterations": 1, "offpolicy.num_envs": 1,
                    "offpolicy.buffer_size": 1, "offpolicy.batch_size": 1, "offpolicy.learning_starts": 0,
                    "offpolicy.random_steps": 0, "offpolicy.train_every": 1, "offpolicy.gradient_steps": 1,
                    "es.population": 2, "es.workers": 0}
        for name, minimum in integers.items():
            require_int(name, self._get(name), minimum)
        if self.es.population % 2:
            raise ConfigError(f"es.population must be an even number >= 2, got {self.es.population}")
        if self.arch.arch == "random":
            raise ConfigError("arch random is a baseline for evaluation and cannot be trained")
        for name in ("ppo.actor_lr", "ppo.critic_lr", "ppo.circuit_action_std", "ppo.target_kl", "offpolicy.actor_lr",
                     "offpolicy.critic_lr", "es.sigma", "es.lr"):
            if not self._get(name) > 0:
                raise ConfigError(f"{name} must be positive, got {self._get(name)}")
        if self.ppo.batch_steps < self.ppo.num_envs:
            raise ConfigError(f"ppo.batch_steps ({self.ppo.batch_steps}) must be at least ppo.num_envs ({self.ppo.num_envs})")
        check_task(self.arch, self.task)
        if not is_stateful(self.arch, task):
            return
        if not algorithm.carries_state:
            able = [a.name for a in ALGORITHMS.values() if a.carries_state]
            raise ConfigError(f"the {task.body} circuit is stateful (its rhythm generator runs through the episode): "
                              f"train it with {' or '.join(able)}; {self.algo} trains the {task.body}'s MLP")
        if self.es.workers > 0:
            raise ConfigError(f"es.workers > 0 would split the {task.body} circuit's population, and with it the "
                              "stream of its starting phases: train it in one process per run (sweeps spread runs "
                              "instead)")


def identity(config: TrainConfig) -> TrainConfig:
    """What makes a run that run: the config without execution settings (threads, ES workers, Ray)."""
    return dataclasses.replace(config, threads=None, es=dataclasses.replace(config.es, workers=0, ray_address=None))


def to_dict(config: Any) -> dict:
    """A config as plain YAML-ready data (tuples become lists)."""
    def plain(value: Any) -> Any:
        if isinstance(value, (tuple, list)):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return plain(dataclasses.asdict(config))


def _check_value(value: Any, hint: Any, where: str) -> Any:
    """``value`` converted to the annotated type ``hint`` (nested configs included), or ConfigError."""
    if dataclasses.is_dataclass(hint):
        return from_dict(hint, value, where)
    return check_value(value, hint, where)


def from_dict(cls: type, data: Any, where: str = "config") -> Any:
    """Build dataclass ``cls`` from nested plain data, refusing unknown keys and wrong types."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a mapping, got {data!r}")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ConfigError(f"unknown key{'s' * (len(unknown) > 1)} in {where}: {', '.join(map(str, unknown))}")
    values = {name: _check_value(value, hints[name], f"{where}.{name}") for name, value in data.items()}
    return cls(**values)


def merge(config: Any, overrides: dict) -> Any:
    """``config`` with nested ``overrides`` applied (checked like ``from_dict``)."""
    data = to_dict(config)

    def deep_update(base: dict, extra: dict) -> dict:
        for key, value in extra.items():
            if isinstance(value, dict) and isinstance(base.get(key), dict):
                deep_update(base[key], value)
            else:
                base[key] = value
        return base

    return from_dict(type(config), deep_update(data, overrides))
