"""The error a user can cause, reported as one line by the CLI."""


class UsageError(Exception):
    """Bad flags, configs, files or run directories: shown as ``ncap: error: <message>``."""
