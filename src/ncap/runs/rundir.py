"""Run directories: config, metrics, checkpoints, the final policy.

A run directory holds

- ``config.yaml``: the resolved :class:`TrainConfig`;
- ``metrics.csv``: one row per evaluation (env steps, wall time, evaluation
  return mean/std over fixed seeds, recent training return);
- ``tb/``: TensorBoard events;
- ``checkpoint.pt``: everything needed to resume (written atomically);
- ``policy.pt``: the final policy (its existence marks a finished run).

Checkpoints and policies are ``torch.save`` files of tensors and plain
containers only, loaded with ``weights_only=True``: loading never runs code.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Callable
from pathlib import Path

import torch
import yaml
from torch import nn

from ncap.circuits.spec_files import load_spec, spec_from_dict
from ncap.config import TrainConfig, from_dict, identity, to_dict
from ncap.evaluation import ActionNoise
from ncap.policies import build_policy
from ncap.runs.atomic import (
    RunError,
    _temp_prefix,
    atomic_csv,
    atomic_torch_save,
    atomic_write,
    safe_torch_load,
)
from ncap.runs.upgrade import METRIC_FIELDS, current_metrics, saved_noise, upgrade_saved

CONFIG, METRICS, CHECKPOINT, POLICY = "config.yaml", "metrics.csv", "checkpoint.pt", "policy.pt"
CIRCUIT = "circuit.yaml"
"""A spec-compiled circuit's spec, saved when the run starts (``arch.circuit_spec`` runs only)."""


def _circuit_text(config: TrainConfig) -> str:
    """The run's circuit spec as saved beside its config (a spec file may change after training)."""
    return yaml.safe_dump(load_spec(config.arch.circuit_spec).to_dict(full=True), sort_keys=False)


def read_config(run_dir: Path) -> TrainConfig:
    """The run's config; RunError if the directory is not a readable run."""
    path = run_dir / CONFIG
    if not run_dir.is_dir():
        raise RunError(f"no run directory at {run_dir}")
    if not path.is_file():
        raise RunError(f"{run_dir} is not an ncap run (no {CONFIG})")
    try:
        data = upgrade_saved(yaml.safe_load(path.read_text()))
        arch = data.get("arch") if isinstance(data, dict) else None
        named = arch.get("circuit_spec") if isinstance(arch, dict) else None
        if named is None or not (run_dir / CIRCUIT).is_file():
            return from_dict(TrainConfig, data, where=CONFIG)
        # a spec circuit is checked and built from the run's own copy: its file may have changed or gone since
        config = from_dict(TrainConfig, {**data, "arch": {**arch, "circuit_spec": str(run_dir / CIRCUIT)}},
                           where=CONFIG)
        object.__setattr__(config.arch, "circuit_spec", named)  # the name it was trained under
        return config
    except (yaml.YAMLError, ValueError) as error:  # YAML's message spans lines (a caret excerpt): keep its first
        raise RunError(f"unreadable {path}: {str(error).splitlines()[0]}") from None


