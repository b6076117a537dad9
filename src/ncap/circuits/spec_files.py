"""Circuit specs from plain data and YAML files: shipped specs by name, or a path.

Reading checks every key and value against the spec dataclasses of
:mod:`ncap.circuits.spec` (unknown keys, wrong types, choices, a key given
twice) and then the circuit as a whole (:func:`~ncap.circuits.spec.validate`);
every problem is a one-line :class:`~ncap.circuits.spec.SpecError`.
"""

from __future__ import annotations

import dataclasses
import typing
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ncap.circuits.spec import UNIT_KINDS, CircuitSpec, SpecError, SynapseSpec, UnitSpec, validate
from ncap.circuits.spec_body import body_from_dict
from ncap.validation import check_value


def _check_fields(cls: type, data: Any, where: str) -> dict:
    """``data`` checked against dataclass ``cls``: a mapping of known keys with values of the right type."""
    if not isinstance(data, dict):
        raise SpecError(f"{where} must be a mapping, got {data!r}")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(map(str, data)) - set(names))
    if unknown:
        raise SpecError(f"{where}: unknown key{'s' * (len(unknown) > 1)} {', '.join(unknown)}; "
                        f"known: {', '.join(names)}")
    return {key: check_value(value, hints[key], f"{where}.{key}", SpecError) for key, value in data.items()}


def spec_from_dict(data: Any, where: str = "circuit spec") -> CircuitSpec:
    """A validated :class:`CircuitSpec` from plain data (a parsed YAML file); SpecError naming the problem."""
    if not isinstance(data, dict):
        raise SpecError(f"{where} must be a mapping with name, units and synapses, got {type(data).__name__}")
    unknown = sorted(set(map(str, data)) - {"name", "description", "body", "units", "synapses"})
    if unknown:
        raise SpecError(f"{where}: unknown key{'s' * (len(unknown) > 1)} {', '.join(unknown)}; "
                        "known: name, description, body, units, synapses")
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise SpecError(f"{where}: name must be a non-empty string, got {name!r}")
    units_data, synapse_data = data.get("units"), data.get("synapses")
    if not isinstance(units_data, dict) or not units_data:
        raise SpecError(f"circuit {name!r}: units must be a non-empty mapping of unit name -> fields")
    if not isinstance(synapse_data, list) or not synapse_data:
        raise SpecError(f"circuit {name!r}: synapses must be a non-empty list")
    units = []
    for unit_name, fields in units_data.items():
        if not isinstance(unit_name, str) or not unit_name.isidentifier():
            raise SpecError(f"circuit {name!r}: unit name {unit_name!r} is not an identifier")
        checked = _check_fields(UnitSpec, fields, f"unit {unit_name!r}")
        if "kind" not in checked:
            raise SpecError(f"unit {unit_name!r}: kind is required (one of {list(UNIT_KINDS)})")
        units.append(UnitSpec(name=unit_name, **{k: v for k, v in checked.items() if k != "name"}))
    synapses = []
    for index, fields in enumerate(synapse_data):
        checked = _check_fields(SynapseSpec, fields, f"synapse {index}")
        missing = [key for key in ("source", "target", "sign") if key not in checked]
        if missing:
            raise SpecError(f"synapse {index}: {', '.join(missing)} required")
        synapses.append(SynapseSpec(**checked))
    body = body_from_dict(data["body"]) if data.get("body") is not None else None
    return validate(CircuitSpec(name=name, units=tuple(units), synapses=tuple(synapses),
                                description=str(data.get("description") or ""), body=body))


SPEC_DIR = "specs"
"""Package folder of the shipped specs (``ncap/circuits/specs/<name>.yaml``)."""


def shipped_specs() -> list[str]:
    """Names of the specs shipped with ncap (``swimmer``, ...)."""
    folder = resources.files("ncap.circuits").joinpath(SPEC_DIR)
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def spec_text(name_or_path: str | Path) -> tuple[str, str]:
    """(text, where) of a shipped spec by name or a YAML file by path; SpecError if neither."""
    text_path = Path(name_or_path)
    if str(name_or_path) in shipped_specs():
        resource = resources.files("ncap.circuits").joinpath(SPEC_DIR, f"{name_or_path}.yaml")
        return resource.read_text(), f"shipped spec {name_or_path!r}"
    if text_path.suffix in (".yaml", ".yml") and text_path.is_file():
        return text_path.read_text(), str(text_path)
    raise SpecError(f"no circuit spec {str(name_or_path)!r}: neither a shipped spec ({', '.join(shipped_specs())}) "
                    "nor a .yaml file")


def load_spec(name_or_path: str | Path) -> CircuitSpec:
    """The validated spec of a shipped name (``"swimmer"``) or a YAML file path."""
    text, where = spec_text(name_or_path)
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506  (a SafeLoader)
    except yaml.YAMLError as error:
        raise SpecError(f"{where} is not valid YAML: {' '.join(str(error).split())}") from None
    return spec_from_dict(data, where)


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping (a unit defined twice)."""

    def construct_mapping(self, node, deep=False):
        keys = [self.construct_object(key, deep=deep) for key, _ in node.value]
        repeated = sorted({str(k) for k in keys if keys.count(k) > 1})
        if repeated:
            raise yaml.constructor.ConstructorError(None, None, f"{repeated[0]!r} is given twice",
                                                    node.start_mark)
        return super().construct_mapping(node, deep=deep)
