"""Atomic writes of run files (through a temporary file, fsync, rename) and code-free checkpoint loading."""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import torch

from ncap.errors import NcapError


class RunError(NcapError, ValueError):
    """A run directory that cannot be used as asked (shown as one line by the CLI)."""


def _temp_prefix(name: str) -> str:
    """Name prefix of the temporary files that an atomic write of the file ``name`` goes through."""
    return f".{name}."


def _atomic(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write ``path`` through a temporary file in its directory, fsync, rename, fsync the directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_temp_prefix(path.name))
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    _atomic(path, lambda handle: handle.write(data))


def atomic_csv(path: Path, fields: Sequence[str], rows: Iterable[dict], restval: str = "") -> None:
    """Write ``rows`` (dicts keyed by ``fields``) as a CSV file with a header, atomically."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fields), restval=restval)
    writer.writeheader()
    writer.writerows(rows)
    atomic_write(path, buffer.getvalue().encode())


def atomic_torch_save(obj: Any, path: Path) -> None:
    """``torch.save`` to ``path`` atomically (streamed to the temporary file, no copy in memory)."""
    _atomic(path, lambda handle: torch.save(obj, handle))


def safe_torch_load(path: Path) -> Any:
    """Load a checkpoint without executing code; RunError if missing, corrupt or truncated."""
    if not path.is_file():
        raise RunError(f"no checkpoint at {path}")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises many kinds for damaged files
        raise RunError(f"corrupt or truncated checkpoint {path} ({type(error).__name__})") from None


def atomic_copy(source: Path, dest: Path) -> None:
    """Copy the file ``source`` to ``dest`` atomically (streamed, no copy in memory)."""
    with source.open("rb") as handle:
        _atomic(dest, lambda out: shutil.copyfileobj(handle, out, 1 << 20))
