"""The dm_control reference environment: the ground truth for the batched simulator.

``make_reference_env(task, n_links, seed)`` is a plain ``dm_control`` environment
(``control.Environment`` over dm_control's swimmer ``Physics``) whose task
starts episodes exactly as dm_control's ``Swimmer`` does, and observes and
rewards as ncap's tasks do. It is slow (one swimmer, Python per step) and exact.
"""

from __future__ import annotations

import collections

import numpy as np
from dm_control.rl import control
from dm_control.suite import swimmer as dm_swimmer

from ncap.envs.swimmer.body import CONTROL_TIMESTEP, EPISODE_STEPS, swimmer_body, swimmer_physics
from ncap.envs.swimmer.tasks import navigate_reward, swim_reward, task_spec


class ReferenceTask(dm_swimmer.Swimmer):
    """dm_control's swimmer task with ncap's observations and the chosen reward.

    Episodes start as in dm_control (random heading, joints uniform in range,
    a target drawn even for swim so that the random streams agree).
    """

    def __init__(self, task: str, n_links: int, random: int | np.random.RandomState | None = None):
        super().__init__(random=random)
        self._spec = task_spec(task)
        self._body = swimmer_body(n_links)

    def get_observation(self, physics: dm_swimmer.Physics) -> collections.OrderedDict:
        """Named observation: normalized joints, body velocities, step (and to_target)."""
        obs = collections.OrderedDict()
        obs["joints"] = self._body.normalized_joints(physics.joints())
        obs["body_velocities"] = physics.body_velocities()
        obs["step"] = np.array([round(physics.time() / CONTROL_TIMESTEP)], dtype=np.float64)
        if self._spec.observes_target:
            obs["to_target"] = physics.nose_to_target()
        return obs

    def get_reward(self, physics: dm_swimmer.Physics) -> float:
        """Swim: forward speed of the head; navigate: dm_control's target reward."""
        if self._spec.observes_target:
            return float(navigate_reward(physics.nose_to_target()))
        return float(swim_reward(physics.named.data.sensordata["head_vel"]))


def make_reference_env(task: str, n_links: int, seed: int | None = None) -> control.Environment:
    """A dm_control environment of ``task`` on a swimmer of ``n_links`` links.

    Raises:
        ValueError: for an unknown task or a bad ``n_links``.
    """
    body = swimmer_body(n_links)
    physics = swimmer_physics(body.n_links)
    return control.Environment(
        physics,
        ReferenceTask(task, body.n_links, random=seed),
        time_limit=EPISODE_STEPS * CONTROL_TIMESTEP,
        control_timestep=CONTROL_TIMESTEP,
    )
