"""Training end to end through the library API, with tiny budgets."""

import numpy as np
import pytest
import torch
from helpers import tiny_config

from ncap.config import merge
from ncap.evaluation import obs_to_torch
from ncap.runs import RunDir, RunError, load_run_policy
from ncap.training.reporting import progress_line
from ncap.training.train import resume, train

ALGOS = ["ppo", "ddpg", "td3", "sac", "es"]


@pytest.mark.parametrize("arch", ["ncap", "mlp"])
@pytest.mark.parametrize("algo", ALGOS)
def test_every_algorithm_trains_every_architecture(tmp_path, algo, arch):
    config = tiny_config(algo, arch)
    run = train(config, tmp_path / "run")
    rows = run.read_metrics()
    steps = [row["env_steps"] for row in rows]
    assert steps[0] == 0 and steps == sorted(set(steps)) and steps[-1] >= config.steps
    assert all(np.isfinite(row["return_deterministic"]) for row in rows)
    assert run.finished and (tmp_path / "run" / "config.yaml").is_file() and any((tmp_path / "run" / "tb").iterdir())
    policy, task, n_links = load_run_policy(tmp_path / "run")
    assert (task, n_links) == ("swim", 4)


def test_an_es_mlp_with_tanh_hidden_layers_trains_and_reloads_as_tanh(tmp_path):
    config = merge(tiny_config("es", "mlp"), {"arch": {"mlp_activation": "tanh"}})
    train(config, tmp_path / "run")
    policy, _, _ = load_run_policy(tmp_path / "run")
    assert [type(layer).__name__ for layer in policy.net.net] == ["Linear", "Tanh", "Linear", "Tanh", "Linear"]
    assert RunDir(tmp_path / "run").config.arch.mlp_activation == "tanh"


@pytest.mark.parametrize("algo", ["ppo", "es"])
def test_saved_policy_acts_like_the_trained_one(tmp_path, algo):
    from ncap.envs import BatchedSwimmer

    config = tiny_config(algo, "mlp")
    train(config, tmp_path / "run")
    policy, _, _ = load_run_policy(tmp_path / "run")
    checkpoint = RunDir(tmp_path / "run").load_checkpoint()
    obs = obs_to_torch(BatchedSwimmer("swim", 4, num_envs=3, seed=0).reset())
    from ncap.policies import build_policy

    from_checkpoint = build_policy(config.arch, "swim", 4)
    from_checkpoint.load_state_dict(checkpoint["policy"])
    with torch.no_grad():
        assert torch.equal(policy(obs), from_checkpoint(obs))
    assert policy.normalizer.running_count.item() > 0 or algo == "es"


def test_es_is_deterministic_and_resumes_exactly(tmp_path):
    config = tiny_config("es", steps=8000, eval_every=4000)
    full = train(config, tmp_path / "full").read_metrics()
    again = train(config, tmp_path / "again").read_metrics()
    assert [r["return_deterministic"] for r in full] == [r["return_deterministic"] for r in again]
    # Interrupt: train half the budget, then resume the same run with the full budget's config.
    half = tiny_config("es", steps=4000, eval_every=4000)
    train(half, tmp_path / "cut")
    (tmp_path / "cut" / "policy.pt").unlink()  # as if killed before finishing
    import yaml

    from ncap.config import to_dict

    (tmp_path / "cut" / "config.yaml").write_text(yaml.safe_dump(to_dict(config), sort_keys=False))
    resumed = resume(tmp_path / "cut").read_metrics()
    assert [r["env_steps"] for r in resumed] == [r["env_steps"] for r in full]
    assert [r["return_deterministic"] for r in resumed] == [r["return_deterministic"] for r in full]


def test_finished_run_is_not_retrained(tmp_path):
    config = tiny_config("es")
    run = train(config, tmp_path / "run")
    before = (tmp_path / "run" / "policy.pt").stat().st_mtime_ns
    train(config, tmp_path / "run")
    resume(tmp_path / "run")
    assert (tmp_path / "run" / "policy.pt").stat().st_mtime_ns == before
    assert len(run.read_metrics()) == 3


def test_on_save_follows_every_checkpoint_and_the_policy(tmp_path):
    seen = []

    def on_save(run):
        checkpoint = run.load_checkpoint()["metrics"]
        seen.append((len(checkpoint), len(run.read_metrics()), run.finished))

    config = tiny_config("es")
    train(config, tmp_path / "run", on_save=on_save)
    evaluations = len(RunDir(tmp_path / "run").read_metrics())
    assert evaluations == 3  # at 0, 4000 and 8000 steps
    assert seen == [(n, n, False) for n in range(1, evaluations + 1)] + [(evaluations, evaluations, True)]


def test_the_progress_line_gives_steps_return_speed_and_time_left():
    row = {"env_steps": 2_048_000, "return_deterministic": 321.16, "return_sampled": float("nan")}
    line = progress_line("es-ncap-s0", row, 10_240_000, 4_096.0)
    assert line == "[es-ncap-s0] 2,048,000/10,240,000 steps (20%), return 321.2, 4,096 steps/s, ETA 0:33:20"
    first = progress_line("ppo-ncap-s0", {**row, "env_steps": 0, "return_sampled": 800.04}, 5_000_000, None)
    assert first == "[ppo-ncap-s0] 0/5,000,000 steps (0%), return 321.2 (sampled 800.0), ETA after the next evaluation"
    # An ES generation can overshoot the budget: the steps are shown as they are, the share stops at 100%.
    overshoot = progress_line("r", {**row, "env_steps": 256_000}, 4_000, 9_000.0)
    assert overshoot.startswith("[r] 256,000/4,000 steps (100%)")


def test_a_run_killed_while_writing_its_config_starts_afresh_and_anything_else_is_refused(tmp_path):
    """SIGKILL inside the config's atomic write leaves only its temporary file: the run never started."""
    config = tiny_config("es")
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / ".config.yaml.k2j9x1").write_bytes(b"task: sw")
    run = RunDir.create(tmp_path / "run", config)
    assert sorted(p.name for p in run.path.iterdir()) == ["config.yaml"]
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / ".config.yaml.k2j9x1").write_bytes(b"task: sw")
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(RunError, match="not an ncap run"):
        RunDir.create(tmp_path / "other", config)
    assert sorted(p.name for p in (tmp_path / "other").iterdir()) == [".config.yaml.k2j9x1", "notes.txt"]
