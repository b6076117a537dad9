"""Gymnasium ids of ncap's environments (registered on ``import ncap.envs``)."""

import gymnasium

ENV_IDS = {"ncap/Swim-v0": "swim", "ncap/Navigate-v0": "navigate"}


def register_envs() -> None:
    """Register ``ncap/Swim-v0`` and ``ncap/Navigate-v0`` (``n_links`` is a make() argument)."""
    for env_id, task in ENV_IDS.items():
        if env_id not in gymnasium.registry:
            gymnasium.register(
                env_id,
                entry_point="ncap.envs.gym_env:SwimmerEnv",
                vector_entry_point="ncap.envs.vector:SwimmerVectorEnv",
                kwargs={"task": task},
            )
