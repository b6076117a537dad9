from dataclasses import replace

import pytest

from ncap.experiments.grids import BUDGETS, expand, expand_yaml, run_name


def test_figures_share_runs_and_budgets_scale():
    smoke, small = expand(["all"], "smoke"), expand(["all"], "small")
    names = [s.name for s in small]
    assert len(names) == len(set(names))
    assert len(small) == 3 * len(smoke) + 2 * 3 * 3  # 3 seeds, and small adds MLP(2,2) and MLP(32,32) for 3 algorithms
    assert {s.config.seed for s in small} == {0, 1, 2}
    assert "ppo-ncap-noshare-nosign-uniform-s2" in names and "es-mlp256x256-s0" in names
    assert all(s.config.eval_episodes == BUDGETS["small"]["common"]["eval_episodes"] for s in small)
    paper = expand(["4a"], "paper")
    assert {s.config.steps for s in paper if s.config.algo == "es"} == {50_000_000}


def test_figure_7a_is_the_2x2x2_ablation_grid_under_every_algorithm():
    runs = expand(["7a"], "smoke")
    for algo in ("ppo", "ddpg", "es"):
        flags = {(s.config.arch.weight_sharing, s.config.arch.sign_constraints, s.config.arch.init)
                 for s in runs if s.config.algo == algo}
        assert len(flags) == 8
    assert len(runs) == 24


def test_figure_7b_has_the_papers_dense_mlp_and_the_extras():
    archs = {(s.config.arch.arch, s.config.arch.dense_embedding, s.config.arch.embedding_init,
              s.config.arch.hidden if s.config.arch.arch == "mlp" else None) for s in expand(["7b"], "smoke")}
    assert archs == {("ncap", False, "circuit", None), ("ncap", True, "random", None), ("ncap", True, "circuit", None),
                     ("mlp", False, "circuit", (12, 10, 10))}
    assert {s.name for s in expand(["7b"], "small")} >= {"ppo-ncap-denserandom-s0", "ppo-ncap-dense-s0"}


def test_yaml_grid():
    specs = expand_yaml({"base": {"steps": 1000}, "grid": {"algo": ["ppo", "es"], "arch.arch": ["ncap", "mlp"],
                                                         "seed": [0, 1]}})
    assert len(specs) == 8 and all(s.config.steps == 1000 for s in specs)
    assert run_name(specs[0].config) == specs[0].name


def test_a_yaml_grid_over_mlp_activation_names_and_labels_tanh_and_keeps_relu_names():
    from ncap.experiments.labels import arch_label

    specs = expand_yaml({"base": {"algo": "es", "arch": {"arch": "mlp", "hidden": [256, 256]}},
                         "grid": {"arch.mlp_activation": ["relu", "tanh"]}})
    assert [s.name for s in specs] == ["es-mlp256x256-s0", "es-mlp256x256-tanh-s0"]
    assert [arch_label(s.config.arch) for s in specs] == ["MLP 256x256", "MLP 256x256 tanh"]


@pytest.mark.parametrize("data,message", [
    ({"grid": {"algo": "ppo"}}, "non-empty list"),
    ({"base": {"stepz": 1}}, "unknown key"),
    ({"runs": []}, "holds `base:`"),
])
def test_bad_yaml_grids(data, message):
    with pytest.raises(ValueError, match=message):
        expand_yaml(data)


def test_unknown_figure_and_budget():
    with pytest.raises(ValueError, match="unknown figure"):
        expand(["8"], "smoke")
    with pytest.raises(ValueError, match="unknown budget"):
        expand(["4a"], "huge")


def test_medium_budget_is_the_21_runs_of_claims_2_and_7_at_the_papers_steps():
    runs = {s.name: s.config for s in expand(["all"], "medium")}
    ppo = {f"ppo-{arch}-s{seed}" for arch in ("ncap", "mlp256x256", "ncap-denserandom", "ncap-dense")
           for seed in range(3)}
    es = {f"es-{arch}-s{seed}" for arch in ("ncap", "mlp256x256", "mlp256x256-tanh") for seed in range(3)}
    assert set(runs) == ppo | es and len(runs) == 21
    # ES MLP(256,256) both ways: ReLU hidden layers as the paper's text says, tanh as the authors' release has them
    assert runs["es-mlp256x256-s0"].arch.mlp_activation == "relu"
    assert runs["es-mlp256x256-tanh-s0"].arch == replace(runs["es-mlp256x256-s0"].arch, mlp_activation="tanh")
    assert {s.name for s in expand(["4a"], "medium")} == {n for n in runs if n.startswith(("ppo-ncap-s", "ppo-mlp",
                                                                                        "es-"))}
    assert len(expand(["all"], "small")) == 117 and not any("tanh" in s.name for s in expand(["all"], "paper"))
    assert {(c.algo, c.steps, c.eval_every) for c in runs.values()} == {("ppo", 5_000_000, 100_000),
                                                                       ("es", 50_000_000, 1_024_000)}
    assert {c.es.population for c in runs.values() if c.algo == "es"} == {256}
    assert all(c.n_links == 6 and c.eval_episodes == 10 for c in runs.values())
    dense = runs["ppo-ncap-denserandom-s0"].arch  # the paper's dense MLP(12,10,10): the embedding, random weights
    assert dense.dense_embedding and dense.embedding_init == "random"
    free = runs["ppo-ncap-dense-s0"].arch  # the embedding started at the circuit, every weight free
    assert free.dense_embedding and free.embedding_init == "circuit"
    assert [s.name for s in expand(["7b"], "medium")] == [f"ppo-{a}-s{i}" for a in ("ncap", "ncap-denserandom",
                                                                                   "ncap-dense") for i in range(3)]
