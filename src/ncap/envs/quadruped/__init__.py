"""The dm_control quadruped with the follow-up paper's locomotion task (walk at 0.5 m/s, run at 1.0 m/s).

- ``QuadrupedTaskConfig``: speed, terrain, friction range, yaw free or pinned.
- ``BatchedQuadruped``: B quadrupeds on MuJoCo's threads (exact against ``make_quadruped_reference_env``).
- ``QuadrupedEnv``: one quadruped, Gymnasium API (``ncap/QuadrupedWalk-v0``, ``ncap/QuadrupedRun-v0``).
"""

from ncap.envs.quadruped.batched import BatchedQuadruped
from ncap.envs.quadruped.body import LEGS, QuadrupedBody, quadruped_body
from ncap.envs.quadruped.reference import make_quadruped_reference_env
from ncap.envs.quadruped.task import QuadrupedTaskConfig, locomotion_reward

__all__ = ["BatchedQuadruped", "LEGS", "QuadrupedBody", "quadruped_body", "make_quadruped_reference_env",
           "QuadrupedTaskConfig", "locomotion_reward"]
