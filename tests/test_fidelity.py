"""The learning algorithms as the authors ran them (reference §4): one test per behaviour."""

import json
import math

import numpy as np
import pytest
import torch
import yaml
from helpers import tiny_config
from test_cli import ncap

from ncap.circuits import SwimmerCircuit, to_mlp
from ncap.envs import BatchedSwimmer
from ncap.policies import ArchitectureConfig, build_policy
from ncap.runs import RunDir
from ncap.training.es import ESTrainer, SwimmerProblem, es_gradient
from ncap.training.sb3_trainer import SB3Trainer


def _ppo(tmp_path, **ppo):
    config = tiny_config("ppo", steps=256, eval_every=256,
                         ppo={"batch_steps": 256, "num_envs": 4, "iterations": 10, "actor_lr": 0.05, **ppo})
    trainer = SB3Trainer(RunDir.create(tmp_path / "run", config), config)
    actor = [p.detach().clone() for p in trainer.model.policy.actor.parameters()]
    critic = [p.detach().clone() for p in trainer.model.policy.critic.parameters()]
    trainer.model.learn(256)
    return trainer.model, actor, critic


def test_ppo_kl_stops_only_the_actor(tmp_path):
    # The first iteration sees the rollout's own policy (KL exactly 0): its actor step is taken.
    # The second measures a KL above the tiny threshold; as in Tonic it still takes its step, and the
    # eight after it do not; the critic takes all 10.
    model, actor, critic = _ppo(tmp_path, target_kl=1e-12)
    assert (model.actor_iterations, model.critic_iterations) == (2, 10)
    assert any(not torch.equal(a, b) for a, b in zip(actor, model.policy.actor.parameters()))
    assert all(not torch.equal(a, b) for a, b in zip(critic, model.policy.critic.parameters()))


def test_ppo_without_kl_stop_runs_every_iteration(tmp_path):
    model, _, _ = _ppo(tmp_path, target_kl=1e9)
    assert (model.actor_iterations, model.critic_iterations) == (10, 10)


def test_sb3_kl_stop_ends_both(tmp_path):
    # SB3 checks 1.5 x target_kl before each step: the first (KL 0) is taken, the second breaks.
    model, _, _ = _ppo(tmp_path, target_kl=1e-12, kl_stop="both")
    assert (model.actor_iterations, model.critic_iterations) == (1, 1)


def test_eval_json_reports_sampled_and_deterministic_returns():
    result = json.loads(ncap("eval", "--init", "--n-links", "4", "--episodes", "2", "--json", check=True).stdout)
    assert {"return_sampled", "return_deterministic", "return_sampled_std", "sampled_returns"} <= set(result)
    assert len(result["sampled_returns"]) == 2 and result["return_sampled"] != result["return_deterministic"]
    assert result["return_deterministic"] == result["mean_return"]
    loud = json.loads(ncap("eval", "--init", "--n-links", "4", "--episodes", "2", "--json", "--action-std", "1.0",
                           check=True).stdout)
    assert loud["return_deterministic"] == result["return_deterministic"]
    assert loud["return_sampled"] < result["return_sampled"]  # more noise swims worse


@pytest.mark.parametrize("algo", ["ppo", "es"])
def test_run_metrics_and_eval_json_hold_both_returns(tmp_path, algo):
    from ncap.training.train import train

    run = train(tiny_config(algo), tmp_path / "run")
    row = run.read_metrics()[-1]
    assert math.isfinite(row["return_deterministic"])
    # PPO samples from its Gaussian; ES has no action distribution, so nothing is sampled.
    assert math.isfinite(row["return_sampled"]) == (algo == "ppo")
    result = json.loads(ncap("eval", str(tmp_path / "run"), "--episodes", "1", "--json", check=True).stdout)
    assert (result["return_sampled"] is not None) == (algo == "ppo")


def test_ddpg_random_steps_are_counted_apart_from_learning_starts(tmp_path):
    config = tiny_config("ddpg", steps=400, offpolicy={"learning_starts": 100, "random_steps": 300})
    trainer = SB3Trainer(RunDir.create(tmp_path / "run", config), config)
    model = trainer.model
    samples = {"n": 0}
    sample = model.action_space.sample

    def counted():
        samples["n"] += 1
        return sample()

    model.action_space.sample = counted
    updates_while_random = []
    original = model.train

    def train(*args, **kwargs):
        if model.num_timesteps < 300:
            updates_while_random.append(model.num_timesteps)
        return original(*args, **kwargs)

    model.train = train
    model.learn(400)
    assert model.random_action_steps == samples["n"] == 300
    assert updates_while_random and min(updates_while_random) > 100  # updates start at 100, amid random actions


def test_random_steps_default_is_tonics():
    config = tiny_config("ddpg")
    from ncap.config import TrainConfig

    assert (TrainConfig().offpolicy.random_steps, TrainConfig().offpolicy.learning_starts) == (20_000, 10_000)
    assert config.offpolicy.random_steps == 200


