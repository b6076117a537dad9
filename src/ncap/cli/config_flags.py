"""Command-line flags generated from the config dataclasses: each setting is written once.

Every field of :class:`TrainConfig` becomes a flag: top-level fields and the
architecture's as ``--name`` (``--n-links``, ``--hidden``, ``--weight-sharing``
/ ``--no-weight-sharing``), the algorithms' sections with their prefix
(``--ppo-actor-lr``, ``--offpolicy-random-steps``, ``--es-gradient``). The
type, the choices (``typing.get_args`` of a ``Literal``) and the help text (the
field's docstring) come from the dataclass; values are checked, once, by the
config itself. A flag that is not given overrides nothing.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import inspect
import textwrap
import types
import typing
from functools import cache
from typing import Any, Literal

from ncap.config import TrainConfig

FLATTENED = ("arch",)
"""Sections whose fields are flags without a prefix."""
FLAG_NAMES = {"arch.init": "--weight-init", "es.workers": "--workers", "es.ray_address": "--ray-address"}
"""Fields whose flag is not derived from the name (``--init`` means "untrained" in ``ncap eval``)."""
NEGATIVE_ALIASES = {"arch.train_circuit": "--freeze-circuit"}
"""Extra flags that set a boolean field to false."""
_DEST = "config:"


@cache
def field_docs(cls: type) -> dict[str, str]:
    """The docstring under each field of dataclass ``cls`` (first line), read from its source."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs = {}
    for node, following in zip(body, body[1:]):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)):
            docs[node.target.id] = str(following.value.value).strip().splitlines()[0]
    return docs


def _number(kind: type) -> Any:
    def parse(text: str):
        try:
            return kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {'an integer' if kind is int else 'a number'}, "
                                             f"got {text!r}") from None
    parse.__name__ = kind.__name__
    return parse


def _int_list(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, e.g. 256,256, got {text!r}") from None


def _float_list(text: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, e.g. 0.75,1.25, got {text!r}") from None


def _add(parser: argparse.ArgumentParser, dotted: str, hint: Any, doc: str) -> None:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):  # Optional[X]: the flag sets X
        hint = next(a for a in args if a is not type(None))
        origin, args = typing.get_origin(hint), typing.get_args(hint)
    section, _, name = dotted.rpartition(".")
    prefix = "" if section in ("", *FLATTENED) else section + "-"
    flag = FLAG_NAMES.get(dotted, "--" + (prefix + name).replace("_", "-"))
    common = {"dest": _DEST + dotted, "default": None, "help": doc, "metavar": name.upper()}
    if hint is bool:
        parser.add_argument(flag, action=argparse.BooleanOptionalAction, **{**common, "metavar": None})
        if dotted in NEGATIVE_ALIASES:
            parser.add_argument(NEGATIVE_ALIASES[dotted], action="store_false", dest=_DEST + dotted,
                                default=None, help=f"same as --no-{flag[2:]}")
    elif origin is Literal:
        parser.add_argument(flag, choices=list(args), **{**common, "metavar": None})
    elif origin is tuple and args[0] is float:
        parser.add_argument(flag, type=_float_list, **{**common, "metavar": "X,X"})
    elif origin is tuple:
        parser.add_argument(flag, type=_int_list, **{**common, "metavar": "N,N,..."})
    elif hint in (int, float):
        parser.add_argument(flag, type=_number(hint), **common)
    else:
        parser.add_argument(flag, type=str, **common)


def add_config_flags(parser: argparse.ArgumentParser, cls: type = TrainConfig, section: str = "") -> None:
    """Add a flag for every field of ``cls`` (nested dataclasses recursively)."""
    hints, docs = typing.get_type_hints(cls), field_docs(cls)
    for field in dataclasses.fields(cls):
        dotted = f"{section}.{field.name}" if section else field.name
        if dataclasses.is_dataclass(hints[field.name]):
            add_config_flags(parser, hints[field.name], dotted)
        else:
            _add(parser, dotted, hints[field.name], docs.get(field.name, ""))


def config_overrides(args: argparse.Namespace) -> dict:
    """The flags given on the command line as nested config overrides (``merge``'s input)."""
    out: dict = {}
    for dest, value in vars(args).items():
        if not dest.startswith(_DEST) or value is None:
            continue
        *path, last = dest[len(_DEST):].split(".")
        node = out
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    return out
