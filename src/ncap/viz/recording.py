"""Record an episode: rendered frames, rewards, joint angles and the circuit's own unit activity."""

from __future__ import annotations

from dataclasses import dataclass, field

import mujoco
import numpy as np
import torch
from torch import nn

from ncap.circuits import CompiledCircuit, SwimmerCircuit
from ncap.envs import BatchedSwimmer
from ncap.envs.swimmer.batched import STATE_SPEC
from ncap.envs.swimmer.body import EPISODE_STEPS, swimmer_model
from ncap.errors import ConfigError
from ncap.policies import CircuitPolicy
from ncap.policies.rollout import run_episode

FAST_SCENE = (mujoco.mjtRndFlag.mjRND_SHADOW, mujoco.mjtRndFlag.mjRND_REFLECTION, mujoco.mjtRndFlag.mjRND_SKYBOX)


UNIT_TITLES = {"b": "B neurons", "muscle": "muscles"}
"""How figures name the swimmer's units; any other unit is shown under its own name."""


def module_units(activity: dict[str, np.ndarray]) -> list[str]:
    """Units with a (dorsal, ventral) trace in every module, in the circuit's order: ``b``, ``muscle``,
    ... (from ``{unit}_dorsal`` arrays (T, N) with N = the torque's modules)."""
    n_modules = activity["torque"].shape[1]
    return [name[: -len("_dorsal")] for name, values in activity.items()
            if name.endswith("_dorsal") and values.ndim == 2 and values.shape[1] == n_modules
            and f"{name[: -len('_dorsal')]}_ventral" in activity]


def head_signals(activity: dict[str, np.ndarray]) -> list[str]:
    """Activity traces with one value per step (oscillators, commands), in the circuit's order."""
    return [name for name, values in activity.items() if values.ndim == 1]


@dataclass
class EpisodeRecording:
    """One swimmer's episode, step by step (T control steps)."""

    task: str
    n_links: int
    frames: np.ndarray
    """(T, H, W, 3) uint8: the state before each step's action (empty if not rendered)."""
    rewards: np.ndarray
    """(T,) reward after each step."""
    joints: np.ndarray
    """(T, n_joints) normalized joint positions the policy saw."""
    actions: np.ndarray
    """(T, n_joints) commands."""
    activity: dict[str, np.ndarray] = field(default_factory=dict)
    """Circuit unit outputs by name, (T, ...) each (empty for non-circuit policies)."""

    @property
    def total_return(self) -> float:
        return float(self.rewards.sum())


class SwimmerCamera:
    """Renders a swimmer's state headlessly (no shadows or reflections).

    Swim: dm_control's tracking camera. Navigate: a free camera above the
    midpoint of the head and the target, far enough to show both.
    """

    def __init__(self, sim: BatchedSwimmer, height: int, width: int, camera: str = "tracking1"):
        self.model = swimmer_model(sim.body.n_links)  # its own copy: the target's colour changes below
        self.data = mujoco.MjData(self.model)
        self.sim, self.camera = sim, camera
        self.renderer = mujoco.Renderer(self.model, height, width)
        self._target = self.model.geom("target").id
        if not sim.observes_target:  # the target means nothing when swimming: hide it
            self.model.geom_rgba[self._target, 3] = 0.0

    def render(self) -> np.ndarray:
        """The first swimmer's current state as an (H, W, 3) uint8 image."""
        mujoco.mj_setState(self.model, self.data, self.sim.physics_state()[0], STATE_SPEC)
        self.model.geom_pos[self._target] = self.sim.target_position()[0]
        mujoco.mj_forward(self.model, self.data)
        self.renderer.update_scene(self.data, camera=self._view())
        for flag in FAST_SCENE:
            self.renderer.scene.flags[flag] = False
        return self.renderer.render().copy()

    def _view(self) -> str | mujoco.MjvCamera:
        if not self.sim.observes_target:
            return self.camera
        head, target = self.data.body("head").xpos, self.model.geom_pos[self._target]
        view = mujoco.MjvCamera()
        view.type = mujoco.mjtCamera.mjCAMERA_FREE
        view.lookat[:] = (head + target) / 2
        view.distance = max(1.2, 1.4 * float(np.linalg.norm(head[:2] - target[:2])) + 0.6)
        view.elevation, view.azimuth = -75.0, 90.0
        return view

    def close(self) -> None:
        self.renderer.close()


def has_activity(policy: nn.Module) -> bool:
    """Whether the policy is a circuit that reports its unit activity."""
    return isinstance(policy, CircuitPolicy) and isinstance(policy.circuit, SwimmerCircuit | CompiledCircuit)


@torch.no_grad()
def record_episode(policy: nn.Module, task: str, n_links: int, steps: int, seed: int = 0,
                   size: tuple[int, int] | None = (240, 320)) -> EpisodeRecording:
    """Run ``steps`` control steps of one episode; render frames if ``size`` (H, W) is given.

    Activity values are the circuit's own outputs for the very observations
    the policy acted on (``return_activity=True``), not recomputed.
    """
    if not 1 <= steps <= EPISODE_STEPS:
        raise ConfigError(f"an episode has 1 to {EPISODE_STEPS} control steps; got {steps}")
    sim = BatchedSwimmer(task, n_links, num_envs=1, nthread=1, seed=seed)
    camera = SwimmerCamera(sim, *size) if size else None
    frames, rewards, joints, actions, activity = [], [], [], [], {}

    def act(obs: dict[str, torch.Tensor]) -> torch.Tensor:
        if camera:
            frames.append(camera.render())
        if has_activity(policy):
            action, units = policy(obs, return_activity=True)
            for name, value in units.items():
                activity.setdefault(name, []).append(value[0].numpy())
        else:
            action = policy(obs)
        joints.append(sim.observation()["joints"][0].copy())  # float64, as the simulator has them
        actions.append(action[0].double().numpy())
        return action

    try:
        run_episode(sim, act, steps=steps, on_step=lambda obs, reward: rewards.append(float(reward[0])))
    finally:
        if camera:
            camera.close()
        sim.close()
    return EpisodeRecording(task=sim.task, n_links=sim.body.n_links,
                            frames=np.stack(frames) if frames else np.zeros((0, 0, 0, 3), np.uint8),
                            rewards=np.asarray(rewards), joints=np.stack(joints), actions=np.stack(actions),
                            activity={name: np.stack(values) for name, values in activity.items()})
