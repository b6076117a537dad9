"""Policies over task observations: the circuit, MLP baselines, navigate task modules."""

from ncap.policies.architecture import ARCHS, ArchitectureConfig, build_policy, transfer_policy
from ncap.policies.navigation import CONTROLLERS, HandCodedController, LearnedController, make_controller
from ncap.policies.normalizer import RunningNormalizer
from ncap.policies.policy import (
    CircuitPolicy,
    MLPPolicy,
    RandomPolicy,
    feature_size,
    observed_features,
    observed_size,
    step_index,
)

__all__ = [
    "ARCHS", "ArchitectureConfig", "build_policy", "transfer_policy", "CONTROLLERS", "HandCodedController", "LearnedController",
    "make_controller", "CircuitPolicy", "MLPPolicy", "RandomPolicy", "RunningNormalizer", "feature_size",
    "observed_features", "observed_size", "step_index",
]