class RunDir:
    """One training run's directory.

    ``on_save(run)``, if given, is called after every checkpoint and after the
    final policy is saved (a sweep on a cluster copies the run to shared storage there).
    """

    def __init__(self, path: str | Path, on_save: Callable[[RunDir], None] | None = None):
        self.path = Path(path)
        self.on_save = on_save

    @classmethod
    def create(cls, path: str | Path, config: TrainConfig,
               on_save: Callable[[RunDir], None] | None = None) -> RunDir:
        """Start a run at ``path``, or return the existing run there with the same config.

        Raises RunError, touching nothing, if ``path`` holds anything else.
        """
        run = cls(path, on_save)
        if run.path.exists() and not run.path.is_dir():
            raise RunError(f"{run.path} exists and is not a directory")
        if run.path.is_dir() and not (run.path / CONFIG).exists():
            # a run killed while writing its config leaves only that write's temporary file: it never started
            leftovers = list(run.path.iterdir())
            if leftovers and all(p.is_file() and p.name.startswith(_temp_prefix(CONFIG)) for p in leftovers):
                for leftover in leftovers:
                    leftover.unlink()
        if run.path.is_dir() and any(run.path.iterdir()):
            existing = read_config(run.path)
            if identity(existing) != identity(config):
                old, new = to_dict(identity(existing)), to_dict(identity(config))
                differing = sorted(key for key in new if old.get(key) != new.get(key))
                raise RunError(f"{run.path} holds a different run (differs in: {', '.join(differing)}); "
                               "choose another run directory, or resume that one")
            saved = run.path / CIRCUIT
            if saved.is_file() and spec_from_dict(yaml.safe_load(saved.read_text()), str(saved)) \
                    != load_spec(config.arch.circuit_spec):
                raise RunError(f"the circuit spec {config.arch.circuit_spec} changed since {run.path} started "
                               f"(its spec is saved in {saved}); train the changed circuit in another directory")
            return run
        run.path.mkdir(parents=True, exist_ok=True)
        atomic_write(run.path / CONFIG, yaml.safe_dump(to_dict(config), sort_keys=False).encode())
        if config.arch.circuit_spec is not None:
            atomic_write(run.path / CIRCUIT, _circuit_text(config).encode())
        return run

    @property
    def config(self) -> TrainConfig:
        return read_config(self.path)

    @property
    def finished(self) -> bool:
        return (self.path / POLICY).is_file()

    @property
    def has_checkpoint(self) -> bool:
        return (self.path / CHECKPOINT).is_file()

    def load_checkpoint(self) -> dict:
        return safe_torch_load(self.path / CHECKPOINT)

    def save_checkpoint(self, state: dict, metrics: list[dict]) -> None:
        """Save ``state`` with the metrics so far; rewrite metrics.csv to match it."""
        atomic_torch_save({**state, "metrics": metrics}, self.path / CHECKPOINT)
        self.write_metrics(metrics)
        if self.on_save is not None:
            self.on_save(self)

    def restore_checkpoint(self, restore) -> tuple[list[dict], float]:
        """Load the checkpoint into ``restore(state)``; rewrite metrics.csv from it.

        Returns the metrics rows and the training seconds so far. A checkpoint
        that loads but does not fit this run's trainer is a RunError.
        """
        state = self.load_checkpoint()
        try:
            restore(state)
            metrics, elapsed = [current_metrics(row) for row in state["metrics"]], float(state["wall_time"])
        except (KeyError, RuntimeError, TypeError, ValueError, IndexError) as error:
            raise RunError(f"{self.path / CHECKPOINT} does not fit this run ({type(error).__name__}: {error})") from None
        self.write_metrics(metrics)
        return metrics, elapsed

    def write_metrics(self, rows: list[dict]) -> None:
        atomic_csv(self.path / METRICS, METRIC_FIELDS, rows, restval="nan")

    def read_metrics(self) -> list[dict]:
        path = self.path / METRICS
        if not path.is_file():
            return []
        with path.open() as handle:
            return [current_metrics({k: float(v) if v not in ("", None) else float("nan") for k, v in row.items()})
                    for row in csv.DictReader(handle)]

    def save_policy(self, policy: nn.Module, noise: ActionNoise | None = None) -> None:
        """The final policy and, if it has one, its action distribution (for sampled evaluation)."""
        atomic_torch_save({"policy": policy.state_dict(), **noise_state(noise)}, self.path / POLICY)
        if self.on_save is not None:
            self.on_save(self)


def noise_state(noise: ActionNoise | None) -> dict:
    """``noise`` as checkpoint entries (tensors and bools only)."""
    if noise is None:
        return {}
    return {"noise_std": torch.tensor(noise.std, dtype=torch.float64), "noise_squashed": noise.squashed}


def load_run_policy(path: str | Path) -> tuple[nn.Module, str, int]:
    """The policy of a run (final, else the latest checkpoint's), its task and n_links."""
    policy, config, _ = load_run(path)
    return policy, config.task, config.n_links


def load_run(path: str | Path) -> tuple[nn.Module, TrainConfig, ActionNoise | None]:
    """The policy of a run (final, else the latest checkpoint's), its config and its action
    distribution (None for ES, which has none)."""
    run = RunDir(path)
    config = run.config
    source = run.path / POLICY if run.finished else run.path / CHECKPOINT
    if not source.is_file():
        raise RunError(f"{run.path} has no policy yet (no {POLICY} or {CHECKPOINT})")
    state = safe_torch_load(source)
    arch = config.arch
    if (run.path / CIRCUIT).is_file():  # the circuit as trained, even if its spec file changed or moved since
        arch = dataclasses.replace(arch, circuit_spec=str(run.path / CIRCUIT))
    policy = build_policy(arch, config.task, config.n_links, seed=config.seed, quadruped=config.quadruped)
    try:
        policy.load_state_dict(state["policy"])
    except (KeyError, RuntimeError, TypeError) as error:
        raise RunError(f"{source} does not hold a policy of this run's architecture ({type(error).__name__})") from None
    return policy.eval(), config, saved_noise(state, config)
