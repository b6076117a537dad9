"""Control steps per second of the batched quadruped, beside MuJoCo's floor for the same body, and ES throughput.

Measured side by side in one run, interleaved, medians of REPEATS; the headline
ratio is the median over repeats of our rate divided by the mean of the two
floor runs bracketing it (the machine's speed drifts):

(a) floor: ``mj_step`` in one C loop (``mujoco.rollout``, one thread, open
    loop) from the same starts, replaying the controls the closed loop produced
    on each body's own model (its friction), SUBSTEPS MuJoCo steps per control step;
(b) ncap's ``BatchedQuadruped`` alone, B bodies, one thread: the same episodes
    from the same seed, replaying the actions the closed loop chose, with
    everything a step computes (controls, observation, reward, falls);
(c) (b) with the quadruped circuit in the loop (observation -> torch -> circuit
    -> commands);
(d) ES: one ARS generation of 64 episodes (population mode) for the circuit and
    the zero-initialized MLP(256,256), environment steps per second;
(e) the circuit's forward time compiled from its spec (``specs/quadruped.yaml``,
    ``CompiledLimbCircuit``) against the hand-written circuit, single mode
    (B = 64) and population mode (P = 64 x B = 1), 50 steps of one episode.

Usage: python benchmarks/quadruped.py [--quick]
Last line: ratio_to_floor=<b/a> closed_loop_ratio=<c/a> es_ncap_steps_per_s=<d> es_mlp_steps_per_s=<d>
spec_compiled_time_vs_hand_written_single=<e> ..._population=<e>
"""

from __future__ import annotations

import argparse
import statistics
import time

import mujoco
import numpy as np
import torch
from mujoco import rollout

from ncap.circuits import load_spec
from ncap.circuits.limb_compiler import CompiledLimbCircuit
from ncap.circuits.quadruped import QuadrupedCircuit
from ncap.config import TrainConfig, merge
from ncap.envs.quadruped import BatchedQuadruped, QuadrupedTaskConfig
from ncap.envs.quadruped.body import SUBSTEPS
from ncap.evaluation import obs_to_torch
from ncap.policies import ArchitectureConfig, build_policy
from ncap.runs import RunDir
from ncap.training.es import ESTrainer

REPEATS = 5


def closed_loop(num_envs: int, steps: int):
    """Control steps/s of the batched quadruped with the circuit in the loop; starts, controls, models."""
    policy = build_policy(ArchitectureConfig(), "quadruped", 6)
    sim = BatchedQuadruped(QuadrupedTaskConfig(), num_envs=num_envs, nthread=1, seed=0)
    obs, controls, actions = sim.reset(), [], []
    initial = sim.physics_state()
    models = [sim.model_of(i) for i in range(num_envs)]
    with torch.no_grad():
        start = time.perf_counter()
        for _ in range(steps):
            actions.append(policy(obs_to_torch(obs)).double().numpy())
            obs, _, _ = sim.step(actions[-1])
            controls.append(sim._ctrl.copy())  # noqa: SLF001  (what MuJoCo received)
        elapsed = time.perf_counter() - start
    sim.close()
    return num_envs * steps / elapsed, initial, np.stack(controls, axis=1), models, actions


def simulator_alone(num_envs: int, actions: list[np.ndarray]) -> float:
    """Control steps/s of the batched quadruped replaying a closed loop's actions from its seed."""
    sim = BatchedQuadruped(QuadrupedTaskConfig(), num_envs=num_envs, nthread=1, seed=0)
    sim.reset()
    start = time.perf_counter()
    for action in actions:
        sim.step(action)
    elapsed = time.perf_counter() - start
    sim.close()
    return num_envs * len(actions) / elapsed


def floor(initial: np.ndarray, controls: np.ndarray, models: list) -> float:
    """Control steps/s of mj_step in one C loop on one thread, replaying (B, T, nu) controls."""
    data = mujoco.MjData(models[0])
    spec = mujoco.mjtState
    full = np.empty((len(initial), mujoco.mj_stateSize(models[0], spec.mjSTATE_FULLPHYSICS)))
    for i, row in enumerate(initial):  # integration-state rows -> full-physics rows
        mujoco.mj_setState(models[i], data, row, spec.mjSTATE_INTEGRATION)
        mujoco.mj_getState(models[i], data, full[i], spec.mjSTATE_FULLPHYSICS)
    per_substep = np.repeat(controls, SUBSTEPS, axis=1)
    runner = rollout.Rollout(nthread=0)
    start = time.perf_counter()
    runner.rollout(models, data, full, per_substep)
    return controls.shape[0] * controls.shape[1] / (time.perf_counter() - start)


