"""Bodies and the tasks on them: ``swimmer/`` (swim, navigate) and ``quadruped/`` (locomotion).

- ``TASKS`` / ``get_task``: every task by name (``ncap.envs.registry``); a task builds its body's
  batched simulator, SB3 vec env and dm_control reference environment, and says what an
  evaluation measures (``ncap.envs.task``).
- ``BatchedSwimmer``: B swimmers in lock-step on MuJoCo's threads (exact).
- ``SwimmerEnv``: one swimmer, Gymnasium API (``gymnasium.make("ncap/Swim-v0")`` after ``import ncap``).
- ``SwimmerVectorEnv`` / ``SwimmerVecEnv``: the batched simulator as a
  Gymnasium vector env / a Stable-Baselines3 VecEnv.
- ``make_reference_env``: the dm_control environment, the ground truth.
- The quadruped's equivalents live in ``ncap.envs.quadruped``.
"""

from ncap.envs.registry import TASKS, get_task
from ncap.envs.swimmer.batched import BatchedSwimmer
from ncap.envs.swimmer.body import (
    CONTROL_TIMESTEP,
    EPISODE_STEPS,
    SUBSTEPS,
    SwimmerBody,
    swimmer_body,
    validate_n_links,
)
from ncap.envs.swimmer.gym_env import SwimmerEnv
from ncap.envs.swimmer.reference import make_reference_env
from ncap.envs.swimmer.spaces import action_space, observation_space
from ncap.envs.swimmer.tasks import navigate_reward, observation_keys, swim_reward
from ncap.envs.swimmer.vector import SwimmerVecEnv, SwimmerVectorEnv
from ncap.envs.task import Task, TaskSettings

__all__ = [
    "TASKS", "get_task", "Task", "TaskSettings", "BatchedSwimmer", "CONTROL_TIMESTEP", "EPISODE_STEPS", "SUBSTEPS",
    "SwimmerBody", "swimmer_body", "validate_n_links", "SwimmerEnv", "make_reference_env", "action_space",
    "observation_space", "navigate_reward", "observation_keys", "swim_reward", "SwimmerVecEnv", "SwimmerVectorEnv",
]
