"""What a task on a body offers the rest of ncap, so that nothing outside its own module asks its name.

A body (``envs/swimmer/``, ``envs/quadruped/``) owns its model, its batched
simulator, its reference environment, its observation channels and actuators.
A task on it owns what is observed, rewarded and measured: it builds the body's
simulators for itself (``simulator``, ``vec_env``, ``reference_env``) and says
how an evaluation measures an episode (``episode_metrics``). Tasks are looked
up by name in ``ncap.envs.registry``; a new body is a new module under
``envs/`` with its tasks and one registry entry each.

The settings a body reads come as one object with the attributes ``n_links``
(the swimmer's length) and ``quadruped`` (a ``QuadrupedTaskConfig``), such as a
``TrainConfig`` or a :class:`TaskSettings`; each body reads its own and ignores
the other's.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class TaskSettings:
    """What the bodies read to build a task's simulators: the swimmer's ``n_links``, the quadruped's
    task config (``None``: its default, walk on flat ground)."""

    n_links: int = 6
    quadruped: Any = None


class EpisodeMetrics:
    """What an evaluation measures beyond the return, for the first ``episodes`` bodies of ``sim``.

    ``on_step(obs, reward)`` sees every step; ``fields()`` gives the ``EvaluationResult`` fields
    (per-episode tuples) once the episode is over. This base measures nothing more.
    """

    tracks_steps = False
    """Whether ``on_step`` must be called (evaluation skips the call otherwise)."""

    def __init__(self, sim: Any, episodes: int):
        self.sim, self.episodes = sim, episodes

    def on_step(self, obs: dict[str, np.ndarray], reward: np.ndarray) -> None:
        """Observe one step: ``obs`` (dict of (B, ...) arrays), ``reward`` (B,)."""

    def fields(self) -> dict[str, tuple]:
        """``EvaluationResult`` fields measured (each a tuple of one value per episode)."""
        return {}


class Task(ABC):
    """A task on a body, registered by ``name`` in ``ncap.envs.registry``."""

    name: str
    """The task's name in configs, CLI choices and run names."""
    body: str
    """The body it runs on (``swimmer``, ``quadruped``)."""
    control_timestep: float
    """Seconds per control step."""
    episode_steps: int
    """Control steps of a full episode (its time limit)."""
    observes_target: bool = False
    """Whether its observation holds ``to_target`` (the navigate task's target)."""

    @abstractmethod
    def simulator(self, settings: Any, num_envs: int, nthread: int | None = None,
                  seed: int | list[int] | None = None) -> Any:
        """The batched simulator of ``num_envs`` bodies: ``reset(seed) -> obs``, ``step(actions) ->
        (obs, rewards (B,), done)``, ``num_envs``, ``step_index``, ``close()``."""

    @abstractmethod
    def vec_env(self, settings: Any, num_envs: int, nthread: int | None = None) -> Any:
        """The Stable-Baselines3 ``VecEnv`` of ``num_envs`` bodies."""

    @abstractmethod
    def reference_env(self, settings: Any, seed: int | None = None) -> Any:
        """The plain dm_control environment the simulator is exact against."""

    def episode_metrics(self, sim: Any, episodes: int) -> EpisodeMetrics:
        """What an evaluation on ``sim`` measures beyond the return (default: nothing)."""
        return EpisodeMetrics(sim, episodes)

    @abstractmethod
    def describe(self, settings: Any) -> str:
        """The body and task of ``settings`` in a few words for legends (``6 links``, ``walk flat``)."""

    @abstractmethod
    def run_tag(self, settings: Any) -> str:
        """What run names add for the body and task of ``settings`` (``""`` for the defaults, ``-n9``,
        ``-walk-flat``)."""

    def __repr__(self) -> str:
        return f"<task {self.name} on the {self.body}>"