def test_es_gradient_is_the_authors_mean_of_rank_times_noise():
    generator = torch.Generator().manual_seed(0)
    n, dim, sigma = 16, 5, 0.02
    mu = torch.randn(dim, generator=generator)
    z = torch.randn(n // 2, dim, generator=generator)
    noise = torch.stack((z, -z), dim=1).reshape(n, dim)  # antithetic rows: +z_k, -z_k
    samples = mu + sigma * noise
    target = torch.linspace(-1, 1, dim)
    fitness = -((samples - target) ** 2).sum(-1)  # a fixed synthetic fitness
    ranks = torch.empty(n)
    ranks[fitness.argsort()] = torch.arange(n, dtype=torch.float32)
    centered = ranks / (n - 1) - 0.5
    expected = (centered[:, None] * noise).mean(0)  # (1/n) sum_i r_i z_i
    got = es_gradient(samples, fitness, mu, sigma, "authors")
    assert torch.allclose(got, expected, atol=1e-6)
    assert got.abs().max() < 1.0  # the [-1, 1] clip is inactive
    salimans = es_gradient(samples, fitness, mu, sigma, "salimans")
    assert torch.allclose(salimans, expected / sigma, atol=1e-4)
    assert salimans.abs().max() > 1.0  # ... where Salimans' estimate would be clipped


def test_es_clip_never_fires_in_training(tmp_path):
    config = tiny_config("es", n_links=6, steps=16_000, eval_every=16_000, es={"population": 16})
    trainer = ESTrainer(RunDir.create(tmp_path / "run", config), config)
    for _ in range(3):
        trainer.step()
        assert trainer.clipped_fraction == 0.0


@pytest.mark.parametrize("starts", ["own", "shared"])
def test_es_members_start_from_their_own_states(starts):
    config = tiny_config("es", es={"population": 8, "member_starts": starts})
    problem = SwimmerProblem(config)
    problem.episode_seed = 12345
    seeds = problem.member_seeds(0, 8)
    assert problem.member_seeds(4, 4) == seeds[4:]  # a Ray actor's slice sees the same seeds
    joints = BatchedSwimmer("swim", 4, num_envs=8, seed=seeds).reset()["joints"]
    distinct = len({tuple(row) for row in np.round(joints, 12)})
    assert distinct == (8 if starts == "own" else 1)


def test_fig7b_dense_net_is_the_embedding_at_random_weights():
    circuit = SwimmerCircuit(5)
    sparse = to_mlp(circuit)
    policy = build_policy(ArchitectureConfig(dense_embedding=True, embedding_init="random"), "swim", 6, seed=0)
    dense = policy.circuit
    assert dense.hidden_sizes == sparse.hidden_sizes == (12, 10, 10)
    widths = [(m.in_features, m.out_features) for m in dense.net if isinstance(m, torch.nn.Linear)]
    assert widths == [(7, 12), (12, 10), (10, 10), (10, 5)]  # same inputs as the embedding: 5 joints + 2 oscillators
    weights = torch.cat([p.detach().reshape(-1) for p in dense.parameters()])
    sparse_weights = torch.cat([p.detach().reshape(-1) for p in sparse.parameters()])
    assert (weights != 0).float().mean() > 0.99 and (sparse_weights != 0).float().mean() < 0.3
    again = build_policy(ArchitectureConfig(dense_embedding=True, embedding_init="random"), "swim", 6, seed=0)
    other = build_policy(ArchitectureConfig(dense_embedding=True, embedding_init="random"), "swim", 6, seed=1)
    assert all(torch.equal(a, b) for a, b in zip(dense.parameters(), again.circuit.parameters()))
    assert not torch.equal(weights, torch.cat([p.detach().reshape(-1) for p in other.circuit.parameters()]))
    started = build_policy(ArchitectureConfig(dense_embedding=True), "swim", 6)
    assert all(torch.equal(a, b) for a, b in zip(started.circuit.parameters(), sparse.parameters()))


def test_random_embedding_needs_the_dense_embedding():
    with pytest.raises(ValueError, match="needs dense_embedding"):
        ArchitectureConfig(embedding_init="random")


def test_configs_saved_before_the_fidelity_fixes_read_as_what_they_ran(tmp_path):
    from ncap.config import TrainConfig, to_dict
    from ncap.runs import read_config

    data = to_dict(TrainConfig())
    del data["ppo"]["kl_stop"], data["es"]["gradient"], data["es"]["member_starts"]
    del data["offpolicy"]["random_steps"]
    data["offpolicy"]["learning_starts"] = 5000
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(data))
    old = read_config(tmp_path)
    assert (old.ppo.kl_stop, old.es.gradient, old.es.member_starts) == ("both", "salimans", "shared")
    assert old.offpolicy.random_steps == 5000
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(to_dict(TrainConfig())))
    assert read_config(tmp_path) == TrainConfig()  # a config that names every field is read as written
