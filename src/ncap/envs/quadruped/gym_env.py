"""Gymnasium environments of one quadruped: ``ncap/QuadrupedWalk-v0`` and ``ncap/QuadrupedRun-v0``."""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
from gymnasium import spaces

from ncap.envs.quadruped.batched import BatchedQuadruped
from ncap.envs.quadruped.body import EPISODE_STEPS
from ncap.envs.quadruped.task import QuadrupedTaskConfig


def observation_space() -> spaces.Dict:
    """Named observation parts of one quadruped (float64); leg-major (FL, FR, HL, HR), dofs (yaw, lift, extend).

    - ``joint_positions`` (12,): actuator lengths by the controls' three-point map (-1 .. 1 spans the range);
    - ``joint_velocities`` (12,), ``actuator_forces`` (12,): scaled by the body (``body.py``);
    - ``foot_contact`` (4,): toe normal force in half body weights (0.5 each when standing);
    - ``torso_up`` (3,): the world's z axis in the torso frame; ``torso_velocity`` (3,) m/s and
      ``torso_angular_velocity`` (3,) rad/s in the torso frame;
    - ``target_speed`` (1,) m/s; ``step`` (1,): control step 0 ... 500.
    """
    inf = np.inf
    return spaces.Dict({
        "joint_positions": spaces.Box(-inf, inf, (12,), np.float64),
        "joint_velocities": spaces.Box(-inf, inf, (12,), np.float64),
        "actuator_forces": spaces.Box(-inf, inf, (12,), np.float64),
        "foot_contact": spaces.Box(0.0, inf, (4,), np.float64),
        "torso_up": spaces.Box(-1.0, 1.0, (3,), np.float64),
        "torso_velocity": spaces.Box(-inf, inf, (3,), np.float64),
        "torso_angular_velocity": spaces.Box(-inf, inf, (3,), np.float64),
        "target_speed": spaces.Box(0.0, inf, (1,), np.float64),
        "step": spaces.Box(0.0, float(EPISODE_STEPS), (1,), np.float64),
    })


class QuadrupedEnv(gymnasium.Env):
    """One quadruped doing the follow-up paper's locomotion task (the batched simulator with B = 1).

    ``terminated`` when roll or pitch passes 45 degrees, ``truncated`` after 15 s.
    ``info`` holds ``forward_displacement`` (m since the episode began).

    Args:
        speed: target forward speed (m/s); the registered ids set 0.5 (walk) and 1.0 (run).
        terrain: "flat" or "bumps".
        friction: range of the ground friction drawn each episode, or one value.
        free_yaw: command the hips' yaw too (12 actions instead of 8).
    """

    metadata = {"render_modes": []}

    def __init__(self, speed: float = 0.5, terrain: str = "flat", friction=(0.75, 1.25), free_yaw: bool = False):
        config = QuadrupedTaskConfig(speed=speed, terrain=terrain, friction=friction, free_yaw=free_yaw)
        self.sim = BatchedQuadruped(config, num_envs=1, nthread=1)
        self.observation_space = observation_space()
        self.action_space = spaces.Box(-1.0, 1.0, (config.n_actions,), np.float32)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        return _first(self.sim.reset(seed)), {}

    def step(self, action):
        obs, reward, done = self.sim.step(np.asarray(action, dtype=np.float64)[None])
        terminated = not bool(self.sim.alive[0])
        truncated = bool(done) and not terminated
        info = {"forward_displacement": float(self.sim.forward_displacement()[0])}
        return _first(obs), float(reward[0]), terminated, truncated, info

    def close(self) -> None:
        self.sim.close()


def _first(obs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {key: value[0] for key, value in obs.items()}
