import pytest
from helpers import ROOT, copy_committed_run, run_script

from ncap.config import TrainConfig, merge
from ncap.experiments.wall_time import (
    MissingRate,
    Rate,
    makespan,
    measured,
    rate_of,
    run_rate,
    run_seconds,
    warmup_steps,
    without_pauses,
)
from ncap.policies import ArchitectureConfig
from ncap.runs import RunDir


def _rows(intervals, first=2.0, steps=100):
    """Metrics rows: evaluation at step 0 after ``first`` s, then one per ``steps`` after each interval."""
    rows, wall = [{"env_steps": 0, "wall_time": first}], first
    for i, seconds in enumerate(intervals, 1):
        wall += seconds
        rows.append({"env_steps": i * steps, "wall_time": wall})
    return rows


def test_an_interior_interval_much_longer_than_both_neighbours_is_a_pause():
    assert without_pauses([10.0, 10.0, 100.0, 12.0, 10.0]) == [10.0, 10.0, 11.0, 12.0, 10.0]
    # a slower phase (DDPG's training after its random steps) is not a pause, nor is a slow first or last interval
    assert without_pauses([1.0, 1.0, 1.0, 10.0, 10.0]) == [1.0, 1.0, 1.0, 10.0, 10.0]
    assert without_pauses([1.0, 1.0, 1.0, 10.0]) == [1.0, 1.0, 1.0, 10.0]
    assert without_pauses([50.0, 10.0, 10.0]) == [50.0, 10.0, 10.0]
    # just under the factor is training
    assert without_pauses([10.0, 29.0, 10.0]) == [10.0, 29.0, 10.0]


def test_run_rate_is_steps_over_training_time_and_a_pause_does_not_count():
    # 4 intervals of 12 s, each with one 2 s evaluation: 10 s of training per 100 steps
    rate, per_episode = run_rate(_rows([12.0] * 4), episodes=4)
    assert rate == pytest.approx(10.0) and per_episode == pytest.approx(0.5)
    paused, _ = run_rate(_rows([12.0, 12.0, 812.0, 12.0]), episodes=4)
    assert paused == pytest.approx(rate)
    assert run_rate(_rows([]), episodes=4) is None
    sampled = _rows([12.0] * 4)
    sampled[0]["return_sampled"] = 790.0  # the first evaluation ran 4 starts twice: deterministic and sampled
    assert run_rate(sampled, episodes=4) == (pytest.approx(10.0), pytest.approx(0.25))


def test_off_policy_rates_count_only_the_steps_after_learning_starts():
    # 2 fast warm-up intervals (no gradient steps), then 2 of training at 10 steps/s
    rows = _rows([3.0, 3.0, 12.0, 12.0])
    assert run_rate(rows, episodes=4, warmup=200)[0] == pytest.approx(10.0)
    assert run_rate(rows, episodes=4)[0] == pytest.approx(400 / 22.0)  # counting the warm-up: 1 + 1 + 10 + 10 s
    assert run_rate(rows, episodes=4, warmup=1000) is None
    ddpg = merge(TrainConfig(), {"algo": "ddpg", "offpolicy": {"learning_starts": 5000}})
    assert warmup_steps(ddpg) == 5000 and warmup_steps(merge(TrainConfig(), {"algo": "ppo"})) == 0


def test_rate_of_falls_back_to_the_closest_measured_architecture_and_says_when_there_is_none():
    def mlp(width, **kw):
        return ArchitectureConfig(arch="mlp", hidden=(width, width), **kw)

    dense = ArchitectureConfig(dense_embedding=True)
    rates = {("ppo", mlp(32)): Rate(3.0, 0.1, 1), ("ppo", mlp(256)): Rate(1.0, 0.1, 1),
             ("ppo", mlp(16, mlp_activation="tanh")): Rate(9.0, 0.1, 1),  # not a plain MLP: never a fallback
             ("ppo", ArchitectureConfig()): Rate(2.0, 0.1, 1), ("ppo", dense): Rate(4.0, 0.1, 1)}
    assert rate_of(rates, "ppo", mlp(64)).steps_per_second == 1.0  # the next larger MLP
    assert rate_of(rates, "ppo", mlp(512)).steps_per_second == 1.0  # the largest there is
    assert rate_of(rates, "ppo", mlp(4)).steps_per_second == 3.0
    assert rate_of(rates, "ppo", mlp(4, mlp_activation="tanh")).steps_per_second == 3.0
    assert rate_of(rates, "ppo", ArchitectureConfig(dense_embedding=True, embedding_init="random")).steps_per_second \
        == 4.0
    assert rate_of(rates, "ppo", ArchitectureConfig(sign_constraints=False)).steps_per_second == 2.0
    with pytest.raises(MissingRate, match="es mlp4x4"):
        rate_of(rates, "es", mlp(4))
    with pytest.raises(MissingRate, match="ddpg"):
        run_seconds(rates, "small")


def test_makespan_runs_the_longest_first_on_the_first_free_core():
    assert makespan([3.0, 2.0, 2.0, 1.0], cores=2) == 4.0
    assert makespan([3.0, 2.0, 2.0, 1.0], cores=8) == 3.0
    assert makespan([1.0] * 6, cores=1) == 6.0


