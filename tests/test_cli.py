"""The ncap command, run as a user would (subprocess): output, JSON, one-line errors."""

import json
import subprocess
import sys

import pytest


def ncap(*args, check=False):
    return subprocess.run([sys.executable, "-m", "ncap.cli.main", *args], capture_output=True, text=True,
                          check=check, timeout=300)


def test_eval_init_json():
    result = ncap("eval", "--init", "--n-links", "4", "--episodes", "2", "--json", check=True)
    payload = json.loads(result.stdout)
    assert payload["n_links"] == 4 and payload["episodes"] == 2 and payload["num_parameters"] == 4
    assert payload["mean_return"] > 100 and len(payload["returns"]) == 2


def test_eval_init_mlp_activation_changes_the_policy_not_its_size():
    runs = {act: json.loads(ncap("eval", "--init", "--arch", "mlp", "--hidden", "8,8", "--mlp-activation", act,
                                 "--n-links", "4", "--episodes", "1", "--json", check=True).stdout)
            for act in ("relu", "tanh")}
    assert runs["relu"]["num_parameters"] == runs["tanh"]["num_parameters"] == 15 * 8 + 8 + 8 * 8 + 8 + 8 * 3 + 3  # 15 = 3 joints + 3 * 4 velocities
    assert runs["relu"]["returns"] != runs["tanh"]["returns"]


@pytest.mark.parametrize("args,message", [
    (["eval", "--init", "--n-links", "2"], "n_links must be at least 3"),
    (["eval", "--init", "--arch", "cnn"], "invalid choice"),
    (["eval", "--init", "--arch", "mlp", "--hidden", "0,3"], "hidden sizes must be positive"),
    (["eval", "--init", "--arch", "mlp", "--mlp-activation", "gelu"], "invalid choice"),
    (["eval", "--init", "--episodes", "0"], "positive integer"),
    (["eval", "--init", "--controller", "learned"], "navigate task"),
    (["eval"], "either a RUN_DIR or --init"),
    (["fly"], "invalid choice"),
])
def test_bad_input_is_one_line_and_exit_2(args, message):
    result = ncap(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ncap: error:") and message in lines[0]
    assert "Traceback" not in result.stderr


def test_video_and_activity_commands(tmp_path):
    out = tmp_path / "clip.mp4"
    result = ncap("video", "--init", "--n-links", "4", "--seconds", "0.5", "--size", "64x48", "--out", str(out),
                  check=True)
    assert out.is_file() and "frames/s" in result.stdout
    ncap("activity", "--init", "--n-links", "4", "--seconds", "1", "--out", str(tmp_path / "a.png"), check=True)
    assert (tmp_path / "a.png").is_file()


@pytest.mark.parametrize("args,message", [
    (["video", "--init", "--seconds", "0", "--out", "x.mp4"], "seconds must be in (0, 30]"),
    (["video", "--init", "--out", "/no/such/dir/x.mp4"], "no directory"),
    (["video", "--init", "--out", "x.avi"], "--out must end with .mp4"),
    (["video", "/no/such/run", "--out", "x.mp4"], "no run directory"),
    (["video", "--init", "--arch", "mlp", "--activity", "--out", "x.mp4"], "needs a circuit policy"),
    (["activity", "--init", "--out", "x.jpg"], "--out must end with .png or .svg"),
])
def test_video_bad_input(tmp_path, args, message):
    result = subprocess.run([sys.executable, "-m", "ncap.cli.main", *args], capture_output=True, text=True,
                            cwd=tmp_path, timeout=300)
    assert result.returncode == 2 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_run_whose_config_is_broken_yaml_is_one_line(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "config.yaml").write_text("task: [\n")
    result = ncap("eval", str(tmp_path / "run"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"ncap: error: unreadable {tmp_path / 'run' / 'config.yaml'}:")


def test_a_bug_keeps_its_traceback_while_user_errors_are_one_line(monkeypatch, capsys):
    from ncap.cli import evaluate, main
    from ncap.errors import ConfigError

    def broken(*args, **kwargs):
        raise ValueError("actions must be finite; got NaN or infinite values")

    monkeypatch.setattr(evaluate, "evaluate", broken)
    with pytest.raises(ValueError, match="must be finite"):  # not swallowed as "ncap: error"
        main.main(["eval", "--init", "--episodes", "1"])

    def bad_setting(*args, **kwargs):
        raise ConfigError("n_links must be at least 3")

    monkeypatch.setattr(evaluate, "evaluate", bad_setting)
    assert main.main(["eval", "--init", "--episodes", "1"]) == 2
    assert capsys.readouterr().err.strip() == "ncap: error: n_links must be at least 3"
