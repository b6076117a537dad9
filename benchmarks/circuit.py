"""Forward time of the swimmer circuit, measured side by side.

Compares the vectorized circuit (single mode at B = 256, population mode at
P = 256 x B = 1 and P = 16 x B = 16) with a reference implementation of the
same equations that loops over joints in Python. One thread, no autograd,
repeats interleaved across cases, medians reported.

Also the same circuit compiled from its spec (``circuits/specs/swimmer.yaml``),
single and population mode, against the hand-written one.

Also measures, in the same run, one control step of the batched simulator
(B = 256, 2 threads) and prints the circuit's cost as a fraction of it.

Run: ``python benchmarks/circuit.py``. Other benchmarks can import
:func:`measure_circuit_forward_us`.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch

try:
    from ncap.circuits import CompiledCircuit, SwimmerCircuit, load_spec
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from ncap.circuits import CompiledCircuit, SwimmerCircuit, load_spec
from ncap.circuits.spec import with_uniform_init

SWIMMERS = 256


def reference_torques(circuit: SwimmerCircuit, joint_pos: torch.Tensor, step: torch.Tensor) -> torch.Tensor:
    """The circuit's equations written plainly, one module per loop iteration.

    Swim task only (no turn or speed inputs), square-wave oscillator.
    joint_pos (B, N), step (B,) -> torques (B, N).
    """
    w = circuit.used_weights(expanded=True)
    f = circuit.activation
    phase = torch.remainder(step, circuit.config.oscillator_period)
    osc_dorsal = (phase < circuit.config.oscillator_duty).to(joint_pos.dtype)
    osc_ventral = 1.0 - osc_dorsal
    torques = []
    for i in range(circuit.n_joints):
        if i == 0:
            b_dorsal = f(w["w_osc"][0] * osc_dorsal)
            b_ventral = f(w["w_osc"][1] * osc_ventral)
        else:
            q = joint_pos[:, i - 1]
            b_dorsal = f(w["w_prop"][i - 1, 0] * q.clamp(min=0.0))
            b_ventral = f(w["w_prop"][i - 1, 1] * (-q).clamp(min=0.0))
        muscle_dorsal = f(w["w_ipsi"][i, 0] * b_dorsal + w["w_contra"][i, 0] * b_ventral)
        muscle_ventral = f(w["w_ipsi"][i, 1] * b_ventral + w["w_contra"][i, 1] * b_dorsal)
        torques.append(muscle_dorsal - muscle_ventral)
    return torch.stack(torques, dim=-1)


def _per_call_us(fn: Callable[[], object], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls * 1e6


Cases = dict[str, Callable[[], object]]


def _interleaved_medians(cases: Cases, repeats: int, calls: int) -> dict[str, float]:
    """Median microseconds per call of each case; one round runs every case once."""
    for fn in cases.values():
        _per_call_us(fn, calls // 10 + 1)
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeats):
        for name, fn in cases.items():
            samples[name].append(_per_call_us(fn, calls))
    return {name: statistics.median(values) for name, values in samples.items()}


def _setup(batch: int, n_joints: int) -> tuple[SwimmerCircuit, torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    circuit = SwimmerCircuit(n_joints, init="uniform", generator=generator)
    joint_pos = torch.rand(batch, n_joints, generator=generator) * 2 - 1
    step = torch.randint(0, 1000, (batch,), generator=generator)
    return circuit, joint_pos, step


def measure_circuit_forward_us(
    batch: int = 256, n_joints: int = 5, repeats: int = 5, calls: int = 200
) -> float:
    """Median microseconds per single-mode forward call of a ``batch`` of
    swimmers with ``n_joints`` joints, on one thread, without autograd."""
    circuit, joint_pos, step = _setup(batch, n_joints)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with torch.no_grad():
            cases = {"single": lambda: circuit(joint_pos, step)}
            return _interleaved_medians(cases, repeats, calls)["single"]
    finally:
        torch.set_num_threads(threads)


def _cases(n_joints: int) -> Cases:
    """Benchmark cases, each checked against the reference loop first."""
    circuit, joint_pos, step = _setup(SWIMMERS, n_joints)
    expected = reference_torques(circuit, joint_pos, step)
    assert torch.allclose(circuit(joint_pos, step), expected, atol=1e-6)
    params = circuit.get_flat_parameters()
    cases: Cases = {
        f"single B={SWIMMERS}": lambda: circuit(joint_pos, step),
        f"loop reference B={SWIMMERS}": lambda: reference_torques(circuit, joint_pos, step),
    }
    for pop in (SWIMMERS, 16):
        batch = SWIMMERS // pop
        pop_params = params.expand(pop, -1).contiguous()
        pop_joint_pos = joint_pos.reshape(pop, batch, n_joints)
        pop_step = step.reshape(pop, batch)
        out = circuit.population_forward(pop_params, pop_joint_pos, pop_step)
        assert torch.allclose(out.reshape(SWIMMERS, n_joints), expected, atol=1e-6)
        cases[f"population P={pop} x B={batch}"] = (
            lambda p=pop_params, q=pop_joint_pos, s=pop_step: circuit.population_forward(p, q, s)
        )
    compiled = CompiledCircuit(with_uniform_init(load_spec("swimmer")), n_joints)  # the same circuit from its spec
    compiled.set_flat_parameters(params)
    assert torch.allclose(compiled(joint_pos, step), expected, atol=1e-6)
    cases[f"spec-compiled B={SWIMMERS}"] = lambda: compiled(joint_pos, step)
    pop_params, pop_joint_pos = params.expand(SWIMMERS, -1).contiguous(), joint_pos[:, None]
    assert torch.allclose(compiled.population_forward(pop_params, pop_joint_pos, step[:, None])[:, 0], expected, atol=1e-6)
    cases[f"spec-compiled P={SWIMMERS} x B=1"] = (
        lambda: compiled.population_forward(pop_params, pop_joint_pos, step[:, None]))
    return cases


def simulator_step_us(n_joints: int, steps: int = 100) -> float:
    """Microseconds per control step of the batched simulator, B = 256, 2 threads."""
    from ncap.envs import BatchedSwimmer  # noqa: PLC0415  (circuits alone need no simulator)

    circuit, _, _ = _setup(SWIMMERS, n_joints)
    sim = BatchedSwimmer("swim", n_joints + 1, num_envs=SWIMMERS, nthread=2, seed=0)
    obs = sim.reset()
    elapsed = 0.0
    with torch.no_grad():
        for _ in range(steps):
            actions = circuit(torch.as_tensor(obs["joints"]), torch.as_tensor(obs["step"][:, 0])).numpy()
            start = time.perf_counter()
            obs, _, _ = sim.step(actions)
            elapsed += time.perf_counter() - start
    sim.close()
    return elapsed / steps * 1e6


def main(n_joints: int = 5, repeats: int = 7, calls: int = 300) -> None:
    torch.set_num_threads(1)
    with torch.no_grad():
        medians = _interleaved_medians(_cases(n_joints), repeats, calls)
    sim_us = statistics.median(simulator_step_us(n_joints) for _ in range(3))
    loop = medians[f"loop reference B={SWIMMERS}"]
    print(f"swimmer circuit forward, N={n_joints}, {SWIMMERS} swimmer-steps per call, 1 thread, no_grad")
    print(f"{'case':<30} {'us/call':>9} {'ns/swimmer':>11} {'vs loop':>8}")
    for name, micros in medians.items():
        print(f"{name:<30} {micros:9.1f} {micros * 1e3 / SWIMMERS:11.1f} {loop / micros:7.2f}x")
    single = medians[f"single B={SWIMMERS}"]
    print(f"{'batched simulator step B=256, 2 threads':<30} {sim_us:9.1f}")
    print(f"circuit_speedup_vs_loop={loop / single:.2f} circuit_fraction_of_sim_step={single / sim_us:.3f}")
    compiled = medians[f"spec-compiled B={SWIMMERS}"] / single
    compiled_pop = medians[f"spec-compiled P={SWIMMERS} x B=1"] / medians[f"population P={SWIMMERS} x B=1"]
    print(f"spec_compiled_time_vs_hand_written single={compiled:.2f} population={compiled_pop:.2f}")


if __name__ == "__main__":
    main()
