"""Tests of ncap.circuits.swimmer: equations by hand, ablations, population
mode, activity, batch shapes, transfer and input validation."""

import dataclasses

import pytest
import torch

from ncap.circuits.swimmer import WEIGHT_SIGNS, SwimmerCircuit, SwimmerCircuitConfig


def _set(circuit, **weights):
    with torch.no_grad():
        for name, value in weights.items():
            getattr(circuit, name).copy_(torch.tensor(value))
    return circuit


def _gen(seed):
    return torch.Generator().manual_seed(seed)


# ---------------------------------------------------------------- equations


def test_constant_init_by_hand():
    circuit = SwimmerCircuit(3)
    # step 0: o^d = 1. b = (1, 0), (0.5, 0), (0, 0.25); muscles copy them.
    torque = circuit(torch.tensor([0.5, -0.25, 0.8]), 0)
    assert torque.tolist() == pytest.approx([1.0, 0.5, -0.25])


@pytest.mark.parametrize("activation, expected", [("relu", [-1.6, 0.6, -0.3]), ("clamp", [-0.8, 0.6, -0.3])])
def test_shared_weights_by_hand(activation, expected):
    circuit = _set(SwimmerCircuit(3, activation=activation), w_osc=2.0, w_prop=1.5, w_ipsi=0.8, w_contra=-0.5)
    # step 40: phase 40 >= 30, so o^v = 1. Head: b^v = f(2) (2 relu, 1 clamp),
    # m^v = f(0.8 b^v). Module 2: q1 = 0.5 -> b^d = 0.75, m^d = 0.6.
    # Module 3: q2 = -0.25 -> b^v = 0.375, m^v = 0.3. q3 is unused.
    joint_pos = torch.tensor([0.5, -0.25, 0.8])
    assert circuit(joint_pos, 40).tolist() == pytest.approx(expected)
    assert circuit(torch.tensor([0.5, -0.25, -0.9]), 40).tolist() == pytest.approx(expected)


def _turn_speed_circuit():
    circuit = SwimmerCircuit(2, turn=True, speed=True)
    return _set(circuit, w_osc=0.5, w_prop=1.0, w_ipsi=1.0, w_contra=-0.5, w_turn=0.4, w_speed=-0.2)


def test_turn_and_speed_by_hand():
    circuit = _turn_speed_circuit()
    # step 10: o^d = 1; r = 0.5, l = 0.75, s = 0.5 -> brake term -0.2 * 0.5 = -0.1.
    # b1 = (0.5 + 0.2 - 0.1, 0.3 - 0.1) = (0.6, 0.2); m1 = (0.6 - 0.1, f(0.2 - 0.3)) = (0.5, 0)
    # q1 = -0.6: b2 = (f(-0.1), 0.6 - 0.1) = (0, 0.5); m2 = (f(-0.25), 0.5) = (0, 0.5)
    turn, speed = torch.tensor([0.5, 0.75]), torch.tensor(0.5)
    torque, activity = circuit(torch.tensor([-0.6, 0.3]), 10, turn=turn, speed=speed, return_activity=True)
    assert torque.tolist() == pytest.approx([0.5, -0.5], abs=1e-6)
    assert activity["b_dorsal"].tolist() == pytest.approx([0.6, 0.0], abs=1e-6)
    assert activity["b_ventral"].tolist() == pytest.approx([0.2, 0.5], abs=1e-6)
    assert activity["muscle_dorsal"].tolist() == pytest.approx([0.5, 0.0], abs=1e-6)
    assert activity["muscle_ventral"].tolist() == pytest.approx([0.0, 0.5], abs=1e-6)
    commands = (activity["turn_r"].item(), activity["turn_l"].item(), activity["speed"].item())
    assert commands == (0.5, 0.75, 0.5)


def test_absent_commands_mean_no_turn_and_full_speed():
    circuit = _turn_speed_circuit()
    joint_pos = torch.tensor([-0.6, 0.3])
    # r = l = 0, s = 1: b1 = (0.5, 0), m1 = (0.5, 0); b2 = (0, 0.6), m2 = (0, 0.6)
    assert circuit(joint_pos, 10).tolist() == pytest.approx([0.5, -0.6])
    explicit = circuit(joint_pos, 10, turn=torch.zeros(2), speed=torch.tensor(1.0))
    assert torch.equal(circuit(joint_pos, 10), explicit)
    _, activity = circuit(joint_pos, 10, return_activity=True)
    assert (activity["turn_r"].item(), activity["turn_l"].item(), activity["speed"].item()) == (0.0, 0.0, 1.0)


