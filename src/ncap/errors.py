"""ncap's own error types: what a user can cause, as opposed to bugs.

The ``ncap`` command shows these (and ``OSError``) as one line,
``ncap: error: <message>``, with exit code 2; any other exception is a bug
and keeps its traceback. Messages name settings (``n_links``, ``arch``), not
command-line flags, so they read the same from Python.
"""

import traceback
from pathlib import Path


class NcapError(Exception):
    """Base of the errors a user can cause: bad settings, run directories, files."""


class ConfigError(NcapError, ValueError):
    """A setting or input value that is not valid (also a ``ValueError`` for library users)."""


class ClusterError(NcapError):
    """A Ray cluster that cannot be used: unreachable address, Ray not running there."""


class StorageError(NcapError):
    """A storage path for a sweep's runs that cannot be used: not a directory, not writable, not shared."""


def describe_error(error: BaseException) -> str:
    """An error as one line: its type, message and where it was raised."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f" ({Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(error).__name__}: {' '.join(str(error).split())}{where}"
