"""How runs are named and shown: one name per architecture, derived from its config's fields.

- :func:`arch_key` names an architecture in run names and tables
  (``ncap``, ``ncap-noshare-nosign``, ``ncap-denserandom``, ``mlp256x256``,
  ``ncap-spec-swimmer-cpg`` for a circuit compiled from a spec);
- :func:`arch_label` shows it in figures and legends (``NCAP-noshare``, ``MLP 256x256``);
- :func:`run_label` shows one run (``PPO NCAP-noshare, 6 links, seed 0``);
- :data:`ALGO_NAMES` and :data:`ALGO_COLORS`: each algorithm's name and its colour in every figure.

Every field of :class:`ArchitectureConfig` that differs from the default swim
circuit adds one tag, so two architectures that differ get different names.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ncap.algorithms import ALGORITHMS
from ncap.circuits.units import OSCILLATOR_DUTY, OSCILLATOR_PERIOD
from ncap.config import TrainConfig
from ncap.envs.quadruped.locomotion import quadruped_key as _quadruped_key
from ncap.envs.registry import get_task
from ncap.policies import ArchitectureConfig

ALGO_NAMES = {name: algorithm.label for name, algorithm in ALGORITHMS.items()}
ALGO_COLORS = {name: algorithm.colour for name, algorithm in ALGORITHMS.items()}

_CIRCUIT_TAGS: tuple[tuple[str, Callable[[ArchitectureConfig], bool]], ...] = (
    ("spec", lambda a: a.circuit_spec is not None),
    ("noshare", lambda a: not a.weight_sharing),
    ("nosign", lambda a: not a.sign_constraints),
    ("uniform", lambda a: a.init == "uniform"),
    ("relu", lambda a: a.activation == "relu"),
    ("sine", lambda a: a.oscillator == "sine"),
    ("period", lambda a: a.oscillator_period != OSCILLATOR_PERIOD),
    ("duty", lambda a: a.oscillator_duty != OSCILLATOR_DUTY),
    ("dense", lambda a: a.dense_embedding and a.embedding_init == "circuit"),
    ("denserandom", lambda a: a.dense_embedding and a.embedding_init == "random"),
    ("handcoded", lambda a: a.controller == "hand-coded"),
    ("learned", lambda a: a.controller == "learned"),
    ("frozen", lambda a: not a.train_circuit),
    ("noaf", lambda a: not a.afferent_feedback),
    ("rep", lambda a: a.repeat != 1),
    ("drive", lambda a: a.drive is not None),
)


def arch_key(arch: ArchitectureConfig) -> str:
    """The architecture's name in run names and summary tables."""
    if arch.arch == "mlp":  # ReLU, the default, is unnamed: the committed runs' names stay
        activation = "" if arch.mlp_activation == "relu" else f"-{arch.mlp_activation}"
        zeros = "-zeros" if arch.mlp_init == "zeros" else ""
        return "mlp" + "x".join(map(str, arch.hidden)) + activation + zeros
    if arch.arch == "random":
        return "random"
    values = {"period": arch.oscillator_period, "duty": arch.oscillator_duty, "rep": arch.repeat, "drive": arch.drive,
              "spec": f"-{Path(arch.circuit_spec).stem}" if arch.circuit_spec else ""}
    return "-".join(["ncap"] + [f"{tag}{values.get(tag, '')}" for tag, applies in _CIRCUIT_TAGS if applies(arch)])


def arch_label(arch: ArchitectureConfig) -> str:
    """The architecture as figures and legends show it."""
    key = arch_key(arch)
    return "MLP " + key[3:].replace("-", " ") if arch.arch == "mlp" else key.replace("ncap", "NCAP", 1)


def run_label(config: TrainConfig) -> str:
    """One run as legends show it: algorithm, architecture, body (length, or quadruped task) and seed."""
    body = get_task(config.task).describe(config)
    return f"{ALGO_NAMES[config.algo]} {arch_label(config.arch)}, {body}, seed {config.seed}"


def quadruped_key(config: TrainConfig) -> str:
    """The quadruped task of ``config`` in run names and tables: ``walk-flat``, ``run-bumps``, ..."""
    return _quadruped_key(config.quadruped)


def is_plain_circuit(arch: ArchitectureConfig) -> bool:
    """The swimmer circuit as the paper trains it: no ablation, no embedding, no task module."""
    return arch == ArchitectureConfig()


def is_two_layer_mlp(arch: ArchitectureConfig) -> bool:
    """An MLP baseline of the paper's grid: two hidden layers."""
    return arch.arch == "mlp" and len(arch.hidden) == 2


def is_circuit_ablation(arch: ArchitectureConfig) -> bool:
    """The circuit or one of Fig. 7A's ablations (sharing x signs x init), nothing else changed."""
    plain = ArchitectureConfig(weight_sharing=arch.weight_sharing, sign_constraints=arch.sign_constraints,
                               init=arch.init)
    return arch.arch == "ncap" and arch == plain
