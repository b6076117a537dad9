"""A batched swimmer simulator: B swimmers in lock-step on MuJoCo's threads.

One call per control step advances every swimmer through MuJoCo's native
batched stepping, ``mujoco.batch.Batch`` (a C thread pool, no GIL, one
``MjData`` per swimmer), and observations and rewards are computed in NumPy
from its state and sensor arrays: no per-swimmer Python work.

Why ``mujoco.batch`` and not ``mujoco.rollout``. Exactness needs two things
that ``rollout`` cannot give: (1) dm_control's ``Physics.step`` ends with
``mj_step1``, so position and velocity sensors describe the *new* state, while
``rollout`` records them one substep stale; (2) each swimmer's constraint
solver warm start (``qacc_warmstart``) must carry over from one control step to
the next, while ``rollout`` shares one ``MjData`` per thread among swimmers and
returns states without it. Around ``rollout`` trajectories drift from the
reference by ~1e-4 within an episode (joint limits engage the solver). A
``Batch`` keeps each swimmer's integration state (warm start included) in its
state rows, and ``step(nstep=15, stage=mjSTAGE_VEL)`` ends with the position
and velocity stages at the new state, as ``mj_step1`` does: trajectories and
rewards agree with dm_control to ~1e-12 (tests/test_batched.py). The batch is
not persistent (one ``MjData`` per thread, hot in cache), which measured faster
than one ``MjData`` per swimmer; it recomputes the first substep's position
stage, the same values dm_control computed in its ``mj_step1``.
benchmarks/simulator.py measures it beside the floor, dm_control and a loop
around ``rollout``.

Actions. Out-of-range actions are clipped by MuJoCo (the motors' ``ctrlrange``
is [-1, 1]), as in dm_control; NaN or infinite actions raise ValueError.
"""

from __future__ import annotations

import os

import mujoco
import numpy as np
from dm_control.suite import swimmer as dm_swimmer
from mujoco.batch import Batch

from ncap.envs.swimmer.body import EPISODE_STEPS, SUBSTEPS, SwimmerBody, swimmer_body, swimmer_physics
from ncap.envs.swimmer.tasks import navigate_reward, observation_keys, swim_reward, task_spec
from ncap.errors import ConfigError
from ncap.validation import require_int

STATE_SPEC = mujoco.mjtState.mjSTATE_INTEGRATION
"""The state rows of a ``Batch``: physics state, controls and warm start."""
MAX_SEED = 2**32 - 1


def default_threads(num_envs: int) -> int:
    """Threads for ``num_envs`` swimmers, the calling thread included: one per core."""
    return max(1, min(os.cpu_count() or 1, num_envs))


def check_seed(seed: object, num_envs: int) -> int | list[int]:
    """``seed`` if every swimmer's seed (``seed + i``, or ``seed[i]`` for a sequence) fits a RandomState."""
    if isinstance(seed, (list, tuple, np.ndarray)):
        if len(seed) != num_envs:
            raise ConfigError(f"expected {num_envs} seeds, one per swimmer, got {len(seed)}")
        return [check_seed(s, 1) for s in seed]  # type: ignore[misc]
    require_int("seed", seed, 0)
    if seed < 0 or seed + num_envs - 1 > MAX_SEED:
        raise ConfigError(f"seed must be in [0, {MAX_SEED - num_envs + 1}], got {seed}")
    return int(seed)


def checked_actions(actions: object, expected: tuple[int, int]) -> np.ndarray:
    """``actions`` as a float64 array of shape ``expected`` (B, N); ValueError if misshapen or not finite."""
    actions = np.asarray(actions, dtype=np.float64)
    if actions.shape != expected:
        raise ValueError(f"actions must have shape {expected}, got {actions.shape}")
    if not np.isfinite(actions).all():
        raise ValueError("actions must be finite; got NaN or infinite values")
    return actions


