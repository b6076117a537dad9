import csv

from helpers import tiny_config

from ncap.config import merge
from ncap.experiments.navigation import navigation_figure
from ncap.training.train import train


def test_navigation_figure_compares_modules_and_transfers(tmp_path):
    config = merge(tiny_config("es"), {"task": "navigate", "n_links": 6,
                                       "arch": {"controller": "learned", "train_circuit": False}})
    train(config, tmp_path / "runs" / "learned")
    paths = navigation_figure(tmp_path / "runs", tmp_path / "figs", episodes=2, lengths=(4, 6))
    assert all(path.stat().st_size > 0 for path in paths)
    with (tmp_path / "figs" / "figNav.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    policies = {row["policy"] for row in rows}
    assert len(policies) == 3 and {row["n_links"] for row in rows} == {"4", "6"}
    learned = [row for row in rows if "ES" in row["policy"]]
    assert learned and all(row["num_parameters"] == "9" for row in learned)
    for row in rows:  # the bars are medians with the episodes' quartiles: never below the lowest episode
        assert 0 <= float(row["q25_return"]) <= float(row["median_return"]) <= float(row["q75_return"])
