import math

import numpy as np
import pytest
import torch
from helpers import tiny_config

from ncap.envs import SwimmerVecEnv
from ncap.policies import build_policy
from ncap.training.sb3_trainer import actor_of, make_model, normalizers


def _model(algo, arch):
    config = tiny_config(algo, arch)
    env = SwimmerVecEnv("swim", 4, num_envs=2)
    return make_model(config, env, build_policy(config.arch, "swim", 4)), env


def test_ppo_circuit_has_fixed_std_and_mlp_learns_it():
    circuit_model, env = _model("ppo", "ncap")
    assert circuit_model.policy.std_parameters() == []
    assert torch.allclose(circuit_model.policy.action_std(), torch.tensor(0.1))
    mlp_model, _ = _model("ppo", "mlp")
    assert [p.requires_grad for p in mlp_model.policy.std_parameters()] == [True]
    lr_scales = [group["lr_scale"] for group in circuit_model.policy.optimizer.param_groups]
    assert lr_scales == [1.0, 1e-3 / 3e-4]


def test_ppo_mlp_std_is_tonics_softplus_head():
    """Tonic's DetachedScaleGaussianPolicyHead: std = clamp(softplus(p) + 1e-8, 1e-4, 1), p from 0."""
    policy = _model("ppo", "mlp")[0].policy
    (param,) = policy.std_parameters()
    actor_group = policy.optimizer.param_groups[0]
    assert actor_group["lr_scale"] == 1.0 and any(p is param for p in actor_group["params"])  # the actor's rate
    assert torch.allclose(policy.action_std(), torch.full((3,), math.log(2.0)))
    with torch.no_grad():
        param.copy_(torch.tensor([5.0, -20.0, 0.5]))
    expected = [1.0, 1e-4, math.log1p(math.exp(0.5))]
    assert torch.allclose(policy.action_std(), torch.tensor(expected), rtol=1e-5, atol=1e-9)
    samples = [policy.observation_space.sample() for _ in range(2)]  # two different states, one std
    obs = {k: torch.stack([torch.as_tensor(s[k], dtype=torch.float32) for s in samples]) for k in samples[0]}
    distribution = policy.get_distribution(obs).distribution
    assert not torch.allclose(distribution.mean[0], distribution.mean[1])
    assert torch.allclose(distribution.stddev, torch.tensor([expected, expected]), rtol=1e-5, atol=1e-9)


def test_deterministic_actions_are_the_actor_outputs():
    for algo in ("ppo", "ddpg", "sac"):
        model, env = _model(algo, "ncap")
        env.seed(0)
        obs = env.reset()
        actions, _ = model.predict(obs, deterministic=True)
        with torch.no_grad():
            expected = actor_of(model)({k: torch.as_tensor(v, dtype=torch.float32) for k, v in obs.items()})
        assert np.allclose(actions, expected.numpy(), atol=1e-3), algo


def test_normalizers_exclude_targets():
    model, _ = _model("td3", "mlp")
    found = normalizers(model)
    assert len(found) == 2  # the MLP actor's and the critic's
    assert all(not any(n is m for m in model.policy.actor_target.modules()) for n in found)


def test_ppo_checkpoints_from_before_tonics_std_head():
    """A fixed-std (circuit) checkpoint with the old ``log_std`` entry still loads; a learned-std (MLP) one is
    refused with a ValueError instead of resuming under another parametrization (the CLI's one-line error:
    test_train_cli.py::test_resuming_a_checkpoint_of_the_old_ppo_std_head_is_refused)."""
    circuit = _model("ppo", "ncap")[0].policy
    state = circuit.state_dict()
    del state["fixed_std"]
    state["log_std"] = torch.full((3,), math.log(0.2))  # not the default 0.1: the value is carried over
    fresh = _model("ppo", "ncap")[0].policy
    fresh.load_state_dict(state)
    assert torch.allclose(fresh.action_std(), torch.tensor(0.2))
    mlp = _model("ppo", "mlp")[0].policy
    state = mlp.state_dict()
    state["log_std"] = torch.full((3,), math.log(0.5))
    del state["std_param"]
    with pytest.raises(ValueError, match="old exp\\(log_std\\)"):
        mlp.load_state_dict(state)