class _EpisodeStarter:
    """Draws initial states exactly as dm_control's ``Swimmer`` task does.

    Swimmer ``i`` has its own ``RandomState(seed + i)``; its episodes start as
    those of ``make_reference_env(task, n_links, seed + i)``.
    """

    def __init__(self, body: SwimmerBody, num_envs: int):
        self._physics = swimmer_physics(body.n_links)  # this simulator's own, used only to draw starts
        self._tasks: list[dm_swimmer.Swimmer] = []
        self._num_envs = num_envs

    @property
    def seeded(self) -> bool:
        return bool(self._tasks)

    def seed(self, seed: int | list[int]) -> None:
        """Swimmer i draws from ``RandomState(seed + i)``, or from ``seed[i]`` for a list."""
        seeds = seed if isinstance(seed, list) else [seed + i for i in range(self._num_envs)]
        self._tasks = [dm_swimmer.Swimmer(random=s) for s in seeds]

    def get_state(self) -> list[tuple]:
        """Each swimmer's RandomState state (NumPy's tuple form)."""
        return [task.random.get_state() for task in self._tasks]

    def set_state(self, states: list[tuple]) -> None:
        self._tasks = [dm_swimmer.Swimmer(random=0) for _ in states]
        for task, state in zip(self._tasks, states):
            task.random.set_state(state)

    def start(self, state: np.ndarray, target: np.ndarray) -> None:
        """Fill state rows (B, nstate) and target positions (B, 3) in place."""
        physics = self._physics
        for i, task in enumerate(self._tasks):
            with physics.reset_context():
                task.initialize_episode(physics)
            mujoco.mj_getState(physics.model.ptr, physics.data.ptr, state[i], STATE_SPEC)
            target[i] = physics.named.data.geom_xpos["target"]


