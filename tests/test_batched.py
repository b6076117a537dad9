"""The batched simulator against the dm_control reference, step by step."""

import numpy as np
import pytest

from ncap.envs.swimmer.batched import BatchedSwimmer
from ncap.envs.swimmer.reference import make_reference_env


def _max_difference(obs, time_steps):
    return max(
        float(np.abs(np.asarray(ts.observation[key]) - obs[key][i]).max())
        for i, ts in enumerate(time_steps) for key in ts.observation
    )


@pytest.mark.parametrize("task,n_links,steps", [("swim", 6, 1000), ("swim", 3, 300), ("navigate", 10, 300)])
def test_batched_reproduces_reference_trajectories_and_rewards(task, n_links, steps):
    num_envs, seed = 3, 11
    sim = BatchedSwimmer(task, n_links, num_envs=num_envs, nthread=2, seed=seed)
    refs = [make_reference_env(task, n_links, seed=seed + i) for i in range(num_envs)]
    obs = sim.reset()
    time_steps = [ref.reset() for ref in refs]
    assert _max_difference(obs, time_steps) < 1e-9
    rng = np.random.default_rng(0)
    for _ in range(steps):
        # Out of range on purpose: both sides clip through MuJoCo's ctrlrange.
        actions = rng.uniform(-1.5, 1.5, size=(num_envs, n_links - 1))
        obs, reward, _ = sim.step(actions)
        time_steps = [ref.step(a) for ref, a in zip(refs, actions)]
        assert _max_difference(obs, time_steps) < 1e-9
        assert np.allclose(reward, [ts.reward for ts in time_steps], rtol=0, atol=1e-9)


def test_thread_count_does_not_change_results():
    actions = np.random.default_rng(1).uniform(-1, 1, size=(50, 8, 5))
    finals = []
    for nthread in (1, 2):
        sim = BatchedSwimmer("swim", 6, num_envs=8, nthread=nthread, seed=3)
        sim.reset()
        for a in actions:
            obs, _, _ = sim.step(a)
        finals.append(obs["body_velocities"])
    assert np.array_equal(finals[0], finals[1])


def test_reset_without_seed_continues_the_streams():
    sim = BatchedSwimmer("swim", 4, num_envs=2, seed=0)
    first = sim.reset()["joints"]
    second = sim.reset()["joints"]
    assert not np.allclose(first, second)
    assert np.array_equal(sim.reset(seed=0)["joints"], first)


def test_episode_times_out_after_1000_steps():
    sim = BatchedSwimmer("swim", 3, num_envs=2, seed=0)
    sim.reset()
    for step in range(1, 1001):
        _, _, truncated = sim.step(np.zeros((2, 2)))
        assert truncated == (step == 1000)
    with pytest.raises(RuntimeError, match="reset"):
        sim.step(np.zeros((2, 2)))


@pytest.mark.parametrize("actions,message", [
    (np.zeros((2, 4)), "shape"),
    (np.zeros(5), "shape"),
    (np.full((2, 5), np.nan), "finite"),
    (np.full((2, 5), np.inf), "finite"),
])
def test_bad_actions_are_value_errors(actions, message):
    sim = BatchedSwimmer("swim", 6, num_envs=2, seed=0)
    sim.reset()
    with pytest.raises(ValueError, match=message):
        sim.step(actions)


@pytest.mark.parametrize("kwargs,message", [
    ({"n_links": 2}, "n_links"), ({"n_links": 4.5}, "n_links"), ({"task": "fly"}, "unknown task"),
    ({"num_envs": 0}, "num_envs"), ({"nthread": 0}, "nthread"), ({"seed": -1}, "seed"),
])
def test_bad_construction_is_a_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BatchedSwimmer(**kwargs)


def test_get_and_set_state_continue_exactly():
    actions = np.random.default_rng(2).uniform(-1, 1, size=(40, 3, 4))
    sim = BatchedSwimmer("navigate", 5, num_envs=3, seed=1)
    sim.reset()
    for a in actions[:20]:
        sim.step(a)
    snapshot = sim.get_state()
    expected = [sim.step(a)[0]["body_velocities"] for a in actions[20:]]
    other = BatchedSwimmer("navigate", 5, num_envs=3, seed=99)
    other.reset()
    other.set_state(snapshot)
    assert other.step_index == 20
    assert all(np.array_equal(other.step(a)[0]["body_velocities"], e) for a, e in zip(actions[20:], expected))
    # the random streams continue too: next episodes start alike
    for _ in range(1000 - 40):
        sim.step(np.zeros((3, 4)))
        other.step(np.zeros((3, 4)))
    assert np.array_equal(sim.reset()["to_target"], other.reset()["to_target"])


def test_per_swimmer_seeds():
    sim = BatchedSwimmer("swim", 4, num_envs=3, seed=[5, 5, 6])
    joints = sim.reset()["joints"]
    assert np.array_equal(joints[0], joints[1]) and not np.array_equal(joints[0], joints[2])
    with pytest.raises(ValueError, match="3 seeds"):
        sim.reset(seed=[1, 2])
