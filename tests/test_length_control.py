"""Claim 5's control: direct training, zero-shot transfer and the untrained circuit on the same starts."""

import csv
import subprocess
import sys

import pytest
import yaml
from helpers import copy_committed_run, run_script

from ncap.runs import RunDir


def _final(path):
    return RunDir(path).read_metrics()[-1]["return_deterministic"]


@pytest.fixture
def runs(tmp_path):
    direct, moved = tmp_path / "direct", tmp_path / "transfer"
    for seed in (0, 1):
        copy_committed_run(f"results/claim5-ppo-2e6/ppo-ncap-n4-s{seed}", direct / f"ppo-ncap-n4-s{seed}")
    copy_committed_run("results/claim6-ppo-2e6/ppo-ncap-s0", moved / "ppo-ncap-s0")
    return direct, moved


def test_the_three_sources_share_one_measure_and_the_trained_length_is_the_final_evaluation(tmp_path, runs):
    direct, moved = runs
    result = run_script("length_control.py", direct, moved, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    with (tmp_path / "out" / "length_control.csv").open() as handle:
        rows = {(int(r["joints"]), r["source"]): r for r in csv.DictReader(handle)}
    assert set(rows) == {(3, "direct"), (3, "transfer"), (3, "untrained"), (5, "direct"), (5, "transfer"),
                         (5, "untrained")}
    finals = [_final(direct / f"ppo-ncap-n4-s{seed}") for seed in (0, 1)]
    assert float(rows[(3, "direct")]["point"]) == pytest.approx(sum(finals) / 2)  # IQM of 2 seeds: their mean
    assert rows[(3, "direct")]["n_seeds"] == "2" and rows[(3, "direct")]["statistic"] == "IQM"
    # at its own length the transferred circuit is its final evaluation: the same starts and measure
    assert float(rows[(5, "transfer")]["point"]) == pytest.approx(_final(moved / "ppo-ncap-s0"))
    assert rows[(5, "direct")]["point"] == rows[(5, "transfer")]["point"]  # the 6-link run is both
    assert float(rows[(3, "untrained")]["point"]) < float(rows[(3, "direct")]["point"])
    assert rows[(3, "untrained")]["statistic"] == "one policy" and rows[(3, "untrained")]["n_seeds"] == "1"
    assert (tmp_path / "out" / "length_control.png").stat().st_size > 0


def test_runs_evaluated_on_other_starts_are_refused_in_one_line(tmp_path, runs):
    direct, moved = runs
    config = direct / "ppo-ncap-n4-s1" / "config.yaml"
    data = yaml.safe_load(config.read_text())
    data["eval_seed"] = 7
    config.write_text(yaml.safe_dump(data))
    result = run_script("length_control.py", direct, moved, tmp_path / "out")
    assert result.returncode == 2 and "different starts" in result.stderr
    assert result.stderr.count("\n") == 1 and not (tmp_path / "out").exists()


def test_fig6_refuses_trained_circuits_evaluated_on_other_starts_before_drawing_anything(tmp_path):
    runs = tmp_path / "runs"
    for seed in (0, 1):
        copy_committed_run(f"results/claim6-ppo-2e6/ppo-ncap-s{seed}", runs / f"ppo-ncap-s{seed}")
    config = runs / "ppo-ncap-s1" / "config.yaml"
    data = yaml.safe_load(config.read_text())
    data["eval_episodes"] = 3
    config.write_text(yaml.safe_dump(data))
    result = subprocess.run([sys.executable, "-m", "ncap.cli.main", "figures", str(runs), "--figure", "6", "--out",
                             str(tmp_path / "out")], capture_output=True, text=True)
    assert result.returncode == 2 and "different starts" in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1 and not (tmp_path / "out").exists()
