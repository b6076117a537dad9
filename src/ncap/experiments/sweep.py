"""Run a grid of training runs: local processes by default, Ray tasks on request.

Finished runs are skipped, interrupted ones resume from their checkpoints,
and a failing run is reported at the end without stopping the others.
"""

from __future__ import annotations

import dataclasses
import os
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from ncap.experiments.grids import RunSpec
from ncap.training.config import identity
from ncap.training.runs import RunDir, read_config


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
        last = traceback.extract_tb(error.__traceback__)[-1]
        return f"{type(error).__name__}: {error} ({Path(last.filename).name}:{last.lineno})"
    return None


def _with_threads(spec: RunSpec, threads: int) -> RunSpec:
    return RunSpec(spec.name, dataclasses.replace(spec.config, threads=threads))


def run_sweep(specs: list[RunSpec], runs_dir: str | Path, workers: int = 1,
              ray_address: str | None = None, use_ray: bool = False, progress=print) -> SweepReport:
    """Train every spec into ``runs_dir/<name>``; ``workers`` runs at a time.

    Local: a process pool of ``workers`` (each run's simulator gets
    cores // workers threads). Ray (``use_ray`` or ``ray_address``): one Ray
    task per run on the cluster at ``ray_address`` (or a local Ray).
    """
    runs_dir = Path(runs_dir)
    runs_dir.mkdir(parents=True, exist_ok=True)
    report = SweepReport()
    todo = []
    for spec in specs:
        run = RunDir(runs_dir / spec.name)
        if run.path.is_dir() and run.finished and identity(read_config(run.path)) == identity(spec.config):
            report.skipped.append(spec.name)
        else:
            todo.append(spec)  # a different run under this name is refused by train(), reported as failed
    threads = max(1, (os.cpu_count() or 1) // max(1, workers))
    todo = [_with_threads(spec, threads) for spec in todo]
    if use_ray or ray_address:
        results = _run_ray(todo, str(runs_dir), workers, ray_address)
    else:
        results = _run_local(todo, str(runs_dir), workers, progress)
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


def _run_ray(specs: list[RunSpec], runs_dir: str, workers: int, address: str | None) -> list[tuple[str, str | None]]:
    import ray  # noqa: PLC0415  (only when asked for)

    if not ray.is_initialized():
        ray.init(address=address, num_cpus=None if address else max(1, workers), include_dashboard=False,
                 log_to_driver=False)
    remote = ray.remote(num_cpus=1)(train_one)
    refs = [remote.remote(spec, runs_dir) for spec in specs]
    return [(spec.name, error) for spec, error in zip(specs, ray.get(refs))]
