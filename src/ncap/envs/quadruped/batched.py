"""A batched quadruped simulator: B quadrupeds in lock-step on MuJoCo's threads, exact.

Built as ``BatchedSwimmer`` is (``mujoco.batch.Batch``, one state row per body
with its solver warm start, ``step(nstep=6, stage=mjSTAGE_VEL)`` ending as
dm_control's ``Physics.step`` does), with what legs add:

- the batch is persistent (one ``MjData`` per body): the position and velocity
  stages computed at the end of a control step are where the next one starts,
  which measured faster here than recomputing them (benchmarks/quadruped.py);
- every body runs on its own copy of the model (``Batch.set_models``), which
  holds its episode's ground friction and, on bumps, its terrain (height-field
  data are shared assets that ``Batch.expand`` cannot give per body);
- a body that falls (roll or pitch past 45°) ends its episode: it earns that
  step's reward, then 0, and is no longer stepped. The batch's episode ends
  when every body has fallen or the 15 s time limit is reached.

Body i draws its episodes from ``RandomState(seed + i)`` (or ``seed[i]``), as
``make_quadruped_reference_env(config, seed + i)`` does: tests/test_quadruped_batched.py
compares the two step by step.
"""

from __future__ import annotations

import copy

import mujoco
import numpy as np
from mujoco.batch import Batch

from ncap.envs.quadruped import task as quadruped_task
from ncap.envs.quadruped.body import EPISODE_STEPS, SUBSTEPS, quadruped_body, quadruped_physics
from ncap.envs.quadruped.task import QuadrupedTaskConfig
from ncap.envs.swimmer.batched import MAX_SEED, STATE_SPEC, check_seed, checked_actions, default_threads
from ncap.errors import ConfigError
from ncap.validation import require_int


