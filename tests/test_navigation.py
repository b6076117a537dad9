import pytest
import torch

from ncap.circuits import num_parameters
from ncap.policies import HandCodedController, LearnedController, make_controller


def test_hand_coded_thresholds():
    # x = -to_target[0]: positive means the target is to the right; y = to_target[1].
    to_target = torch.tensor([[-0.5, 0.3], [0.5, 0.0], [0.0, -1.0], [0.05, 0.05]])
    turn, speed = HandCodedController()(to_target)
    assert turn.tolist() == [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0], [0.0, 0.0]]
    assert speed.tolist() == [1.0, 0.0, 1.0, 0.0]


def test_learned_controller_is_linear_clamped_and_has_9_parameters():
    controller = LearnedController()
    assert num_parameters(controller) == 9
    turn, speed = controller(torch.tensor([[-0.5, 0.3], [0.5, 0.0]]))
    assert turn.min() >= 0 and turn.max() <= 1 and speed.min() >= 0 and speed.max() <= 1
    # Initialized to steer like the hand-coded rule: right for a target on the right.
    assert turn[0, 0] > turn[0, 1] and turn[1, 1] > turn[1, 0]


def test_unknown_controller():
    with pytest.raises(ValueError, match="unknown controller"):
        make_controller("joystick")


def _swim_with_commands(turn, speed, n_links=6, steps=300):
    """Mean head-joint angle and swim return of the constant-init circuit under fixed commands."""
    import numpy as np

    from ncap.circuits import SwimmerCircuit
    from ncap.envs import BatchedSwimmer

    circuit = SwimmerCircuit(n_links - 1, turn=True, speed=True)
    sim = BatchedSwimmer("swim", n_links, num_envs=4, seed=0)
    obs, total, head = sim.reset(), 0.0, []
    turn = torch.tensor(turn, dtype=torch.float32).expand(4, 2)
    speed = torch.full((4,), float(speed))
    with torch.no_grad():
        for _ in range(steps):
            joints = torch.as_tensor(obs["joints"], dtype=torch.float32)
            step = torch.as_tensor(obs["step"][:, 0]).long()
            obs, reward, _ = sim.step(circuit(joints, step, turn=turn, speed=speed).double().numpy())
            total += reward.mean()
            head.append(obs["joints"][:, 0])
    return float(np.mean(head)), total


def test_turn_inputs_bend_the_head_towards_the_commanded_side():
    # r (target on the right) excites the head's dorsal B neuron: positive torque and angle on the
    # first joint, i.e. the head turns right relative to the body; l does the opposite.
    right, _ = _swim_with_commands((1.0, 0.0), 1.0)
    left, _ = _swim_with_commands((0.0, 1.0), 1.0)
    straight, _ = _swim_with_commands((0.0, 0.0), 1.0)
    assert right > 0.1 > abs(straight) and left < -0.1


def test_speed_zero_stops_and_speed_one_swims():
    _, stopped = _swim_with_commands((0.0, 0.0), 0.0)
    _, swimming = _swim_with_commands((0.0, 0.0), 1.0)
    assert stopped < 5.0 and swimming > 150.0


def test_hand_coded_controller_reaches_targets_the_bare_circuit_misses():
    from ncap.evaluation import evaluate
    from ncap.policies import ArchitectureConfig, build_policy

    bare = evaluate(build_policy(ArchitectureConfig(), "navigate", 6), "navigate", 6, episodes=8, seed=0)
    steered = evaluate(build_policy(ArchitectureConfig(controller="hand-coded"), "navigate", 6),
                       "navigate", 6, episodes=8, seed=0)
    assert steered.mean_return > 2 * bare.mean_return
    assert steered.reach_rate > bare.reach_rate and steered.mean_final_distance < bare.mean_final_distance
    payload = steered.to_dict()
    assert {"reach_rate", "mean_time_to_reach", "mean_final_distance"} <= set(payload)


def test_freeze_circuit_trains_only_the_controller():
    from ncap.circuits import num_parameters
    from ncap.policies import ArchitectureConfig, build_policy
    from ncap.training.population import PopulationPolicy

    policy = build_policy(ArchitectureConfig(controller="learned", train_circuit=False), "navigate", 6)
    assert num_parameters(policy) == 9 and PopulationPolicy(policy).size == 9
    with pytest.raises(ValueError, match="learned controller"):
        ArchitectureConfig(controller="hand-coded", train_circuit=False)
