"""Training on the quadruped: ARS against their update, a tiny ES run, policies, bad input refused in one line."""

import numpy as np
import pytest
import torch
import yaml
from test_cli import ncap

from ncap.circuits.quadruped import QuadrupedCircuit
from ncap.config import TrainConfig, merge
from ncap.evaluation import evaluate
from ncap.experiments.grids import expand_yaml
from ncap.policies import ArchitectureConfig, build_policy
from ncap.policies.quadruped import QuadrupedMLPPolicy, drive_for_speed
from ncap.training.es import ars_gradient
from ncap.training.train import train

ARS = {"task": "quadruped", "algo": "es", "steps": 3000, "eval_every": 1500, "eval_episodes": 2, "threads": 1,
       "es": {"update": "ars", "population": 4, "sigma": 0.1, "lr": 1.0, "weight_decay": 0.01}}


def test_ars_gradient_is_their_update():
    """Their PointEvolutionStrategy.select with z-score shaping (NumPy std) and gradient_scale = sigma."""
    rng = np.random.default_rng(0)
    sigma, pairs, size = 0.1, 5, 7
    mu = rng.normal(size=size)
    eps = rng.normal(size=(pairs, size))
    pos, neg = rng.normal(size=pairs), rng.normal(size=pairs)
    scores = np.vstack((pos, neg))
    shaped = (scores - scores.mean()) / scores.std()
    expected = sigma * ((shaped[0] - shaped[1])[:, None] * eps).sum(0) / pairs
    samples = np.empty((2 * pairs, size))
    samples[0::2], samples[1::2] = mu + sigma * eps, mu - sigma * eps
    fitness = np.empty(2 * pairs)
    fitness[0::2], fitness[1::2] = pos, neg
    got = ars_gradient(torch.tensor(samples), torch.tensor(fitness), torch.tensor(mu))
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6)


def test_policies_for_the_quadruped():
    circuit = build_policy(ArchitectureConfig(), "quadruped", 6)
    assert isinstance(circuit, QuadrupedCircuit) and circuit.config.drive == pytest.approx(0.3)
    run = merge(TrainConfig(), {"task": "quadruped", "algo": "es", "quadruped": {"speed": 1.0}})
    assert build_policy(run.arch, run.task, 6, quadruped=run.quadruped).config.drive == pytest.approx(0.5)
    assert drive_for_speed(0.5) == pytest.approx(0.3) and drive_for_speed(1.0) == pytest.approx(0.5)
    mlp = build_policy(ArchitectureConfig(arch="mlp", mlp_init="zeros"), "quadruped", 6)
    assert isinstance(mlp, QuadrupedMLPPolicy)
    assert 78_000 < sum(p.numel() for p in mlp.parameters()) < 80_000  # the paper's "about 79k"
    assert all((p == 0).all() for p in mlp.parameters())


def test_untrained_circuit_evaluation_reports_displacement_and_falls():
    result = evaluate(build_policy(ArchitectureConfig(), "quadruped", 6), "quadruped", 6, episodes=2, seed=0,
                      nthread=1)
    again = evaluate(build_policy(ArchitectureConfig(), "quadruped", 6), "quadruped", 6, episodes=2, seed=0,
                     nthread=1)
    assert result.returns == again.returns and result.displacements == again.displacements
    assert len(result.displacements) == 2 and len(result.fell) == 2
    assert result.to_dict()["forward_speed"] == pytest.approx(result.mean_forward_speed)


def test_tiny_ars_run_trains_and_repeats(tmp_path):
    config = merge(TrainConfig(), ARS)
    first = train(config, tmp_path / "a").read_metrics()
    second = train(config, tmp_path / "b").read_metrics()
    keys = ("env_steps", "return_deterministic", "train_return", "forward_displacement", "fall_rate")
    np.testing.assert_array_equal([[row[k] for k in keys] for row in first], [[row[k] for k in keys] for row in second])
    steps = [row["env_steps"] for row in first]
    assert steps[0] == 0 and steps[-1] >= 3000 and steps == sorted(steps)
    assert all(np.isfinite(row["forward_displacement"]) for row in first)


