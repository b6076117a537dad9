"""PPO, DDPG, TD3 and SAC through Stable-Baselines3, on the batched simulator."""

from __future__ import annotations

import math
from collections import deque

import numpy as np
import torch
from stable_baselines3 import DDPG, PPO, SAC, TD3
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.buffers import DictRolloutBuffer
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.logger import Logger
from stable_baselines3.common.noise import NormalActionNoise
from stable_baselines3.common.vec_env import VecEnv
from torch import nn

from ncap.algorithms import get_algorithm
from ncap.config import TrainConfig
from ncap.envs.registry import make_vec_env
from ncap.evaluation import ActionNoise
from ncap.policies import (
    CircuitPolicy,
    RunningNormalizer,
    build_policy,
    observed_features,
    observed_size,
)
from ncap.runs import RunDir, noise_state
from ncap.runs.checkpoint_state import pack, rng_state, set_rng_state, unpack
from ncap.training.circuit_state import CircuitStateVecEnv, is_stateful
from ncap.training.reporting import RunLogger
from ncap.training.sb3_policies import (
    LOG_STD_BOUNDS,
    DeterministicActor,
    NcapActorCriticPolicy,
    NcapSACPolicy,
    NcapTD3Policy,
    SquashedGaussianActor,
    actor_factory,
)


class _ScaledLearningRates:
    """Mixin: each optimizer param group's lr is the schedule times its ``lr_scale``."""

    def _update_learning_rate(self, optimizers) -> None:
        lr = self.lr_schedule(self._current_progress_remaining)
        for optimizer in optimizers if isinstance(optimizers, list) else [optimizers]:
            for group in optimizer.param_groups:
                group["lr"] = lr * group.get("lr_scale", 1.0)


class FullBatchDictRolloutBuffer(DictRolloutBuffer):
    """When a minibatch is the whole rollout (Tonic's full-batch updates), builds
    its tensors once per rollout instead of once per iteration."""

    def get(self, batch_size: int | None = None):
        if batch_size is not None and batch_size < self.buffer_size * self.n_envs:
            yield from super().get(batch_size)
            return
        if getattr(self, "_full_batch", None) is None:
            self._full_batch = next(super().get(None))
        yield self._full_batch

    def reset(self) -> None:
        self._full_batch = None
        super().reset()