class BatchedSwimmer:
    """``num_envs`` swimmers of ``n_links`` links doing ``task``, stepped together.

    Episodes last ``EPISODE_STEPS`` control steps for every swimmer at once, so
    all swimmers start, and time out, together.

    Args:
        task: "swim" or "navigate".
        n_links: links of each swimmer (>= 3).
        num_envs: number of swimmers B.
        nthread: threads stepping the swimmers, the calling thread included;
            default: one per core (at most B).
        seed: seed of the first episode; swimmer i draws from seed + i (or
            seed[i] for a list of B seeds).
    """

    episode_steps = EPISODE_STEPS

    def __init__(self, task: str = "swim", n_links: int = 6, num_envs: int = 1,
                 nthread: int | None = None, seed: int | list[int] | None = None):
        self._task = task_spec(task)
        self.task = self._task.name
        self.body = swimmer_body(n_links)
        require_int("num_envs", num_envs, 1)
        self.num_envs = int(num_envs)
        self.nthread = default_threads(self.num_envs) if nthread is None else int(nthread)
        if self.nthread < 1:
            raise ConfigError(f"nthread must be >= 1, got {nthread}")
        self.keys = observation_keys(self.task)
        self._batch = Batch(self.body.model, self.num_envs, nthread=self.nthread, persistent=False)
        self._qpos = self._batch.bind("qpos")
        self._ctrl = self._batch.bind("ctrl")
        self._sensors = self._batch.bind("sensordata")
        self._target = np.zeros((self.num_envs, 3))
        self._starter = _EpisodeStarter(self.body, self.num_envs)
        self.step_index = 0
        self._initial_seed = None if seed is None else check_seed(seed, self.num_envs)
        self._needs_reset = True

    @property
    def n_joints(self) -> int:
        return self.body.n_joints

    @property
    def observes_target(self) -> bool:
        """Whether this task has a target (navigate): observed, rewarded, shown."""
        return self._task.observes_target

    def reset(self, seed: int | list[int] | None = None) -> dict[str, np.ndarray]:
        """Start a new episode for every swimmer; returns the first observation.

        A seed restarts every swimmer's random stream (swimmer i: seed + i, or
        seed[i] for a list of B seeds); without one, the streams continue
        (seeded from OS entropy at first).
        """
        if seed is None and not self._starter.seeded:
            seed = self._initial_seed
            if seed is None:
                seed = int(np.random.SeedSequence().generate_state(1)[0]) % (MAX_SEED - self.num_envs)
        if seed is not None:
            self._starter.seed(check_seed(seed, self.num_envs))
        self._starter.start(self._batch.state, self._target)
        self._batch.forward()
        self.step_index = 0
        self._needs_reset = False
        return self.observation()

    def check_actions(self, actions: object) -> np.ndarray:
        """Actions as a (B, n_joints) float64 array; ValueError if misshapen or not finite."""
        return checked_actions(actions, (self.num_envs, self.n_joints))

    def step(self, actions: object) -> tuple[dict[str, np.ndarray], np.ndarray, bool]:
        """Advance every swimmer one control step.

        Args:
            actions: (B, n_joints) motor commands, clipped to [-1, 1] by MuJoCo.

        Returns:
            observation (dict of (B, ...) arrays), reward (B,), and whether the
            episode has timed out (a truncation, for all swimmers at once).
        """
        if self._needs_reset:
            raise RuntimeError("call reset() before step(): the episode has ended or not begun")
        self._ctrl[:] = self.check_actions(actions)
        self._batch.step(nstep=SUBSTEPS, stage=mujoco.mjtStage.mjSTAGE_VEL)
        self.step_index += 1
        truncated = self.step_index >= EPISODE_STEPS
        self._needs_reset = truncated
        return self.observation(), self.reward(), truncated

    def nose_to_target(self) -> np.ndarray:
        """Nose-to-target vector in the head frame, (B, 2)."""
        body, sensors = self.body, self._sensors
        offset = self._target - sensors[:, body.sensor_nose_pos]
        x_axis, y_axis = sensors[:, body.sensor_head_xaxis], sensors[:, body.sensor_head_yaxis]
        return np.stack([(offset * x_axis).sum(-1), (offset * y_axis).sum(-1)], axis=-1)

    def observation(self) -> dict[str, np.ndarray]:
        """The current observation, a dict of fresh (B, ...) float64 arrays."""
        obs = {
            "joints": self.body.normalized_joints(self._qpos[:, self.body.joints]),
            "body_velocities": self._sensors[:, self.body.sensor_body_velocities],
            "step": np.full((self.num_envs, 1), float(self.step_index)),
        }
        if self._task.observes_target:
            obs["to_target"] = self.nose_to_target()
        return obs

    def reward(self) -> np.ndarray:
        """Reward of the current state, (B,)."""
        if self._task.observes_target:
            return navigate_reward(self.nose_to_target())
        return swim_reward(self._sensors[:, self.body.sensor_head_vel])

    def get_state(self) -> dict:
        """Everything needed to continue exactly from here (see :meth:`set_state`)."""
        return {"physics": self._batch.state.copy(), "target": self._target.copy(),
                "step_index": self.step_index, "needs_reset": self._needs_reset,
                "random": self._starter.get_state() if self._starter.seeded else None}

    def set_state(self, state: dict) -> None:
        """Restore a :meth:`get_state` snapshot of a simulator of the same task, body and size."""
        physics = np.asarray(state["physics"])
        if physics.shape != self._batch.state.shape:
            raise ValueError(f"simulator state of shape {physics.shape} does not fit {self._batch.state.shape}")
        if state["random"] is not None and len(state["random"]) != self.num_envs:
            raise ValueError(f"random streams of {len(state['random'])} swimmers do not fit {self.num_envs}")
        self._batch.state[:] = physics
        self._target[:] = state["target"]
        self.step_index, self._needs_reset = int(state["step_index"]), bool(state["needs_reset"])
        if state["random"] is not None:
            self._starter.set_state(state["random"])
        self._batch.forward(stage=mujoco.mjtStage.mjSTAGE_VEL)

    def physics_state(self) -> np.ndarray:
        """MuJoCo integration state of every swimmer, (B, nstate) (a copy)."""
        return self._batch.state.copy()

    def target_position(self) -> np.ndarray:
        """World position of each swimmer's target, (B, 3) (a copy)."""
        return self._target.copy()

    def close(self) -> None:
        """Release the thread pool and the swimmers' data."""
        self._batch = None
