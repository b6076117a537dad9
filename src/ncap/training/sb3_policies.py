"""Stable-Baselines3 policies whose actor is an ncap policy (circuit or MLP).

The actor is any ``nn.Module`` mapping an observation dict to commands
(``ncap.policies``); SB3 only sees the contracts it needs:

- PPO (``NcapActorCriticPolicy``): a Gaussian around the actor's output; for
  circuits its std is fixed (0.1, as the authors ran), for MLPs it is learned,
  state-independent, as Tonic's ``DetachedScaleGaussianPolicyHead``:
  ``clamp(softplus(p) + 1e-8, 1e-4, 1)`` with ``p`` starting at 0 (std ln 2).
  Critic: a tanh MLP on normalized observations. Actor and critic have their
  own learning rates (param groups with ``lr_scale``, see ``NcapPPO``).
- DDPG/TD3 (``NcapTD3Policy``): the actor's deterministic output; critics are
  SB3's ``ContinuousCritic`` (ReLU MLPs on the critic features and action).
- SAC (``NcapSACPolicy``): SB3's ``SquashedDiagGaussianDistribution`` whose
  deterministic action is the actor's output (pre-squash mean
  ``atanh(output)``), learned state-independent std; SB3's critics.

Critics observe joints, body velocities (and the target) through a running
normalizer, plus the episode time ``step / 1000``: ``CriticFeatures``, an SB3
``BaseFeaturesExtractor``. What is ours, and why: the actor (the circuit is
not an SB3 network), the PPO policy's fixed-std Gaussian around it (SB3's
``MultiInputActorCriticPolicy`` builds its own actor net), and the Gaussian
without argument validation (a hot path in PPO's updates).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable

import torch
from stable_baselines3.common.distributions import DiagGaussianDistribution, SquashedDiagGaussianDistribution
from stable_baselines3.common.policies import MultiInputActorCriticPolicy
from stable_baselines3.common.preprocessing import preprocess_obs
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor, create_mlp
from stable_baselines3.sac.policies import SACPolicy
from stable_baselines3.td3.policies import TD3Policy
from torch import Tensor, nn

from ncap.policies import RunningNormalizer, observed_features, observed_size
from ncap.runs.upgrade import legacy_std_head

ActorFactory = Callable[[], nn.Module]
LOG_STD_BOUNDS = (-20.0, 2.0)
TONIC_STD_BOUNDS = (1e-4, 1.0)
"""Tonic's ``scale_min`` and ``scale_max`` of its PPO actor's learned std."""


class FastDiagGaussian(DiagGaussianDistribution):
    """SB3's diagonal Gaussian without torch's argument validation (a hot path in PPO updates)."""

    def proba_distribution(self, mean_actions: Tensor, log_std: Tensor) -> FastDiagGaussian:
        return self.proba_distribution_std(mean_actions, log_std.exp())

    def proba_distribution_std(self, mean_actions: Tensor, std: Tensor) -> FastDiagGaussian:
        """The Gaussian of means (B, N) and std (N,) or (B, N)."""
        self.distribution = torch.distributions.Normal(mean_actions, torch.ones_like(mean_actions) * std,
                                                       validate_args=False)
        return self


class CriticFeatures(BaseFeaturesExtractor):
    """SB3 features extractor of the critics: normalized observed features and the episode time,
    observations (B, ...) -> (B, D + 1). Its normalizer is fed by the trainer, not by gradients."""

    def __init__(self, observation_space):
        super().__init__(observation_space, observed_size(observation_space) + 1)
        self.normalizer = RunningNormalizer(self.features_dim - 1)
        self.episode_steps = float(observation_space["step"].high[0])

    def forward(self, obs: dict[str, Tensor]) -> Tensor:
        time = obs["step"] / self.episode_steps
        return torch.cat((self.normalizer(observed_features(obs)), time), dim=-1)


class NcapActorCriticPolicy(MultiInputActorCriticPolicy):
    """PPO policy: Gaussian around the ncap actor, MLP value critic.

    Args (policy_kwargs):
        actor_factory: builds the ncap actor (called once).
        critic_hidden: tanh critic widths.
        action_std: fixed std of the Gaussian, or None to learn it as Tonic does (see the module).
        critic_lr_scale: critic learning rate / actor learning rate.
    """

    def __init__(self, observation_space, action_space, lr_schedule, *, actor_factory: ActorFactory,
                 critic_hidden: tuple[int, ...] = (64, 64), action_std: float | None = 0.1,
                 critic_lr_scale: float = 1.0, **kwargs):
        self._actor_factory, self._critic_hidden = actor_factory, critic_hidden
        self._action_std = action_std
        self._critic_lr_scale = critic_lr_scale
        super().__init__(observation_space, action_space, lr_schedule, **kwargs)

    def _build(self, lr_schedule) -> None:
        n_joints = self.action_space.shape[0]
        self.actor = self._actor_factory()
        self.critic_features = CriticFeatures(self.observation_space)
        self.critic = nn.Sequential(*create_mlp(self.critic_features.features_dim, 1, list(self._critic_hidden), nn.Tanh))
        if self._action_std is None:  # Tonic: softplus(0) = ln 2 at the start
            self.std_param = nn.Parameter(torch.zeros(n_joints))
        else:
            self.register_buffer("fixed_std", torch.full((n_joints,), float(self._action_std)))
        self.action_dist = FastDiagGaussian(n_joints)
        actor_params = list(self.actor.parameters()) + self.std_parameters()
        groups = [{"params": list(self.critic.parameters()), "lr_scale": self._critic_lr_scale}]
        if actor_params:
            groups.insert(0, {"params": actor_params, "lr_scale": 1.0})
        self.optimizer = self.optimizer_class(groups, lr=lr_schedule(1), **self.optimizer_kwargs)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        legacy_std_head(state_dict, prefix, std_is_fixed=self._action_std is not None)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def std_parameters(self) -> list[nn.Parameter]:
        """The learned std's parameter ([] when the std is fixed)."""
        return [self.std_param] if self._action_std is None else []

    def action_std(self) -> Tensor:
        """Std of the Gaussian per joint, (n_joints,): fixed, or Tonic's learned
        ``clamp(softplus(std_param) + 1e-8, 1e-4, 1)``."""
        if self._action_std is not None:
            return self.fixed_std
        return (nn.functional.softplus(self.std_param) + 1e-8).clamp(*TONIC_STD_BOUNDS)

    def _obs(self, obs) -> dict[str, Tensor]:
        return preprocess_obs(obs, self.observation_space)

    def _distribution(self, obs: dict[str, Tensor]):
        return self.action_dist.proba_distribution_std(self.actor(obs), self.action_std())

    def _value(self, obs: dict[str, Tensor]) -> Tensor:
        return self.critic(self.critic_features(obs))

    def forward(self, obs, deterministic: bool = False):
        obs = self._obs(obs)
        distribution = self._distribution(obs)
        actions = distribution.get_actions(deterministic=deterministic)
        return actions, self._value(obs), distribution.log_prob(actions)

    def evaluate_actions(self, obs, actions: Tensor):
        obs = self._obs(obs)
        distribution = self._distribution(obs)
        return self._value(obs), distribution.log_prob(actions), distribution.entropy()

    def get_distribution(self, obs):
        return self._distribution(self._obs(obs))

    def predict_values(self, obs) -> Tensor:
        return self._value(self._obs(obs))

    def _predict(self, observation, deterministic: bool = False) -> Tensor:
        return self._distribution(self._obs(observation)).get_actions(deterministic=deterministic)


