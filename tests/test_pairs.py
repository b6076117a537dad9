"""``ncap compare``: two groups seed against seed, on hand-computed data and on committed runs."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from helpers import copy_committed_run, run_script

from ncap.config import TrainConfig, merge
from ncap.errors import ConfigError
from ncap.experiments.grids import ABLATIONS
from ncap.experiments.pairs import (
    FIG7A_FACTORS,
    compare_pair,
    fig7a_pairs,
    find_group,
    mean_over_training,
    report_markdown,
)
from ncap.experiments.results import RunGroup


def _group(algo, arch, curves, runs=None):
    """A group whose seeds' metrics are ``curves`` ({env_steps: return} per seed), deterministic measure."""
    group = RunGroup(merge(TrainConfig(), {"algo": algo, "arch": arch}), runs=runs or [None] * len(curves))
    group.__dict__["_metrics"] = [[{"env_steps": s, "return_deterministic": r, "return_sampled": math.nan}
                                   for s, r in c.items()] for c in curves]
    return group


def test_mean_over_training_is_the_area_under_the_curve_over_its_span():
    steps = np.array([0, 100, 300])
    returns = np.array([[0.0, 100.0, 100.0], [10.0, 10.0, 10.0]])
    # seed 0: triangle 0..100 (area 5,000) + rectangle 200 x 100 (20,000) = 25,000 over 300 steps
    assert mean_over_training(steps, returns) == pytest.approx([25_000 / 300, 10.0])
    with pytest.raises(ConfigError):
        mean_over_training(np.array([0]), np.array([[1.0]]))


def test_both_measures_are_taken_on_the_steps_every_seed_of_both_groups_has():
    fast = _group("ppo", {"arch": "ncap"}, [{0: 0.0, 100: 90.0, 200: 100.0, 300: 100.0}] * 3)
    slow = _group("ppo", {"arch": "ncap", "weight_sharing": False},
                  [{0: 0.0, 100: 10.0, 200: 50.0, 300: 100.0}] * 2 + [{0: 0.0, 100: 10.0, 200: 50.0}])
    report = compare_pair(fast, slow)
    assert report.column == "return_deterministic"  # sampled returns are missing: deterministic for both
    assert list(report.steps) == [0, 100, 200]  # the steps every seed of both groups has
    final, area = report.comparisons
    # the final return is at the last shared step, 200: 100 against 50 for every seed
    assert final.a.point == 100.0 and final.b.point == 50.0 and final.a_beats_b.point == 1.0
    # over 0..200: fast (0+90)/2 + (90+100)/2 = 140 per 100 steps -> 70; slow (0+10)/2 + (10+50)/2 = 35 -> 17.5
    assert area.a.point == pytest.approx(70.0) and area.b.point == pytest.approx(17.5)
    assert area.a_beats_b.point == 1.0 and area.a_beats_b.low == 1.0
    table = report_markdown(report)
    assert "| final return | 100.0 [100.0, 100.0] | 50.0 [50.0, 50.0] | 1.00 [1.00, 1.00] |" in table
    assert "A = ncap (3 seeds), B = ncap-noshare (3 seeds)" in table


def test_groups_are_found_by_key_and_algorithm_with_one_clear_error_otherwise():
    groups = [_group("ppo", {"arch": "ncap"}, [{0: 1.0}]), _group("es", {"arch": "ncap"}, [{0: 1.0}])]
    assert find_group(groups, "ncap", "es") is groups[1]
    with pytest.raises(ConfigError, match="choose one with --algo or --n-links"):
        find_group(groups, "ncap", None)
    with pytest.raises(ConfigError, match="the groups are: es/ncap/6 links, ppo/ncap/6 links"):
        find_group(groups, "mlp256x256", None)
    longer = _group("ppo", {"arch": "ncap"}, [{0: 1.0}])
    longer.config = merge(longer.config, {"n_links": 9})
    assert find_group([*groups, longer], "ncap", "ppo", n_links=9) is longer
    with pytest.raises(ConfigError, match="2 groups"):
        find_group([*groups, longer], "ncap", "ppo")