def test_grid_settings_vary_together():
    grid = {"base": {"task": "quadruped", "algo": "es"},
            "grid": {"settings": [{"arch": {"arch": "ncap"}, "es": {"sigma": 0.1}},
                                  {"arch": {"arch": "mlp", "mlp_init": "zeros"}, "es": {"sigma": 0.02}}],
                     "quadruped.terrain": ["flat", "bumps"], "seed": [0]}}
    specs = {spec.name: spec.config for spec in expand_yaml(grid)}
    assert specs["es-ncap-walk-bumps-s0"].es.sigma == 0.1
    assert specs["es-mlp256x256-zeros-walk-flat-s0"].es.sigma == 0.02


@pytest.mark.parametrize("args,message", [
    (["--quadruped-terrain", "ice"], "invalid choice"),
    (["--quadruped-speed", "0"], "speed must be a positive"),
    (["--quadruped-friction", "0.01,1.0"], "friction range"),
    (["--circuit-spec", "swimmer"], "describes a chain"),
    (["--oscillator-period", "40"], "apply to the swimmer circuit"),
    (["--algo", "ddpg"], "the quadruped circuit is stateful"),
    (["--workers", "2"], "es.workers > 0"),
])
def test_bad_quadruped_input_is_one_line_and_writes_nothing(tmp_path, args, message):
    out = tmp_path / "run"
    algo = [] if "--algo" in args else ["--algo", "es"]
    result = ncap("train", "--task", "quadruped", *algo, "--steps", "100", "--out", str(out), *args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ncap: error:") and message in lines[0], result.stderr
    assert not out.exists()


def test_quadruped_options_on_the_swimmer_are_refused(tmp_path):
    result = ncap("train", "--task", "swim", "--repeat", "8", "--out", str(tmp_path / "run"))
    assert result.returncode == 2 and "apply to the quadruped only" in result.stderr


@pytest.mark.parametrize("name,count", [("quadruped-small", 18), ("quadruped-paper", 120)])
def test_grid_files_ship_and_expand(name, count):
    specs = expand_yaml(yaml.safe_load(open(f"examples/grids/{name}.yaml")))
    assert len(specs) == count and all(spec.config.task == "quadruped" for spec in specs)
    assert all(s.config.es.sigma == (0.1 if s.config.arch.arch == "ncap" else 0.02) for s in specs if s.config.algo == "es")


def test_ppo_trains_the_quadruped_mlp(tmp_path):
    config = merge(TrainConfig(), {"task": "quadruped", "algo": "ppo", "steps": 512, "eval_every": 512,
                                   "eval_episodes": 1, "threads": 1, "arch": {"arch": "mlp", "hidden": [8, 8]},
                                   "ppo": {"batch_steps": 256, "num_envs": 4, "iterations": 2}})
    rows = train(config, tmp_path / "ppo").read_metrics()
    assert rows[-1]["env_steps"] >= 512 and np.isfinite(rows[-1]["return_sampled"])
    assert np.isfinite(rows[-1]["forward_displacement"])


PPO_CIRCUIT = {"task": "quadruped", "algo": "ppo", "steps": 768, "eval_every": 768, "eval_episodes": 1, "threads": 1,
               "ppo": {"batch_steps": 256, "num_envs": 4, "iterations": 2}}


def test_ppo_trains_the_quadruped_circuit_with_its_state_in_the_observation(tmp_path):
    config = merge(TrainConfig(), PPO_CIRCUIT)
    run = train(config, tmp_path / "a")
    rows = run.read_metrics()
    assert rows[-1]["env_steps"] >= 768 and np.isfinite(rows[-1]["return_deterministic"])
    trained = QuadrupedCircuit()
    trained.load_state_dict(torch.load(run.path / "policy.pt", weights_only=True)["policy"])
    untrained = QuadrupedCircuit()
    moved = {name: (p - dict(untrained.named_parameters())[name]).abs().max().item()
             for name, p in trained.named_parameters()}
    assert moved["pf_weight"] > 0 and moved["af_weight"] > 0, moved  # the gradient reaches both maps
    again = train(config, tmp_path / "b").read_metrics()
    keys = ("env_steps", "return_deterministic", "train_return")
    np.testing.assert_array_equal([[r[k] for k in keys] for r in rows], [[r[k] for k in keys] for r in again])
