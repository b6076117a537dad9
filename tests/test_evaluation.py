import pytest

from ncap.evaluation import evaluate
from ncap.policies import ArchitectureConfig, build_policy


def test_untrained_circuit_swims_and_mlp_does_not():
    ncap = evaluate(build_policy(ArchitectureConfig(), "swim", 6), "swim", 6, episodes=4, seed=0)
    mlp = evaluate(build_policy(ArchitectureConfig(arch="mlp"), "swim", 6), "swim", 6, episodes=4, seed=0)
    assert ncap.mean_return > 600 > 100 > mlp.mean_return
    assert ncap.num_parameters == 4 and len(ncap.returns) == 4


def test_evaluation_is_deterministic_for_a_seed():
    policy = build_policy(ArchitectureConfig(), "swim", 4)
    a = evaluate(policy, "swim", 4, episodes=3, seed=5)
    b = evaluate(policy, "swim", 4, episodes=3, seed=5)
    c = evaluate(policy, "swim", 4, episodes=3, seed=6)
    assert a.returns == b.returns != c.returns
    assert set(a.to_dict()) >= {"mean_return", "std_return", "episodes", "n_links", "num_parameters"}


def test_bad_episode_count():
    with pytest.raises(ValueError, match="episodes"):
        evaluate(build_policy(ArchitectureConfig(), "swim", 4), "swim", 4, episodes=0)
