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


@pytest.mark.parametrize("args,message", [
    (["eval", "--init", "--n-links", "2"], "n_links must be at least 3"),
    (["eval", "--init", "--arch", "cnn"], "invalid choice"),
    (["eval", "--init", "--arch", "mlp", "--hidden", "0,3"], "hidden sizes must be positive"),
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
