"""Save -> kill -9 -> resume for every Stable-Baselines3 algorithm: the resumed run equals an
uninterrupted run with the same seed (every metrics value but wall time, and the final weights)."""

import math
import os
import signal
import subprocess
import sys
import time

import pytest
import torch
import yaml

from ncap.runs import RunDir

OFF_POLICY = {"steps": 1200, "eval_every": 200, "offpolicy": {
    "num_envs": 2, "learning_starts": 100, "random_steps": 200, "buffer_size": 2000, "gradient_steps": 10,
    "batch_size": 32}}
SETTINGS = {
    "ppo": {"steps": 2048, "eval_every": 256, "ppo": {"batch_steps": 256, "num_envs": 4, "iterations": 10}},
    "ddpg": OFF_POLICY, "td3": OFF_POLICY, "sac": OFF_POLICY,
}


def _train_args(config_path, out):
    return [sys.executable, "-m", "ncap.cli.main", "train", "--config", str(config_path), "--out", str(out)]


def _kill_after_rows(args, metrics, rows: int) -> None:
    """Start ``args`` and kill -9 it (its whole group) once ``metrics`` has ``rows`` rows."""
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 240
    while time.time() < deadline and process.poll() is None:
        if metrics.is_file() and len(metrics.read_text().splitlines()) > rows:
            break
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _comparable(row: dict) -> dict:
    """A metrics row without its wall time, NaN as None (so that equal rows compare equal)."""
    return {k: None if math.isnan(v) else v for k, v in row.items() if k != "wall_time"}


def _full_and_cut(tmp_path, config: dict) -> tuple[list[dict], list[dict]]:
    """Train ``config`` uninterrupted into full/, and into cut/ killed after two rows then resumed;
    both runs' metrics rows."""
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    subprocess.run(_train_args(path, tmp_path / "full"), check=True, capture_output=True)
    _kill_after_rows(_train_args(path, tmp_path / "cut"), tmp_path / "cut" / "metrics.csv", rows=2)
    assert not (tmp_path / "cut" / "policy.pt").exists(), "the run finished before it could be killed"
    subprocess.run([sys.executable, "-m", "ncap.cli.main", "train", "--resume", str(tmp_path / "cut")],
                   check=True, capture_output=True)
    return RunDir(tmp_path / "full").read_metrics(), RunDir(tmp_path / "cut").read_metrics()


@pytest.mark.parametrize("algo", list(SETTINGS))
def test_killed_and_resumed_run_equals_the_uninterrupted_one(tmp_path, algo):
    config = {"algo": algo, "n_links": 4, "seed": 3, "eval_episodes": 1, "threads": 1,
              "arch": {"arch": "mlp", "hidden": [16, 16]}, **SETTINGS[algo]}
    full, cut = _full_and_cut(tmp_path, config)
    assert [r["env_steps"] for r in cut] == [r["env_steps"] for r in full]  # no duplicated or missing rows
    assert [_comparable(row) for row in cut] == [_comparable(row) for row in full]
    weights = [torch.load(tmp_path / run / "policy.pt", weights_only=True) for run in ("full", "cut")]
    assert weights[0]["policy"].keys() == weights[1]["policy"].keys()
    for name, value in weights[0]["policy"].items():
        assert torch.equal(value, weights[1]["policy"][name]), name
    assert torch.equal(weights[0]["noise_std"], weights[1]["noise_std"])


QUADRUPED = {
    "ppo": {"arch": {"arch": "mlp", "hidden": [16, 16]}, "steps": 1024, "eval_every": 256,
            "ppo": {"batch_steps": 256, "num_envs": 4, "iterations": 5}},
    "es": {"arch": {"arch": "ncap"}, "steps": 6000, "eval_every": 2000,
           "es": {"update": "ars", "population": 4, "sigma": 0.1, "lr": 1.0, "weight_decay": 0.01}},
    "ppo-circuit": {"algo": "ppo", "arch": {"arch": "ncap"}, "steps": 1024, "eval_every": 256,
                    "ppo": {"batch_steps": 256, "num_envs": 4, "iterations": 5}},
}


@pytest.mark.parametrize("algo", list(QUADRUPED))
def test_killed_and_resumed_quadruped_run_equals_the_uninterrupted_one(tmp_path, algo):
    """On the quadruped, bodies fall and restart one by one (PPO) and the circuit carries state (ES; PPO in
    the observation, with the first states' generator in the checkpoint)."""
    config = {"task": "quadruped", "algo": algo.split("-")[0], "seed": 1, "eval_episodes": 1, "threads": 1,
              "quadruped": {"terrain": "bumps"}, **QUADRUPED[algo]}
    full, cut = _full_and_cut(tmp_path, config)
    assert [_comparable(row) for row in cut] == [_comparable(row) for row in full]
