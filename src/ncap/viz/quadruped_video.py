"""Seeing the quadruped: the body beside its rhythm generator's flexor and extensor traces and its footfalls.

``record_quadruped`` runs one episode (rendering frames from each step's state
with the episode's own model: its friction and terrain); ``quadruped_frames``
composes each video frame (camera left; right, a sliding window of every
limb's flexor (solid) and extensor (dashed) outputs above the footfalls);
``quadruped_activity_figure`` draws the same traces for a whole stretch.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import mujoco
import numpy as np
import torch
from PIL import Image
from torch import nn

from ncap.envs.quadruped import BatchedQuadruped, QuadrupedTaskConfig
from ncap.envs.quadruped.body import CONTROL_TIMESTEP
from ncap.envs.quadruped.task import STANCE_THRESHOLD
from ncap.envs.swimmer.batched import STATE_SPEC
from ncap.policies.rollout import obs_to_torch, reseed
from ncap.viz import canvas
from ncap.viz.recording import FAST_SCENE
from ncap.viz.video import annotate

LEGS = ("FL", "FR", "HL", "HR")
WINDOW_STEPS = 100
"""Steps of activity in the video's sliding window (3 s)."""
LEG_COLORS = {"FL": "C0", "FR": "C1", "HL": "C2", "HR": "C3"}


@dataclass
class QuadrupedRecording:
    """One quadruped episode, T control steps."""

    frames: np.ndarray
    """(T, H, W, 3) uint8 (empty when not rendered)."""
    rewards: np.ndarray
    stance: np.ndarray
    """(T, 4) feet in stance (FL, FR, HL, HR)."""
    flexors: np.ndarray | None
    """(T, 4) flexor outputs of the circuit (None for other policies)."""
    extensors: np.ndarray | None
    displacement: np.ndarray
    """(T,) forward displacement so far (m)."""


def has_rhythm(policy: nn.Module) -> bool:
    """Whether the policy reports a flexor and an extensor per leg (``flx_FL``, ``ext_FL``, ...): the quadruped
    circuit, or a compiled limbed spec with units ``flx`` and ``ext`` in every leg."""
    if hasattr(policy, "rhythm"):
        return True
    spec = getattr(policy, "spec", None)
    body = getattr(spec, "body", None)
    if body is None:
        return False
    where = {unit.name: set(body.select(unit.modules)) for unit in spec.units}
    return all(set(LEGS) <= where.get(name, set()) for name in ("flx", "ext"))


@torch.no_grad()
def record_quadruped(policy: nn.Module, task: QuadrupedTaskConfig, steps: int, seed: int = 0,
                     size: tuple[int, int] | None = (240, 320)) -> QuadrupedRecording:
    """Run ``steps`` control steps (or until the body falls) of one episode and record it."""
    sim = BatchedQuadruped(task, num_envs=1, nthread=1, seed=seed)
    reseed(policy, [seed])
    obs, frames, rewards, stance, flexors, extensors, moved = sim.reset(), [], [], [], [], [], []
    model = sim.model_of(0)
    data = mujoco.MjData(model)
    renderer = mujoco.Renderer(model, *size) if size else None
    camera = mujoco.MjvCamera()
    camera.type, camera.distance, camera.elevation, camera.azimuth = mujoco.mjtCamera.mjCAMERA_FREE, 3.5, -20.0, 120.0
    done = False
    try:
        while not done and len(rewards) < steps:
            if renderer:
                mujoco.mj_setState(model, data, sim.physics_state()[0], STATE_SPEC)
                mujoco.mj_forward(model, data)
                camera.lookat[:] = data.body("torso").xpos
                renderer.update_scene(data, camera=camera)
                for flag in FAST_SCENE:
                    renderer.scene.flags[flag] = False
                frames.append(renderer.render().copy())
            torch_obs = obs_to_torch(obs)
            if has_rhythm(policy):
                actions, activity = policy(torch_obs, return_activity=True)
                flexors.append([float(activity[f"flx_{leg}"][0]) for leg in LEGS])
                extensors.append([float(activity[f"ext_{leg}"][0]) for leg in LEGS])
            else:
                actions = policy(torch_obs)
            obs, reward, done = sim.step(actions.double().numpy())
            rewards.append(float(reward[0]))
            stance.append(obs["foot_contact"][0] > STANCE_THRESHOLD)
            moved.append(float(sim.forward_displacement()[0]))
    finally:
        if renderer:
            renderer.close()
        sim.close()
    return QuadrupedRecording(np.stack(frames) if frames else np.zeros((0, 0, 0, 3), np.uint8), np.asarray(rewards),
                              np.asarray(stance), np.asarray(flexors) if flexors else None,
                              np.asarray(extensors) if extensors else None, np.asarray(moved))


