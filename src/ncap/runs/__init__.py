"""Run directories: what a training run leaves on disk, and how it is read back.

- ``rundir``: ``RunDir`` (config, metrics, checkpoint, final policy), ``read_config``, ``load_run``;
- ``atomic``: atomic writes of run files, code-free checkpoint loading, ``RunError``;
- ``checkpoint_state``: run state as ``torch.load(weights_only=True)`` accepts it (arrays, RNG states);
- ``upgrade``: every upgrade of runs saved by older versions, in one place.

Experiments, figures and the CLI read runs through this package, never through training's internals.
"""

from ncap.runs.atomic import RunError, atomic_copy, atomic_csv, atomic_torch_save, atomic_write, safe_torch_load
from ncap.runs.rundir import (
    CHECKPOINT,
    CIRCUIT,
    CONFIG,
    METRICS,
    POLICY,
    RunDir,
    load_run,
    load_run_policy,
    noise_state,
    read_config,
)
from ncap.runs.upgrade import METRIC_FIELDS, current_metrics, upgrade_saved

__all__ = [
    "RunError", "atomic_copy", "atomic_csv", "atomic_torch_save", "atomic_write", "safe_torch_load", "CHECKPOINT",
    "CIRCUIT", "CONFIG", "METRICS", "POLICY", "RunDir", "load_run", "load_run_policy", "noise_state", "read_config",
    "METRIC_FIELDS", "current_metrics", "upgrade_saved",
]
