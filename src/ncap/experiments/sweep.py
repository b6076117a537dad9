"""Run a grid of training runs: local processes by default, Ray tasks on request.

Finished runs are skipped, interrupted ones resume from their checkpoints,
and a failing run is reported at the end without stopping the others; on
Ray too, where a run whose node is lost restarts on another node from its
last checkpoint (:mod:`ncap.experiments.ray_sweep`).
"""

from __future__ import annotations

import dataclasses
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from ncap.config import identity
from ncap.errors import ConfigError, describe_error
from ncap.experiments.grids import RunSpec
from ncap.runs import RunDir, read_config


@dataclass
class SweepReport:
    """What a sweep did."""

    skipped: list[str] = field(default_factory=list)
    """Runs already finished before the sweep."""
    trained: list[str] = field(default_factory=list)
    """Runs trained (or resumed) to the end by the sweep."""
    failed: dict[str, str] = field(default_factory=dict)
    """Runs that failed, with their error."""


def train_one(spec: RunSpec, runs_dir: str) -> str | None:
    """Train one run in this process; returns None, or the error as one line."""
    import torch  # noqa: PLC0415

    from ncap.training.train import train  # noqa: PLC0415

    torch.set_num_threads(1)
    try:
        train(spec.config, Path(runs_dir) / spec.name)
    except Exception as error:  # noqa: BLE001  (one run's failure must not stop the sweep)
        return describe_error(error)
    return None


def _with_threads(spec: RunSpec, threads: int) -> RunSpec:
    return RunSpec(spec.name, dataclasses.replace(spec.config, threads=threads))


def run_sweep(specs: list[RunSpec], runs_dir: str | Path, workers: int = 1,
              ray_address: str | None = None, use_ray: bool = False, progress=print,
              storage_path: str | Path | None = None, threads: int | None = None) -> SweepReport:
    """Train every spec into ``runs_dir/<name>``; ``workers`` runs at a time.

    Local: a process pool of ``workers`` (each run's simulator gets
    cores // workers threads, or ``threads``: e.g. 1 to leave cores to other work). Ray (``use_ray`` or ``ray_address``): one Ray
    task of one CPU per run on the cluster at ``ray_address`` (or a local Ray
    of ``workers`` CPUs), each run kept in step with its latest checkpoint in
    ``storage_path`` (default ``runs_dir``; on a cluster, a directory every
    node shares). ClusterError or StorageError, before any run starts, if
    either cannot be used; with nothing left to train, Ray is not started.
    """
    runs_dir = Path(runs_dir)
    on_ray = use_ray or ray_address is not None
    if storage_path is not None and not on_ray:
        raise ConfigError("a storage path is for sweeps on Ray (give use_ray or ray_address)")
    if on_ray:
        from ncap.experiments import ray_sweep  # noqa: PLC0415  (Ray only when asked for)

        storage, token = ray_sweep.prepare(ray_address, storage_path or runs_dir)
    runs_dir.mkdir(parents=True, exist_ok=True)
    report = SweepReport()
    todo = []
    for spec in specs:
        run = RunDir(runs_dir / spec.name)
        if run.path.is_dir() and run.finished and identity(read_config(run.path)) == identity(spec.config):
            report.skipped.append(spec.name)
        else:
            todo.append(spec)  # a different run under this name is refused by train(), reported as failed
    if on_ray:
        report.skipped += ray_sweep.collect_finished(todo, runs_dir, storage)
        todo = [_with_threads(spec, 1) for spec in todo if spec.name not in report.skipped]
        results = ray_sweep.run_ray(todo, runs_dir, storage, token, progress, ray_address, max(1, workers))
    else:
        threads = threads or max(1, (os.cpu_count() or 1) // max(1, workers))
        results = _run_local([_with_threads(spec, threads) for spec in todo], str(runs_dir), workers, progress)
    for name, error in results:
        if error is None:
            report.trained.append(name)
        else:
            report.failed[name] = error
    return report


def _run_local(specs: list[RunSpec], runs_dir: str, workers: int, progress) -> list[tuple[str, str | None]]:
    results = []
    if workers <= 1:
        for index, spec in enumerate(specs, 1):
            results.append((spec.name, train_one(spec, runs_dir)))
            progress(f"[{index}/{len(specs)}] {spec.name}: {results[-1][1] or 'done'}")
        return results
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(train_one, spec, runs_dir): spec.name for spec in specs}
        for index, future in enumerate(as_completed(futures), 1):
            try:
                error = future.result()
            except Exception as crash:  # noqa: BLE001  (a worker process died: report it, keep the rest)
                error = f"worker crashed: {type(crash).__name__}: {crash}"
            results.append((futures[future], error))
            progress(f"[{index}/{len(specs)}] {futures[future]}: {results[-1][1] or 'done'}")
    return results
