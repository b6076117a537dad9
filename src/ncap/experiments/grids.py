"""The paper's figures as grids of training runs, at four budgets, or a grid from YAML.

A run is named after what distinguishes it (``ppo-ncap-s0``,
``es-mlp256x256-s1``, ``ppo-ncap-noshare-nosign-s2``), so figures that need
the same run share it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from ncap.config import TrainConfig, merge
from ncap.envs.registry import get_task
from ncap.errors import ConfigError
from ncap.experiments.labels import arch_key
from ncap.policies import ArchitectureConfig

FIGURES = ("4a", "4b", "5", "6", "7a", "7b")
ALGOS_FIG4 = ("ppo", "ddpg", "es")
MEDIUM_RUNS = frozenset({("ppo", "ncap"), ("ppo", "mlp256x256"), ("ppo", "ncap-denserandom"), ("ppo", "ncap-dense"),
                         ("es", "ncap"), ("es", "mlp256x256"), ("es", "mlp256x256-tanh")})
"""The runs that decide claims 2 (asymptote against MLP(256,256)) and 7 (the dense MLP(12,10,10) and the
embedding with free weights) at the paper's step counts: (algo, arch key)."""
AUTHORS_ES_MLP = {"arch": "mlp", "hidden": [256, 256], "mlp_activation": "tanh"}
"""The ES MLP(256,256) of the authors' release: tanh hidden layers (the paper's text says ReLU)."""
MLP_SIZES = {"smoke": ((4, 4), (256, 256)), "small": ((2, 2), (4, 4), (32, 32), (256, 256)), "medium": ((256, 256),),
             "paper": ((2, 2), (4, 4), (8, 8), (16, 16), (32, 32), (64, 64), (128, 128), (256, 256))}
BUDGETS: dict[str, dict[str, Any]] = {
    "smoke": {"seeds": 1, "overrides": {
        "ppo": {"steps": 2048, "eval_every": 1024, "ppo": {"batch_steps": 1024, "num_envs": 8, "iterations": 2}},
        "ddpg": {"steps": 400, "eval_every": 200, "offpolicy": {
            "num_envs": 2, "learning_starts": 100, "random_steps": 200, "buffer_size": 2000, "gradient_steps": 2, "batch_size": 32}},
        "es": {"steps": 8000, "eval_every": 4000, "es": {"population": 4}}},
        "common": {"eval_episodes": 1, "n_links": 4}},
    "small": {"seeds": 3, "overrides": {
        "ppo": {"steps": 200_000, "eval_every": 20_480},
        "ddpg": {"steps": 30_000, "eval_every": 5_000},
        "es": {"steps": 1_024_000, "eval_every": 128_000, "es": {"population": 64}}},
        "common": {"eval_episodes": 5}},
    "medium": {"seeds": 3, "only": MEDIUM_RUNS, "extra": {"4a": [("es", AUTHORS_ES_MLP)]}, "overrides": {
        "ppo": {"steps": 5_000_000, "eval_every": 100_000},
        "es": {"steps": 50_000_000, "eval_every": 1_024_000, "es": {"population": 256}}},
        "common": {"eval_episodes": 10}},
    "paper": {"seeds": 10, "overrides": {
        "ppo": {"steps": 5_000_000, "eval_every": 100_000},
        "ddpg": {"steps": 5_000_000, "eval_every": 100_000},
        "es": {"steps": 50_000_000, "eval_every": 1_024_000}},
        "common": {"eval_episodes": 10}},
}
"""Per budget: seeds, settings per algorithm and for all, (``only``) the (algo, arch key) pairs it is
restricted to, and (``extra``) runs it adds to a figure's (medium: Fig. 4A's ES MLP as the paper's text has
it, ReLU, and as the authors' release has it, tanh; ES claim 2 hinges on the difference). A run checkpoints
at every evaluation; at the paper's step counts (medium, paper) that is every 1e5 PPO steps (50 per run,
about a minute apart on one core) and every 4 ES generations of 256 (1,024,000 steps, 49 per run, about 4
minutes apart): what a lost node or an interruption costs at most."""
ABLATIONS = {"noshare": {"weight_sharing": False}, "nosign": {"sign_constraints": False}, "uniform": {"init": "uniform"}}


@dataclass(frozen=True)
class RunSpec:
    """One training run of a sweep."""

    name: str
    config: TrainConfig


def run_name(config: TrainConfig) -> str:
    """A run's directory name: algorithm, architecture, what its task adds (length, gait), seed."""
    return f"{config.algo}-{arch_key(config.arch)}{get_task(config.task).run_tag(config)}-s{config.seed}"


def _spec(budget: str, algo: str, seed: int, arch: dict) -> RunSpec:
    plan = BUDGETS[budget]
    config = merge(TrainConfig(), {"algo": algo, "seed": seed, "arch": arch, **plan["common"]})
    config = merge(config, plan["overrides"][algo])
    return RunSpec(run_name(config), config)


