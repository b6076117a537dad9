import csv
import math
from types import SimpleNamespace

import numpy as np

from ncap.config import TrainConfig, merge
from ncap.experiments.figures import FigureWriter, _return_axis, figure_5, figures_with_runs
from ncap.experiments.results import RunGroup
from ncap.experiments.summary import steps_to_settle, summarize, summarize_runs, write_summary
from ncap.viz import canvas

ARCHS = {"ncap": {"arch": "ncap"}, "mlp256x256": {"arch": "mlp", "hidden": [256, 256]},
         "mlp4x4": {"arch": "mlp", "hidden": [4, 4]},
         "mlp256x256-tanh": {"arch": "mlp", "hidden": [256, 256], "mlp_activation": "tanh"}}


def _group(algo, arch, params, curves):
    """A group whose seeds' metrics are ``curves``: one {env_steps: return} per seed."""
    group = RunGroup(merge(TrainConfig(), {"algo": algo, "arch": ARCHS[arch]}), runs=[])
    group.__dict__["num_parameters"] = params
    group.__dict__["_metrics"] = [[{"env_steps": s, "return_deterministic": r, "return_sampled": math.nan} for s, r in c.items()] for c in curves]
    return group


def _groups():
    ncap = _group("ppo", "ncap", 4, [{0: 800.0, 100: 850.0, 200: 880.0}, {0: 790.0, 100: 860.0, 200: 900.0}])
    mlp = _group("ppo", "mlp256x256", 73221, [{0: 5.0, 100: 500.0, 200: 1000.0}, {0: 3.0, 100: 700.0, 200: 960.0}])
    small = _group("ppo", "mlp4x4", 69, [{0: 1.0, 100: 2.0, 200: 3.0}])
    es = _group("es", "ncap", 4, [{0: 800.0, 10: 810.0}])
    return [ncap, mlp, small, es]


def test_summary_reports_start_end_efficiency_and_steps_to_90_percent_of_the_mlp():
    rows = {(r["algo"], r["arch"]): r for r in summarize(_groups())}
    ncap = rows[("ppo", "ncap")]
    # two seeds: the IQM (a 25% trim of 2 values removes none) is their mean
    assert ncap["initial_iqm"] == 795.0 and ncap["final_iqm"] == 890.0 and ncap["n_seeds"] == 2
    assert ncap["final_mean"] == 890.0
    assert math.isclose(ncap["final_std_over_seeds"], math.sqrt(200.0))
    assert ncap["iqm_per_parameter"] == 222.5 and ncap["best_iqm"] == 890.0
    assert rows[("es", "ncap")]["best_iqm"] == 810.0
    assert ncap["final_ci_low"] >= 880.0 and ncap["final_ci_high"] <= 900.0
    # the bar is 90% of the PPO MLP(256,256)'s final 980 = 882: NCAP first reaches it at step 200 (IQM 890)
    assert ncap["mlp_reference"] == "mlp256x256" and ncap["steps_to_90pct_of_mlp"] == 200.0
    assert rows[("ppo", "mlp256x256")]["steps_to_90pct_of_mlp"] == 200.0
    assert math.isnan(rows[("ppo", "mlp4x4")]["steps_to_90pct_of_mlp"])  # never within the budget
    assert math.isnan(rows[("ppo", "mlp4x4")]["final_std_over_seeds"])  # one seed
    assert rows[("es", "ncap")]["mlp_reference"] == "" and math.isnan(rows[("es", "ncap")]["steps_to_90pct_of_mlp"])


def test_summary_files_hold_every_group(tmp_path):
    csv_path, md_path = write_summary(_groups(), tmp_path)[:2]
    with csv_path.open() as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["algo"], r["arch"]) for r in rows] == [("es", "ncap"), ("ppo", "ncap"), ("ppo", "mlp4x4"),
                                                     ("ppo", "mlp256x256")]
    table = md_path.read_text()
    assert table.count("\n| ppo |") == 3 and "| 890.0 |" in table


def test_groups_use_the_papers_measure_per_algorithm():
    def group(algo):
        made = RunGroup(merge(TrainConfig(), {"algo": algo}), runs=[])
        made.__dict__["num_parameters"] = 4
        made.__dict__["_metrics"] = [[{"env_steps": 0, "return_deterministic": 800.0, "return_sampled": 780.0},
                                      {"env_steps": 10, "return_deterministic": 820.0, "return_sampled": 790.0}]]
        return made

    rows = {r["algo"]: r for r in summarize([group("ppo"), group("ddpg"), group("es")])}
    # Tonic's PPO tests sample from the Gaussian; DDPG's tests and ES act deterministically.
    assert (rows["ppo"]["measure"], rows["ppo"]["final_iqm"], rows["ppo"]["initial_iqm"]) == ("sampled", 790.0, 780.0)
    for algo in ("ddpg", "es"):
        assert (rows[algo]["measure"], rows[algo]["final_iqm"]) == ("deterministic", 820.0)
    assert rows["ppo"]["final_iqm_deterministic"] == 820.0 and rows["es"]["final_iqm_sampled"] == 790.0
    legacy = group("ppo")
    legacy.__dict__["_metrics"] = [[{"env_steps": 0, "return_deterministic": 800.0, "return_sampled": math.nan}]]
    assert legacy.measure == "return_deterministic"  # runs saved before sampled evaluation


