import numpy as np
import pytest

from ncap.envs.swimmer.tasks import navigate_reward, observation_keys, swim_reward, task_spec


def test_swim_reward_is_linear_up_to_target_speed():
    # head_vel is in the head frame; forward is -y.
    head_vel = np.array([[0, 0.0, 0], [0, 0.05, 0], [0, -0.05, 0], [0, -0.1, 0], [0, -0.3, 0], [5, -0.025, 1]])
    assert np.allclose(swim_reward(head_vel), [0.0, 0.0, 0.5, 1.0, 1.0, 0.25])


def test_navigate_reward_is_one_inside_target_and_decays():
    inside = navigate_reward(np.array([0.05, 0.05]))
    at_margin = navigate_reward(np.array([0.6, 0.0]))
    far = navigate_reward(np.array([3.0, 0.0]))
    assert inside == 1.0
    assert at_margin == pytest.approx(0.1)
    assert 0 < far < at_margin


def test_observation_keys():
    assert observation_keys("swim") == ("joints", "body_velocities", "step")
    assert observation_keys("navigate") == ("joints", "body_velocities", "step", "to_target")
    with pytest.raises(ValueError, match="unknown task 'run'"):
        task_spec("run")
