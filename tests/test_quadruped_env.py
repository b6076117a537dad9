"""The quadruped body and task: the batched simulator against dm_control, the task's rules, the Gymnasium ids."""

import gymnasium as gym
import numpy as np
import pytest
from dm_control.utils import transformations

import ncap  # noqa: F401  (registers the Gymnasium ids)
from ncap.envs.quadruped import BatchedQuadruped, QuadrupedTaskConfig, locomotion_reward, make_quadruped_reference_env
from ncap.envs.quadruped.body import EPISODE_STEPS, quadruped_body
from ncap.envs.quadruped.gym_env import observation_space
from ncap.envs.quadruped.task import roll_pitch
from ncap.errors import ConfigError


def bang_bang(t: int, count: int) -> np.ndarray:
    """Hard alternating commands, different per body: some bodies fall within an episode."""
    return np.sign(np.sin(t / 5 + np.arange(count)[:, None] * np.arange(8)[None]))


@pytest.mark.parametrize("terrain", ["flat", "bumps"])
def test_batched_equals_reference_step_for_step_falls_included(terrain):
    config, count, seed = QuadrupedTaskConfig(terrain=terrain), 4, 3
    sim = BatchedQuadruped(config, num_envs=count, nthread=2, seed=seed)
    refs = [make_quadruped_reference_env(config, seed=seed + i) for i in range(count)]
    obs = sim.reset()
    for ref in refs:
        ref.reset()
    ended = [False] * count
    for t in range(EPISODE_STEPS):
        actions = bang_bang(t, count)
        obs, rewards, done = sim.step(actions)
        for i, ref in enumerate(refs):
            if ended[i]:
                assert rewards[i] == 0.0
                continue
            step = ref.step(actions[i])
            assert rewards[i] == pytest.approx(step.reward, abs=1e-9)
            for key, value in step.observation.items():
                np.testing.assert_allclose(obs[key][i], value, atol=1e-9, err_msg=key)
            ended[i] = step.last()
            assert ended[i] == (not sim.alive[i]) or t == EPISODE_STEPS - 1
        if done:
            break
    if terrain == "flat":
        assert not all(sim.alive), "the bang-bang commands should topple at least one body"


def test_equal_seeds_equal_episodes_and_starts_are_randomized():
    def episode(seed):
        sim = BatchedQuadruped(QuadrupedTaskConfig(terrain="bumps"), num_envs=2, nthread=1, seed=seed)
        first = sim.reset()
        total = np.zeros(2)
        for t in range(50):
            _, reward, _ = sim.step(bang_bang(t, 2))
            total += reward
        return first, total, [sim.model_of(i).geom_friction[0, 0] for i in range(2)]

    a, b, c = episode(5), episode(5), episode(6)
    np.testing.assert_array_equal(a[1], b[1])
    assert a[2] == b[2] and a[2] != c[2]
    assert a[2][0] != a[2][1], "each body draws its own friction"
    assert not np.array_equal(a[0]["foot_contact"], c[0]["foot_contact"]) or a[2] != c[2]


def test_observations_hold_their_space_and_are_finite():
    space = observation_space()
    sim = BatchedQuadruped(QuadrupedTaskConfig(), num_envs=2, nthread=1, seed=0)
    obs = sim.reset()
    for t in range(30):
        obs, _, _ = sim.step(bang_bang(t, 2))
        for i in range(2):
            one = {key: value[i] for key, value in obs.items()}
            assert space.contains(one)
            assert all(np.isfinite(v).all() for v in one.values())
    standing = BatchedQuadruped(QuadrupedTaskConfig(), num_envs=1, nthread=1, seed=0)
    standing.reset()
    for _ in range(60):
        obs, _, _ = standing.step(np.zeros((1, 8)))
    np.testing.assert_allclose(obs["foot_contact"], 0.5, atol=0.02)  # four feet carry the weight
    np.testing.assert_allclose(obs["torso_up"][0], [0, 0, 1], atol=1e-3)


def test_friction_is_drawn_in_range_and_matters():
    frictions = [BatchedQuadruped(QuadrupedTaskConfig(friction=(0.4, 0.6)), 1, nthread=1, seed=s) for s in range(5)]
    for sim in frictions:
        sim.reset()
        assert 0.4 <= sim.model_of(0).geom_friction[quadruped_body("flat").ground_geoms[0], 0] <= 0.6


