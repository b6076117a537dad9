"""Gymnasium ids of ncap's environments, registered on ``import ncap`` (as ``import ale_py`` does).

Only Gymnasium is imported here: the entry points are strings, so MuJoCo and
dm_control load when an environment is made, not when ncap is imported.
``gymnasium.make("ncap.envs:ncap/Swim-v0")`` needs no import at all
(Gymnasium imports ``ncap.envs`` first, and with it ``ncap``).
"""

import gymnasium

ENV_IDS = {"ncap/Swim-v0": "swim", "ncap/Navigate-v0": "navigate"}
QUADRUPED_IDS = {"ncap/QuadrupedWalk-v0": 0.5, "ncap/QuadrupedRun-v0": 1.0}
"""The follow-up paper's walk and run tasks by target speed (terrain, friction, free_yaw: make() arguments)."""


def register_envs() -> None:
    """Register ``ncap/Swim-v0`` and ``ncap/Navigate-v0`` (``n_links`` is a make() argument), and
    ``ncap/QuadrupedWalk-v0`` and ``ncap/QuadrupedRun-v0``."""
    for env_id, task in ENV_IDS.items():
        if env_id not in gymnasium.registry:
            gymnasium.register(
                env_id,
                entry_point="ncap.envs.swimmer.gym_env:SwimmerEnv",
                vector_entry_point="ncap.envs.swimmer.vector:SwimmerVectorEnv",
                kwargs={"task": task},
            )
    for env_id, speed in QUADRUPED_IDS.items():
        if env_id not in gymnasium.registry:
            gymnasium.register(env_id, entry_point="ncap.envs.quadruped.gym_env:QuadrupedEnv", kwargs={"speed": speed})
