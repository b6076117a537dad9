"""Contract tests over every registered task and several body lengths."""

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import ncap  # noqa: F401  (registers the ids)
from ncap.registration import ENV_IDS

N_LINKS = [3, 6, 10, 16]


@pytest.mark.parametrize("env_id", sorted(ENV_IDS))
@pytest.mark.parametrize("n_links", N_LINKS)
def test_contract(env_id, n_links):
    env = gymnasium.make(env_id, n_links=n_links)
    check_env(env.unwrapped, skip_render_check=True)
    obs, _ = env.reset(seed=7)
    rng = np.random.default_rng(0)
    length, truncated, terminated = 0, False, False
    while not (truncated or terminated):
        obs, reward, terminated, truncated, _ = env.step(rng.uniform(-1, 1, n_links - 1).astype(np.float32))
        length += 1
        assert env.observation_space.contains(obs), f"observation outside its space at step {length}"
        assert all(np.isfinite(v).all() for v in obs.values())
        assert 0.0 <= reward <= 1.0
    assert length == 1000 and truncated and not terminated
    assert obs["step"][0] == 1000
    env.close()


@pytest.mark.parametrize("env_id", sorted(ENV_IDS))
def test_same_seed_same_trajectory_and_different_seeds_differ(env_id):
    def trajectory(seed):
        env = gymnasium.make(env_id, n_links=5)
        obs, _ = env.reset(seed=seed)
        states = [obs["joints"]]
        for t in range(50):
            obs, *_ = env.step(np.full(4, np.sin(t / 5), dtype=np.float32))
            states.append(obs["body_velocities"])
        return np.concatenate(states)

    assert np.array_equal(trajectory(3), trajectory(3))
    assert not np.allclose(trajectory(3)[:4], trajectory(4)[:4])


@pytest.mark.parametrize("n_links", N_LINKS)
def test_zero_action_barely_swims(n_links):
    env = gymnasium.make("ncap/Swim-v0", n_links=n_links)
    env.reset(seed=0)
    total = sum(env.step(np.zeros(n_links - 1, dtype=np.float32))[1] for _ in range(1000))
    assert total < 5.0  # of a possible 1000


def test_bad_actions_are_refused():
    env = gymnasium.make("ncap/Swim-v0", n_links=6).unwrapped
    env.reset(seed=0)
    with pytest.raises(ValueError, match="finite"):
        env.step(np.array([np.nan, 0, 0, 0, 0]))
    with pytest.raises(ValueError, match="shape"):
        env.step(np.zeros(3))


def test_out_of_range_actions_are_clipped_like_mujoco():
    def final(action):
        env = gymnasium.make("ncap/Swim-v0", n_links=4).unwrapped
        env.reset(seed=0)
        for _ in range(20):
            obs, *_ = env.step(action)
        return obs["body_velocities"]

    assert np.array_equal(final(np.array([5.0, -7.0, 1.0])), final(np.array([1.0, -1.0, 1.0])))


def test_import_ncap_registers_and_module_prefix_needs_no_import():
    import subprocess
    import sys

    script = ("import gymnasium, sys; env = gymnasium.make('ncap.envs:ncap/Swim-v0', n_links=4); "
              "assert env.reset(seed=0)[0]['joints'].shape == (3,)")
    subprocess.run([sys.executable, "-c", script], check=True)
    light = ("import sys, ncap, gymnasium; assert 'ncap/Navigate-v0' in gymnasium.registry; "
             "assert 'mujoco' not in sys.modules and 'dm_control' not in sys.modules")
    subprocess.run([sys.executable, "-c", light], check=True)
