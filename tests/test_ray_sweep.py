"""Sweeps on Ray: the local sweep's behaviour on a local Ray, a lost node on a three-node cluster, bad input."""

import itertools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import yaml
from helpers import fake_run, tiny_config

import ncap
from ncap.errors import ClusterError
from ncap.experiments.grids import RunSpec, expand_yaml
from ncap.experiments.ray_sweep import check_reachable, collect_finished, seed_storage
from ncap.experiments.sweep import run_sweep
from ncap.runs import RunDir, RunError
from ncap.training.train import train

ES_BASE = {"algo": "es", "n_links": 3, "eval_episodes": 1, "es": {"population": 2}}
GRID = {"base": {**ES_BASE, "steps": 4000, "eval_every": 2000}, "grid": {"seed": [0, 1, 2, 3]}}
LONG_GRID = {"base": {**ES_BASE, "steps": 40_000, "eval_every": 4000}, "grid": {"seed": [0, 1]}}
"""Runs of about half a minute each on a loaded machine: time to lose a node in the middle of one."""


@pytest.fixture
def ray_workers_import_this_ncap(monkeypatch):
    """Ray's worker processes, started from this process, import the ncap under test."""
    src = str(Path(ncap.__file__).resolve().parents[1])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")])))


class _Interrupted(Exception):
    pass


def _interrupt_after(saves: int):
    """An on_save hook that stops training after ``saves`` saves, as a kill would."""
    count = itertools.count(1)

    def hook(run):
        if next(count) >= saves:
            raise _Interrupted

    return hook


def _column(run_dir, name):
    return [row[name] for row in RunDir(run_dir).read_metrics()]


def _rows(run_dir):
    """Each evaluation's step, wall time and return: what a retrained run would not repeat exactly."""
    return [(row["env_steps"], row["wall_time"], row["return_deterministic"]) for row in RunDir(run_dir).read_metrics()]


def _assert_steps_strictly_increase(run_dir, steps):
    done = _column(run_dir, "env_steps")
    assert all(a < b for a, b in zip(done, done[1:])) and done[-1] >= steps


def test_ray_sweep_skips_resumes_and_reports_like_a_local_one(tmp_path, ray_workers_import_this_ncap):
    ray = pytest.importorskip("ray")
    specs = {spec.config.seed: spec for spec in expand_yaml(GRID)}
    runs, reference = tmp_path / "runs", tmp_path / "reference"
    train(specs[0].config, runs / specs[0].name)  # finished before the sweep
    with pytest.raises(_Interrupted):  # interrupted after its checkpoint at 2000 steps
        train(specs[1].config, runs / specs[1].name, on_save=_interrupt_after(2))
    interrupted = _rows(runs / specs[1].name)
    (runs / specs[2].name).mkdir()
    (runs / specs[2].name / "notes.txt").write_text("not an ncap run")
    train(specs[1].config, reference / specs[1].name)
    finished_at = (runs / specs[0].name / "policy.pt").stat().st_mtime_ns
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        report = run_sweep(list(specs.values()), runs, workers=2, use_ray=True, progress=lambda line: None)
    finally:
        ray.shutdown()
    assert report.skipped == [specs[0].name] and (runs / specs[0].name / "policy.pt").stat().st_mtime_ns == finished_at
    assert sorted(report.trained) == [specs[1].name, specs[3].name]
    assert list(report.failed) == [specs[2].name] and "not an ncap run" in report.failed[specs[2].name]
    assert sorted(p.name for p in (runs / specs[2].name).iterdir()) == ["notes.txt"]
    assert len(interrupted) == 2 and _rows(runs / specs[1].name)[:2] == interrupted  # resumed, not retrained
    for seed in (1, 3):
        _assert_steps_strictly_increase(runs / specs[seed].name, GRID["base"]["steps"])
    assert _column(runs / specs[1].name, "return_deterministic") == _column(reference / specs[1].name,
                                                                            "return_deterministic")


