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