def test_reward_by_hand():
    v = 0.5
    assert locomotion_reward(np.array(0.5), np.array(0.0), np.array(0.0), v) == pytest.approx(1.0)
    assert locomotion_reward(np.array(1.0), np.array(0.0), np.array(0.0), v) == pytest.approx(1.0)
    assert locomotion_reward(np.array(0.0), np.array(0.0), np.array(0.0), v) == pytest.approx(0.5)  # standing still
    assert locomotion_reward(np.array(-0.5), np.array(0.0), np.array(0.0), v) == pytest.approx(0.0)
    assert locomotion_reward(np.array(2.0), np.array(0.0), np.array(0.0), v) == pytest.approx(0.0)
    assert locomotion_reward(np.array(1.5), np.array(0.0), np.array(2.0), v) == pytest.approx(0.5 - 0.2)
    assert locomotion_reward(np.array(0.5), np.array(np.pi / 3), np.array(0.0), v) == pytest.approx(0.75)


def test_roll_and_pitch_match_dm_control():
    rng = np.random.default_rng(0)
    for _ in range(20):
        quat = rng.normal(size=4)
        quat /= np.linalg.norm(quat)
        roll, pitch = roll_pitch(quat)
        expected = transformations.quat_to_euler(quat)
        assert roll == pytest.approx(expected[0]) and pitch == pytest.approx(expected[1])


@pytest.mark.parametrize("bad", [{"speed": 0}, {"speed": -1.0}, {"terrain": "ice"}, {"friction": (0.0, 1.0)},
                                 {"friction": (1.2, 0.8)}, {"friction": (0.5, 9.0)}, {"friction": "high"}])
def test_bad_task_settings_are_config_errors(bad):
    with pytest.raises(ConfigError):
        QuadrupedTaskConfig(**bad)


def test_bad_actions_are_refused():
    sim = BatchedQuadruped(QuadrupedTaskConfig(), 2, nthread=1, seed=0)
    sim.reset()
    with pytest.raises(ValueError, match="shape"):
        sim.step(np.zeros((2, 12)))
    with pytest.raises(ValueError, match="finite"):
        sim.step(np.full((2, 8), np.nan))


@pytest.mark.parametrize("env_id,speed", [("ncap/QuadrupedWalk-v0", 0.5), ("ncap/QuadrupedRun-v0", 1.0)])
def test_gymnasium_ids(env_id, speed):
    env = gym.make(env_id, terrain="bumps", friction=1.0, free_yaw=True)
    obs, _ = env.reset(seed=0)
    assert env.action_space.shape == (12,)
    assert obs["target_speed"][0] == speed
    obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
    assert np.isfinite(reward) and not terminated and not truncated and "forward_displacement" in info
    env.close()


def test_vector_env_restarts_bodies_one_by_one_as_their_own_reference_envs_do():
    from ncap.envs.quadruped.vector import QuadrupedVecEnv  # noqa: PLC0415

    config, count, seed = QuadrupedTaskConfig(), 3, 21
    env = QuadrupedVecEnv(config, count, nthread=1)
    env.seed(seed)
    obs = env.reset()
    refs = [make_quadruped_reference_env(config, seed=seed + i) for i in range(count)]
    for ref in refs:
        ref.reset()
    restarts = 0
    for t in range(700):
        actions = bang_bang(t, count)
        obs, rewards, dones, infos = env.step(actions)
        for i, ref in enumerate(refs):
            step = ref.step(actions[i])
            assert rewards[i] == pytest.approx(step.reward, abs=1e-6)
            assert dones[i] == step.last()
            if step.last():
                restarts += 1
                assert infos[i]["TimeLimit.truncated"] == (step.discount == 1.0)
                for key, value in step.observation.items():
                    np.testing.assert_allclose(infos[i]["terminal_observation"][key], value, atol=1e-9, err_msg=key)
                step = ref.reset()
            for key, value in step.observation.items():
                np.testing.assert_allclose(obs[key][i], value, atol=1e-9, err_msg=f"{key} of body {i} at {t}")
    assert restarts >= 3
