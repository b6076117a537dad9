"""Gait of a quadruped policy: footfalls (stance and swing per leg over time) and inter-limb phases.

A foot is in stance while its toe's touch sensor reads more than
``STANCE_THRESHOLD`` (in half body weights); swing otherwise. Phases are those
of swing onsets, relative to the fore-left leg (:func:`limb_phases`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ncap.circuits.quadruped import limb_phases
from ncap.envs.quadruped import BatchedQuadruped, QuadrupedTaskConfig
from ncap.envs.quadruped.task import STANCE_THRESHOLD
from ncap.policies.rollout import obs_to_torch, reseed


@dataclass(frozen=True)
class Gait:
    """One episode's footfalls: stance (T, 4) booleans in leg order FL, FR, HL, HR, and what they give."""

    stance: np.ndarray
    flexors: np.ndarray | None
    """The circuit's flexor outputs (T, 4), or None for policies without a rhythm generator."""
    displacement: float
    steps: int

    @property
    def period_and_phases(self) -> tuple[float, np.ndarray]:
        """Stepping period (control steps) and each leg's swing-onset phase relative to FL, (4,)."""
        return limb_phases(~self.stance)

    @property
    def duty_factor(self) -> np.ndarray:
        """Fraction of the episode each foot spends in stance, (4,)."""
        return self.stance.mean(0)


@torch.no_grad()
def record_gait(policy: nn.Module, task: QuadrupedTaskConfig, seed: int = 0, steps: int | None = None) -> Gait:
    """Run one episode (or ``steps`` control steps) and record the footfalls (and flexors, for a circuit)."""
    sim = BatchedQuadruped(task, num_envs=1, nthread=1, seed=seed)
    reseed(policy, [seed])
    obs, stance, flexors, done = sim.reset(), [], [], False
    while not done and (steps is None or len(stance) < steps):
        torch_obs = obs_to_torch(obs)
        if hasattr(policy, "rhythm"):
            actions, activity = policy(torch_obs, return_activity=True)
            flexors.append([float(activity[f"flx_{leg}"][0]) for leg in ("FL", "FR", "HL", "HR")])
        else:
            actions = policy(torch_obs)
        obs, _, done = sim.step(actions.double().numpy())
        stance.append(obs["foot_contact"][0] > STANCE_THRESHOLD)
    displacement = float(sim.forward_displacement()[0])
    sim.close()
    return Gait(np.asarray(stance), np.asarray(flexors) if flexors else None, displacement, len(stance))


def draw_footfalls(axis, gait: Gait, title: str, window: tuple[int, int] = (100, 300), timestep: float = 0.03) -> None:
    """Stance as dark bars per leg over ``window`` (control steps), on ``axis``."""
    start, end = window
    end = min(end, gait.steps)
    for row, leg in enumerate(("FL", "FR", "HL", "HR")):
        stance = gait.stance[start:end, row]
        edges = np.flatnonzero(np.diff(np.concatenate([[0], stance.astype(int), [0]])))
        for on, off in zip(edges[0::2], edges[1::2]):
            axis.broken_barh([((start + on) * timestep, (off - on) * timestep)], (row - 0.4, 0.8), color="0.2")
    axis.set_yticks(range(4), ["FL", "FR", "HL", "HR"])
    axis.invert_yaxis()
    axis.set_xlim(start * timestep, end * timestep)
    axis.set_xlabel("time (s); bars: stance")
    period, phases = gait.period_and_phases
    where = ", ".join(f"{leg} {p:.2f}" for leg, p in zip(("FR", "HL", "HR"), phases[1:]))
    axis.set_title(f"{title}\nperiod {period * timestep:.2f} s; phase vs FL: {where}", fontsize=8)
