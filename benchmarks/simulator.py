"""Control steps per second of the batched simulator, beside MuJoCo's floor and dm_control.

Measured side by side in one run, interleaved, medians of REPEATS; the
headline ratio is the median over repeats of our rate divided by the mean of
two floor runs bracketing it (the machine's speed drifts):

(a) floor: ``mj_step`` in one C loop (``mujoco.rollout`` on one MjData, open
    loop) replaying the very commands the closed loop produced, so the physics
    work is the same (joint limits make it depend on the commands); per
    thread, times the thread count.
(b) the dm_control reference env (one swimmer), the same circuit in the loop.
(c) ncap's BatchedSwimmer with the NCAP circuit in the loop (closed loop:
    observation -> torch -> circuit -> actions), B in {1, 16, 256}, threads in {1, 2}.
(d) for comparison, a closed loop around ``mujoco.rollout`` (nstep=16, the
    extra substep for fresh sensors; inexact: warm starts leak between swimmers).

Usage: python benchmarks/simulator.py [--quick]
Last line: ratio_to_floor=<c/a at B=256, 2 threads> speedup_vs_dm_control=<c/b>
"""

from __future__ import annotations

import argparse
import statistics
import time

import mujoco
import numpy as np
import torch
from mujoco import rollout

from ncap.envs import SUBSTEPS, BatchedSwimmer, make_reference_env, swimmer_body
from ncap.evaluation import obs_to_torch
from ncap.policies import ArchitectureConfig, build_policy

N_LINKS = 6
REPEATS = 5


def closed_loop(num_envs: int, nthread: int, steps: int, record: bool = False):
    """Control steps/s of the batched simulator with the circuit in the loop."""
    policy = build_policy(ArchitectureConfig(), "swim", N_LINKS)
    sim = BatchedSwimmer("swim", N_LINKS, num_envs=num_envs, nthread=nthread, seed=0)
    obs, actions = sim.reset(), []
    initial = sim.physics_state()
    with torch.no_grad():
        policy(obs_to_torch(obs))  # warm-up
        start = time.perf_counter()
        for _ in range(steps):
            action = policy(obs_to_torch(obs)).double().numpy()
            obs, _, _ = sim.step(action)
            if record:
                actions.append(action)
        elapsed = time.perf_counter() - start
    sim.close()
    return num_envs * steps / elapsed, initial, np.stack(actions, axis=1) if record else None


def floor(initial: np.ndarray, actions: np.ndarray) -> float:
    """Control steps/s of mj_step in one C loop on one thread, replaying (B, T, nu) actions."""
    model = swimmer_body(N_LINKS).model
    data = mujoco.MjData(model)
    spec = mujoco.mjtState
    full = np.empty((len(initial), mujoco.mj_stateSize(model, spec.mjSTATE_FULLPHYSICS)))
    for i, row in enumerate(initial):  # integration-state rows -> full-physics rows
        mujoco.mj_setState(model, data, row, spec.mjSTATE_INTEGRATION)
        mujoco.mj_getState(model, data, full[i], spec.mjSTATE_FULLPHYSICS)
    control = np.repeat(actions, SUBSTEPS, axis=1)
    runner = rollout.Rollout(nthread=0)
    start = time.perf_counter()
    runner.rollout(model, data, full, control)
    return actions.shape[0] * actions.shape[1] / (time.perf_counter() - start)


def dm_control_env(steps: int) -> float:
    """Control steps/s of the dm_control reference env with the circuit in the loop."""
    policy = build_policy(ArchitectureConfig(), "swim", N_LINKS)
    env = make_reference_env("swim", N_LINKS, seed=0)
    time_step = env.reset()
    with torch.no_grad():
        start = time.perf_counter()
        for _ in range(steps):
            obs = {k: torch.as_tensor(v, dtype=torch.float32)[None] for k, v in time_step.observation.items()}
            time_step = env.step(policy(obs)[0].double().numpy())
    return steps / (time.perf_counter() - start)