class DeterministicActor(nn.Module):
    """TD3/DDPG actor: the ncap actor's commands, from raw SB3 observations."""

    def __init__(self, actor: nn.Module, observation_space):
        super().__init__()
        self.net, self.observation_space = actor, observation_space

    def forward(self, obs) -> Tensor:
        return self.net(preprocess_obs(obs, self.observation_space))

    def set_training_mode(self, mode: bool) -> None:
        self.train(mode)


class _OffPolicyParts:
    """Mixin for SB3 off-policy policies: the ncap actor factory; the critics are SB3's own
    ``ContinuousCritic`` (ReLU MLPs of ``critic_hidden``) on :class:`CriticFeatures` and the action.

    policy_kwargs: ``actor_factory`` (builds the ncap actor), ``critic_hidden``.
    """

    def __init__(self, *args, actor_factory: ActorFactory, critic_hidden: tuple[int, ...] = (256, 256), **kwargs):
        self._actor_factory = actor_factory
        super().__init__(*args, net_arch={"pi": [], "qf": list(critic_hidden)}, activation_fn=nn.ReLU,
                         features_extractor_class=CriticFeatures, share_features_extractor=False, **kwargs)


class NcapTD3Policy(_OffPolicyParts, TD3Policy):
    """DDPG/TD3 policy with an ncap actor (policy_kwargs: actor_factory, critic_hidden)."""

    def make_actor(self, features_extractor=None) -> DeterministicActor:
        return DeterministicActor(self._actor_factory(), self.observation_space)


class SquashedGaussianActor(nn.Module):
    """SAC actor: SB3's squashed Gaussian tanh(N(atanh(actor output), std)), std learned and
    state-independent; deterministic = the actor's output."""

    def __init__(self, actor: nn.Module, observation_space, action_dim: int, std_init: float = 0.3):
        super().__init__()
        self.net, self.observation_space = actor, observation_space
        self.log_std = nn.Parameter(torch.full((action_dim,), math.log(std_init)))
        self.distribution = SquashedDiagGaussianDistribution(action_dim)

    def _mean(self, obs) -> Tensor:
        """Pre-squash mean (B, N): atanh of the actor's output."""
        out = self.net(preprocess_obs(obs, self.observation_space))
        return torch.atanh(out.clamp(-1 + 1e-4, 1 - 1e-4))

    def _log_std(self) -> Tensor:
        return self.log_std.clamp(*LOG_STD_BOUNDS)

    def forward(self, obs, deterministic: bool = False) -> Tensor:
        """Actions (B, N): sampled, or the actor's output if ``deterministic``."""
        return self.distribution.actions_from_params(self._mean(obs), self._log_std(), deterministic=deterministic)

    def action_log_prob(self, obs) -> tuple[Tensor, Tensor]:
        """Sampled actions (B, N) and their log-probabilities (B,), tanh-corrected."""
        return self.distribution.log_prob_from_params(self._mean(obs), self._log_std())

    def reset_noise(self, batch_size: int = 1) -> None:
        """No state-dependent exploration: nothing to reset."""

    def set_training_mode(self, mode: bool) -> None:
        self.train(mode)


class NcapSACPolicy(_OffPolicyParts, SACPolicy):
    """SAC policy with an ncap actor (policy_kwargs: actor_factory, critic_hidden)."""

    def make_actor(self, features_extractor=None) -> SquashedGaussianActor:
        return SquashedGaussianActor(self._actor_factory(), self.observation_space, self.action_space.shape[0])

    def _predict(self, observation, deterministic: bool = False) -> Tensor:
        return self.actor(observation, deterministic)


def actor_factory(template: nn.Module) -> ActorFactory:
    """A factory of independent copies of ``template`` (actor and target actor)."""
    return lambda: copy.deepcopy(template)
