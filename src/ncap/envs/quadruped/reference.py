"""The dm_control reference environment of the quadruped task: the ground truth for ``BatchedQuadruped``.

A plain ``control.Environment`` over dm_control's quadruped ``Physics`` (the
model of ``body.py``), whose task starts, observes, rewards and terminates
through the same functions as the batched simulator. Slow (one body, Python
per step) and exact.
"""

from __future__ import annotations

import collections

import numpy as np
from dm_control.rl import control
from dm_control.suite import base
from dm_env import specs

from ncap.envs.quadruped import task as quadruped_task
from ncap.envs.quadruped.body import CONTROL_TIMESTEP, EPISODE_SECONDS, quadruped_body, quadruped_physics
from ncap.envs.quadruped.task import QuadrupedTaskConfig, fallen


class ReferenceQuadrupedTask(base.Task):
    """The follow-up paper's locomotion task as a dm_control ``base.Task``."""

    def __init__(self, config: QuadrupedTaskConfig, random: int | np.random.RandomState | None = None):
        super().__init__(random=random)
        self.config = config
        self.body = quadruped_body(config.terrain)

    def initialize_episode(self, physics) -> None:
        quadruped_task.start_episode(physics, self.body, self.config, self.random)
        super().initialize_episode(physics)

    def action_spec(self, physics) -> specs.BoundedArray:
        n = self.config.n_actions
        return specs.BoundedArray((n,), np.float64, -np.ones(n), np.ones(n), name="commands")

    def before_step(self, action, physics) -> None:
        physics.set_control(quadruped_task.full_controls(self.body, self.config, np.asarray(action)[None])[0])

    def get_observation(self, physics) -> collections.OrderedDict:
        data = physics.data
        obs = quadruped_task.observe(self.body, self.config, data.qpos[None], data.sensordata[None],
                                     data.actuator_length[None], data.actuator_velocity[None],
                                     data.actuator_force[None], round(physics.time() / CONTROL_TIMESTEP))
        return collections.OrderedDict((key, value[0]) for key, value in obs.items())

    def get_reward(self, physics) -> float:
        return float(quadruped_task.reward(self.body, self.config, physics.data.qpos[None],
                                           physics.data.sensordata[None])[0])

    def get_termination(self, physics) -> float | None:
        return 0.0 if fallen(physics.data.qpos[3:7]) else None


def make_quadruped_reference_env(config: QuadrupedTaskConfig | None = None,
                                 seed: int | None = None) -> control.Environment:
    """A dm_control environment of the quadruped task (15 s, 30 ms control steps)."""
    config = config or QuadrupedTaskConfig()
    return control.Environment(quadruped_physics(config.terrain), ReferenceQuadrupedTask(config, random=seed),
                               time_limit=EPISODE_SECONDS, control_timestep=CONTROL_TIMESTEP)