class NcapPPO(_ScaledLearningRates, PPO):
    """PPO with separate actor and critic learning rates and a choice of KL early stop.

    ``kl_stop="actor"`` is Tonic's update (the authors'; ``ClippedRatio`` in
    ``tonic/torch/updaters/actors.py``): each of the ``n_epochs`` iterations
    takes the KL ``mean(old_log_prob - log_prob)`` of the policy on the batch
    as it was *before* its step, takes the step, and once that KL exceeds
    ``target_kl`` every *later* actor step of the batch is skipped, while the
    critic takes all ``n_epochs`` steps. ``kl_stop="both"`` is SB3's own
    ``train`` (both stop at 1.5 x ``target_kl``, before the detecting step).
    ``actor_iterations``/``critic_iterations`` count the last batch's
    optimizer steps.
    """

    def __init__(self, *args, kl_stop: str = "actor", **kwargs):
        self.kl_stop = kl_stop
        self.actor_iterations = self.critic_iterations = 0
        super().__init__(*args, **kwargs)

    def train(self) -> None:
        if self.kl_stop == "both":
            steps = []  # SB3 counts the epoch that breaks early in _n_updates, so count the optimizer's steps
            hook = self.policy.optimizer.register_step_post_hook(lambda *_: steps.append(1))
            try:
                super().train()
            finally:
                hook.remove()
            self.actor_iterations = self.critic_iterations = len(steps)
            return
        self.policy.set_training_mode(True)
        self._update_learning_rate(self.policy.optimizer)
        clip_range = self.clip_range(self._current_progress_remaining)
        actor_params = list(self.policy.actor.parameters()) + self.policy.std_parameters()
        train_actor, self.actor_iterations, self.critic_iterations = True, 0, 0
        kls, policy_losses, value_losses = [], [], []
        for _ in range(self.n_epochs):
            for data in self.rollout_buffer.get(self.batch_size):
                if train_actor:
                    values, log_prob, _ = self.policy.evaluate_actions(data.observations, data.actions)
                    with torch.no_grad():
                        kl = float((data.old_log_prob - log_prob).mean())
                    kls.append(kl)
                else:  # the actor has stopped: only the critic's forward pass is needed
                    values = self.policy.predict_values(data.observations)
                value_loss = torch.nn.functional.mse_loss(data.returns, values.flatten())
                loss = value_loss
                if train_actor:
                    advantages = data.advantages
                    if self.normalize_advantage and len(advantages) > 1:
                        advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
                    ratio = torch.exp(log_prob - data.old_log_prob)
                    policy_loss = -torch.min(advantages * ratio,
                                             advantages * torch.clamp(ratio, 1 - clip_range, 1 + clip_range)).mean()
                    policy_losses.append(policy_loss.item())
                    loss = loss + policy_loss
                self.policy.optimizer.zero_grad(set_to_none=True)  # actor grads stay None: Adam skips them
                loss.backward()
                if not train_actor:
                    for parameter in actor_params:
                        parameter.grad = None
                self.policy.optimizer.step()
                if train_actor:  # Tonic: the step that measured the KL is taken, later ones are not
                    self.actor_iterations += 1
                    train_actor = kl <= self.target_kl
                self.critic_iterations += 1
                value_losses.append(value_loss.item())
            self._n_updates += 1
        self.logger.record("train/approx_kl", float(np.mean(kls)) if kls else 0.0)
        self.logger.record("train/actor_iterations", self.actor_iterations)
        self.logger.record("train/critic_iterations", self.critic_iterations)
        self.logger.record("train/value_loss", float(np.mean(value_losses)))
        if policy_losses:
            self.logger.record("train/policy_gradient_loss", float(np.mean(policy_losses)))


class _RandomStart:
    """Mixin for SB3 off-policy algorithms: uniformly random actions for the first
    ``random_steps`` environment steps, independently of ``learning_starts``
    (Tonic: 20,000 random steps, updates from 10,000). Random actions get no
    exploration noise. ``random_action_steps`` counts the steps taken at random."""

    def __init__(self, *args, random_steps: int = 0, **kwargs):
        self.random_steps, self.random_action_steps = random_steps, 0
        super().__init__(*args, **kwargs)

    def _sample_action(self, learning_starts: int, action_noise=None, n_envs: int = 1):
        if self.num_timesteps < self.random_steps:
            self.random_action_steps += n_envs
            return super()._sample_action(self.num_timesteps + 1, None, n_envs)
        return super()._sample_action(0, action_noise, n_envs)


class NcapDDPG(_RandomStart, _ScaledLearningRates, DDPG):
    """DDPG with separate actor and critic learning rates and Tonic's random start."""


class NcapTD3(_RandomStart, _ScaledLearningRates, TD3):
    """TD3 with separate actor and critic learning rates and Tonic's random start."""


class NcapSAC(_RandomStart, _ScaledLearningRates, SAC):
    """SAC with separate actor and critic learning rates and Tonic's random start."""


def _quiet_logger() -> Logger:
    return Logger(folder=None, output_formats=[])


def make_model(config: TrainConfig, env: VecEnv, actor: nn.Module) -> BaseAlgorithm:
    """The SB3 algorithm of ``config.algo`` whose actor is a copy of ``actor``."""
    model = _MODELS[config.algo](config, env, actor_factory(actor), actor)
    model.set_logger(_quiet_logger())
    return model