def _metrics(run):
    return RunDir(run).read_metrics()


def test_measured_reads_finished_runs_from_their_warm_up_on_and_names_unreadable_folders(tmp_path):
    ppo, ddpg = ROOT / "results" / "small" / "ppo-ncap-s0", ROOT / "results" / "small" / "ddpg-ncap-s0"
    copy_committed_run(ppo, tmp_path / "ppo-ncap-s0")
    copy_committed_run(ppo, tmp_path / "ppo-ncap-s1", "policy.pt")  # unfinished: not measured
    copy_committed_run(ddpg, tmp_path / "ddpg-ncap-s0")
    broken = tmp_path / "broken"
    copy_committed_run(ppo, broken)
    (broken / "config.yaml").write_text("algo: [not, an, algorithm\n")
    found = measured([tmp_path])
    assert sorted(found.rates) == [("ddpg", ArchitectureConfig()), ("ppo", ArchitectureConfig())] and found.skipped == [str(broken)]

    rows = _metrics(ppo)  # PPO: every interval; its first evaluation ran 5 starts x 2 copies
    training = rows[-1]["wall_time"] - len(rows) * rows[0]["wall_time"]
    assert found.rates["ppo", ArchitectureConfig()] == Rate(rows[-1]["env_steps"] / training, rows[0]["wall_time"] / 10, 1)

    rows = _metrics(ddpg)  # DDPG: the intervals from learning_starts (10,000) on
    after = [r for r in rows if r["env_steps"] >= 10_000]
    training = after[-1]["wall_time"] - after[0]["wall_time"] - (len(after) - 1) * rows[0]["wall_time"]
    rate = found.rates["ddpg", ArchitectureConfig()].steps_per_second
    assert rate == pytest.approx((after[-1]["env_steps"] - 10_000) / training)
    assert rate < rows[-1]["env_steps"] / (rows[-1]["wall_time"] - len(rows) * rows[0]["wall_time"])


def test_a_run_on_k_simulator_threads_counts_as_k_cores(tmp_path):
    ppo = ROOT / "results" / "small" / "ppo-ncap-s0"
    copy_committed_run(ppo, tmp_path / "one" / "ppo-ncap-s0")
    one = measured([tmp_path / "one"]).rates["ppo", ArchitectureConfig()]
    two_cores = copy_committed_run(ppo, tmp_path / "two" / "ppo-ncap-s0")
    config = two_cores / "config.yaml"
    config.write_text("\n".join("threads: 2" if line.startswith("threads:") else line
                                for line in config.read_text().splitlines()) + "\n")
    assert RunDir(two_cores).config.threads == 2
    two = measured([tmp_path / "two"]).rates["ppo", ArchitectureConfig()]
    assert two.steps_per_second == pytest.approx(one.steps_per_second / 2)
    assert two.seconds_per_episode == pytest.approx(one.seconds_per_episode * 2)


def test_run_seconds_is_training_after_the_warm_up_plus_every_evaluation():
    ppo, es = Rate(1000.0, 0.1, 1), Rate(10_000.0, 0.1, 1)
    ncap, mlp = ArchitectureConfig(), ArchitectureConfig(arch="mlp", hidden=(256, 256))
    rates = {("ppo", k): ppo for k in (ncap, mlp, ArchitectureConfig(dense_embedding=True))} | {
        ("es (population 256)", k): es for k in (ncap, mlp)}
    # medium: PPO 5e6 / 1000 + 51 evaluations x 10 starts x 2 copies x 0.1 s;
    # ES 5e7 / 10,000 + 50 evaluations (49 every 1.024e6 steps and the forced last) x 10 x 1 x 0.1 s
    # (the authors' tanh ES MLP(256,256), with no rate of its own, takes the ReLU one's)
    assert sorted(run_seconds(rates, "medium")) == [5050.0] * 9 + [5102.0] * 12
    rates |= {("ddpg", ncap): Rate(10.0, 0.5, 1), ("ddpg", mlp): Rate(10.0, 0.5, 1)}
    rates |= {("es (population 4)", k): es for k in (ncap, mlp)}
    # smoke DDPG: (400 - 100 steps of warm-up) / 10 + 3 evaluations x 1 start x 2 copies x 0.5 s
    assert 33.0 in run_seconds(rates, "smoke")


def test_the_script_prints_rates_and_names_the_runs_a_budget_lacks(tmp_path):
    copy_committed_run("results/small/ppo-ncap-s0", tmp_path / "ppo-ncap-s0")
    done = run_script("sweep_wall_time.py", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "| ppo | ncap |" in done.stdout
    assert "| small | no finished run of ddpg ncap" in done.stdout


@pytest.mark.parametrize("args, message", [(["no/such/folder"], "not a folder: no/such/folder"),
                                           ([], "no finished runs")])
def test_the_script_refuses_bad_folders_in_one_line(tmp_path, args, message):
    done = run_script("sweep_wall_time.py", *(args or [str(tmp_path)]))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and message in done.stderr.strip().splitlines()[-1]
