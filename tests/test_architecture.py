import pytest
import torch

from ncap.circuits import EmbeddedMLP, SwimmerCircuit, num_parameters
from ncap.policies import ArchitectureConfig, CircuitPolicy, MLPPolicy, build_policy


@pytest.mark.parametrize("config,expected", [
    (ArchitectureConfig(), 4),
    (ArchitectureConfig(weight_sharing=False), 30),
    (ArchitectureConfig(controller="hand-coded"), 6),
    (ArchitectureConfig(controller="learned"), 6 + 9),
    (ArchitectureConfig(arch="mlp", hidden=(256, 256)), 73_221),
    (ArchitectureConfig(arch="random"), 0),
])
def test_parameter_counts(config, expected):
    task = "navigate" if config.controller else "swim"
    assert num_parameters(build_policy(config, task, 6)) == expected


def test_dense_embedding_builds_the_12_10_10_mlp():
    policy = build_policy(ArchitectureConfig(dense_embedding=True), "swim", 6)
    assert isinstance(policy, CircuitPolicy) and isinstance(policy.circuit, EmbeddedMLP)
    assert policy.circuit.hidden_sizes == (12, 10, 10)


def test_same_seed_same_mlp_and_global_rng_untouched():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = build_policy(ArchitectureConfig(arch="mlp", hidden=(8,)), "swim", 6, seed=1)
    after = torch.rand(1)
    b = build_policy(ArchitectureConfig(arch="mlp", hidden=(8,)), "swim", 6, seed=1)
    assert torch.equal(before, after)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert isinstance(a, MLPPolicy)


def test_ablation_switches_reach_the_circuit():
    policy = build_policy(ArchitectureConfig(sign_constraints=False, init="uniform"), "swim", 6, seed=0)
    assert isinstance(policy.circuit, SwimmerCircuit)
    assert policy.circuit.config.sign_constraints is False and policy.circuit.config.init == "uniform"


@pytest.mark.parametrize("kwargs,task,message", [
    ({"arch": "cnn"}, "swim", "unknown arch"),
    ({"arch": "mlp", "hidden": (0, 3)}, "swim", "hidden sizes"),
    ({"arch": "mlp", "mlp_activation": "gelu"}, "swim", "unknown mlp_activation 'gelu'"),
    ({"mlp_activation": "tanh"}, "swim", "applies to arch mlp only"),
    ({"arch": "mlp", "controller": "learned"}, "navigate", "needs arch ncap"),
    ({"controller": "learned"}, "swim", "navigate task"),
    ({"controller": "wheel"}, "navigate", "unknown controller"),
])
def test_bad_architectures(kwargs, task, message):
    with pytest.raises(ValueError, match=message):
        build_policy(ArchitectureConfig(**kwargs), task, 6)


def test_circuit_settings_reach_the_circuit_as_transformations_of_the_shipped_swimmer_spec():
    from ncap.circuits import SwimmerCircuit, load_spec, swimmer_spec
    from ncap.config import TrainConfig, merge
    from ncap.policies.architecture import circuit_spec

    assert circuit_spec(ArchitectureConfig()) == load_spec("swimmer")  # arch ncap is the shipped spec
    config = merge(TrainConfig(), {"arch": {"oscillator": "sine", "oscillator_period": 40, "weight_sharing": False}})
    assert circuit_spec(config.arch) == swimmer_spec(weight_sharing=False, oscillator="sine", period=40)
    circuit = build_policy(config.arch, "swim", 6).circuit
    assert isinstance(circuit, SwimmerCircuit)  # the swimmer spec runs on its fused kernel
    assert (circuit.config.oscillator, circuit.config.oscillator_period, circuit.config.weight_sharing) == \
        ("sine", 40, False)
    with pytest.raises(ValueError, match="0 < duty < period; got period 20, duty 30"):
        merge(TrainConfig(), {"arch": {"oscillator_period": 20}})  # duty 30 >= period 20: refused by the config
