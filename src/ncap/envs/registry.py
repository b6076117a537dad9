"""The registry of tasks: the one place a task's name picks its body, simulator and measures.

``TASKS`` maps each name to a :class:`~ncap.envs.task.Task`. A new task (or a
new body's task) is one entry here; configs, CLI choices, training,
evaluation, videos and figures read it. The functions below are shorthands
kept for callers that pass the settings one by one.
"""

from __future__ import annotations

from ncap.envs.quadruped.locomotion import QUADRUPED
from ncap.envs.swimmer.swimming import NAVIGATE, SWIM
from ncap.envs.task import Task, TaskSettings
from ncap.errors import ConfigError

TASKS: dict[str, Task] = {task.name: task for task in (SWIM, NAVIGATE, QUADRUPED)}
"""Every task by name."""
TASK_BODIES = {name: task.body for name, task in TASKS.items()}
"""Task name -> body name."""


def get_task(name: object) -> Task:
    """The task called ``name`` (ConfigError listing the known ones)."""
    if name not in TASKS:
        raise ConfigError(f"unknown task {name!r}; choose one of {sorted(TASKS)}")
    return TASKS[name]  # type: ignore[index]


def task_body(task: str) -> str:
    """The body of ``task`` (ConfigError for an unknown task)."""
    return get_task(task).body


def make_simulator(task: str, n_links: int, num_envs: int, nthread: int | None = None,
                   seed: int | list[int] | None = None, quadruped=None):
    """The batched simulator of ``task``: ``num_envs`` swimmers of ``n_links`` links, or quadrupeds
    doing ``quadruped``'s task (a ``QuadrupedTaskConfig``; default walk on flat ground)."""
    return get_task(task).simulator(TaskSettings(n_links, quadruped), num_envs, nthread=nthread, seed=seed)


def episode_steps(task: str) -> int:
    """Control steps in a full episode of ``task`` (the time limit)."""
    return get_task(task).episode_steps


def make_vec_env(task: str, n_links: int, num_envs: int, nthread: int | None = None, quadruped=None):
    """The Stable-Baselines3 vector env of ``task`` (``SwimmerVecEnv`` or ``QuadrupedVecEnv``)."""
    return get_task(task).vec_env(TaskSettings(n_links, quadruped), num_envs, nthread=nthread)
