"""The quadruped circuit: the rhythm generator alone, its units by hand, parameters, state and population mode."""

import numpy as np
import pytest
import torch

from ncap.circuits.dynamics import HALF_CENTRE as OSCILLATOR
from ncap.circuits.dynamics import VOLTAGE_TIME, oscillator_bounds
from ncap.circuits.quadruped import (
    LIMBS,
    QuadrupedCircuit,
    QuadrupedCircuitConfig,
    RhythmGenerator,
    limb_phases,
    phase_distance,
)
from ncap.circuits.quadruped.rhythm import synapses


def run_rhythm(drive: float, seed: int, steps: int = 1500) -> np.ndarray:
    """Outputs (steps, units) of the RG alone, without a body, commands freq = sync = drive."""
    rg = RhythmGenerator(30.0)
    state = rg.initial_state((1,), torch.Generator().manual_seed(seed))
    signals = torch.zeros(1, len(rg.signals))
    signals[:, 8:] = drive
    out = []
    for _ in range(steps):
        state = rg.step(state, signals)
        out.append(state["outputs"][0].numpy().copy())
    return np.asarray(out)[300:]


def test_flexor_and_extensor_alternate_within_each_limb():
    out = run_rhythm(0.3, seed=0)
    for limb in range(4):
        flexor, extensor = out[:, limb], out[:, 4 + limb]
        bursting = flexor > 0
        assert 0.2 < bursting.mean() < 0.6
        assert extensor[bursting].mean() < 0.5 * extensor[~bursting].mean()


def test_period_falls_as_drive_rises():
    periods = [limb_phases(run_rhythm(drive, seed=0)[:, :4] > 0)[0] for drive in (0.0, 0.3, 0.6, 0.9)]
    assert periods[0] > periods[1] > periods[2] > periods[3], periods


def test_gait_goes_from_left_right_alternation_at_walk_drive_to_bound_at_high_drive():
    walk = [limb_phases(run_rhythm(0.3, seed)[:, :4] > 0)[1] for seed in range(6)]
    for phases in walk:  # FL-FR half a cycle apart
        assert phase_distance(phases[0], phases[1]) > 0.4
    bound = [limb_phases(run_rhythm(0.6, seed)[:, :4] > 0)[1] for seed in range(6)]
    synchronous = [phase_distance(p[0], p[1]) < 0.1 and phase_distance(p[2], p[3]) < 0.1
                   and phase_distance(p[0], p[2]) > 0.1 for p in bound]
    assert sum(synchronous) >= 4, bound  # left and right together, fore and hind apart: bound


def test_leaky_unit_step_by_hand():
    rg = RhythmGenerator(30.0)
    state = rg.initial_state((1,))
    index = rg.units.index("ext_FL")
    state["outputs"][:] = 0
    state["signals"][:] = 0
    state["signals"][0, rg.signals.index("aff_ext_FL")] = 0.5
    new = rg.step(state, torch.zeros(1, len(rg.signals)))
    kv = 4 / VOLTAGE_TIME * 30.0
    z = min(1.0, 0.8 + 0.5)  # bias + afferent, clamped
    assert new["voltage"][0, index].item() == pytest.approx(z * kv / (1 + kv), abs=1e-6)


def test_oscillator_switches_at_its_bounds():
    bounds = oscillator_bounds(**OSCILLATOR)
    assert 0 < bounds.active0 < bounds.quiet0 < 1
    rg = RhythmGenerator(30.0)
    state = rg.initial_state((1,))
    state["adaptation"][:] = 0.999  # quiet and fully recovered: the flexor turns on
    new = rg.step(state, torch.zeros(1, len(rg.signals)))
    assert (new["voltage"][0, :4] == 1).all()
    assert new["outputs"][0, :4].numpy() == pytest.approx((new["adaptation"][0].numpy() + 1) / 2)


def test_wiring_follows_their_circuit():
    weights = {(t, s): w for t, s, w in synapses()}
    assert weights[("flx_FL", "cross_v0d_FR")] == -1.5
    assert weights[("flx_HR", "diagd_v0d_FL")] == -0.8
    assert weights[("diaga_v3a_HL", "freq_L")] == 0.8
    assert len(RhythmGenerator().units) == 28 and len(RhythmGenerator().signals) == 12


@pytest.mark.parametrize("config,count", [(QuadrupedCircuitConfig(), 92), (QuadrupedCircuitConfig(repeat=8), 708),
                                          (QuadrupedCircuitConfig(afferent_feedback=False), 12)])