def test_unshared_weights_by_hand():
    circuit = _set(
        SwimmerCircuit(2, weight_sharing=False, activation="relu"),
        w_osc=[1.0, 0.5],
        w_prop=[[2.0, 0.25]],
        w_ipsi=[[1.0, 1.0], [0.5, 2.0]],
        w_contra=[[-1.0, -1.0], [-0.5, -0.25]],
    )
    # step 45: o^v = 1 -> b1 = (0, 0.5), m1 = (f(-0.5), 0.5) = (0, 0.5)
    # q1 = 0.4: b2 = (0.8, 0), m2 = (0.4, f(-0.2)) -> torque 0.4
    assert circuit(torch.tensor([0.4, 0.0]), 45).tolist() == pytest.approx([-0.5, 0.4])
    # q1 = -0.4: b2 = (0, 0.1), m2 = (f(-0.05), 0.2) -> torque -0.2
    assert circuit(torch.tensor([-0.4, 0.0]), 45).tolist() == pytest.approx([-0.5, -0.2])


def test_sine_oscillator_by_hand():
    circuit = SwimmerCircuit(1, oscillator="sine")
    assert circuit(torch.zeros(1), 5).item() == pytest.approx(0.5, abs=1e-6)  # sin(pi/6)
    assert circuit(torch.zeros(1), 45).item() == pytest.approx(-1.0, abs=1e-6)  # sin(3pi/2)


# ---------------------------------------------------------------- ablations


@pytest.mark.parametrize(
    "options, count",
    [({}, 4), ({"turn": True}, 5), ({"turn": True, "speed": True}, 6), ({"weight_sharing": False}, 30),
     ({"weight_sharing": False, "turn": True, "speed": True}, 42)],
)
def test_parameter_counts(options, count):
    circuit = SwimmerCircuit(5, **options)
    assert circuit.num_parameters == count == sum(p.numel() for p in circuit.parameters())
    assert circuit.get_flat_parameters().shape == (count,)


def test_parameter_names_and_unshared_shapes():
    circuit = SwimmerCircuit(5, weight_sharing=False, turn=True, speed=True)
    shapes = {name: tuple(p.shape) for name, p in circuit.named_parameters()}
    assert shapes == {"w_osc": (2,), "w_prop": (4, 2), "w_ipsi": (5, 2), "w_contra": (5, 2),
                      "w_turn": (2,), "w_speed": (5, 2)}
    names = {name for name, _ in SwimmerCircuit(5).named_parameters()}
    assert names == {"w_osc", "w_prop", "w_ipsi", "w_contra"}


def test_constant_init_has_the_synapse_signs():
    used = SwimmerCircuit(4, weight_sharing=False, turn=True, speed=True).used_weights()
    for name, weight in used.items():
        assert torch.all(weight == WEIGHT_SIGNS[name].unit), name
    assert WEIGHT_SIGNS["w_contra"].unit == WEIGHT_SIGNS["w_speed"].unit == -1.0


def test_constant_init_without_sign_constraints_draws_random_signs():
    circuit = SwimmerCircuit(100, weight_sharing=False, sign_constraints=False, generator=_gen(0))
    flat = circuit.get_flat_parameters()
    assert torch.all(flat.abs() == 1.0)
    assert 0.4 < (flat > 0).float().mean() < 0.6
    again = SwimmerCircuit(100, weight_sharing=False, sign_constraints=False, generator=_gen(0))
    assert torch.equal(again.get_flat_parameters(), flat)


def test_uniform_init_magnitudes_and_signs():
    circuit = SwimmerCircuit(100, weight_sharing=False, init="uniform", generator=_gen(1))
    for name, weight in circuit.used_weights().items():
        magnitude = weight * WEIGHT_SIGNS[name].unit
        assert torch.all((magnitude >= 0) & (magnitude <= 1)), name
    flat = circuit.get_flat_parameters().abs()
    assert 0.4 < flat.mean() < 0.6 and flat.std() > 0.2
    free = SwimmerCircuit(100, weight_sharing=False, init="uniform", sign_constraints=False,
                          generator=_gen(1))
    free_flat = free.get_flat_parameters()
    assert torch.all(free_flat.abs() <= 1) and 0.4 < (free_flat > 0).float().mean() < 0.6


def test_sign_constraints_hold_after_large_sgd_steps():
    options = {"weight_sharing": False, "turn": True, "speed": True, "init": "uniform"}
    circuit = SwimmerCircuit(3, generator=_gen(2), **options)
    optimizer = torch.optim.SGD(circuit.parameters(), lr=50.0)
    for direction in (1.0, -1.0, 1.0):
        optimizer.zero_grad()
        loss = sum((direction * WEIGHT_SIGNS[n].unit * w).sum() for n, w in circuit.used_weights().items())
        loss = loss + circuit(torch.rand(8, 3) * 2 - 1, torch.arange(8)).sum()
        loss.backward()
        optimizer.step()
        for name, weight in circuit.used_weights().items():
            assert torch.all(weight * WEIGHT_SIGNS[name].unit >= 0), name
    assert any(torch.any(p * WEIGHT_SIGNS[n].unit < 0) for n, p in circuit.named_parameters())