def circuit_times(steps: int = 50) -> tuple[float, float]:
    """Forward time of the compiled spec over the hand-written circuit's: single (B = 64), population (P = 64)."""
    hand, compiled = QuadrupedCircuit(seed=0), CompiledLimbCircuit(load_spec("quadruped"), seed=0)
    params = torch.zeros(64, compiled.num_parameters)
    single = [_observations((64,), t) for t in range(steps)]
    population = [_observations((64, 1), t) for t in range(steps)]
    cases = {"hand": lambda: [hand(o) for o in single], "spec": lambda: [compiled(o) for o in single],
             "hand_p": lambda: [hand.population_forward(params, o) for o in population],
             "spec_p": lambda: [compiled.population_forward(params, o) for o in population]}
    times: dict[str, list[float]] = {name: [] for name in cases}
    with torch.no_grad():
        for _ in range(REPEATS):
            for name, run in cases.items():
                start = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - start)
    median = {name: statistics.median(values) for name, values in times.items()}
    return median["spec"] / median["hand"], median["spec_p"] / median["hand_p"]


def _observations(shape: tuple[int, ...], step: int) -> dict:
    generator = torch.Generator().manual_seed(step)
    obs = {key: torch.randn((*shape, 12), generator=generator) * 0.3
           for key in ("joint_positions", "joint_velocities", "actuator_forces")}
    obs["foot_contact"] = torch.rand((*shape, 4), generator=generator)
    obs["step"] = torch.full((*shape, 1), float(step))
    return obs


def es_rate(arch: dict, sigma: float, tmp: str) -> float:
    """Environment steps/s of one ARS generation of 64 episodes."""
    config = merge(TrainConfig(), {"task": "quadruped", "algo": "es", "threads": 1, "arch": arch,
                                   "es": {"update": "ars", "population": 64, "sigma": sigma, "lr": 1.0,
                                          "weight_decay": 0.01}})
    trainer = ESTrainer(RunDir.create(tmp, config), config)
    start = time.perf_counter()
    trainer.step()
    return trainer.env_steps / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps (a smoke run)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    num_envs, steps, repeats = (8, 50, 2) if args.quick else (64, 200, REPEATS)
    ratios, loop_ratios, sim_rates, loop_rates, floor_rates = [], [], [], [], []
    for _ in range(repeats):
        loop, initial, controls, models, actions = closed_loop(num_envs, steps)
        before = floor(initial, controls, models)
        alone = simulator_alone(num_envs, actions)
        after = floor(initial, controls, models)
        ratios.append(alone / ((before + after) / 2))
        loop_ratios.append(loop / before)
        sim_rates.append(alone)
        loop_rates.append(loop)
        floor_rates += [before, after]
    print(f"floor (mj_step, 1 thread): {statistics.median(floor_rates):,.0f} control steps/s")
    print(f"BatchedQuadruped alone, B={num_envs}, 1 thread: {statistics.median(sim_rates):,.0f} control steps/s")
    print(f"BatchedQuadruped + circuit, B={num_envs}, 1 thread: {statistics.median(loop_rates):,.0f} control steps/s")
    import tempfile  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp:
        ncap_rate = es_rate({"arch": "ncap"}, 0.1, f"{tmp}/ncap")
        mlp_rate = es_rate({"arch": "mlp", "mlp_init": "zeros"}, 0.02, f"{tmp}/mlp")
    print(f"ES (ARS, 64 episodes, 1 thread): NCAP {ncap_rate:,.0f} steps/s, MLP(256,256) {mlp_rate:,.0f} steps/s")
    single, population = circuit_times()
    print(f"circuit compiled from quadruped.yaml / hand-written: single (B=64) {single:.2f}x, "
          f"population (P=64) {population:.2f}x")
    print(f"ratio_to_floor={statistics.median(ratios):.3f} closed_loop_ratio={statistics.median(loop_ratios):.3f} "
          f"es_ncap_steps_per_s={ncap_rate:.0f} "
          f"es_mlp_steps_per_s={mlp_rate:.0f} spec_compiled_time_vs_hand_written_single={single:.2f} "
          f"spec_compiled_time_vs_hand_written_population={population:.2f}")


if __name__ == "__main__":
    main()