def test_parameter_counts(config, count):
    assert sum(p.numel() for p in QuadrupedCircuit(config).parameters()) == count


def observations(batch: tuple[int, ...], step: int, seed: int = 0) -> dict:
    g = torch.Generator().manual_seed(seed + step)
    obs = {key: torch.randn((*batch, 12), generator=g) * 0.3
           for key in ("joint_positions", "joint_velocities", "actuator_forces")}
    obs["foot_contact"] = torch.rand((*batch, 4), generator=g)
    obs["step"] = torch.full((*batch, 1), float(step))
    return obs


def rollout(circuit, batch=(3,), steps=40):
    return torch.stack([circuit(observations(batch, t)) for t in range(steps)])


def test_redundant_copies_compute_the_same_function():
    one, eight = QuadrupedCircuit(seed=1), QuadrupedCircuit(QuadrupedCircuitConfig(repeat=8), seed=1)
    torch.testing.assert_close(rollout(one), rollout(eight))


def test_state_resets_at_step_zero_and_equal_seeds_equal_rollouts():
    a, b = QuadrupedCircuit(seed=3), QuadrupedCircuit(seed=3)
    first = rollout(a)
    torch.testing.assert_close(first, rollout(b))
    a.generator.manual_seed(3)
    torch.testing.assert_close(first, rollout(a))  # a new episode: its state restarted at step 0


def test_population_mode_equals_each_member_alone():
    config = QuadrupedCircuitConfig(random_phase=False)  # every member starts at the same phase, as alone
    template = QuadrupedCircuit(config)
    flat = torch.cat([p.detach().reshape(-1) for p in template.parameters()])
    params = flat + 0.3 * torch.randn(4, flat.numel(), generator=torch.Generator().manual_seed(0))
    steps = [observations((4, 2), t) for t in range(30)]
    together = torch.stack([template.population_forward(params, obs) for obs in steps])
    for member in range(4):
        alone = QuadrupedCircuit(config)
        torch.nn.utils.vector_to_parameters(params[member], alone.parameters())
        each = torch.stack([alone({key: value[member] for key, value in obs.items()}) for obs in steps])
        torch.testing.assert_close(together[:, member], each, atol=1e-6, rtol=1e-5)


def test_sign_constraints_hold_the_priors_sign():
    circuit = QuadrupedCircuit()
    with torch.no_grad():
        circuit.pf_weight.neg_()
        circuit.af_weight.neg_()
    weights = circuit.effective()
    assert (weights["pf_weight"] == 0).all()  # every PF prior is nonzero: pushed across zero, held at 0
    assert (weights["af_weight"][circuit.af_sign[None] != 0] == 0).all()
    free = QuadrupedCircuit(QuadrupedCircuitConfig(sign_constraints=False))
    with torch.no_grad():
        free.pf_weight.neg_()
    assert (free.effective()["pf_weight"] != 0).all()


def test_activity_names_every_unit_and_afferent():
    circuit = QuadrupedCircuit()
    commands, activity = circuit(observations((2,), 0), return_activity=True)
    assert commands.shape == (2, 8)
    assert {f"flx_{leg}" for leg in LIMBS} <= set(activity) and "diaga_v3a_HL" in activity
    assert {f"aff_ext_{leg}" for leg in LIMBS} <= set(activity)
    assert all(value.shape == (2,) for value in activity.values())


def test_state_in_the_observation_gives_the_stateful_circuits_commands():
    """PPO's form of the circuit (state before the step in the observation, next_state after it) equals the
    stateful circuit step by step, from the same first state."""
    from ncap.circuits.dynamics import STATE_KEY

    stateful, stateless = QuadrupedCircuit(seed=3), QuadrupedCircuit(seed=3)
    with torch.no_grad():
        for p in stateless.parameters():  # trained-looking weights, both circuits alike
            p.add_(0.05 * torch.randn(p.shape, generator=torch.Generator().manual_seed(1)))
        stateful.load_state_dict(stateless.state_dict())
    state = stateless.initial_state(5, torch.Generator().manual_seed(7))
    stateful.generator.manual_seed(7)  # the same first phases
    for t in range(40):
        obs = observations((5,), t)
        expected = stateful(obs)
        got = stateless({**obs, STATE_KEY: state})
        torch.testing.assert_close(got, expected, atol=1e-6, rtol=0)
        state = stateless.next_state({**obs, STATE_KEY: state})
        assert state.shape == (5, stateless.state_size)
