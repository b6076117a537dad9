"""The ``ncap`` command: one CLI over the library.

Every error a user can cause ends with one line on stderr,
``ncap: error: <message>``, and exit code 2; never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys

from ncap.cli import compare, diagram, evaluate, plot, sweep, train, video
from ncap.cli.errors import UsageError
from ncap.errors import NcapError


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage dump)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ncap", description="Neural circuit architectural priors for embodied control.")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    train.add_parser(subparsers)
    evaluate.add_parser(subparsers)
    video.add_parsers(subparsers)
    plot.add_parser(subparsers)
    diagram.add_parser(subparsers)
    sweep.add_parsers(subparsers)
    compare.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code.

    Torch runs on one thread: the networks are small, and the simulator's
    threads use the cores (measured faster than torch's default here).
    """
    try:
        args = build_parser().parse_args(argv)
        import torch  # noqa: PLC0415  (after parsing: `ncap --help` stays fast)

        torch.set_num_threads(1)
        args.handler(args)
        sys.stdout.flush()  # a closed pipe shows here, inside the try, not at interpreter exit
    except NcapError as error:  # ours only: any other exception is a bug and keeps its traceback
        print(f"ncap: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `ncap eval --json | head` (before OSError, of which it is a kind)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's recipe: exit flushes nowhere
        return 0
    except OSError as error:  # files and directories: missing, not writable, disk full, cluster unreachable
        where = f": {error.filename}" if error.filename else ""
        print(f"ncap: error: {error.strerror or error}{where}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ncap: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
