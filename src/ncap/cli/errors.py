"""The error a user can cause, reported as one line by the CLI."""


from ncap.errors import NcapError


class UsageError(NcapError):
    """Bad flags, configs, files or run directories: shown as ``ncap: error: <message>``."""