def test_steps_to_settle_is_where_the_curve_stays_within_one_percent_of_its_end():
    steps = np.array([0, 100, 200, 300, 400])
    # final 1005: band 10.05; 1000 and 1005 are inside, 990 is not
    assert steps_to_settle(steps, np.array([0.0, 500.0, 990.0, 1000.0, 1005.0])) == 300.0
    # inside the band early, out of it later: only the tail that stays counts
    assert steps_to_settle(steps, np.array([1000.0, 1000.0, 500.0, 1000.0, 1000.0])) == 300.0
    assert steps_to_settle(steps, np.array([900.0, 901.0, 902.0, 903.0, 904.0])) == 0.0
    assert steps_to_settle(steps, np.array([0.0, 100.0, 200.0, 300.0, 400.0])) == 400.0  # still rising
    assert steps_to_settle(steps, np.array([-100.0, -50.0, -100.5, -99.5, -100.0])) == 200.0  # |final|
    assert math.isnan(steps_to_settle(np.array([]), []))


def test_summary_rows_hold_the_settle_step_and_the_last_step():
    rows = {(r["algo"], r["arch"]): r for r in summarize(_groups())}
    # IQMs (the seeds' means) 795, 855, 890: 855 is 3.9% below 890
    assert rows[("ppo", "ncap")]["steps_within_1pct_of_final"] == 200.0
    assert rows[("ppo", "ncap")]["last_step"] == 200.0
    assert rows[("es", "ncap")]["steps_within_1pct_of_final"] == 10.0  # 800 is 1.2% below 810
    assert rows[("es", "ncap")]["last_step"] == 10.0


