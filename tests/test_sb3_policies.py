import numpy as np
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
    assert not circuit_model.policy.log_std.requires_grad
    assert torch.allclose(circuit_model.policy.log_std.exp(), torch.tensor(0.1))
    mlp_model, _ = _model("ppo", "mlp")
    assert mlp_model.policy.log_std.requires_grad
    lr_scales = [group["lr_scale"] for group in circuit_model.policy.optimizer.param_groups]
    assert lr_scales == [1.0, 1e-3 / 3e-4]


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
