"""A sweep's storage path: where each run's directory is kept in step with its latest checkpoint.

On a Ray cluster a run trains in a directory on its node and is copied to
the storage path after every checkpoint and after its final policy
(:func:`sync_run`); an attempt that restarts the run, on another node after
its node was lost or in a later sweep, starts from that copy. Every node and
the driver must see the storage path as the same directory: a shared
filesystem (NFS and the like) on a cluster, any directory on one machine.
The driver writes a token into it (:func:`prepare_storage`) that every task
checks (:func:`check_storage`), so a node that sees another directory under
that name stops with a clear error instead of writing runs nobody collects.
"""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

from ncap.errors import StorageError
from ncap.runs import CHECKPOINT, METRICS, POLICY, RunDir, RunError, atomic_copy, read_config

MARKER = ".ncap-storage"
"""File in the storage path that holds the token of that storage."""
TENSORBOARD = "tb"


def prepare_storage(path: str | Path) -> tuple[Path, str]:
    """The storage directory (created if missing) and its token; StorageError if it cannot be used."""
    text = str(path)
    if "://" in text:
        raise StorageError(f"storage path {text}: give a directory (local, or a mount every node shares), not a URI")
    directory = Path(text).expanduser().absolute()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise StorageError(f"storage path {directory} exists and is not a directory") from None
    except OSError as error:
        raise StorageError(f"storage path {directory}: {error.strerror or error}") from None
    if not os.access(directory, os.W_OK | os.X_OK):
        raise StorageError(f"storage path {directory} is not writable")
    marker = directory / MARKER
    try:
        with marker.open("x") as handle:  # the first sweep names the storage; later ones reuse its token
            handle.write(uuid.uuid4().hex)
    except FileExistsError:
        pass
    except OSError as error:
        raise StorageError(f"storage path {directory}: {error.strerror or error}") from None
    return directory, marker.read_text().strip()


def check_storage(path: str | Path, token: str) -> None:
    """StorageError unless this process sees the driver's storage directory at ``path``."""
    try:
        seen = (Path(path) / MARKER).read_text().strip()
    except OSError:
        seen = None
    if seen != token:
        raise StorageError(f"storage path {path} on node {socket.gethostname()} is not the driver's: "
                           "give a storage path that every node shares")


def progress(run: RunDir) -> float:
    """The last evaluated step of ``run`` (-1 if it has none)."""
    rows = run.read_metrics()
    return rows[-1]["env_steps"] if rows else -1


def sync_run(source: str | Path, dest: str | Path) -> None:
    """Bring run ``dest`` up to run ``source``: config, TensorBoard events, checkpoint, metrics, policy.

    ``dest`` is created, or must hold the same run (RunError otherwise, and
    RunError if it is further on than ``source``: it is never set back). Each
    file is written atomically and the policy, which marks a finished run,
    last, so ``dest`` is at every moment a run that resumes from its
    checkpoint (metrics.csv is rewritten from the checkpoint on resume).
    Nothing in ``dest`` is deleted; a finished ``dest`` is left as it is.
    """
    source_run, dest_run = RunDir(source), RunDir.create(dest, read_config(Path(source)))
    if dest_run.finished:
        return
    if progress(dest_run) > progress(source_run):
        raise RunError(f"{dest_run.path} is further on than {source_run.path}; not overwriting it")
    events = source_run.path / TENSORBOARD
    for path in sorted(events.rglob("*")) if events.is_dir() else []:
        target = dest_run.path / path.relative_to(source_run.path)
        if path.is_file() and (not target.is_file() or target.stat().st_size != path.stat().st_size):
            atomic_copy(path, target)  # event files only grow: a changed size is a changed file
    for name in (CHECKPOINT, METRICS, POLICY):
        if (source_run.path / name).is_file():
            atomic_copy(source_run.path / name, dest_run.path / name)