def _ppo(config: TrainConfig, env: VecEnv, factory, actor: nn.Module) -> BaseAlgorithm:
    ppo = config.ppo
    is_circuit = isinstance(actor, CircuitPolicy) or is_stateful(actor)
    return NcapPPO(
        NcapActorCriticPolicy, env, learning_rate=ppo.actor_lr, n_steps=ppo.batch_steps // env.num_envs,
        batch_size=ppo.batch_steps // env.num_envs * env.num_envs, n_epochs=ppo.iterations,
        gamma=ppo.gamma, gae_lambda=ppo.gae_lambda, clip_range=ppo.clip_range, ent_coef=0.0, vf_coef=1.0,
        max_grad_norm=math.inf, target_kl=ppo.target_kl, seed=config.seed, device="cpu",
        rollout_buffer_class=FullBatchDictRolloutBuffer, kl_stop=ppo.kl_stop,
        policy_kwargs={"actor_factory": factory, "critic_hidden": ppo.critic_hidden,
                       "action_std": ppo.circuit_action_std if is_circuit else None,
                       "critic_lr_scale": ppo.critic_lr / ppo.actor_lr},
    )


def _off_policy(algo: type[BaseAlgorithm], policy: type, noisy: bool):
    """A builder of the replay-buffer algorithm ``algo`` (DDPG/TD3 with Gaussian exploration noise, SAC without)."""
    def build(config: TrainConfig, env: VecEnv, factory, actor: nn.Module) -> BaseAlgorithm:
        off = config.offpolicy
        n_joints = env.action_space.shape[0]
        noise = {"action_noise": NormalActionNoise(np.zeros(n_joints), off.action_noise * np.ones(n_joints))}
        model = algo(
            policy, env, learning_rate=off.actor_lr, buffer_size=off.buffer_size, learning_starts=off.learning_starts,
            batch_size=off.batch_size, tau=off.tau, gamma=off.gamma,
            train_freq=max(1, off.train_every // env.num_envs), gradient_steps=off.gradient_steps,
            seed=config.seed, device="cpu", random_steps=off.random_steps,
            policy_kwargs={"actor_factory": factory, "critic_hidden": off.critic_hidden}, **(noise if noisy else {}),
        )
        for group in model.policy.critic.optimizer.param_groups:
            group["lr_scale"] = off.critic_lr / off.actor_lr
        return model

    return build


_MODELS = {"ppo": _ppo, "ddpg": _off_policy(NcapDDPG, NcapTD3Policy, noisy=True),
           "td3": _off_policy(NcapTD3, NcapTD3Policy, noisy=True), "sac": _off_policy(NcapSAC, NcapSACPolicy, noisy=False)}
"""How each SB3 algorithm is built, by name."""


def training_seed(seed: int) -> int:
    """Base seed of a run's training swimmers: runs with nearby seeds share no swimmer stream."""
    return (seed * 1_000_003) % 2_000_000_000


def actor_of(model: BaseAlgorithm) -> nn.Module:
    """The ncap policy inside the SB3 policy (its deterministic actor)."""
    actor = model.policy.actor
    return actor.net if isinstance(actor, (DeterministicActor, SquashedGaussianActor)) else actor


def action_noise(model: BaseAlgorithm, config: TrainConfig) -> ActionNoise:
    """The distribution the algorithm acts with around its deterministic actor: PPO's Gaussian
    (fixed or learned std), DDPG/TD3's exploration noise, SAC's squashed Gaussian."""
    if isinstance(model, NcapPPO):
        return ActionNoise(tuple(model.policy.action_std().detach().tolist()))
    if isinstance(model, NcapSAC):
        std = model.policy.actor.log_std.detach().clamp(*LOG_STD_BOUNDS).exp()
        return ActionNoise(tuple(std.tolist()), squashed=True)
    return ActionNoise((config.offpolicy.action_noise,) * model.action_space.shape[0])


def normalizers(model: BaseAlgorithm) -> list[RunningNormalizer]:
    """Every running normalizer trained on observed features (actor, critic)."""
    return [m for m in model.policy.modules() if isinstance(m, RunningNormalizer)
            and not _in_target(model, m)]


def _in_target(model: BaseAlgorithm, module: nn.Module) -> bool:
    targets = [getattr(model.policy, name, None) for name in ("actor_target", "critic_target")]
    return any(t is not None and any(module is m for m in t.modules()) for t in targets)


def _optimizers(model: BaseAlgorithm) -> dict[str, torch.optim.Optimizer]:
    policy = model.policy
    found = {"policy": getattr(policy, "optimizer", None),
             "actor": getattr(policy.actor, "optimizer", None),
             "critic": getattr(getattr(policy, "critic", None), "optimizer", None),
             "ent_coef": getattr(model, "ent_coef_optimizer", None)}
    return {name: opt for name, opt in found.items() if opt is not None}


class _RunCallback(BaseCallback):
    """Feeds normalizers, evaluates and checkpoints between rollouts.

    Off-policy, normalizers take every step's observations at once. For PPO
    they take a rollout's observations only when the next rollout starts, so
    that the values and log-probabilities stored during a rollout and those
    recomputed in its updates use the same statistics (as Tonic does).
    """

    def __init__(self, trainer: SB3Trainer):
        super().__init__()
        self.trainer = trainer

    def _on_step(self) -> bool:
        features = observed_features({k: torch.as_tensor(v) for k, v in self.locals["new_obs"].items()})
        self.trainer.observe(features.float())
        self.trainer.logger.advance(self.num_timesteps)
        return True

    def _on_rollout_start(self) -> None:
        self.trainer.fold_observations()
        self.trainer.maybe_evaluate()


class SB3Trainer:
    """Trains ``config`` in ``run`` with Stable-Baselines3; resumable from its checkpoint."""

    def __init__(self, run: RunDir, config: TrainConfig):
        self.run, self.config = run, config
        algorithm = get_algorithm(config.algo)
        nenvs = algorithm.num_envs(config)
        self.env = make_vec_env(config.task, config.n_links, nenvs, nthread=config.threads, quadruped=config.quadruped)
        actor = build_policy(config.arch, config.task, config.n_links, seed=config.seed, quadruped=config.quadruped)
        if is_stateful(actor):
            self.env = CircuitStateVecEnv(self.env, actor, training_seed(config.seed))
        self.model = make_model(config, self.env, actor)
        if isinstance(self.env, CircuitStateVecEnv):
            self.env.attach(actor_of(self.model))
        self.env.seed(training_seed(config.seed))
        self.normalizers = normalizers(self.model)
        self.on_policy = algorithm.family == "on_policy"
        self.pending = torch.zeros(0, observed_size(self.env.observation_space))
        metrics, elapsed = [], 0.0
        if run.has_checkpoint:
            metrics, elapsed = run.restore_checkpoint(self._restore)
        self.logger = RunLogger(run, config, metrics, elapsed)

    def observe(self, features: torch.Tensor) -> None:
        """New observed features (n, D): folded in now (off-policy) or at the next rollout (PPO)."""
        if self.on_policy:
            self.pending = torch.cat((self.pending, features))
        else:
            for normalizer in self.normalizers:
                normalizer.update(features)

    def fold_observations(self) -> None:
        for normalizer in self.normalizers:
            normalizer.update(self.pending)
        self.pending = self.pending[:0]

    def train_return(self) -> float:
        episodes = self.model.ep_info_buffer
        return float(np.mean([e["r"] for e in episodes])) if episodes else math.nan

    def maybe_evaluate(self, force: bool = False) -> None:
        self.logger.record(self.model.num_timesteps, lambda: actor_of(self.model), self.train_return(),
                           self._state, force, noise=action_noise(self.model, self.config))

    def train(self) -> None:
        remaining = self.config.steps - self.model.num_timesteps
        if remaining > 0:
            self.model.learn(remaining, callback=_RunCallback(self), reset_num_timesteps=False)
        self.maybe_evaluate(force=True)
        self.run.save_policy(actor_of(self.model), action_noise(self.model, self.config))
        self.logger.close()
        self.env.close()

    def _state(self) -> dict:
        model = self.model
        state = {
            "algo": self.config.algo, "env_steps": model.num_timesteps, "n_updates": model._n_updates,
            "episode_num": model._episode_num, "wall_time": self.logger.wall_time,
            "policy": actor_of(model).state_dict(), "sb3_policy": model.policy.state_dict(),
            "optimizers": {name: opt.state_dict() for name, opt in _optimizers(model).items()},
            "ep_info": [dict(e) for e in model.ep_info_buffer], "rng": rng_state(),
            "sim": pack(self.env.sim.get_state()), "episode_returns": torch.tensor(self.env.returns),
            "action_space_rng": pack(self.env.action_space.np_random.bit_generator.state),
            "pending_observations": self.pending.clone(), **noise_state(action_noise(model, self.config)),
        }
        if isinstance(self.env, CircuitStateVecEnv):
            state["circuit_state"] = self.env.state_dict()
        if hasattr(model, "log_ent_coef"):
            state["log_ent_coef"] = model.log_ent_coef.detach().clone()
        if hasattr(model, "replay_buffer") and model.replay_buffer is not None:
            state["replay"] = pack(_replay_state(model.replay_buffer))
        return state

    def _restore(self, state: dict) -> None:
        model = self.model
        model.policy.load_state_dict(state["sb3_policy"])
        for name, optimizer in _optimizers(model).items():
            optimizer.load_state_dict(state["optimizers"][name])
        if "log_ent_coef" in state:
            with torch.no_grad():
                model.log_ent_coef.copy_(state["log_ent_coef"])
        if "replay" in state:
            _set_replay_state(model.replay_buffer, unpack(state["replay"]))
        model.num_timesteps, model._n_updates = int(state["env_steps"]), int(state["n_updates"])
        model._episode_num = int(state["episode_num"])
        model.ep_info_buffer = deque(state["ep_info"], maxlen=model._stats_window_size)
        model.ep_success_buffer = deque(maxlen=model._stats_window_size)
        self.env.sim.set_state(unpack(state["sim"]))
        self.env.returns[:] = state["episode_returns"].numpy()
        obs = self.env.sim.observation()
        if isinstance(self.env, CircuitStateVecEnv):
            self.env.load_state_dict(state["circuit_state"])
            obs = self.env.observation()
        model._last_obs = obs
        model._last_original_obs = obs
        starts = np.asarray(getattr(self.env.sim, "steps", self.env.sim.step_index)) == 0
        model._last_episode_starts = np.broadcast_to(starts, (self.env.num_envs,)).copy()
        self.env.action_space.np_random.bit_generator.state = unpack(state["action_space_rng"])
        self.pending = state["pending_observations"].clone()
        set_rng_state(state["rng"])


_REPLAY_FIELDS = ("actions", "rewards", "dones", "timeouts")


def _replay_state(buffer) -> dict:
    """The filled part of an SB3 (Dict)ReplayBuffer."""
    size = buffer.buffer_size if buffer.full else buffer.pos
    state = {"pos": buffer.pos, "full": buffer.full, "size": size}
    for name in _REPLAY_FIELDS:  # views: pack() copies them once
        state[name] = getattr(buffer, name)[:size]
    for name in ("observations", "next_observations"):
        state[name] = {key: value[:size] for key, value in getattr(buffer, name).items()}
    return state


def _set_replay_state(buffer, state: dict) -> None:
    size = state["size"]
    for name in _REPLAY_FIELDS:
        getattr(buffer, name)[:size] = state[name]
    for name in ("observations", "next_observations"):
        for key, value in state[name].items():
            getattr(buffer, name)[key][:size] = value
    buffer.pos, buffer.full = int(state["pos"]), bool(state["full"])
