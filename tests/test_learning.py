"""Training learns: on the swim task (4 links, where the untrained circuit swims at
about a third of the maximum) a brief run of ES and of PPO ends above the
untrained circuit's return, on every seed used."""

import pytest
from helpers import tiny_config

from ncap.evaluation import evaluate
from ncap.policies import build_policy
from ncap.training.train import train

BUDGETS = {
    "es": {"steps": 96_000, "eval_every": 96_000, "es": {"population": 32}},
    "ppo": {"steps": 61_440, "eval_every": 61_440, "ppo": {"num_envs": 16}},
}


@pytest.mark.parametrize("algo", ["es", "ppo"])
def test_brief_training_beats_the_untrained_circuit(tmp_path, algo):
    for seed in (0, 1):
        config = tiny_config(algo, **BUDGETS[algo], seed=seed, eval_episodes=5)
        untrained = evaluate(build_policy(config.arch, "swim", 4, seed=seed), "swim", 4,
                             episodes=5, seed=config.eval_seed).mean_return
        rows = train(config, tmp_path / f"{algo}{seed}").read_metrics()
        assert rows[0]["return_deterministic"] == pytest.approx(untrained)
        assert rows[-1]["return_deterministic"] > untrained + 5, (algo, seed, untrained, rows[-1])
