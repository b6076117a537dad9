"""Swimmer environments: the body, the swim and navigate tasks, the batched simulator.

- ``BatchedSwimmer``: B swimmers in lock-step on MuJoCo's threads (exact).
- ``SwimmerEnv``: one swimmer, Gymnasium API (``gymnasium.make("ncap/Swim-v0")`` after ``import ncap``).
- ``SwimmerVectorEnv`` / ``SwimmerVecEnv``: the batched simulator as a
  Gymnasium vector env / a Stable-Baselines3 VecEnv.
- ``make_reference_env``: the dm_control environment, the ground truth.
"""

from ncap.envs.batched import BatchedSwimmer
from ncap.envs.body import CONTROL_TIMESTEP, EPISODE_STEPS, SUBSTEPS, SwimmerBody, swimmer_body, validate_n_links
from ncap.envs.gym_env import SwimmerEnv
from ncap.envs.reference import make_reference_env
from ncap.envs.spaces import action_space, observation_space
from ncap.envs.tasks import TASKS, navigate_reward, observation_keys, swim_reward
from ncap.envs.vector import SwimmerVecEnv, SwimmerVectorEnv

__all__ = [
    "BatchedSwimmer", "CONTROL_TIMESTEP", "EPISODE_STEPS", "SUBSTEPS", "SwimmerBody", "swimmer_body",
    "validate_n_links", "SwimmerEnv", "make_reference_env", "action_space", "observation_space", "TASKS",
    "navigate_reward", "observation_keys", "swim_reward", "SwimmerVecEnv", "SwimmerVectorEnv",
]
