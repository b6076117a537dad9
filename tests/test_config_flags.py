"""Flags generated from the config dataclasses: every field once, nothing written by hand."""

import argparse
import dataclasses
import typing

import pytest

from ncap.cli.config_flags import add_config_flags, config_overrides, field_docs
from ncap.config import TrainConfig, merge


def _parser():
    parser = argparse.ArgumentParser()
    add_config_flags(parser)
    return parser


def _leaf_fields(cls=TrainConfig, prefix=""):
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):
        if dataclasses.is_dataclass(hints[field.name]):
            yield from _leaf_fields(hints[field.name], f"{prefix}{field.name}.")
        else:
            yield prefix + field.name


def test_every_setting_has_a_flag_with_its_docstring_as_help():
    actions = {action.dest: action for action in _parser()._actions}
    for dotted in _leaf_fields():
        assert "config:" + dotted in actions, dotted
    assert actions["config:ppo.kl_stop"].choices == ["actor", "both"]  # from the Literal
    assert actions["config:n_links"].help == field_docs(TrainConfig)["n_links"]


def test_flags_become_nested_overrides_and_unset_flags_override_nothing():
    args = _parser().parse_args(["--n-links", "8", "--hidden", "32,32", "--no-weight-sharing", "--weight-init",
                                 "uniform", "--ppo-kl-stop", "both", "--es-gradient", "salimans", "--workers", "2"])
    overrides = config_overrides(args)
    assert overrides == {"n_links": 8, "arch": {"hidden": [32, 32], "weight_sharing": False, "init": "uniform"},
                         "ppo": {"kl_stop": "both"}, "es": {"gradient": "salimans", "workers": 2}}
    config = merge(TrainConfig(), overrides)
    assert config.arch.hidden == (32, 32) and config.es.workers == 2
    assert config_overrides(_parser().parse_args([])) == {}


def test_freeze_circuit_is_an_alias_of_no_train_circuit():
    assert config_overrides(_parser().parse_args(["--freeze-circuit"])) == {"arch": {"train_circuit": False}}
    assert config_overrides(_parser().parse_args(["--no-train-circuit"])) == {"arch": {"train_circuit": False}}


@pytest.mark.parametrize("argv", [["--steps", "many"], ["--hidden", "a,b"], ["--ppo-kl-stop", "never"]])
def test_malformed_values_are_argparse_errors(argv):
    with pytest.raises(SystemExit):
        _parser().parse_args(argv)