def test_without_sign_constraints_used_weights_are_raw():
    circuit = _set(SwimmerCircuit(2, sign_constraints=False), w_osc=-1.5, w_contra=2.0)
    assert circuit.used_weights()["w_osc"].item() == -1.5
    assert circuit.used_weights()["w_contra"].item() == 2.0


# ---------------------------------------------------------------- population, activity, shapes


@pytest.mark.parametrize("options", [{}, {"weight_sharing": False, "turn": True, "speed": True}])
@pytest.mark.parametrize("step_shape", ["B", "PB"])
def test_population_forward_equals_looped_forward(options, step_shape):
    circuit = SwimmerCircuit(4, **options)
    pop, batch = 5, 3
    params = torch.randn(pop, circuit.num_parameters, generator=_gen(3))  # crosses zero
    joint_pos = torch.rand(pop, batch, 4, generator=_gen(4)) * 2 - 1
    step = torch.randint(0, 120, (batch,) if step_shape == "B" else (pop, batch), generator=_gen(5))
    commands = {}
    if circuit.config.turn:
        commands = {"turn": torch.rand(pop, batch, 2, generator=_gen(6)), "speed": torch.rand(pop, batch)}
    out = circuit.population_forward(params, joint_pos, step, **commands)
    assert out.shape == (pop, batch, 4)
    for p in range(pop):
        circuit.set_flat_parameters(params[p])
        single = {k: v[p] for k, v in commands.items()}
        expected = circuit(joint_pos[p], step if step_shape == "B" else step[p], **single)
        assert torch.allclose(out[p], expected, atol=1e-6)


def test_flat_parameters_round_trip():
    circuit = SwimmerCircuit(3, weight_sharing=False)
    flat = torch.arange(circuit.num_parameters, dtype=torch.float32)
    circuit.set_flat_parameters(flat)
    assert torch.equal(circuit.get_flat_parameters(), flat)
    assert circuit.w_osc.tolist() == [0.0, 1.0] and circuit.w_prop.tolist() == [[2.0, 3.0], [4.0, 5.0]]
    with pytest.raises(ValueError, match=r"shape \(18,\)"):
        circuit.set_flat_parameters(torch.zeros(17))


@pytest.mark.parametrize("options", [{}, {"turn": True, "speed": True, "init": "uniform"}])
def test_activity_is_consistent(options):
    circuit = SwimmerCircuit(5, generator=_gen(7), **options)
    joint_pos = torch.rand(6, 5) * 2 - 1
    torque, activity = circuit(joint_pos, torch.arange(0, 60, 10), return_activity=True)
    assert torch.equal(activity["torque"], torque)
    assert torch.equal(torque, activity["muscle_dorsal"] - activity["muscle_ventral"])
    assert torch.equal(activity["osc_dorsal"] + activity["osc_ventral"], torch.ones(6))
    assert activity["osc_dorsal"].tolist() == [1, 1, 1, 0, 0, 0]
    for name in ("b_dorsal", "b_ventral", "muscle_dorsal", "muscle_ventral"):
        assert activity[name].shape == (6, 5) and torch.all((activity[name] >= 0) & (activity[name] <= 1))
    assert torch.equal(circuit(joint_pos, torch.arange(0, 60, 10)), torque)
    assert ("speed" in activity) == ("turn_r" in activity) == circuit.config.turn


def test_batch_shapes_and_gradients():
    circuit = SwimmerCircuit(5)
    assert circuit(torch.zeros(2, 3, 5), torch.zeros(2, 3, dtype=torch.long)).shape == (2, 3, 5)
    assert circuit(torch.zeros(5), 3).shape == (5,)
    assert circuit(torch.zeros(4, 5), 3).shape == (4, 5)
    torques = circuit(torch.rand(7, 5) * 2 - 1, torch.arange(7))
    assert torch.all(torques.abs() <= 1)
    torques.sum().backward()
    assert all(p.grad is not None for p in circuit.parameters())


# ---------------------------------------------------------------- transfer


@pytest.mark.parametrize("sharing", [True, False])
def test_transfer_to_same_size_is_identity(sharing):
    circuit = SwimmerCircuit(5, weight_sharing=sharing, init="uniform", turn=True, generator=_gen(8))
    same = circuit.transfer(5)
    joint_pos, step, turn = torch.rand(9, 5) * 2 - 1, torch.arange(0, 90, 10), torch.rand(9, 2)
    assert same.config == circuit.config
    assert torch.equal(same(joint_pos, step, turn=turn), circuit(joint_pos, step, turn=turn))