def _draw_traces(axes, recording: QuadrupedRecording, start: int, end: int) -> None:
    """Flexor/extensor traces (top) and footfalls (bottom) of steps start..end on two axes."""
    times = np.arange(start, end) * CONTROL_TIMESTEP
    top, bottom = axes
    if recording.flexors is not None:
        for i, leg in enumerate(LEGS):
            offset = 3 - i
            top.plot(times, recording.flexors[start:end, i] + 1.2 * offset, color=LEG_COLORS[leg], lw=1.2)
            top.plot(times, recording.extensors[start:end, i] + 1.2 * offset, color=LEG_COLORS[leg], lw=1.0, ls="--")
        top.set_yticks([1.2 * (3 - i) + 0.5 for i in range(4)], list(LEGS), fontsize=7)
        top.set_title("rhythm generator: flexor (solid), extensor (dashed)", fontsize=8)
    for i, leg in enumerate(LEGS):
        stance = recording.stance[start:end, i]
        bottom.fill_between(times, i - 0.4, i + 0.4, where=stance, color=LEG_COLORS[leg], step="mid")
    bottom.set_yticks(range(4), list(LEGS), fontsize=7)
    bottom.invert_yaxis()
    bottom.set_title("footfalls (filled: stance)", fontsize=8)
    bottom.set_xlabel("time (s)")
    for axis in axes:
        axis.set_xlim(start * CONTROL_TIMESTEP, max(end, start + 1) * CONTROL_TIMESTEP)


def quadruped_frames(recording: QuadrupedRecording, fps: int, activity: bool = True) -> Iterator[np.ndarray]:
    """Video frames at ``fps`` of real time: the camera, annotated, and (``activity``) the traces beside it."""
    steps = len(recording.rewards)
    times = np.arange(int(steps * CONTROL_TIMESTEP * fps)) / fps
    height, width = recording.frames.shape[1:3]
    for step in np.minimum(np.round(times / CONTROL_TIMESTEP).astype(int), steps - 1):
        image = annotate(recording.frames[step], [f"t {step * CONTROL_TIMESTEP:.1f} s",
                                                  f"return {recording.rewards[:step + 1].sum():.1f}",
                                                  f"forward {recording.displacement[step]:.2f} m"])
        if not activity:
            yield image
            continue
        figure = canvas.figure(figsize=(width / 100 * 1.4, height / 100), dpi=100, constrained_layout=True)
        axes = figure.subplots(2, 1, gridspec_kw={"height_ratios": [3, 2]})
        _draw_traces(axes, recording, max(0, step - WINDOW_STEPS), step + 1)
        figure.canvas.draw()
        panel = Image.fromarray(np.asarray(figure.canvas.buffer_rgba())[..., :3])
        panel = panel.resize((panel.width * height // panel.height // 2 * 2, height))
        yield np.concatenate([image, np.asarray(panel)], axis=1)


def quadruped_activity_figure(recording: QuadrupedRecording, out, start: int = 0, end: int | None = None) -> None:
    """The traces and footfalls of steps start..end as a PNG or SVG."""
    end = len(recording.rewards) if end is None else min(end, len(recording.rewards))
    figure, axes = canvas.subplots(2, 1, figsize=(10, 5), constrained_layout=True, sharex=True,
                                   gridspec_kw={"height_ratios": [2, 1]})
    _draw_traces(axes, recording, start, end)
    canvas.save(figure, out, dpi=130)