def _ncap(*args):
    return subprocess.run([sys.executable, "-m", "ncap.cli.main", "compare", *map(str, args)], capture_output=True,
                          text=True)


def test_the_cli_compares_committed_runs_and_refuses_unknown_groups_in_one_line(tmp_path):
    for name in ("ppo-ncap-s0", "ppo-ncap-noshare-s0", "ppo-ncap-noshare-s1"):
        copy_committed_run(f"results/claim6-sharing-ppo-1e6/{name}", tmp_path / name)
    result = _ncap(tmp_path, "ncap", "ncap-noshare", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["column"] == "return_sampled" and payload["seeds"] == [1, 2]
    final = payload["comparisons"][0]
    assert final["measure"] == "final return" and final["a"]["n"] == 1 and final["b"]["n"] == 2
    assert final["p_a_beats_b"]["point"] in (0.0, 0.5, 1.0)  # one seed against two
    bad = _ncap(tmp_path, "ncap", "mlp256x256")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "no finished runs of 'mlp256x256'" in bad.stderr
    missing = _ncap(tmp_path / "nowhere", "ncap", "ncap-noshare")
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1


def test_fig7a_pairs_are_the_12_single_factor_pairs_of_the_8_variants():
    pairs = fig7a_pairs()
    assert [tag for *_, tag in FIG7A_FACTORS] == list(ABLATIONS)  # the grids' tags, in key order
    assert len(pairs) == 12
    variants = {"ncap", "ncap-noshare", "ncap-nosign", "ncap-uniform", "ncap-noshare-nosign",
                "ncap-noshare-uniform", "ncap-nosign-uniform", "ncap-noshare-nosign-uniform"}
    assert {key for _, a, b in pairs for key in (a, b)} == variants
    for _, a, b in pairs:  # each pair differs in exactly one tag
        assert len(set(a.split("-")) ^ set(b.split("-"))) == 1
    assert len({frozenset((a, b)) for _, a, b in pairs}) == 12
    for variant in variants:  # each variant meets its 3 neighbours, one per factor
        assert sum(variant in (a, b) for _, a, b in pairs) == 3
    assert ("shared / unshared (signs, constant init)", "ncap", "ncap-noshare") in pairs
    assert ("constant init / uniform init (unshared, no signs)", "ncap-noshare-nosign",
            "ncap-noshare-nosign-uniform") in pairs


def test_the_claim6_pairs_script_prints_a_row_per_pair_with_both_groups(tmp_path):
    for name in ("ppo-ncap-s0", "ppo-ncap-noshare-s0", "ppo-ncap-uniform-s0", "ppo-ncap-uniform-s1"):
        copy_committed_run(f"results/claim6-ppo-2e6/{name}", tmp_path / name)
    result = run_script("claim6_pairs.py", tmp_path)
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")][1:]  # after the header
    assert [row.split(" | ")[0] for row in rows] == [
        "| shared / unshared (signs, constant init)", "| constant init / uniform init (shared, signs)"]
    assert "IQM over 1 or 2 seeds" in result.stdout
    expected = json.loads(_ncap(tmp_path, "ncap", "ncap-uniform", "--json").stdout)["comparisons"]
    cells = rows[1].strip("| ").split(" | ")
    assert cells[1].startswith(f"{expected[0]['a']['point']:.1f}")  # final A: one seed, no interval
    assert cells[3].startswith(f"{expected[0]['p_a_beats_b']['point']:.2f}")
    assert cells[6].startswith(f"{expected[1]['p_a_beats_b']['point']:.2f}")
    empty = run_script("claim6_pairs.py", tmp_path / "nowhere")
    assert empty.returncode == 1 and empty.stderr.count("\n") == 1
