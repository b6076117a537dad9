"""`ncap train` as a user runs it: bad input, kill -9 and --resume."""

import os
import signal
import subprocess
import sys
import time

import pytest
import torch
import yaml
from test_cli import ncap

TINY_ES = ["--algo", "es", "--n-links", "3", "--eval-episodes", "1", "--eval-every", "2000"]


def _write(path, data):
    path.write_text(yaml.safe_dump(data))
    return str(path)


@pytest.fixture()
def es_yaml(tmp_path):
    return _write(tmp_path / "es.yaml", {"es": {"population": 2}})


def _assert_one_line_error(result, message):
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ncap: error:") and message in lines[0], result.stderr


@pytest.mark.parametrize("args,message", [
    (["--arch", "transformer"], "invalid choice"),
    (["--algo", "a3c"], "invalid choice"),
    (["--task", "fly"], "invalid choice"),
    (["--hidden", "0,3", "--arch", "mlp"], "hidden sizes must be positive"),
    (["--mlp-activation", "gelu", "--arch", "mlp"], "invalid choice"),
    (["--steps", "0"], "steps must be a positive integer"),
    (["--steps", "-5"], "steps must be a positive integer"),
    (["--n-links", "2"], "n_links must be at least 3"),
    (["--controller", "learned"], "navigate task"),
])
def test_bad_flags(tmp_path, args, message):
    result = ncap("train", "--out", str(tmp_path / "run"), *args)
    _assert_one_line_error(result, message)
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("content,message", [
    ({"stepz": 10}, "unknown key in config: stepz"),
    ({"ppo": {"iterations": "many"}}, "config.ppo.iterations must be an integer"),
    ({"arch": {"sign_constraints": 3}}, "must be true or false"),
    ("[1, 2", "not valid YAML"),
])
def test_bad_config_files(tmp_path, content, message):
    path = tmp_path / "bad.yaml"
    path.write_text(content if isinstance(content, str) else yaml.safe_dump(content))
    _assert_one_line_error(ncap("train", "--out", str(tmp_path / "run"), "--config", str(path)), message)
    _assert_one_line_error(ncap("train", "--out", str(tmp_path / "run"), "--config", str(tmp_path / "no.yaml")),
                           "no such file")


def test_existing_different_run_is_refused_and_untouched(tmp_path, es_yaml):
    out = tmp_path / "run"
    ncap("train", "--out", str(out), "--steps", "2000", "--config", es_yaml, *TINY_ES, check=True)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    result = ncap("train", "--out", str(out), "--steps", "4000", "--config", es_yaml, *TINY_ES)
    _assert_one_line_error(result, "holds a different run (differs in: steps)")
    assert before == {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}


def test_resume_errors(tmp_path, es_yaml):
    _assert_one_line_error(ncap("train", "--resume", str(tmp_path / "missing")), "no such run directory")
    out = tmp_path / "run"
    ncap("train", "--out", str(out), "--steps", "2000", "--config", es_yaml, *TINY_ES, check=True)
    (out / "policy.pt").unlink()
    checkpoint = out / "checkpoint.pt"
    checkpoint.write_bytes(checkpoint.read_bytes()[:200])
    _assert_one_line_error(ncap("train", "--resume", str(out)), "corrupt or truncated checkpoint")
    _assert_one_line_error(ncap("eval", str(out)), "corrupt or truncated checkpoint")
    _assert_one_line_error(ncap("train", "--resume", str(out), "--steps", "9"), "--resume takes only")


def test_resuming_a_checkpoint_of_the_old_ppo_std_head_is_refused(tmp_path):
    """A PPO MLP checkpoint from before Tonic's std head (exp(log_std)) is refused with one line, untouched."""
    config = _write(tmp_path / "ppo.yaml", {"ppo": {"batch_steps": 256, "num_envs": 4, "iterations": 2}})
    out = tmp_path / "run"
    ncap("train", "--out", str(out), "--algo", "ppo", "--arch", "mlp", "--hidden", "8,8", "--n-links", "3",
         "--steps", "512", "--eval-every", "256", "--eval-episodes", "1", "--config", config, check=True)
    (out / "policy.pt").unlink()
    state = torch.load(out / "checkpoint.pt", weights_only=True)
    policy = state["sb3_policy"]
    policy["log_std"] = torch.full_like(policy.pop("std_param"), -0.69)
    torch.save(state, out / "checkpoint.pt")
    before = (out / "checkpoint.pt").read_bytes()
    _assert_one_line_error(ncap("train", "--resume", str(out)), "old exp(log_std) PPO std head")
    assert (out / "checkpoint.pt").read_bytes() == before


def test_kill_9_then_resume_gives_consistent_metrics(tmp_path, es_yaml):
    out = tmp_path / "run"
    args = [sys.executable, "-m", "ncap.cli.main", "train", "--out", str(out), "--steps", "12000",
            "--config", es_yaml, *TINY_ES]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 240
    while time.time() < deadline and process.poll() is None:
        metrics = out / "metrics.csv"
        if metrics.is_file() and len(metrics.read_text().splitlines()) >= 3:  # header + 2 rows
            break
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert not (out / "policy.pt").exists(), "the run finished before it could be killed"
    resumed = ncap("train", "--resume", str(out), check=True)
    rows = [line.split(",")[0] for line in (out / "metrics.csv").read_text().splitlines()[1:]]
    assert rows == [str(s) for s in range(0, 12001, 2000)]  # no duplicates, none missing
    # Off a terminal, each row the resumed run saves prints one progress line: steps, return, speed, ETA.
    progress = [line for line in resumed.stderr.splitlines() if line.startswith("[run] ")]
    shown = [int(line.split()[1].split("/")[0].replace(",", "")) for line in progress]
    assert shown and shown == [int(s) for s in rows[-len(shown):]], resumed.stderr
    assert progress[-1].startswith("[run] 12,000/12,000 steps (100%), return ")
    assert progress[-1].endswith("steps/s, ETA 0:00:00")
    assert (out / "policy.pt").is_file()
    result = ncap("eval", str(out), "--episodes", "1", "--json", check=True)
    assert '"n_links": 3' in result.stdout
