"""Which body each task runs on, and its batched simulator: the one place a task name picks a body.

``make_simulator`` returns a ``BatchedSwimmer`` or a ``BatchedQuadruped``;
both follow one contract: ``reset(seed) -> obs``, ``step(actions) -> (obs,
rewards, done)``, ``num_envs``, ``episode_steps`` and, for legged bodies,
``alive``, ``alive_steps`` and ``forward_displacement()``.
"""

from __future__ import annotations

TASK_BODIES = {"swim": "swimmer", "navigate": "swimmer", "quadruped": "quadruped"}
"""Task name -> body name."""


def task_body(task: str) -> str:
    """The body of ``task`` (ConfigError for an unknown task)."""
    if task not in TASK_BODIES:
        from ncap.errors import ConfigError  # noqa: PLC0415

        raise ConfigError(f"unknown task {task!r}; choose one of {sorted(TASK_BODIES)}")
    return TASK_BODIES[task]


def make_simulator(task: str, n_links: int, num_envs: int, nthread: int | None = None,
                   seed: int | list[int] | None = None, quadruped=None):
    """The batched simulator of ``task``: ``num_envs`` swimmers of ``n_links`` links, or quadrupeds
    doing ``quadruped``'s task (a ``QuadrupedTaskConfig``; default walk on flat ground)."""
    if task_body(task) == "quadruped":
        from ncap.envs.quadruped import BatchedQuadruped  # noqa: PLC0415

        return BatchedQuadruped(quadruped, num_envs=num_envs, nthread=nthread, seed=seed)
    from ncap.envs.batched import BatchedSwimmer  # noqa: PLC0415

    return BatchedSwimmer(task, n_links, num_envs=num_envs, nthread=nthread, seed=seed)


def episode_steps(task: str) -> int:
    """Control steps in a full episode of ``task`` (the time limit)."""
    if task_body(task) == "quadruped":
        from ncap.envs.quadruped.body import EPISODE_STEPS  # noqa: PLC0415

        return EPISODE_STEPS
    from ncap.envs.body import EPISODE_STEPS  # noqa: PLC0415

    return EPISODE_STEPS


def make_vec_env(task: str, n_links: int, num_envs: int, nthread: int | None = None, quadruped=None):
    """The Stable-Baselines3 vector env of ``task`` (``SwimmerVecEnv`` or ``QuadrupedVecEnv``)."""
    if task_body(task) == "quadruped":
        from ncap.envs.quadruped.vector import QuadrupedVecEnv  # noqa: PLC0415

        return QuadrupedVecEnv(quadruped, num_envs, nthread=nthread)
    from ncap.envs.vector import SwimmerVecEnv  # noqa: PLC0415

    return SwimmerVecEnv(task, n_links, num_envs, nthread=nthread)