def _figure_runs(figure: str, budget: str) -> list[tuple[str, dict]]:
    """(algo, arch overrides) pairs of one figure."""
    mlps = [{"arch": "mlp", "hidden": list(size)} for size in MLP_SIZES[budget]]
    return [*_paper_figure_runs(figure, mlps), *BUDGETS[budget].get("extra", {}).get(figure, [])]


def _paper_figure_runs(figure: str, mlps: list[dict]) -> list[tuple[str, dict]]:
    if figure in ("4a", "6"):
        return [(algo, arch) for algo in ALGOS_FIG4 for arch in ({"arch": "ncap"}, mlps[-1])]
    if figure in ("4b", "5"):
        return [(algo, arch) for algo in ALGOS_FIG4 for arch in [{"arch": "ncap"}, *mlps]]
    if figure == "7a":
        combos = list(itertools.product([False, True], repeat=3))
        return [(algo, {"arch": "ncap", **{k: v for (name, change), on in zip(ABLATIONS.items(), flags) if on
                                           for k, v in change.items()}}) for algo in ALGOS_FIG4 for flags in combos]
    if figure == "7b":  # the paper's dense MLP(12,10,10) is the embedding's architecture at random weights;
        # the embedding started at the circuit and an MLP(12,10,10) on the observations are extras
        return [("ppo", {"arch": "ncap"}), ("ppo", {"arch": "ncap", "dense_embedding": True, "embedding_init": "random"}),
                ("ppo", {"arch": "ncap", "dense_embedding": True}), ("ppo", {"arch": "mlp", "hidden": [12, 10, 10]})]
    raise ConfigError(f"unknown figure {figure!r}; choose one of {list(FIGURES)} or all")


def _in_budget(budget: str, algo: str, arch: dict) -> bool:
    """Whether ``budget`` trains (algo, arch): all of a figure's runs, or those of its ``only`` list."""
    only = BUDGETS[budget].get("only")
    return only is None or (algo, arch_key(merge(ArchitectureConfig(), arch))) in only


def expand(figures: list[str], budget: str) -> list[RunSpec]:
    """Every run the figures need at ``budget``, each once."""
    if budget not in BUDGETS:
        raise ConfigError(f"unknown budget {budget!r}; choose one of {list(BUDGETS)}")
    figures = list(FIGURES) if "all" in figures else figures
    specs: dict[str, RunSpec] = {}
    for figure in figures:
        for algo, arch in _figure_runs(figure, budget):
            if not _in_budget(budget, algo, arch):
                continue
            for seed in range(BUDGETS[budget]["seeds"]):
                spec = _spec(budget, algo, seed, arch)
                specs.setdefault(spec.name, spec)
    return list(specs.values())


def expand_yaml(data: Any) -> list[RunSpec]:
    """A grid from YAML: ``base`` (config overrides) and ``grid`` (dotted key -> list of values).

    Example::

        base: {steps: 100000, n_links: 6}
        grid: {algo: [ppo, es], arch.arch: [ncap, mlp], seed: [0, 1, 2]}

    The key ``settings`` varies several settings together: each of its values is a
    mapping of nested settings, e.g. ``settings: [{arch: {arch: ncap}, es: {sigma: 0.1}},
    {arch: {arch: mlp}, es: {sigma: 0.02}}]``.
    """
    if not isinstance(data, dict) or set(data) - {"base", "grid"}:
        raise ConfigError("a grid file holds `base:` (settings) and `grid:` (setting -> list of values)")
    if not isinstance(data.get("base") or {}, dict):
        raise ConfigError("`base:` must be a mapping of settings")
    base = merge(TrainConfig(), data.get("base") or {})
    grid = data.get("grid") or {}
    if not isinstance(grid, dict) or not all(isinstance(v, list) and v for v in grid.values()):
        raise ConfigError("`grid:` maps each setting to a non-empty list of values")
    specs = {}
    for values in itertools.product(*grid.values()):
        overrides: dict = {}
        for dotted, value in zip(grid, values):
            if dotted == "settings":
                _merge_settings(overrides, value)
                continue
            *path, last = dotted.split(".")
            node = overrides
            for part in path:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    raise ConfigError(f"`grid:` sets {part} both whole and by its fields")
            node[last] = value
        config = merge(base, overrides)
        name = run_name(config)
        if name in specs and specs[name].config != config:
            raise ConfigError(f"two grid points share the run name {name}: vary only algo, arch, n_links and seed, "
                             "or run one grid per other setting")
        specs[name] = RunSpec(name, config)
    return list(specs.values())


def _merge_settings(overrides: dict, settings: Any) -> None:
    """Merge one value of the grid's ``settings`` key (nested settings varied together) into ``overrides``."""
    if not isinstance(settings, dict):
        raise ConfigError(f"each value of `grid: settings:` is a mapping of settings, got {settings!r}")
    for key, value in settings.items():
        if isinstance(value, dict) and isinstance(overrides.get(key), dict):
            _merge_settings(overrides[key], value)
        elif key in overrides:
            raise ConfigError(f"`grid:` sets {key} twice")
        else:
            overrides[key] = value
