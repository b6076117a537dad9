"""Tiny training budgets shared by the training tests."""

from ncap.training.config import TrainConfig, merge
from ncap.training.runs import RunDir, current_metrics

TINY = {
    "ppo": {"steps": 512, "eval_every": 256, "ppo": {"batch_steps": 256, "num_envs": 4, "iterations": 2}},
    "ddpg": {"steps": 400, "eval_every": 200, "offpolicy": {
        "num_envs": 2, "learning_starts": 100, "random_steps": 200, "buffer_size": 2000, "gradient_steps": 2, "batch_size": 32}},
    "es": {"steps": 8000, "eval_every": 4000, "es": {"population": 4}},
}
TINY["td3"] = TINY["sac"] = TINY["ddpg"]


def tiny_config(algo: str, arch: str = "ncap", **overrides) -> TrainConfig:
    """A config that trains in a few seconds (n_links 4, one evaluation episode)."""
    base = {"algo": algo, "n_links": 4, "eval_episodes": 1, "arch": {"arch": arch, "hidden": [16, 16]}}
    return merge(merge(TrainConfig(), {**base, **TINY[algo]}), overrides)


def fake_run(path, steps, finished=False, seed=0) -> RunDir:
    """A run directory as a trainer leaves it after evaluating at ``steps`` (file contents are stand-ins)."""
    run = RunDir.create(path, tiny_config("es", seed=seed))
    run.write_metrics([current_metrics({"env_steps": step, "return_deterministic": 1.0}) for step in steps])
    (run.path / "checkpoint.pt").write_bytes(f"checkpoint at {steps[-1]}".encode())
    (run.path / "tb").mkdir(exist_ok=True)
    (run.path / "tb" / "events.1").write_bytes(b"e" * len(steps))
    if finished:
        (run.path / "policy.pt").write_bytes(b"policy")
    return run
