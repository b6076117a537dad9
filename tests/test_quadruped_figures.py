"""The quadruped's figures from tiny runs: every file written, CSVs holding what the figures draw."""

import csv

import numpy as np
import pytest

from ncap.config import TrainConfig, merge
from ncap.envs.quadruped import QuadrupedTaskConfig
from ncap.experiments.gait import record_gait
from ncap.experiments.quadruped_figures import load_quadruped_groups, make_quadruped_figures
from ncap.policies import ArchitectureConfig, build_policy
from ncap.training.train import train

TINY = {"task": "quadruped", "algo": "es", "steps": 2000, "eval_every": 2000, "eval_episodes": 1, "threads": 1,
        "es": {"update": "ars", "population": 4, "lr": 1.0, "weight_decay": 0.01}}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("quadruped-runs")
    for seed in (0, 1):
        train(merge(TrainConfig(), {**TINY, "seed": seed, "es": {**TINY["es"], "sigma": 0.1}}), root / f"ncap-s{seed}")
        train(merge(TrainConfig(), {**TINY, "seed": seed, "arch": {"arch": "mlp", "hidden": [8, 8], "mlp_init": "zeros"},
                                    "es": {**TINY["es"], "sigma": 0.02}}), root / f"mlp-s{seed}")
    return root


def test_every_figure_and_the_summary(runs, tmp_path):
    written = make_quadruped_figures(runs, tmp_path, episodes=1)
    names = {path.name for path in written}
    for figure in ("Qcurves", "Qgeneral", "Qgait", "Qparams"):
        assert {f"fig{figure}.png", f"fig{figure}.svg"} <= names
        rows = list(csv.DictReader(open(tmp_path / f"fig{figure}.csv")))
        assert rows and all(row["figure"] == figure for row in rows)
    curves = list(csv.DictReader(open(tmp_path / "figQcurves.csv")))
    groups = load_quadruped_groups(runs)
    assert len(groups) == 2 and all(len(g.runs) == 2 for g in groups)
    for group in groups:  # the CSV's final IQMs (2 seeds: their mean) are the groups' final returns
        final = np.mean(group.final_returns("return_deterministic"))
        series = [r for r in curves if r["panel"] == "flat return_deterministic" and r["x"] == "2000.0"
                  and r["series"].endswith(group.label + "")]
        assert any(float(r["point"]) == pytest.approx(final) and r["statistic"] == "IQM" for r in series)
    summary = (tmp_path / "quadruped_summary.md").read_text()
    assert "ncap" in summary and "mlp8x8-zeros" in summary


def test_gait_of_the_untrained_circuit_steps_every_leg():
    gait = record_gait(build_policy(ArchitectureConfig(), "quadruped", 6), QuadrupedTaskConfig(), seed=0)
    assert gait.steps == 500 and gait.flexors.shape == (500, 4)
    assert ((gait.duty_factor > 0.2) & (gait.duty_factor < 0.95)).all()  # every foot both stands and swings
    period, phases = gait.period_and_phases
    assert np.isfinite(period) and phases[0] == 0
