"""A stateful circuit under PPO: its state travels in the observation.

PPO stores observations and recomputes the policy's actions from them in its
updates, so the policy must be a function of what it stores. A stateful
circuit (the quadruped's rhythm generator, which runs through the episode) is
made one by adding its state before each step to the observation under
``STATE_KEY``: the circuit acts from (observation, state) and keeps nothing,
and this wrapper advances the state after every step with the circuit's
current weights (those the actions were drawn with: they change only between
rollouts). The actions and their probabilities are then exactly those of the
stateful circuit; the gradient is truncated at the stored state (it reaches
the pattern-formation weights, and the afferent weights through the last
step's afferents that the state stores raw). An episode's first state is
drawn from the wrapper's own generator, seeded with the run.

A circuit takes part by having ``state_size``, ``initial_state(count,
generator)`` and ``next_state(obs)`` (``QuadrupedCircuit``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch
from gymnasium import spaces
from stable_baselines3.common.vec_env import VecEnv, VecEnvWrapper
from torch import nn

from ncap.circuits.dynamics import STATE_KEY


def is_stateful(actor: nn.Module) -> bool:
    """Whether ``actor`` carries a state through an episode that PPO must see in the observation."""
    return all(hasattr(actor, name) for name in ("state_size", "initial_state", "next_state"))


class CircuitStateVecEnv(VecEnvWrapper):
    """``venv``'s observations plus the circuit's state before the step, (num_envs, state_size) under ``STATE_KEY``.

    Args:
        venv: the bodies (their observations hold "step", 0 at an episode's first).
        circuit: the stateful circuit (its weights are read at every step: :meth:`attach` the copy that acts).
        seed: seed of the episodes' first states.
    """

    def __init__(self, venv: VecEnv, circuit: nn.Module, seed: int):
        size = circuit.state_size
        space = spaces.Dict({**venv.observation_space.spaces,
                             STATE_KEY: spaces.Box(-np.inf, np.inf, (size,), np.float32)})
        super().__init__(venv, observation_space=space)
        self.circuit = circuit
        self.generator = torch.Generator().manual_seed(int(seed))
        self.states = np.zeros((self.num_envs, size), np.float32)
        self._last: dict[str, np.ndarray] | None = None

    def attach(self, circuit: nn.Module) -> None:
        """Advance states with ``circuit``'s weights from now on (the acting copy inside the algorithm)."""
        self.circuit = circuit

    def reset(self) -> dict[str, np.ndarray]:
        obs = self.venv.reset()
        self.states = self._fresh(self.num_envs)
        return self._with(obs)

    def step_async(self, actions: np.ndarray) -> None:
        self.venv.step_async(actions)

    def step_wait(self):
        obs, rewards, dones, infos = self.venv.step_wait()
        after = self._advance()
        for i, info in enumerate(infos):
            if "terminal_observation" in info:
                info["terminal_observation"] = {**info["terminal_observation"], STATE_KEY: after[i].copy()}
        starts = np.asarray(obs["step"])[:, 0] == 0
        if starts.any():
            after[starts] = self._fresh(int(starts.sum()))
        self.states = after
        return self._with(obs), rewards, dones, infos

    def observation(self) -> dict[str, np.ndarray]:
        """The current observation with the state, as the last step or reset returned it."""
        return self._with(self.venv.sim.observation())

    def state_dict(self) -> dict:
        """The states and the generator, for a checkpoint."""
        return {"states": torch.as_tensor(self.states).clone(), "generator": self.generator.get_state()}

    def load_state_dict(self, state: Mapping) -> None:
        """Restore :meth:`state_dict`; the observation it goes with is the simulator's current one."""
        self.states = state["states"].numpy().astype(np.float32)
        self.generator.set_state(state["generator"])
        self._last = self.venv.sim.observation()

    def _fresh(self, count: int) -> np.ndarray:
        return self.circuit.initial_state(count, self.generator).numpy().astype(np.float32)

    def _with(self, obs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        self._last = obs
        return {**obs, STATE_KEY: self.states.copy()}

    def _advance(self) -> np.ndarray:
        """The state after the step just taken, from the observation and state the actions were chosen on."""
        obs = {key: torch.as_tensor(value, dtype=torch.float32) for key, value in self._last.items()}
        obs[STATE_KEY] = torch.as_tensor(self.states)
        return self.circuit.next_state(obs).numpy().astype(np.float32)
