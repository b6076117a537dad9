from helpers import copy_committed_run, run_script

from ncap.evaluation import evaluate
from ncap.runs import load_run_policy


def _copy(run, tmp_path):
    return copy_committed_run(f"results/small/{run}", tmp_path / run)


def _script(*args):
    return run_script("swap_weights.py", *args)


def test_no_swap_scores_the_base_and_every_swap_scores_the_donor(tmp_path):
    base, donor = _copy("ppo-ncap-s0", tmp_path), _copy("es-ncap-s0", tmp_path)
    done = _script(str(base), str(donor), "--episodes", "1", "--seed", "7")
    assert done.returncode == 0, done.stderr
    rows = [line.split(" | ") for line in done.stdout.splitlines()[2:]]
    assert [row[0].lstrip("| ") for row in rows] == ["none (base)", "w_osc", "w_prop", "w_ipsi", "w_contra",
                                                     "w_osc, w_prop, w_ipsi, w_contra"]
    returns = [float(row[1].rstrip(" |")) for row in rows]
    for run, expected in ((base, returns[0]), (donor, returns[-1])):
        policy, task, n_links = load_run_policy(run)
        assert round(evaluate(policy, task, n_links, episodes=1, seed=7).mean_return, 1) == expected


def test_runs_of_different_architectures_are_refused_in_one_line(tmp_path):
    done = _script(str(_copy("ppo-ncap-s0", tmp_path)), str(_copy("ppo-mlp4x4-s0", tmp_path)))
    assert done.returncode == 2 and done.stderr.strip().splitlines() == [
        "error: the two runs differ in task, body length or architecture"]
    missing = _script(str(tmp_path / "nope"), str(tmp_path / "ppo-ncap-s0"))
    assert missing.returncode == 2 and missing.stderr.startswith("error: no run directory at")
