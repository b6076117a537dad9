"""Sweeps on Ray: one Ray task per run, retried on another node when its node is lost.

Each task trains its run in a directory on its own node (under the node's
Ray temp dir) and copies the run to the storage path after every checkpoint
and after its final policy (:mod:`ncap.experiments.storage`). When a node
or a worker process dies, Ray resubmits the task (``max_retries``; system
failures only: an error of the run itself is reported, not retried), and the
new attempt starts from the storage copy. A checkpoint holds the metrics
rows up to it and a resumed run rewrites metrics.csv from it, so no row is
repeated. The storage path is the sweep's output directory unless another
is named; then each finished run is also copied into the output directory.
"""

from __future__ import annotations

import shutil
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path

from ncap.config import identity
from ncap.errors import ClusterError, describe_error
from ncap.experiments.grids import RunSpec
from ncap.experiments.storage import check_storage, prepare_storage, sync_run
from ncap.runs import RunDir, RunError, read_config

MAX_RETRIES = 3
"""Attempts after the first for a run whose node or worker died (Ray's ``max_retries``)."""
CONNECT_TIMEOUT = 5.0
"""Seconds to wait for a TCP connection to the cluster's address before giving up."""

Outcome = tuple[str, str | None]
"""A run's name and its error as one line (None: finished)."""


def check_reachable(address: str) -> None:
    """ClusterError unless something accepts TCP connections at the Ray ``address``: ``host[:port]``
    (the GCS, port 6379 by default) or ``ray://host[:port]`` (Ray Client, port 10001)."""
    host_port = address.split("://", 1)[-1].split("/", 1)[0]
    host, colon, port = host_port.rpartition(":")
    if not colon:
        host, port = host_port, ""
    try:
        target = (host, int(port) if port else 10001 if address.startswith("ray://") else 6379)
        socket.create_connection(target, timeout=CONNECT_TIMEOUT).close()
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        raise ClusterError(f"no Ray cluster reachable at {address} ({reason})") from None


def _connect(address: str | None, num_cpus: int) -> None:
    """Connect to the Ray cluster at ``address`` ("auto": the one on this machine; None: start Ray with
    ``num_cpus``), unless this process already is; ClusterError if that fails."""
    import ray  # noqa: PLC0415  (only when asked for)

    if ray.is_initialized():
        return
    try:
        ray.init(address=address, num_cpus=None if address else num_cpus, include_dashboard=False,
                 log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError, TimeoutError) as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ClusterError(f"cannot connect to Ray at {address}: {first}") from None


def prepare(address: str | None, storage: str | Path) -> tuple[Path, str]:
    """Check the cluster's address and the storage path: the storage directory and its token.
    ClusterError or StorageError before anything is started."""
    if address not in (None, "auto", "local"):
        check_reachable(address)  # ray.init retries an unreachable address for minutes
    return prepare_storage(storage)


def _node_dir() -> Path:
    """Where runs train on this node: under the node's Ray temp dir."""
    import ray  # noqa: PLC0415

    directory = Path(ray.get_runtime_context().get_temp_dir()) / "ncap-runs"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def train_on_node(spec: RunSpec, storage: str, token: str) -> str | None:
    """A Ray task: train ``spec`` in a directory on this node, kept in step with ``storage/<name>``.

    Returns None, or the run's error as one line.
    """
    import torch  # noqa: PLC0415

    from ncap.training.train import train  # noqa: PLC0415

    torch.set_num_threads(1)
    try:
        check_storage(storage, token)
        shared = RunDir.create(Path(storage) / spec.name, spec.config)  # refuses a directory holding anything else
        if shared.finished:
            return None
        work = Path(tempfile.mkdtemp(prefix=f"{spec.name}-", dir=_node_dir()))
        try:
            sync_run(shared.path, work / spec.name)
            train(spec.config, work / spec.name, on_save=lambda run: sync_run(run.path, shared.path))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    except Exception as error:  # noqa: BLE001  (one run's failure must not stop the sweep)
        return describe_error(error)
    return None


def _same_place(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


def collect_finished(specs: list[RunSpec], runs_dir: Path, storage: Path) -> list[str]:
    """Runs finished in ``storage`` (not in ``runs_dir``), copied into ``runs_dir``; their names."""
    if _same_place(runs_dir, storage):
        return []
    found = []
    for spec in specs:
        run = RunDir(storage / spec.name)
        try:
            if run.finished and identity(read_config(run.path)) == identity(spec.config):
                sync_run(run.path, runs_dir / spec.name)
                found.append(spec.name)
        except RunError:
            continue  # left to its task, whose error (or failed copy) is then reported for this run
    return found


def seed_storage(spec: RunSpec, runs_dir: Path, storage: Path) -> None:
    """Before a run's task, with the storage elsewhere: RunError if its directory in ``runs_dir`` holds
    anything else (as a local sweep refuses it); an interrupted run there that the storage has no
    checkpoint of is copied to the storage, to resume from."""
    local, shared = RunDir(runs_dir / spec.name), RunDir(storage / spec.name)
    if _same_place(runs_dir, storage) or not local.path.is_dir() or not any(local.path.iterdir()):
        return
    RunDir.create(local.path, spec.config)  # only checks: the directory is not empty
    if local.has_checkpoint and not shared.has_checkpoint:
        sync_run(local.path, shared.path)


def run_ray(specs: list[RunSpec], runs_dir: Path, storage: Path, token: str, progress: Callable[[str], None],
            address: str | None = None, num_cpus: int = 1) -> list[Outcome]:
    """Train ``specs`` as Ray tasks on the cluster at ``address`` (see :func:`_connect`; nothing to train:
    no connection); finished runs end up in ``runs_dir``."""
    if not specs:
        return []
    import ray  # noqa: PLC0415


    _connect(address, num_cpus)
    remote = ray.remote(num_cpus=1, max_retries=MAX_RETRIES)(train_on_node)
    outcomes: list[Outcome] = []
    pending = {}
    for spec in specs:
        try:
            seed_storage(spec, runs_dir, storage)
        except RunError as error:
            outcomes.append((spec.name, describe_error(error)))
            continue
        pending[remote.remote(spec, str(storage), token)] = spec.name
    while pending:
        [ready], _ = ray.wait(list(pending), num_returns=1)
        name = pending.pop(ready)
        try:
            error = ray.get(ready)
        except ray.exceptions.RayTaskError as failure:  # raised outside the run, e.g. ncap not importable there
            error = describe_error(failure.cause if isinstance(failure.cause, BaseException) else failure)
        except ray.exceptions.RayError as crash:  # its node or worker died, MAX_RETRIES + 1 times
            error = f"its node or worker was lost {MAX_RETRIES + 1} times ({type(crash).__name__})"
        if error is None and not _same_place(runs_dir, storage):
            try:
                sync_run(storage / name, runs_dir / name)
            except RunError as copy_error:
                error = describe_error(copy_error)
        outcomes.append((name, error))
        progress(f"[{len(outcomes)}/{len(specs)}] {name}: {error or 'done'}")
    return outcomes
