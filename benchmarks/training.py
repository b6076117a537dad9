"""Training throughput, each measured side by side in one run on this machine.

- PPO (collection + updates, the circuit as actor): ncap's batched simulator
  (SwimmerVecEnv, 64 swimmers) vs. SB3's default path, a DummyVecEnv of 8
  dm_control envs through Shimmy, same PPO settings (4096 steps per batch, 80
  full-batch iterations). Also collection alone (updates timed apart): the
  updates are the same work in both paths and bound the overall speedup.
- ES at paper scale (population 256, one episode each): env steps/s and the
  projected wall time of the paper's 5e7-step run, beside the same projection
  at MuJoCo's floor on this machine (mj_step in a C loop on both cores).
- DDPG (collection + 50 updates per 50 steps): the batched simulator vs. the
  DummyVecEnv/Shimmy path, same number of envs and settings.

Medians over REPEATS interleaved repeats. Usage: python benchmarks/training.py [--quick]
Last line: ppo_speedup_vs_sb3=<x> es_paper_run_minutes=<y> ddpg_ratio_vs_sb3=<z>
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import torch
from shimmy import DmControlCompatibilityV0
from simulator import closed_loop, floor  # benchmarks/simulator.py
from stable_baselines3.common.vec_env import DummyVecEnv

from ncap.config import TrainConfig, merge
from ncap.envs import SwimmerVecEnv, make_reference_env
from ncap.policies import build_policy
from ncap.runs import RunDir
from ncap.training.es import ESTrainer
from ncap.training.sb3_trainer import make_model

N_LINKS = 6
PAPER_ES_STEPS = 50_000_000


def shimmy_env(num_envs: int) -> DummyVecEnv:
    """SB3's default path: dm_control envs through Shimmy in a DummyVecEnv."""
    return DummyVecEnv([lambda i=i: DmControlCompatibilityV0(make_reference_env("swim", N_LINKS, seed=i))
                        for i in range(num_envs)])


def sb3_rate(config: TrainConfig, env, steps: int) -> tuple[float, float]:
    """Env steps/s of model.learn(steps): overall, and of collection alone (updates timed apart)."""
    model = make_model(config, env, build_policy(config.arch, "swim", N_LINKS, seed=0))
    model.learn(min(steps // 4, 1024))  # warm-up: imports, first batch buffers
    updates = 0.0
    train = model.train

    def timed_train(*args, **kwargs):
        nonlocal updates
        start = time.perf_counter()
        train(*args, **kwargs)
        updates += time.perf_counter() - start

    model.train = timed_train
    start = time.perf_counter()
    model.learn(steps, reset_num_timesteps=False)
    elapsed = time.perf_counter() - start
    return steps / elapsed, steps / (elapsed - updates)


def es_floor_rate() -> float:
    """MuJoCo's floor for ES: 2 x one thread's mj_step C loop, replaying circuit commands."""
    _, initial, actions = closed_loop(64, 2, 100, record=True)
    return 2 * floor(initial, actions)


def es_rate(generations: int) -> float:
    """Env steps/s of paper-scale ES generations (population 256)."""
    config = merge(TrainConfig(), {"algo": "es", "n_links": N_LINKS, "steps": PAPER_ES_STEPS})
    with tempfile.TemporaryDirectory() as tmp:
        trainer = ESTrainer(RunDir.create(tmp, config), config)
        start = time.perf_counter()
        for _ in range(generations):
            trainer.step()
        elapsed = time.perf_counter() - start
        trainer.logger.close()
    return generations * config.es.population * 1000 / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat, shorter runs")
    args = parser.parse_args()
    torch.set_num_threads(1)
    repeats = 1 if args.quick else 3
    ppo = merge(TrainConfig(), {"algo": "ppo", "n_links": N_LINKS})
    ddpg = merge(TrainConfig(), {"algo": "ddpg", "n_links": N_LINKS, "offpolicy": {"learning_starts": 500, "random_steps": 500}})
    ppo_steps, ddpg_steps = (8192, 1000) if args.quick else (16384, 2000)
    rows: dict[str, list[float]] = {}

    def record(name: str, rates: tuple[float, float]) -> None:
        rows.setdefault(name, []).append(rates[0])
        rows.setdefault(name + " [collection only]", []).append(rates[1])

    for _ in range(repeats):
        record("ppo ncap simulator (64 swimmers)", sb3_rate(ppo, SwimmerVecEnv("swim", N_LINKS, num_envs=64), ppo_steps))
        record("ppo sb3 default (8 dm_control, Shimmy)",
               sb3_rate(merge(ppo, {"ppo": {"num_envs": 8}}), shimmy_env(8), ppo_steps))
        record("ddpg ncap simulator (10 swimmers)", sb3_rate(ddpg, SwimmerVecEnv("swim", N_LINKS, num_envs=10), ddpg_steps))
        record("ddpg sb3 default (10 dm_control, Shimmy)", sb3_rate(ddpg, shimmy_env(10), ddpg_steps))
        rows.setdefault("es population 256 (paper scale)", []).append(es_rate(1))
        rows.setdefault("floor: mj_step C loop x 2 threads", []).append(es_floor_rate())
    medians = {name: statistics.median(values) for name, values in rows.items()}
    print(f"{'configuration':58s} {'env steps/s':>12s}")
    for name, value in medians.items():
        print(f"{name:58s} {value:12.0f}")
    ppo_ours, ppo_sb3 = medians["ppo ncap simulator (64 swimmers)"], medians["ppo sb3 default (8 dm_control, Shimmy)"]
    collect = (medians["ppo ncap simulator (64 swimmers) [collection only]"]
               / medians["ppo sb3 default (8 dm_control, Shimmy) [collection only]"])
    ddpg_ratio = medians["ddpg ncap simulator (10 swimmers)"] / medians["ddpg sb3 default (10 dm_control, Shimmy)"]
    es_minutes = PAPER_ES_STEPS / medians["es population 256 (paper scale)"] / 60
    floor_minutes = PAPER_ES_STEPS / medians["floor: mj_step C loop x 2 threads"] / 60
    print(f"ppo collection-only speedup {collect:.2f}; es run at MuJoCo's floor here: {floor_minutes:.1f} minutes")
    print(f"ppo_speedup_vs_sb3={ppo_ours / ppo_sb3:.2f} es_paper_run_minutes={es_minutes:.1f} "
          f"ddpg_ratio_vs_sb3={ddpg_ratio:.2f}")


if __name__ == "__main__":
    main()