def test_summary_rewrite_leaves_no_temporary_files(tmp_path):
    write_summary(_groups(), tmp_path)
    write_summary(_groups(), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs.csv", "runs.md", "summary.csv", "summary.md"]


def _with_runs(group, name):
    """``group`` with stand-in runs (a name and a seed each) beside its metrics, seeds in reverse order."""
    count = len(group.metrics())
    group.runs = [SimpleNamespace(path=SimpleNamespace(name=f"{name}-s{count - 1 - i}"),
                                  config=SimpleNamespace(seed=count - 1 - i)) for i in range(count)]
    return group


def test_run_rows_give_each_seed_its_own_final_peak_and_settle_step(tmp_path):
    # seed 1 (listed first) dips at step 100 and recovers; seed 0 rises steadily
    dips = _group("ppo", "mlp256x256", 73221, [{0: 5.0, 100: 400.0, 200: 990.0, 300: 995.0},
                                                 {0: 3.0, 100: 978.0, 200: 980.0, 300: 985.0}])
    rows = summarize_runs([_with_runs(dips, "ppo-mlp256x256")])
    assert [(r["run"], r["seed"]) for r in rows] == [("ppo-mlp256x256-s0", 0), ("ppo-mlp256x256-s1", 1)]
    zero, one = rows
    assert (zero["initial_return"], zero["final_return"], zero["best_return"], zero["best_step"]) == (3.0, 985.0, 985.0, 300.0)
    assert zero["steps_within_1pct_of_final"] == 100.0  # 978 and 980 are within 9.85 of 985; 3 is not
    assert (one["best_return"], one["best_step"], one["steps_within_1pct_of_final"]) == (995.0, 300.0, 200.0)
    assert zero["measure"] == "deterministic" and math.isnan(zero["final_return_sampled"])
    assert zero["last_step"] == 300.0 and zero["final_return_deterministic"] == 985.0
    write_summary([dips], tmp_path)
    with (tmp_path / "runs.csv").open() as handle:
        assert [r["run"] for r in csv.DictReader(handle)] == ["ppo-mlp256x256-s0", "ppo-mlp256x256-s1"]
    assert "| ppo-mlp256x256-s1 | ppo | mlp256x256 | 1 |" in (tmp_path / "runs.md").read_text()


def test_figures_are_drawn_only_for_runs_that_exist():
    """A folder of only NCAP and MLP runs (the medium budget's ES half) gets no Fig. 7A or 7B."""
    assert figures_with_runs(_groups()) == ("4a", "4b", "5", "6")
    dense = RunGroup(merge(TrainConfig(), {"algo": "ppo", "arch": {"dense_embedding": True}}), runs=[])
    noshare = RunGroup(merge(TrainConfig(), {"algo": "es", "arch": {"weight_sharing": False}}), runs=[])
    assert figures_with_runs([dense]) == ("7b",)
    assert figures_with_runs([*_groups(), dense, noshare]) == ("4a", "4b", "5", "6", "7a", "7b")


def test_fig5_joins_mlps_of_one_activation_and_draws_the_circuit_apart(tmp_path):
    """MLPs of one size with another hidden activation are a line of their own; the circuit is a star that no
    line joins to the MLPs; a group still rising at the end of its budget is hollow."""
    es = [_group("es", "ncap", 4, [{0: 800.0, 10: 930.0}]),
          _group("es", "mlp256x256", 73221, [{0: 10.0, 10: 660.0}]),
          _group("es", "mlp256x256-tanh", 73221, [{0: 10.0, 10: 900.0}])]
    writer, drawn = FigureWriter(tmp_path), {}
    writer.save = lambda name, figure: drawn.setdefault(name, figure)
    figure_5([*_groups()[:3], *es], writer)  # the PPO groups of _groups() and these ES ones
    absolute = drawn["5"].axes[0]
    lines = {line.get_label(): (list(line.get_xdata()), list(line.get_ydata())) for line in absolute.get_lines()
             if line.get_linestyle() != "None"}
    assert lines == {"ES MLPs": ([73221], [660.0]), "ES MLPs (tanh)": ([73221], [900.0]),
                     "PPO MLPs": ([69, 73221], [3.0, 980.0])}
    stars = [(list(line.get_xdata()), list(line.get_ydata())) for line in absolute.get_lines()
             if line.get_marker() == "*" and len(line.get_xdata())]
    assert stars == [([4], [890.0]), ([4], [930.0])]  # PPO's and ES's circuit, each alone
    hollow = {(line.get_xdata()[0], line.get_ydata()[0]) for line in absolute.get_lines()
              if len(line.get_xdata()) == 1 and line.get_markerfacecolor() == "white"}
    assert (73221, 660.0) in hollow  # 10 -> 660 in its last step: no asymptote
    assert len([r for r in writer.rows if r["panel"] == "final_return" and r["series"].startswith("es ")]) == 3
    assert {r["statistic"] for r in writer.rows} == {"IQM"}
    labels = [label.get_text() for label in absolute.get_xticklabels()]
    assert labels == ["NCAP\n4", "\n\nMLP 4x4\n69", "MLP 256x256\n73,221"]  # one tick per size, staggered


def test_an_asymptote_is_a_curve_that_stays_within_5_percent_over_its_last_quarter():
    from ncap.experiments.summary import reached_asymptote

    steps = np.arange(0, 500, 100)  # last quarter: from step 300 on
    assert reached_asymptote(steps, [0.0, 900.0, 960.0, 990.0, 1000.0])  # 960 and 990 within 50 of 1000
    assert not reached_asymptote(steps, [0.0, 100.0, 200.0, 900.0, 1000.0])  # 900: 10% below at step 300
    assert not reached_asymptote(steps, [0.0, 100.0, 200.0, 300.0, 400.0])  # still rising
    assert not reached_asymptote(steps[:1], [5.0])


def test_figure_csvs_hold_what_the_curves_draw(tmp_path):
    from ncap.experiments.figures import figure_4b

    writer, drawn = FigureWriter(tmp_path), {}
    writer.save = lambda name, figure: drawn.setdefault(name, figure)
    figure_4b(_groups(), writer)
    for axis in drawn["4b"].axes:
        for line in axis.get_lines():
            series = line.get_label().split(" (n=")[0]
            rows = [r for r in writer.rows if r["series"] == series and r["panel"] == axis.get_title().lower()]
            assert [r["x"] for r in rows] == list(line.get_xdata())
            assert [r["point"] for r in rows] == list(line.get_ydata())
    ppo = drawn["4b"].axes[0]
    (ncap_band,) = [c for c in ppo.collections if np.allclose(c.get_facecolor()[0][:3], (0, 0, 0))]
    band_y = ncap_band.get_paths()[0].vertices[:, 1]
    rows = [r for r in writer.rows if r["series"] == "NCAP" and r["panel"] == "ppo"]
    assert min(band_y) == min(r["ci_low"] for r in rows) and max(band_y) == max(r["ci_high"] for r in rows)


def test_a_split_is_a_wide_gap_between_sorted_seeds():
    from ncap.experiments.results import is_split

    claim7 = [142.9, 173.2, 278.9, 862.7, 920.9, 954.7, 969.6, 978.2, 982.3, 983.1]
    assert is_split(claim7, 1000)  # gap 583.8 > 0.25 x 1000 and > half the range, 420.1
    assert is_split([505.7, 584.1, 903.1], 1000)  # gap 319.0 > 250 and > 198.7
    assert not is_split([848.9, 866.3, 979.7], 1000)  # gap 113.4 < 250: spread, not split
    assert not is_split([5.0, 60.0, 190.0], 1000)  # all fail: gap 130 < 250
    assert not is_split([0.0, 500.0, 1000.0], 1000)  # gap 500 is not more than half the range
    assert not is_split([864.4] * 3, 1000) and not is_split([1.0], 1000) and not is_split([1.0, math.nan], 1000)


def test_a_split_group_is_drawn_seed_by_seed_and_its_csv_holds_each_seed(tmp_path):
    from ncap.experiments.figures import figure_4b

    split = _with_runs(_group("ppo", "mlp256x256", 73221, [{0: 5.0, 100: 30.0, 200: 40.0},  # one seed stuck
                                                           {0: 3.0, 100: 700.0, 200: 960.0},
                                                           {0: 4.0, 100: 650.0, 200: 950.0}]), "mlp")
    ncap = _groups()[0]
    writer, drawn = FigureWriter(tmp_path), {}
    writer.save = lambda name, figure: drawn.setdefault(name, figure)
    figure_4b([ncap, split], writer)
    (axis,) = drawn["4b"].axes
    lines = {line.get_label(): list(line.get_ydata()) for line in axis.get_lines()}
    assert lines["NCAP (n=2)"] == [795.0, 855.0, 890.0]  # the IQM over its seeds, with a band
    seeds = [list(line.get_ydata()) for line in axis.get_lines() if line.get_color() == axis.get_lines()[1].get_color()]
    assert seeds == [[5.0, 30.0, 40.0], [3.0, 700.0, 960.0], [4.0, 650.0, 950.0]]  # each seed, no mean
    assert len(axis.collections) == 1  # NCAP's band only: none around a mean that describes no seed
    rows = [r for r in writer.rows if r["series"].startswith("MLP")]
    assert {r["series"] for r in rows} == {"MLP 256x256, seed 2", "MLP 256x256, seed 1", "MLP 256x256, seed 0"}
    assert all(r["n_seeds"] == 1 and math.isnan(r["ci_low"]) for r in rows)
    assert [r["point"] for r in rows if r["series"] == "MLP 256x256, seed 2"] == [5.0, 30.0, 40.0]
    assert {r["statistic"] for r in rows} == {"seed"}


def test_fig4a_draws_the_untrained_return_apart_on_a_log_step_axis(tmp_path):
    from ncap.experiments.figures import figure_4a

    writer, drawn = FigureWriter(tmp_path), {}
    writer.save = lambda name, figure: drawn.setdefault(name, figure)
    figure_4a(_groups(), writer)
    axis = drawn["4a"].axes[0]  # NCAP: PPO (steps 0, 100, 200) and ES (0, 10)
    assert axis.get_xscale() == "log" and axis.get_xticklabels()[0].get_text() == "0"
    origin = axis.get_xticks()[0]
    assert origin == 10 / 3  # a third of the first evaluation's step
    curves = [line for line in axis.get_lines() if line.get_label().startswith(("PPO", "ES"))]
    assert all(min(line.get_xdata()) >= 10 for line in curves)  # the curves start at their first evaluation
    assert any(list(line.get_xdata()) == [origin] for line in axis.get_lines())  # step 0: a point, apart


def test_fig4b_colours_mean_architecture_the_same_in_every_panel(tmp_path):
    from matplotlib.colors import to_hex

    from ncap.experiments.figures import figure_4b
    from ncap.experiments.labels import ALGO_COLORS

    writer, drawn = FigureWriter(tmp_path), {}
    writer.save = lambda name, figure: drawn.setdefault(name, figure)
    figure_4b(_groups(), writer)  # PPO: NCAP, MLP(4,4), MLP(256,256); ES: NCAP
    colours = [{line.get_label().split(" (")[0]: to_hex(line.get_color()) for line in axis.get_lines()}
               for axis in drawn["4b"].axes]
    assert colours[0]["NCAP"] == colours[1]["NCAP"] == "#000000"  # NCAP black under every algorithm
    assert len(set(colours[0].values())) == 3  # each architecture its own
    assert not set(colours[0].values()) & {to_hex(c) for c in ALGO_COLORS.values()}  # none an algorithm's


def test_fig7a_return_axis_is_log_only_where_the_curves_span_more_than_a_decade():
    figure, (wide, close) = canvas.subplots(1, 2)
    wide.fill_between([0, 1], [0.0, 0.0], [5.0, 850.0])  # a band reaching 0 beside a learning curve
    close.plot([0, 1], [785.0, 864.0])
    _return_axis(wide)
    _return_axis(close)
    assert wide.get_yscale() == "symlog" and wide.get_ylim() == (0.0, 1000.0)
    assert close.get_yscale() == "linear" and close.get_ylabel() == "evaluation return"
