import numpy as np

from ncap.envs.swimmer.reference import make_reference_env


def test_reference_episode_is_1000_steps_and_a_time_out():
    env = make_reference_env("swim", 4, seed=0)
    time_step = env.reset()
    assert time_step.observation["step"][0] == 0
    steps = 0
    while not time_step.last():
        time_step = env.step(np.zeros(3))
        steps += 1
    assert steps == 1000
    assert time_step.discount == 1.0  # a time-out, not a terminal state
    assert time_step.observation["step"][0] == 1000


def test_reference_navigate_observes_target():
    env = make_reference_env("navigate", 6, seed=1)
    obs = env.reset().observation
    assert set(obs) == {"joints", "body_velocities", "step", "to_target"}
    assert obs["joints"].shape == (5,) and obs["body_velocities"].shape == (18,)
