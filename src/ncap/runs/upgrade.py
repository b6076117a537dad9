"""Reading runs saved by older versions of ncap: every upgrade of an old run, in one place.

- configs that predate a field get the value that run actually used (``upgrade_saved``);
- metrics columns under their old names are read under today's (``current_metrics``);
- checkpoints saved before sampled evaluation get the action distribution their config fixes
  (``saved_noise``);
- PPO checkpoints saved before Tonic's std head keep their fixed std (``legacy_std_head``).
"""

from __future__ import annotations

from typing import Any

from ncap.algorithms import get_algorithm
from ncap.config import OffPolicyConfig, TrainConfig
from ncap.evaluation import ActionNoise

METRIC_FIELDS = ("env_steps", "wall_time", "return_deterministic", "return_deterministic_std", "return_sampled",
                 "return_sampled_std", "train_return", "reach_rate", "time_to_reach", "final_distance",
                 "forward_displacement", "forward_speed", "fall_rate")
"""The columns of metrics.csv, in order."""
LEGACY_METRICS = {"eval_return_mean": "return_deterministic", "eval_return_std": "return_deterministic_std"}
"""Columns of runs written before sampled evaluation, read under their new names."""


def current_metrics(row: dict) -> dict:
    """A metrics row under today's column names (older runs: NaN for what they did not measure)."""
    row = {LEGACY_METRICS.get(key, key): value for key, value in row.items()}
    return {name: row.get(name, float("nan")) for name in METRIC_FIELDS}


LEGACY_DEFAULTS = {"ppo": {"kl_stop": "both"}, "es": {"gradient": "salimans", "member_starts": "shared"}}
"""What a saved config that predates a field meant by its absence (the code before that field existed)."""


def upgrade_saved(data: Any) -> Any:
    """A saved run config's plain ``data`` with the fields it predates set to what that run actually did.

    Runs saved before the fidelity fixes lack ``ppo.kl_stop`` (they stopped SB3's way), ``es.gradient``
    and ``es.member_starts`` (Salimans' estimate, shared starts) and ``offpolicy.random_steps`` (random
    actions until ``learning_starts``); read with today's defaults they would pass for the new algorithms.
    """
    if not isinstance(data, dict):
        return data
    data = {key: dict(value) if isinstance(value, dict) else value for key, value in data.items()}
    for section, fields in LEGACY_DEFAULTS.items():
        if isinstance(data.get(section), dict):
            data[section] = {**fields, **data[section]}
    offpolicy = data.get("offpolicy")
    if isinstance(offpolicy, dict) and "random_steps" not in offpolicy:
        offpolicy["random_steps"] = offpolicy.get("learning_starts", OffPolicyConfig.learning_starts)
    return data


def saved_noise(state: dict, config: TrainConfig) -> ActionNoise | None:
    """The action distribution a checkpoint saved, or for runs saved before sampled evaluation the one their
    config fixes (None if neither: ES, or a learned std that was not kept)."""
    if "noise_std" in state:
        return ActionNoise(tuple(state["noise_std"].tolist()), bool(state["noise_squashed"]))
    # Runs saved before sampled evaluation: what their config fixes (a learned std was not kept).
    algorithm = get_algorithm(config.algo)
    if algorithm.family == "on_policy" and config.arch.arch == "ncap":
        return ActionNoise((config.ppo.circuit_action_std,) * (config.n_links - 1))
    if algorithm.exploration_noise:
        return ActionNoise((config.offpolicy.action_noise,) * (config.n_links - 1))
    return None


def legacy_std_head(state_dict: dict, prefix: str, std_is_fixed: bool) -> None:
    """Rename in place a PPO policy state saved before Tonic's std head: its ``log_std`` (n_joints,) becomes
    ``fixed_std = exp(log_std)``. A learned std from then (``exp(log_std)``, unbounded) has no faithful
    counterpart in Tonic's softplus head, so such a checkpoint is refused.

    Raises:
        ValueError: the checkpoint learned its std under the old head.
    """
    legacy = state_dict.pop(prefix + "log_std", None)
    if legacy is None:
        return
    if not std_is_fixed:
        raise ValueError("checkpoint holds the old exp(log_std) PPO std head, not Tonic's softplus head "
                         "(trained before 2026-12-01): retrain the run")
    state_dict[prefix + "fixed_std"] = legacy.exp()
