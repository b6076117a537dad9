"""Evaluate a policy on the batched simulator of its task: one episode per body, in one batch."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from ncap.circuits import num_parameters
from ncap.envs.registry import get_task
from ncap.envs.task import TaskSettings
from ncap.policies.rollout import obs_to_torch, reseed, run_episode  # noqa: F401  (obs_to_torch: re-exported)
from ncap.validation import require_int


@dataclass(frozen=True)
class ActionNoise:
    """A policy's action distribution around its deterministic output, for sampled evaluation.

    ``std`` (one value, or one per joint) is the Gaussian's std; with
    ``squashed`` (SAC) the sample is ``tanh(atanh(output) + std * z)``,
    otherwise ``output + std * z`` (MuJoCo clips commands to [-1, 1]).
    """

    std: tuple[float, ...]
    squashed: bool = False

    def sample(self, actions: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """Sampled actions (B, N) around deterministic ``actions`` (B, N)."""
        noise = torch.randn(actions.shape, generator=generator, dtype=actions.dtype)
        std = torch.as_tensor(self.std, dtype=actions.dtype)
        if self.squashed:
            return torch.tanh(torch.atanh(actions.clamp(-1 + 1e-4, 1 - 1e-4)) + std * noise)
        return actions + std * noise


@dataclass(frozen=True)
class EvaluationResult:
    """Returns of evaluation episodes: deterministic, and sampled from the policy's action
    distribution when it has one (and, for navigate, how targets were reached)."""

    task: str
    n_links: int
    episodes: int
    seed: int
    num_parameters: int
    returns: tuple[float, ...]
    """Deterministic return per episode."""
    sampled_returns: tuple[float, ...] = ()
    """Return per episode with actions sampled from the policy's distribution (same starts); () if none."""
    reached_at: tuple[float, ...] = ()
    """Navigate: seconds until the nose first touched the target (NaN: never), per deterministic episode."""
    final_distances: tuple[float, ...] = ()
    """Navigate: nose-to-target distance at the end, per deterministic episode (m)."""
    displacements: tuple[float, ...] = ()
    """Quadruped: forward (+x) displacement of the torso per deterministic episode (m)."""
    durations: tuple[float, ...] = ()
    """Quadruped: seconds each deterministic episode lasted (15 unless the body fell)."""
    fell: tuple[bool, ...] = ()
    """Quadruped: whether each deterministic episode ended by a fall (roll or pitch past 45 degrees)."""

    @property
    def mean_return(self) -> float:
        """Mean deterministic return."""
        return float(np.mean(self.returns))

    @property
    def std_return(self) -> float:
        return float(np.std(self.returns))

    @property
    def mean_sampled_return(self) -> float:
        """Mean sampled return (NaN without an action distribution)."""
        return float(np.mean(self.sampled_returns)) if self.sampled_returns else math.nan

    @property
    def std_sampled_return(self) -> float:
        return float(np.std(self.sampled_returns)) if self.sampled_returns else math.nan

    @property
    def reach_rate(self) -> float:
        """Fraction of episodes whose nose touched the target (NaN for swim)."""
        return float(np.mean(~np.isnan(self.reached_at))) if self.reached_at else math.nan

    @property
    def mean_time_to_reach(self) -> float:
        """Mean seconds to reach the target over the episodes that did (NaN if none)."""
        times = np.asarray(self.reached_at)
        times = times[~np.isnan(times)]
        return float(times.mean()) if len(times) else math.nan

    @property
    def mean_final_distance(self) -> float:
        return float(np.mean(self.final_distances)) if self.final_distances else math.nan

    @property
    def mean_displacement(self) -> float:
        """Quadruped: mean forward displacement (m); NaN for the swimmer."""
        return float(np.mean(self.displacements)) if self.displacements else math.nan

    @property
    def mean_forward_speed(self) -> float:
        """Quadruped: mean over episodes of displacement / duration (m/s); NaN for the swimmer."""
        if not self.displacements:
            return math.nan
        return float(np.mean(np.asarray(self.displacements) / np.asarray(self.durations)))

    @property
    def fall_rate(self) -> float:
        """Quadruped: fraction of episodes that ended by a fall; NaN for the swimmer."""
        return float(np.mean(self.fell)) if self.fell else math.nan

    def to_dict(self) -> dict:
        """JSON-ready: return_deterministic, return_sampled (null without a distribution), their stds,
        mean_return (= return_deterministic), episodes, n_links, num_parameters, per-episode lists, ..."""
        out = asdict(self)
        for key in ("returns", "reached_at", "final_distances"):
            out[key] = [None if math.isnan(v) else v for v in out[key]]
        summary = {"return_deterministic": self.mean_return, "return_deterministic_std": self.std_return,
                   "return_sampled": _none_if_nan(self.mean_sampled_return),
                   "return_sampled_std": _none_if_nan(self.std_sampled_return),
                   "mean_return": self.mean_return, "std_return": self.std_return}
        if self.reached_at:
            summary.update(reach_rate=self.reach_rate, mean_time_to_reach=_none_if_nan(self.mean_time_to_reach),
                           mean_final_distance=self.mean_final_distance)
        if self.displacements:
            summary.update(forward_displacement=self.mean_displacement, forward_speed=self.mean_forward_speed,
                           fall_rate=self.fall_rate)
        return {**summary, **out}


def _none_if_nan(value: float) -> float | None:
    return None if math.isnan(value) else value


@torch.no_grad()
def evaluate(policy: nn.Module, task: str, n_links: int, episodes: int = 10, seed: int = 0,
             nthread: int | None = None, noise: ActionNoise | None = None, quadruped=None) -> EvaluationResult:
    """Run ``episodes`` full episodes (swimmer i seeded with ``seed + i``) in one batch.

    The policy maps an observation dict of (B, ...) tensors to actions
    (B, n_joints); it is used as is (deterministic unless it samples). With
    ``noise``, the same ``episodes`` starts are also run with actions sampled
    around the policy's output (``sampled_returns``; noise drawn from a
    generator seeded with ``seed``), in the same batch. For navigate, it also
    records when each nose first comes within the target's radius and the
    final distance (deterministic episodes); for the quadruped (``quadruped``: its task config), the
    forward displacement, duration and fall of each deterministic episode. A stateful policy's own
    random streams (the quadruped circuit's starting phases) restart from each episode's seed.
    """
    require_int("episodes", episodes, 1)
    copies = 2 if noise is not None else 1
    seeds = [seed + i for i in range(episodes)] * copies
    task_ = get_task(task)
    sim = task_.simulator(TaskSettings(n_links, quadruped), episodes * copies, nthread=nthread, seed=seeds)
    reseed(policy, seeds)
    generator = torch.Generator().manual_seed(seed)
    metrics = task_.episode_metrics(sim, episodes)

    def act(obs: dict[str, torch.Tensor]) -> torch.Tensor:
        actions = policy(obs)
        if noise is None:
            return actions
        return torch.cat((actions[:episodes], noise.sample(actions[episodes:], generator)))

    try:
        total = run_episode(sim, act, on_step=metrics.on_step if metrics.tracks_steps else None)
        measured = metrics.fields()
    finally:
        sim.close()
    return EvaluationResult(task=task, n_links=n_links, episodes=episodes, seed=seed, **measured,
                            num_parameters=num_parameters(policy),
                            returns=tuple(float(r) for r in total[:episodes]),
                            sampled_returns=tuple(float(r) for r in total[episodes:]))
