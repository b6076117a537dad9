"""Tiny training budgets shared by the training tests; committed runs and scripts for the script tests."""

import shutil
import subprocess
import sys
from pathlib import Path

from ncap.config import TrainConfig, merge
from ncap.runs import RunDir, current_metrics

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


ROOT = Path(__file__).resolve().parents[1]


def copy_committed_run(path, to, *drop) -> Path:
    """Copy the committed run ``path`` (a run directory under ``results/``, relative to the repository) to ``to``,
    without its local checkpoint and TensorBoard logs, nor the files named in ``drop``."""
    shutil.copytree(ROOT / path, to, ignore=shutil.ignore_patterns("checkpoint.pt", "tb", *drop))
    return Path(to)


def run_script(name, *args) -> subprocess.CompletedProcess:
    """Run ``scripts/<name>`` with ``args`` from the repository root, as a user would; output captured."""
    return subprocess.run([sys.executable, str(ROOT / "scripts" / name), *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT)