def test_transfer_with_sharing_keeps_weights():
    circuit = SwimmerCircuit(5, init="uniform", generator=_gen(9))
    for n_joints in (3, 9):
        new = circuit.transfer(n_joints)
        assert new.n_joints == n_joints
        assert torch.equal(new.get_flat_parameters(), circuit.get_flat_parameters())


def test_transfer_without_sharing_duplicates_and_removes_modules():
    flat = torch.arange(30, dtype=torch.float32)
    circuit = SwimmerCircuit(3, weight_sharing=False, speed=True)
    circuit.set_flat_parameters(flat[: circuit.num_parameters])
    grown, shrunk = circuit.transfer(5), circuit.transfer(2)
    assert torch.equal(grown.w_osc, circuit.w_osc) and torch.equal(shrunk.w_osc, circuit.w_osc)
    for name in ("w_ipsi", "w_contra", "w_speed"):
        old = getattr(circuit, name)
        assert torch.equal(getattr(grown, name), torch.cat((old, old[2:], old[2:])))
        assert torch.equal(getattr(shrunk, name), old[:2])
    assert torch.equal(grown.w_prop, torch.cat((circuit.w_prop, circuit.w_prop[1:], circuit.w_prop[1:])))
    assert torch.equal(shrunk.w_prop, circuit.w_prop[:1])
    assert SwimmerCircuit(1, weight_sharing=False).transfer(3).w_prop.shape == (2, 2)


@pytest.mark.parametrize("sharing", [True, False])
def test_transferred_circuit_drives_the_kept_joints_identically(sharing):
    circuit = SwimmerCircuit(4, weight_sharing=sharing, init="uniform", generator=_gen(10))
    joint_pos, step = torch.rand(5, 7) * 2 - 1, torch.arange(5) * 13
    longer = circuit.transfer(7)(joint_pos, step)
    assert torch.equal(longer[:, :4], circuit(joint_pos[:, :4], step))
    assert torch.equal(circuit.transfer(2)(joint_pos[:, :2], step), circuit(joint_pos[:, :4], step)[:, :2])


# ---------------------------------------------------------------- validation


def test_bad_inputs_raise_value_errors():
    circuit = SwimmerCircuit(5)
    with pytest.raises(ValueError, match="last dimension 5"):
        circuit(torch.zeros(3, 4), 0)
    with pytest.raises(ValueError, match="no turn inputs"):
        circuit(torch.zeros(5), 0, turn=torch.zeros(2))
    with pytest.raises(ValueError, match="no speed input"):
        circuit(torch.zeros(5), 0, speed=torch.ones(()))
    with pytest.raises(ValueError, match=r"last dimension 2 \(r, l\)"):
        SwimmerCircuit(5, turn=True)(torch.zeros(5), 0, turn=torch.zeros(3))
    with pytest.raises(ValueError, match=r"params must have shape \(P, 4\)"):
        circuit.population_forward(torch.zeros(2, 5), torch.zeros(2, 1, 5), 0)
    with pytest.raises(ValueError, match=r"joint_pos must have shape \(P, B, N\)"):
        circuit.population_forward(torch.zeros(2, 4), torch.zeros(2, 5), 0)


@pytest.mark.parametrize(
    "change, message",
    [({"n_joints": 0}, "n_joints must be an integer >= 1"), ({"n_joints": 2.5}, "n_joints"),
     ({"n_joints": True}, "n_joints"), ({"oscillator_period": 0}, "oscillator_period"),
     ({"oscillator_duty": 0}, "oscillator_duty"),
     ({"oscillator_duty": 60}, "0 < oscillator_duty < oscillator_period"),
     ({"init": "zeros"}, "init must be one of"), ({"activation": "tanh"}, "activation must be one of"),
     ({"oscillator": "triangle"}, "oscillator must be one of"),
     ({"weight_sharing": "yes"}, "weight_sharing must be a bool")],
)
def test_bad_config_raises_value_error(change, message):
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(SwimmerCircuitConfig(n_joints=5), **change)


def test_from_config_matches_keyword_construction():
    config = SwimmerCircuitConfig(n_joints=4, weight_sharing=False, init="uniform", turn=True)
    a = SwimmerCircuit.from_config(config, _gen(11))
    b = SwimmerCircuit(**dataclasses.asdict(config), generator=_gen(11))
    assert a.config == config and torch.equal(a.get_flat_parameters(), b.get_flat_parameters())
