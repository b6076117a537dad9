import pytest
import torch

from ncap.circuits import SwimmerCircuit, num_parameters, to_mlp
from ncap.policies import CircuitPolicy, HandCodedController, MLPPolicy, RandomPolicy, step_index


def _obs(batch=4, n_joints=5, target=False):
    generator = torch.Generator().manual_seed(0)
    obs = {
        "joints": torch.rand(batch, n_joints, generator=generator) * 2 - 1,
        "body_velocities": torch.randn(batch, 3 * (n_joints + 1), generator=generator),
        "step": torch.tensor([[0.0], [29.0], [30.0], [61.0]])[:batch],
    }
    if target:
        obs["to_target"] = torch.tensor([[-0.5, 0.3], [0.5, 0.0], [0.0, -1.0], [0.05, 0.05]])[:batch]
    return obs


def test_step_index_rounds_the_float_step():
    assert step_index({"step": torch.tensor([[2.9999], [3.0], [999.0]])}).tolist() == [3, 3, 999]


def test_circuit_policy_equals_the_circuit_on_joints_and_step():
    circuit = SwimmerCircuit(5)
    obs = _obs()
    expected = circuit(obs["joints"], torch.tensor([0, 29, 30, 61]))
    assert torch.equal(CircuitPolicy(circuit)(obs), expected)
    torques, activity = CircuitPolicy(circuit)(obs, return_activity=True)
    assert torch.equal(torques, expected) and set(activity) >= {"b_dorsal", "muscle_ventral"}


def test_circuit_policy_with_embedding_matches_circuit():
    circuit = SwimmerCircuit(5)
    obs = _obs()
    assert torch.allclose(CircuitPolicy(to_mlp(circuit))(obs), CircuitPolicy(circuit)(obs), atol=1e-6)


def test_controller_feeds_turn_and_speed():
    circuit = SwimmerCircuit(5, turn=True, speed=True)
    obs = _obs(target=True)
    policy = CircuitPolicy(circuit, HandCodedController())
    turn, speed = HandCodedController()(obs["to_target"])
    assert torch.equal(policy(obs), circuit(obs["joints"], step_index(obs), turn, speed))


def test_mlp_policy_observes_23_numbers_and_is_bounded():
    policy = MLPPolicy(5, (2, 2))
    assert policy.net.net[0].in_features == 23
    assert num_parameters(policy) == 69  # the paper counts 70 (one more than weights + biases)
    out = policy(_obs())
    assert out.shape == (4, 5) and out.abs().max() <= 1
    assert MLPPolicy(5, (2, 2), observes_target=True).net.net[0].in_features == 25
    assert num_parameters(MLPPolicy(5, (256, 256))) == 73_221


def test_random_policy_is_seeded_and_in_range():
    a = RandomPolicy(5, seed=3)(_obs())
    b = RandomPolicy(5, seed=3)(_obs())
    assert torch.equal(a, b) and a.abs().max() <= 1
    with pytest.raises(AssertionError):
        assert torch.equal(a, RandomPolicy(5, seed=4)(_obs()))
