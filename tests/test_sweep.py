"""Sweeps: the smoke grid end to end with figures, skipping, failures, kill and restart (Ray: test_ray_sweep)."""

import csv
import os
import signal
import subprocess
import sys
import time

import yaml

from ncap.experiments.figures import make_figures
from ncap.experiments.grids import expand, expand_yaml
from ncap.experiments.labels import arch_key
from ncap.experiments.sweep import run_sweep
from ncap.runs import RunDir

ES_GRID = {"base": {"algo": "es", "n_links": 3, "steps": 4000, "eval_every": 2000, "eval_episodes": 1,
                    "es": {"population": 2}},
           "grid": {"seed": [0, 1]}}


def test_smoke_sweep_then_every_figure(tmp_path):
    specs = expand(["all"], "smoke")
    report = run_sweep(specs, tmp_path / "runs", workers=2, progress=lambda line: None)
    assert not report.failed and len(report.trained) == len(specs)
    again = run_sweep(specs, tmp_path / "runs", workers=2, progress=lambda line: None)
    assert len(again.skipped) == len(specs) and not again.trained
    written = make_figures(tmp_path / "runs", tmp_path / "figs", transfer_links=(3, 4))  # trained on 4 links
    for figure in ("4a", "4b", "5", "6", "7a", "7b"):
        for ext in ("png", "svg", "csv"):
            assert (tmp_path / "figs" / f"fig{figure}.{ext}").stat().st_size > 0
    assert len(written) == 16  # 6 figures x (png, svg) + summary.csv/.md + runs.csv/.md
    groups = {(spec.config.algo, arch_key(spec.config.arch)) for spec in specs}
    assert (tmp_path / "figs" / "summary.csv").read_text().count("\n") == 1 + len(groups)
    assert (tmp_path / "figs" / "runs.csv").read_text().count("\n") == 1 + len(specs)
    with (tmp_path / "figs" / "fig7a.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert {row["panel"] for row in rows} == {"ppo", "ddpg", "es", "ppo final", "ddpg final", "es final"}
    assert len({row["series"] for row in rows if row["panel"] == "ddpg"}) == 8
    # Fig. 6 evaluates on the training's own starts and episodes, deterministic: at the trained length it is
    # the final evaluation's deterministic return, run by run (one seed here: the IQM is that run's)
    with (tmp_path / "figs" / "fig6.csv").open() as handle:
        transfer = list(csv.DictReader(handle))
    for spec in specs:
        if spec.config.arch.arch == "ncap" and arch_key(spec.config.arch) == "ncap":
            final = RunDir(tmp_path / "runs" / spec.name).read_metrics()[-1]["return_deterministic"]
            (row,) = [r for r in transfer if r["series"] == f"{spec.config.algo} trained"
                      and float(r["x"]) == spec.config.n_links - 1]
            assert float(row["point"]) == final


def _sabotage(runs_dir, name):
    """Make a run fail when it starts: its directory already holds something that is not a run."""
    (runs_dir / name).mkdir(parents=True)
    (runs_dir / name / "notes.txt").write_text("not an ncap run")


def test_failing_run_does_not_stop_the_others(tmp_path):
    specs = expand_yaml(ES_GRID)
    _sabotage(tmp_path, specs[0].name)
    report = run_sweep(specs, tmp_path, workers=1, progress=lambda line: None)
    assert report.trained == [specs[1].name]
    assert "not an ncap run" in report.failed[specs[0].name]
    assert (tmp_path / specs[0].name / "notes.txt").read_text() == "not an ncap run"  # untouched


def test_cli_sweep_reports_failure_in_one_line(tmp_path):
    grid = tmp_path / "grid.yaml"
    grid.write_text(yaml.safe_dump({**ES_GRID, "grid": {"seed": [0]}}))
    _sabotage(tmp_path / "runs", expand_yaml({**ES_GRID, "grid": {"seed": [0]}})[0].name)
    result = subprocess.run([sys.executable, "-m", "ncap.cli.main", "sweep", "--grid", str(grid), "--out",
                             str(tmp_path / "runs")], capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "1 run(s) failed" in result.stderr


def test_sweep_killed_midway_finishes_without_retraining(tmp_path):
    grid = tmp_path / "grid.yaml"
    grid.write_text(yaml.safe_dump(ES_GRID))
    runs = tmp_path / "runs"
    command = [sys.executable, "-m", "ncap.cli.main", "sweep", "--grid", str(grid), "--out", str(runs)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    first = runs / "es-ncap-n3-s0" / "policy.pt"
    deadline = time.time() + 240
    while time.time() < deadline and not first.exists():
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert first.exists()
    stamp = first.stat().st_mtime_ns
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    assert "skipped (finished before): 1" in result.stdout
    assert first.stat().st_mtime_ns == stamp
    assert RunDir(runs / "es-ncap-n3-s1").finished


def test_cli_medium_dry_run_lists_its_21_runs(tmp_path):
    result = subprocess.run([sys.executable, "-m", "ncap.cli.main", "sweep", "--budget", "medium", "--out",
                             str(tmp_path / "runs"), "--dry-run"], capture_output=True, text=True, timeout=120,
                            check=True)
    assert sorted(result.stdout.split()) == sorted(spec.name for spec in expand(["all"], "medium"))
    assert len(result.stdout.split()) == 21 and not (tmp_path / "runs").exists()


def test_output_piped_into_a_reader_that_stops_early_ends_quietly(tmp_path):
    """`ncap sweep --dry-run | head -1`: the closed pipe is not an error (BrokenPipeError is an OSError)."""
    grid = tmp_path / "grid.yaml"
    grid.write_text(yaml.safe_dump({**ES_GRID, "grid": {"seed": list(range(20000))}}))  # ~340 KB: more than a pipe holds
    command = [sys.executable, "-m", "ncap.cli.main", "sweep", "--grid", str(grid), "--out", str(tmp_path), "--dry-run"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline().strip() == b"es-ncap-n3-s0"
    process.stdout.close()  # the reader stops: later writes hit a closed pipe
    assert process.wait(timeout=120) == 0
    assert process.stderr.read() == b""
