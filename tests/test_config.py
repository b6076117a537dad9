import pytest

from ncap.config import TrainConfig, from_dict, merge, to_dict


def test_defaults_follow_the_authors():
    config = TrainConfig()
    assert (config.ppo.batch_steps, config.ppo.gae_lambda, config.ppo.iterations, config.ppo.target_kl) == (
        4096, 0.97, 80, 0.015)
    assert (config.offpolicy.batch_size, config.offpolicy.learning_starts, config.offpolicy.tau) == (100, 10_000, 0.005)
    assert (config.es.population, config.es.sigma, config.es.lr, config.es.weight_decay) == (256, 0.02, 0.01, 0.005)


def test_round_trip_through_plain_data():
    config = merge(TrainConfig(), {"arch": {"arch": "mlp", "hidden": [32, 16]}, "ppo": {"iterations": 5}})
    assert config.arch.hidden == (32, 16) and config.ppo.iterations == 5
    assert from_dict(TrainConfig, to_dict(config)) == config


@pytest.mark.parametrize("overrides,message", [
    ({"stepz": 5}, "unknown key in config: stepz"),
    ({"ppo": {"lr": 1.0}}, "unknown key in config.ppo: lr"),
    ({"steps": "many"}, "config.steps must be an integer"),
    ({"steps": 2.5}, "config.steps must be an integer"),
    ({"arch": {"weight_sharing": "no"}}, "config.arch.weight_sharing must be true or false"),
    ({"arch": {"hidden": [0, 3]}}, "hidden sizes must be positive"),
    ({"algo": "a2c"}, "config.algo must be one of"),
    ({"steps": 0}, "steps must be a positive integer"),
    ({"n_links": 2}, "n_links must be at least 3"),
    ({"es": {"population": 3}}, "even number"),
    ({"ppo": 5}, "config.ppo must be a mapping"),
    ({"arch": {"arch": "random"}}, "cannot be trained"),
    ({"ppo": {"batch_steps": 4, "num_envs": 8}}, "must be at least ppo.num_envs"),
    ({"es": {"sigma": 0}}, "es.sigma must be positive"),
    ({"offpolicy": {"actor_lr": 0.0}}, "offpolicy.actor_lr must be positive"),
])
def test_bad_overrides_name_the_problem(overrides, message):
    with pytest.raises(ValueError, match=message):
        merge(TrainConfig(), overrides)


def test_float_fields_accept_integers_and_yaml_exponent_strings():
    assert merge(TrainConfig(), {"es": {"sigma": 1}}).es.sigma == 1.0
    assert merge(TrainConfig(), {"ppo": {"actor_lr": "1e-3"}}).ppo.actor_lr == 1e-3


def test_identity_ignores_execution_settings():
    from ncap.config import identity

    base = TrainConfig()
    moved = merge(base, {"threads": 1, "es": {"workers": 4, "ray_address": "auto"}})
    assert identity(base) == identity(moved) and base != moved
