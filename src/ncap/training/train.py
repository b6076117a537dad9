"""Start, resume or skip a training run (``ncap train``)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from ncap.algorithms import Trainer, get_algorithm
from ncap.config import TrainConfig
from ncap.runs import RunDir, RunError, read_config


def _trainer(run: RunDir, config: TrainConfig) -> Trainer:
    return get_algorithm(config.algo).make_trainer(run, config)


def train(config: TrainConfig, out: str | Path, on_save: Callable[[RunDir], None] | None = None) -> RunDir:
    """Train ``config`` into ``out``; an existing run there with the same config is resumed (or skipped if finished).

    A run directory this call creates is removed again if its trainer cannot
    be built (a config that fails late leaves nothing behind). ``on_save(run)``
    is called after every checkpoint and after the final policy.
    """
    new = not Path(out).exists()
    run = RunDir.create(out, config, on_save)
    if run.finished:
        return run
    try:
        trainer = _trainer(run, config)
    except BaseException:
        if new:
            shutil.rmtree(run.path, ignore_errors=True)
        raise
    trainer.train()
    return run


def resume(out: str | Path) -> RunDir:
    """Continue the run at ``out`` from its last checkpoint (a finished run is left as it is)."""
    path = Path(out)
    if not path.is_dir():
        raise RunError(f"cannot resume {path}: no such run directory")
    return train(read_config(path), path)
