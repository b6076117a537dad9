"""The registry of training algorithms: each one's name, label, colour, trainer and measures, written once.

Configs, CLI choices, grids, figures, labels and wall-time estimates read
``ALGORITHMS``; a new algorithm is one entry here and a trainer that follows
:class:`Trainer`. Nothing else asks an algorithm its name.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from ncap.errors import ConfigError

TrainConfig = Any
"""A ``ncap.config.TrainConfig`` (not imported: the config imports this registry)."""
RunDir = Any
"""A ``ncap.runs.RunDir``."""


class Trainer(Protocol):
    """What every trainer does: built from ``(run, config)``, ``train()`` runs from the run's last checkpoint
    (or the start) to ``config.steps``, evaluating every ``config.eval_every`` steps into ``run``'s
    metrics and checkpoint, and writes the final policy."""

    def train(self) -> None: ...


Measure = Literal["return_sampled", "return_deterministic"]


@dataclass(frozen=True)
class Algorithm:
    """One training algorithm as the rest of ncap sees it."""

    name: str
    """Its name in configs, CLI flags and run names."""
    label: str
    """Its name in figures and tables."""
    colour: str
    """Its colour in every figure (a matplotlib colour)."""
    family: Literal["on_policy", "off_policy", "evolution"]
    """PPO (rollouts, then updates), replay-buffer actor-critics, or evolution strategies."""
    paper_measure: Measure
    """The return the paper's figures show: Tonic's test episodes sample from PPO's action distribution;
    DDPG, TD3, SAC (its mean action) and ES act deterministically."""
    carries_state: bool
    """Whether it can train a stateful policy (a rhythm generator running through the episode): ES
    evaluates whole episodes, PPO sees the state in its observation; replay-buffer methods cannot."""
    make_trainer: Callable[[RunDir, TrainConfig], Trainer]
    """(run, config) -> its trainer."""
    exploration_noise: bool = False
    """Whether it explores with Gaussian noise of std ``offpolicy.action_noise`` (DDPG, TD3)."""

    @property
    def off_policy(self) -> bool:
        return self.family == "off_policy"

    def warmup_steps(self, config: TrainConfig) -> int:
        """Env steps before the first gradient step: off-policy ``learning_starts``, else 0."""
        return config.offpolicy.learning_starts if self.off_policy else 0

    def num_envs(self, config: TrainConfig) -> int:
        """Bodies stepped together while training (ES: a generation's population, stepped in one batch)."""
        if self.family == "evolution":
            return config.es.population
        return config.ppo.num_envs if self.family == "on_policy" else config.offpolicy.num_envs

    def rate_label(self, config: TrainConfig) -> str:
        """The algorithm as wall-time rates are keyed: ES with its population, whose size sets its speed."""
        return f"{self.name} (population {config.es.population})" if self.family == "evolution" else self.name

    def evaluation_copies(self) -> int:
        """Episode copies per evaluation start: deterministic and sampled, except for ES (no distribution)."""
        return 1 if self.family == "evolution" else 2


def _trainer(path: str) -> Callable[[RunDir, TrainConfig], Trainer]:
    """The trainer class at ``module:Name``, imported when a run is built (SB3, EvoTorch and Ray load only then)."""
    def make(run: RunDir, config: TrainConfig) -> Trainer:
        module, name = path.split(":")
        return getattr(importlib.import_module(module), name)(run, config)

    return make


_sb3, _es = _trainer("ncap.training.sb3_trainer:SB3Trainer"), _trainer("ncap.training.es:ESTrainer")


ALGORITHMS: dict[str, Algorithm] = {a.name: a for a in (
    Algorithm("ppo", "PPO", "C0", "on_policy", "return_sampled", True, _sb3),
    Algorithm("ddpg", "DDPG", "C1", "off_policy", "return_deterministic", False, _sb3, exploration_noise=True),
    Algorithm("td3", "TD3", "C2", "off_policy", "return_deterministic", False, _sb3, exploration_noise=True),
    Algorithm("sac", "SAC", "C3", "off_policy", "return_deterministic", False, _sb3),
    Algorithm("es", "ES", "C4", "evolution", "return_deterministic", True, _es),
)}
"""Every algorithm by name, in the order figures list them."""


def get_algorithm(name: object) -> Algorithm:
    """The algorithm called ``name`` (ConfigError listing the known ones)."""
    if name not in ALGORITHMS:
        raise ConfigError(f"unknown algo {name!r}; choose one of {list(ALGORITHMS)}")
    return ALGORITHMS[name]  # type: ignore[index]
