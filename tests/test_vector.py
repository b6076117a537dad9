import gymnasium
import numpy as np
import pytest

import ncap.envs  # noqa: F401  (registers the ids)
from ncap.envs.swimmer.reference import make_reference_env
from ncap.envs.swimmer.vector import SwimmerVecEnv, SwimmerVectorEnv


def test_gymnasium_vector_env_seeds_like_reference_and_autoresets_same_step():
    env = gymnasium.make_vec("ncap/Swim-v0", num_envs=3, vectorization_mode="vector_entry_point", n_links=4)
    obs, _ = env.reset(seed=20)
    for i in range(3):
        ref = make_reference_env("swim", 4, seed=20 + i).reset().observation
        assert np.array_equal(obs["joints"][i], ref["joints"])
    assert env.observation_space.contains(obs)
    for step in range(1000):
        obs, reward, terminated, truncated, infos = env.step(np.zeros((3, 3), dtype=np.float32))
        assert reward.shape == (3,) and not terminated.any()
    assert truncated.all()
    assert infos["final_obs"][0]["step"][0] == 1000
    assert obs["step"][0, 0] == 0  # already the next episode
    assert infos["episode"]["l"][0] == 1000
    env.close()


def test_sb3_vec_env_truncation_infos_and_seeding():
    env = SwimmerVecEnv("navigate", 5, num_envs=2)
    env.seed(9)
    first = env.reset()
    ref = make_reference_env("navigate", 5, seed=10).reset().observation
    assert np.array_equal(first["to_target"][1], ref["to_target"])
    total = np.zeros(2)
    for _ in range(1000):
        env.step_async(np.zeros((2, 4)))
        obs, reward, dones, infos = env.step_wait()
        total += reward
    assert dones.all()
    assert infos[0]["TimeLimit.truncated"] is True
    assert infos[0]["terminal_observation"]["step"][0] == 1000
    assert infos[1]["episode"]["r"] == pytest.approx(total[1], rel=1e-5)
    env.close()


def test_vector_env_checks_actions():
    env = SwimmerVectorEnv("swim", 4, num_envs=2)
    env.reset(seed=0)
    with pytest.raises(ValueError, match="finite"):
        env.step(np.array([[0, 0, np.inf], [0, 0, 0]]))