def rollout_loop(num_envs: int, nthread: int, steps: int) -> float:
    """Control steps/s of a closed loop around mujoco.rollout (state copied, nstep=16)."""
    policy = build_policy(ArchitectureConfig(), "swim", N_LINKS)
    body = swimmer_body(N_LINKS)
    model, spec = body.model, mujoco.mjtState.mjSTATE_FULLPHYSICS
    sim = BatchedSwimmer("swim", N_LINKS, num_envs=num_envs, seed=0)
    obs, integration = sim.reset(), sim.physics_state()
    data = mujoco.MjData(model)
    state = np.empty((num_envs, mujoco.mj_stateSize(model, spec)))
    for i, row in enumerate(integration):
        mujoco.mj_setState(model, data, row, mujoco.mjtState.mjSTATE_INTEGRATION)
        mujoco.mj_getState(model, data, state[i], spec)
    runner = rollout.Rollout(nthread=nthread)
    datas = [mujoco.MjData(model) for _ in range(max(nthread, 1))]
    out_state = np.empty((num_envs, SUBSTEPS + 1, state.shape[1]))
    out_sensors = np.empty((num_envs, SUBSTEPS + 1, model.nsensordata))
    control = np.empty((num_envs, SUBSTEPS + 1, model.nu))
    qpos = slice(1 + 3, 1 + model.nq)
    with torch.no_grad():
        start = time.perf_counter()
        for step in range(steps):
            control[:] = policy(obs_to_torch(obs)).double().numpy()[:, None]
            runner.rollout([model] * num_envs, datas, state, control, nstep=SUBSTEPS + 1, state=out_state,
                           sensordata=out_sensors, skip_checks=True)
            state[:] = out_state[:, SUBSTEPS - 1]
            obs = {"joints": body.normalized_joints(state[:, qpos]),
                   "body_velocities": out_sensors[:, SUBSTEPS, body.sensor_body_velocities],
                   "step": np.full((num_envs, 1), step + 1.0)}
        return num_envs * steps / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (noisier)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    scale = 0.3 if args.quick else 1.0
    steps = {1: int(1000 * scale), 16: int(300 * scale), 256: int(100 * scale)}
    _, initial, actions = closed_loop(256, 2, steps[256], record=True)
    initial, actions = initial[:64], actions[:64]
    rows: dict[str, list[float]] = {}
    ratios, speedups = [], []
    for _ in range(REPEATS):
        # The floor brackets our run, so that drift of the machine's speed cancels.
        before = 2 * floor(initial, actions)
        ours = closed_loop(256, 2, steps[256])[0]
        after = 2 * floor(initial, actions)
        reference = dm_control_env(int(1000 * scale))
        ratios.append(ours / ((before + after) / 2))
        speedups.append(ours / reference)
        rows.setdefault("floor (mj_step C loop) x 2 threads", []).extend([before, after])
        rows.setdefault("ncap batched B=256 threads=2", []).append(ours)
        rows.setdefault("dm_control env (B=1)", []).append(reference)
        for num_envs in (1, 16, 256):
            for nthread in (1, 2):
                if (num_envs, nthread) != (256, 2) and nthread <= num_envs:
                    key = f"ncap batched B={num_envs} threads={nthread}"
                    rows.setdefault(key, []).append(closed_loop(num_envs, nthread, steps[num_envs])[0])
        rows.setdefault("rollout loop B=256 threads=2 (inexact)", []).append(rollout_loop(256, 2, steps[256]))
    medians = {name: statistics.median(values) for name, values in rows.items()}
    floor2 = medians["floor (mj_step C loop) x 2 threads"]
    print(f"{'configuration':44s} {'control steps/s':>16s} {'/ floor':>8s}")
    for name, value in medians.items():
        print(f"{name:44s} {value:16.0f} {value / floor2:8.3f}")
    print(f"per-repeat ratio to the bracketing floor: {' '.join(f'{r:.3f}' for r in ratios)}")
    print(f"ratio_to_floor={statistics.median(ratios):.3f} speedup_vs_dm_control={statistics.median(speedups):.2f}")


if __name__ == "__main__":
    main()