class BatchedQuadruped:
    """``num_envs`` quadrupeds doing ``config``'s task, stepped together.

    Args:
        config: speed, terrain, friction range, free yaw.
        num_envs: number of bodies B.
        nthread: threads stepping them, the calling thread included (default: one per core, at most B).
        seed: seed of the first episode; body i draws from seed + i (or seed[i] for a list of B seeds).
    """

    episode_steps = EPISODE_STEPS

    def __init__(self, config: QuadrupedTaskConfig | None = None, num_envs: int = 1, nthread: int | None = None,
                 seed: int | list[int] | None = None):
        self.config = config or QuadrupedTaskConfig()
        self.body = quadruped_body(self.config.terrain)
        require_int("num_envs", num_envs, 1)
        self.num_envs = int(num_envs)
        self.nthread = default_threads(self.num_envs) if nthread is None else int(nthread)
        if self.nthread < 1:
            raise ConfigError(f"nthread must be >= 1, got {nthread}")
        self._models = [copy.deepcopy(self.body.model) for _ in range(self.num_envs)]
        self._batch = Batch(self.body.model, self.num_envs, nthread=self.nthread, persistent=True)
        self._batch.set_models(self._models)
        self._qpos = self._batch.bind("qpos")
        self._ctrl = self._batch.bind("ctrl")
        self._sensors = self._batch.bind("sensordata")
        self._lengths = self._batch.bind("actuator_length")
        self._velocities = self._batch.bind("actuator_velocity")
        self._forces = self._batch.bind("actuator_force")
        self._physics = quadruped_physics(self.config.terrain)
        self._held: dict[str, np.ndarray] | None = None
        """Force and sensor readings restored with a state, shown until the next step (MuJoCo computes
        them during a step, from the state before its last substep: not recomputable from the state)."""
        self._randoms: list[np.random.RandomState] = []
        self._episode_randoms: list[tuple | None] = [None] * self.num_envs
        """Each body's random state when its current episode began (its ground is redrawn from it on restore)."""
        self._initial_seed = None if seed is None else check_seed(seed, self.num_envs)
        self.alive = np.zeros(self.num_envs, dtype=bool)
        self.alive_steps = np.zeros(self.num_envs, dtype=np.int64)
        self.steps = np.zeros(self.num_envs, dtype=np.int64)
        """Control steps each body has taken in its current episode (they differ after ``restart``)."""
        self.start_x = np.zeros(self.num_envs)
        self.step_index = 0
        self._needs_reset = True

    @property
    def n_actions(self) -> int:
        return self.config.n_actions

    def _seed(self, seed: int | list[int]) -> None:
        seeds = seed if isinstance(seed, list) else [seed + i for i in range(self.num_envs)]
        self._randoms = [np.random.RandomState(s) for s in seeds]

    def reset(self, seed: int | list[int] | None = None) -> dict[str, np.ndarray]:
        """Start a new episode for every body; returns the first observation.

        A seed restarts every body's random stream (body i: seed + i, or
        seed[i]); without one the streams continue (from OS entropy at first).
        """
        if seed is None and not self._randoms:
            seed = self._initial_seed
            if seed is None:
                seed = int(np.random.SeedSequence().generate_state(1)[0]) % (MAX_SEED - self.num_envs)
        if seed is not None:
            self._seed(check_seed(seed, self.num_envs))
        self.step_index = 0
        return self.restart(np.arange(self.num_envs))

    def restart(self, ids: np.ndarray) -> dict[str, np.ndarray]:
        """Start new episodes for bodies ``ids`` only (each from its own random stream), as a vector env
        does when some episodes end; returns the observation of every body."""
        physics, body = self._physics, self.body
        state = self._batch.state
        ids = np.asarray(ids, dtype=np.intp)
        for i in ids:
            self._episode_randoms[i] = self._randoms[i].get_state()
            quadruped_task.start_episode(physics, body, self.config, self._randoms[i])
            mujoco.mj_getState(physics.model.ptr, physics.data.ptr, state[i], STATE_SPEC)
            self._models[i].geom_friction[:] = physics.model.geom_friction
            if body.hfield_adr >= 0:
                self._models[i].hfield_data[:] = physics.model.hfield_data
        self._batch.set_models(self._models)
        self._batch.forward(ids=ids)  # mj_forward, as dm_control's reset ends: touch and forces at the start
        self.start_x[ids] = self._qpos[ids, 0]
        self.alive[ids] = True
        self.alive_steps[ids] = 0
        self.steps[ids] = 0
        self._needs_reset = False
        return self.observation()

    def check_actions(self, actions: object) -> np.ndarray:
        """Actions as a (B, n_actions) float64 array; ValueError if misshapen or not finite."""
        return checked_actions(actions, (self.num_envs, self.n_actions))

    def step(self, actions: object) -> tuple[dict[str, np.ndarray], np.ndarray, bool]:
        """Advance every living body one control step.

        Args:
            actions: (B, n_actions) commands in [-1, 1] (clipped): lift and extend per leg (FL, FR,
                HL, HR), with yaw first in each leg's triple when yaw is free.

        Returns:
            observation (dict of (B, ...) arrays), reward (B,) (0 for bodies that fell before this
            step), and whether the batch's episode is over (every body fallen, or the time limit).
        """
        if self._needs_reset:
            raise RuntimeError("call reset() before step(): the episode has ended or not begun")
        controls = quadruped_task.full_controls(self.body, self.config, self.check_actions(actions))
        running = self.running
        living = np.flatnonzero(running)
        self._held = None
        self._ctrl[living] = controls[living]
        self._batch.step(ids=living, nstep=SUBSTEPS, stage=mujoco.mjtStage.mjSTAGE_VEL)
        self.step_index += 1
        self.steps += running
        roll, pitch = quadruped_task.roll_pitch(self._qpos[:, 3:7])
        rewards = np.where(running, quadruped_task.reward(self.body, self.config, self._qpos, self._sensors, pitch),
                           0.0)
        self.alive_steps += running
        self.alive &= ~(running & quadruped_task.tilted(roll, pitch))
        done = not self.running.any()
        self._needs_reset = done
        return self.observation(), rewards, done

    @property
    def running(self) -> np.ndarray:
        """Bodies whose episode goes on: not fallen and within the time limit, (B,) booleans."""
        return self.alive & (self.steps < EPISODE_STEPS)

    def observation(self) -> dict[str, np.ndarray]:
        """The current observation, a dict of fresh (B, ...) float64 arrays (``task.OBSERVATION_KEYS``)."""
        return quadruped_task.observe(self.body, self.config, self._qpos, self.observed_sensors(), self._lengths,
                                      self._velocities, self.observed_forces(), self.steps)

    def forward_displacement(self) -> np.ndarray:
        """Torso displacement along +x (the starting heading) since the episode began, (B,) metres."""
        return self._qpos[:, 0] - self.start_x

    def get_state(self) -> dict:
        """Everything needed to continue exactly from here (see :meth:`set_state`): physics rows,
        episode counters, and the random states (the current ones, and each episode's first, from which
        its friction and terrain are drawn again on restore rather than stored)."""
        return {"physics": self._batch.state.copy(), "steps": self.steps.copy(), "alive": self.alive.copy(),
                "alive_steps": self.alive_steps.copy(), "start_x": self.start_x.copy(),
                "step_index": self.step_index, "needs_reset": self._needs_reset,
                "random": [r.get_state() for r in self._randoms], "episode_random": list(self._episode_randoms),
                "sensors": self.observed_sensors().copy(), "forces": self.observed_forces().copy()}

    def set_state(self, state: dict) -> None:
        """Restore a :meth:`get_state` snapshot of a simulator of the same task and size."""
        physics = np.asarray(state["physics"])
        if physics.shape != self._batch.state.shape:
            raise ValueError(f"simulator state of shape {physics.shape} does not fit {self._batch.state.shape}")
        self._randoms = []
        for saved in state["random"]:
            random = np.random.RandomState()
            random.set_state(saved)
            self._randoms.append(random)
        self._episode_randoms = list(state["episode_random"])
        for model, saved in zip(self._models, self._episode_randoms):
            if saved is not None:
                random = np.random.RandomState()
                random.set_state(saved)
                quadruped_task.set_ground(model, self.body, *quadruped_task.draw_ground(self.body, self.config, random))
        self._batch.set_models(self._models)
        self._batch.state[:] = physics
        self.steps[:], self.alive[:] = state["steps"], state["alive"]
        self.alive_steps[:], self.start_x[:] = state["alive_steps"], state["start_x"]
        self.step_index, self._needs_reset = int(state["step_index"]), bool(state["needs_reset"])
        self._batch.forward(stage=mujoco.mjtStage.mjSTAGE_VEL)
        self._held = {"sensors": np.asarray(state["sensors"]).copy(), "forces": np.asarray(state["forces"]).copy()}

    def observed_sensors(self) -> np.ndarray:
        """The sensor readings the current observation shows, (B, nsensordata)."""
        return self._sensors if self._held is None else self._held["sensors"]

    def observed_forces(self) -> np.ndarray:
        """The actuator forces the current observation shows, (B, nu)."""
        return self._forces if self._held is None else self._held["forces"]

    def physics_state(self) -> np.ndarray:
        """MuJoCo integration state of every body, (B, nstate) (a copy)."""
        return self._batch.state.copy()

    def model_of(self, index: int) -> mujoco.MjModel:
        """Body ``index``'s model this episode (its friction and terrain): a copy, e.g. for rendering."""
        return copy.deepcopy(self._models[index])

    def close(self) -> None:
        """Release the thread pool and the bodies' data."""
        self._batch = None