def _run_in_progress(node_dir: Path, storage: Path, names: list[str], timeout: float = 900) -> tuple[str, list]:
    """The run training on the node with ``node_dir`` once its storage copy has 2 evaluations, and those rows."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for work in (node_dir / "ncap-runs").glob("*"):
            name = next((n for n in names if work.name.startswith(n + "-")), None)
            rows = _rows(storage / name) if name else []
            if len(rows) >= 2 and not RunDir(storage / name).finished:
                return name, rows
        time.sleep(0.1)
    raise AssertionError(f"no run reached its second evaluation on {node_dir} in {timeout} s")


@pytest.mark.slow
def test_a_lost_node_costs_only_the_run_it_held(tmp_path, ray_workers_import_this_ncap):
    """Three nodes of one CPU each (the driver's trains nothing), each with its own temp dir; the node
    training one of two runs is killed after that run's second checkpoint, and a fresh node joins."""
    ray = pytest.importorskip("ray")
    from ray.cluster_utils import Cluster  # noqa: PLC0415

    specs = expand_yaml(LONG_GRID)
    nodes_dir = Path(tempfile.mkdtemp(prefix="ncap-"))  # short: Ray's socket paths must stay under 108 characters
    fast_detection = {"health_check_initial_delay_ms": 0, "health_check_period_ms": 1000,
                      "health_check_failure_threshold": 3}
    cluster = Cluster(initialize_head=True, head_node_args={
        "num_cpus": 0, "temp_dir": str(nodes_dir / "head"), "include_dashboard": False,
        "_system_config": fast_detection})
    storage, runs = tmp_path / "shared", tmp_path / "runs"
    outcome = {}
    try:
        nodes = [cluster.add_node(num_cpus=1, temp_dir=str(nodes_dir / f"node{i}")) for i in range(2)]
        ray.init(address=cluster.address, include_dashboard=False, log_to_driver=False)
        sweep = threading.Thread(target=lambda: outcome.update(report=run_sweep(
            specs, runs, use_ray=True, storage_path=storage, progress=lambda line: None)))
        sweep.start()
        victim, rows_before = _run_in_progress(  # generous: Ray runs its workers niced (a loaded machine starves them)
            nodes_dir / "node0", storage, [s.name for s in specs])
        cluster.remove_node(nodes[0], allow_graceful=False)
        cluster.add_node(num_cpus=1, temp_dir=str(nodes_dir / "node2"))
        sweep.join(timeout=1200)
        assert not sweep.is_alive(), "the sweep did not end within 20 minutes"
        trained_on_lost_node = [p.name.rpartition("-")[0] for p in (nodes_dir / "node0" / "ncap-runs").iterdir()]
    finally:
        ray.shutdown()
        cluster.shutdown()
        shutil.rmtree(nodes_dir, ignore_errors=True)
    report = outcome["report"]
    assert not report.failed and sorted(report.trained) == sorted(s.name for s in specs)
    assert trained_on_lost_node == [victim]  # its working copy on the lost node's disk, left behind
    for spec in specs:  # on the driver's side, in the sweep's output directory, each row once
        assert RunDir(runs / spec.name).finished and RunDir(storage / spec.name).finished
        _assert_steps_strictly_increase(runs / spec.name, LONG_GRID["base"]["steps"])
    assert _rows(runs / victim)[:len(rows_before)] == rows_before  # resumed from the synced checkpoint
    reference = tmp_path / "reference" / victim
    train(next(s for s in specs if s.name == victim).config, reference)
    assert _column(runs / victim, "return_deterministic") == _column(reference, "return_deterministic")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ncap_sweep(tmp_path, *flags):
    grid = tmp_path / "grid.yaml"
    grid.write_text(yaml.safe_dump({**GRID, "grid": {"seed": [0]}}))
    return subprocess.run([sys.executable, "-m", "ncap.cli.main", "sweep", "--grid", str(grid), "--out",
                           str(tmp_path / "runs"), *flags], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("flags,message", [
    (lambda tmp: ["--ray-address", f"127.0.0.1:{_closed_port()}"], "no Ray cluster reachable at 127.0.0.1:"),
    (lambda tmp: ["--ray", "--storage-path", str(tmp / "grid.yaml")], "exists and is not a directory"),
    (lambda tmp: ["--ray", "--storage-path", "s3://bucket/runs"], "not a URI"),
    (lambda tmp: ["--storage-path", str(tmp / "shared")], "storage path is for sweeps on Ray"),
], ids=["unreachable-address", "storage-is-a-file", "storage-uri", "storage-without-ray"])
def test_bad_cluster_or_storage_is_one_line_and_exit_2(tmp_path, flags, message):
    started = time.time()
    result = _ncap_sweep(tmp_path, *flags(tmp_path))
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and message in lines[0], result.stderr
    assert lines[0].startswith("ncap: error:") and time.time() - started < 60
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_reachability_check_reads_ray_addresses():
    port = _closed_port()
    for address in (f"127.0.0.1:{port}", f"ray://127.0.0.1:{port}", f"ray://127.0.0.1:{port}/namespace"):
        with pytest.raises(ClusterError, match="no Ray cluster reachable"):
            check_reachable(address)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        check_reachable(f"127.0.0.1:{server.getsockname()[1]}")


def test_with_storage_elsewhere_finished_runs_are_collected_and_interrupted_ones_seeded(tmp_path):
    runs, storage = tmp_path / "runs", tmp_path / "shared"
    done, foreign, interrupted = (RunSpec(name, tiny_config("es")) for name in ("done", "foreign", "interrupted"))
    fake_run(storage / "done", [0, 4000, 8000], finished=True)
    fake_run(storage / "foreign", [0, 4000, 8000], finished=True)
    (runs / "foreign").mkdir(parents=True)
    (runs / "foreign" / "notes.txt").write_text("not an ncap run")
    assert collect_finished([done, foreign, interrupted], runs, storage) == ["done"]
    assert RunDir(runs / "done").finished and sorted(p.name for p in (runs / "foreign").iterdir()) == ["notes.txt"]
    with pytest.raises(RunError, match="not an ncap run"):
        seed_storage(foreign, runs, storage)
    fake_run(runs / "interrupted", [0, 4000])
    seed_storage(interrupted, runs, storage)
    assert (storage / "interrupted" / "checkpoint.pt").read_bytes() == b"checkpoint at 4000"
