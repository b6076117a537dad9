"""SB3 ``VecEnv`` plumbing shared by every body whose copies step in one batched simulator."""

from __future__ import annotations

from typing import Any

import gymnasium
from stable_baselines3.common.vec_env.base_vec_env import VecEnv


class OneSimulatorVecEnv(VecEnv):
    """SB3 ``VecEnv`` plumbing for envs whose bodies share one batched simulator, ``self.sim``."""

    def close(self) -> None:
        self.sim.close()

    def get_attr(self, attr_name: str, indices=None) -> list[Any]:
        owner = self.sim if hasattr(self.sim, attr_name) else self
        return [getattr(owner, attr_name) for _ in self._get_indices(indices)]

    def set_attr(self, attr_name: str, value: Any, indices=None) -> None:
        raise AttributeError(f"the bodies of a {type(self).__name__} share one simulator; set attributes on .sim")

    def env_method(self, method_name: str, *method_args, indices=None, **method_kwargs) -> list[Any]:
        method = getattr(self.sim, method_name)
        return [method(*method_args, **method_kwargs) for _ in self._get_indices(indices)]

    def env_is_wrapped(self, wrapper_class: type[gymnasium.Wrapper], indices=None) -> list[bool]:
        return [False for _ in self._get_indices(indices)]
