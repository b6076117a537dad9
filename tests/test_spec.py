"""Circuits as data: the spec language, its errors, the compiler's equality with SwimmerCircuit,
transfer, training through every algorithm, and the diagram."""

import itertools
import subprocess
import sys

import pytest
import torch
import yaml
from helpers import tiny_config

from ncap.circuits import CompiledCircuit, SwimmerCircuit, load_spec
from ncap.circuits.spec import (
    SpecError,
    instance_levels,
    with_activation,
    with_uniform_init,
    without_sharing,
    without_signs,
)
from ncap.circuits.spec_files import spec_from_dict
from ncap.config import merge
from ncap.errors import ConfigError
from ncap.policies import ArchitectureConfig, build_policy
from ncap.runs import RunError, load_run
from ncap.training.train import train

SWIMMER = load_spec("swimmer")


def _ablated(share, sign, init, activation):
    spec = SWIMMER if share else without_sharing(SWIMMER)
    spec = spec if sign else without_signs(spec)
    spec = with_uniform_init(spec) if init == "uniform" else spec
    return with_activation(spec, activation)


@pytest.mark.parametrize("share,sign,init,activation,commands", itertools.product(
    [True, False], [True, False], ["constant", "uniform"], ["clamp", "relu"], [False, True]))
def test_compiled_swimmer_equals_the_hand_written_circuit(share, sign, init, activation, commands):
    options = {"weight_sharing": share, "sign_constraints": sign, "init": init, "activation": activation,
               "turn": commands, "speed": commands}
    reference = SwimmerCircuit(5, generator=torch.Generator().manual_seed(7), **options)
    compiled = CompiledCircuit(_ablated(share, sign, init, activation), 5, commands=commands,
                               generator=torch.Generator().manual_seed(7))
    assert compiled.num_parameters == reference.num_parameters == {True: 4 + 2 * commands,
                                                                    False: 30 + 12 * commands}[share]
    assert torch.equal(compiled.get_flat_parameters(), reference.get_flat_parameters())  # same initial draw
    generator = torch.Generator().manual_seed(0)
    q, step = torch.rand(9, 5, generator=generator) * 2 - 1, torch.randint(0, 500, (9,), generator=generator)
    turn = torch.rand(9, 2, generator=generator) if commands else None
    speed = torch.rand(9, generator=generator) if commands else None
    torque, activity = compiled(q, step, turn, speed, return_activity=True)
    expected, expected_activity = reference(q, step, turn, speed, return_activity=True)
    torch.testing.assert_close(torque, expected, atol=1e-6, rtol=0)
    for name in ("osc_dorsal", "osc_ventral", "b_dorsal", "b_ventral", "muscle_dorsal", "muscle_ventral"):
        torch.testing.assert_close(activity[name], expected_activity[name], atol=1e-6, rtol=0)
    params = torch.randn(6, reference.num_parameters, generator=generator)  # population mode, signs crossed
    q_pop, step_pop = torch.rand(6, 3, 5, generator=generator) * 2 - 1, torch.randint(0, 99, (3,), generator=generator)
    turn_pop = torch.rand(6, 3, 2, generator=generator) if commands else None
    speed_pop = torch.rand(6, 3, generator=generator) if commands else None
    torch.testing.assert_close(compiled.population_forward(params, q_pop, step_pop, turn_pop, speed_pop),
                               reference.population_forward(params, q_pop, step_pop, turn_pop, speed_pop),
                               atol=1e-6, rtol=0)


@pytest.mark.parametrize("share", [True, False])
@pytest.mark.parametrize("n_joints", [3, 8])
def test_transfer_matches_the_hand_written_circuit(share, n_joints):
    reference = SwimmerCircuit(5, generator=torch.Generator().manual_seed(1), weight_sharing=share, init="uniform")
    compiled = CompiledCircuit(_ablated(share, True, "uniform", "clamp"), 5, generator=torch.Generator().manual_seed(1))
    q, step = torch.rand(4, n_joints) * 2 - 1, torch.arange(4)
    torch.testing.assert_close(compiled.transfer(n_joints)(q, step), reference.transfer(n_joints)(q, step),
                               atol=1e-6, rtol=0)


def test_policy_from_a_spec_keeps_the_hand_written_state_dict():
    built_in = build_policy(ArchitectureConfig(weight_sharing=False), "swim", 6, seed=3)
    compiled = build_policy(ArchitectureConfig(weight_sharing=False, circuit_spec="swimmer"), "swim", 6, seed=3)
    assert built_in.state_dict().keys() == compiled.state_dict().keys()
    for name, value in built_in.state_dict().items():
        assert torch.equal(value, compiled.state_dict()[name])


def _spec(**changes):
    data = yaml.safe_load(yaml.safe_dump(SWIMMER.to_dict()))
    for key, value in changes.items():
        data[key] = value(data[key]) if callable(value) else value
    return data


def _synapses(extra):
    return lambda synapses: synapses + [extra]


@pytest.mark.parametrize("changes,message", [
    ({"synapses": _synapses({"source": "osc", "target": "ghost", "sign": "E"})}, "unknown unit 'ghost'"),
    ({"synapses": _synapses({"source": "nerve", "target": "b", "sign": "E"})}, "unknown unit 'nerve'"),
    ({"synapses": _synapses({"source": "prop", "target": "b", "sign": "I", "weight": "w_osc"})},
     "weight 'w_osc' is shared by synapses of different signs (E and I)"),
    ({"synapses": _synapses({"source": "muscle", "target": "b", "sign": "E"})}, "a cycle where none is allowed"),
    ({"synapses": _synapses({"source": "b", "target": "osc", "sign": "E"})}, "only graded and rectified units"),
    ({"synapses": _synapses({"source": "b", "target": "muscle", "sign": "X"})}, "sign must be one of"),
    ({"synapses": _synapses({"source": "b", "target": "muscle", "sign": "E", "strength": 2})}, "unknown key strength"),
    ({"units": lambda units: units | {"osc": {"kind": "oscillator", "period": 10, "duty": 10}}},
     "0 < duty < period"),
    ({"units": lambda units: units | {"b": {"kind": "graded", "period": 10}}}, "applies to oscillator units only"),
    ({"units": lambda units: units | {"cell": {"kind": "spiking"}}}, "kind must be one of"),
    ({"units": lambda units: {k: v for k, v in units.items() if k != "muscle"}}, "unknown unit 'muscle'"),
    ({"extra": 1}, "unknown key extra"),
    ({"synapses": _synapses({"source": "b", "target": "muscle", "sign": "E", "weight": "training"})}, "reserved"),
    ({"synapses": _synapses({"source": "b", "target": "muscle", "sign": "E", "weight": "level1_source"})},
     "reserved"),
    ({"units": lambda units: units | {"prop": {"kind": "input", "observation": "joint_pos", "offset": -1}}},
     "may not exist with offset -1"),
    ({"synapses": _synapses({"source": "b", "target": "muscle", "sign": "E", "magnitude": float("nan")})},
     "finite number"),
])
def test_invalid_specs_are_refused_with_the_reason(changes, message):
    with pytest.raises(SpecError, match=None) as caught:
        spec_from_dict(_spec(**changes))
    assert message in str(caught.value)


def test_a_spec_reads_back_from_its_plain_data():
    assert spec_from_dict(SWIMMER.to_dict()) == SWIMMER == spec_from_dict(SWIMMER.to_dict(full=True))


def test_a_unit_defined_twice_in_a_file_is_refused(tmp_path):
    text = (tmp_path / "twice.yaml")
    text.write_text("name: x\nunits:\n  b: {kind: graded}\n  b: {kind: rectified}\nsynapses: []\n")
    with pytest.raises(SpecError, match="'b' is given twice"):
        load_spec(text)


def test_a_controller_needs_command_inputs_in_the_spec(tmp_path):
    no_commands = tmp_path / "plain.yaml"
    no_commands.write_text(yaml.safe_dump(SWIMMER.without_commands().to_dict()))
    with pytest.raises(ConfigError, match="no turn or speed inputs"):
        ArchitectureConfig(circuit_spec=str(no_commands), controller="learned")


def test_lagged_oscillators_travel_down_the_body():
    circuit = CompiledCircuit(load_spec("swimmer-cpg"), 5)
    steps = torch.arange(120)
    _, activity = circuit(torch.zeros(120, 5), steps, return_activity=True)
    for k, module in enumerate(range(1, 5)):  # module m is on while (step - 6 m) mod 60 < 30
        expected = (torch.remainder(steps - 6 * module, 60) < 30).float()
        torch.testing.assert_close(activity["cpg_dorsal"][:, k], expected)


def test_links_between_neighbouring_modules_are_computed_in_order():
    # b_m excites b_{m+1}: a chain through the body, computed level by level in one forward pass.
    data = _spec(synapses=_synapses({"source": "b", "target": "b", "sign": "E", "module": "previous",
                                     "weight": "w_chain", "magnitude": 0.5}))
    spec = spec_from_dict(data)
    assert max(instance_levels(spec, 4).values()) == 5  # b_0 .. b_3 on levels 1..4, the last muscle on 5
    circuit = CompiledCircuit(spec, 4)
    q = torch.zeros(1, 4)
    _, activity = circuit(q, torch.tensor([0]), return_activity=True)  # oscillator dorsal on at step 0
    expected = torch.tensor([[1.0, 0.5, 0.25, 0.125]])  # w_prop * max(q, 0) = 0, chain halves per module
    torch.testing.assert_close(activity["b_dorsal"], expected)


def test_a_frozen_weight_is_not_a_parameter_and_population_mode_keeps_it():
    data = _spec(synapses=lambda synapses: [s | {"trainable": False} if s["weight"] == "w_ipsi" else s
                                            for s in synapses])
    circuit = CompiledCircuit(spec_from_dict(data), 5)
    assert circuit.num_parameters == 3 and "w_ipsi" not in dict(circuit.named_parameters())
    params = circuit.get_flat_parameters()[None]
    q, step = torch.rand(1, 2, 5), torch.arange(2)
    torch.testing.assert_close(circuit.population_forward(params, q, step)[0], circuit(q[0], step))



def test_weights_kept_between_calls_follow_every_change_of_the_parameters():
    circuit = CompiledCircuit(SWIMMER, 5, generator=torch.Generator().manual_seed(0))
    reference = SwimmerCircuit(5)
    q, step = torch.rand(4, 5) * 2 - 1, torch.arange(4)

    def check() -> None:
        reference.set_flat_parameters(circuit.get_flat_parameters())
        with torch.no_grad():
            torch.testing.assert_close(circuit(q, step), reference(q, step), atol=1e-6, rtol=0)

    check()
    circuit.set_flat_parameters(torch.tensor([0.5, 2.0, 0.25, -3.0]))  # copy_ in place
    check()
    circuit.load_state_dict({name: value * 0.5 for name, value in circuit.state_dict().items()})
    check()
    optimizer = torch.optim.SGD(circuit.parameters(), lr=0.1)  # with autograd: fresh weights, gradients reach them
    circuit(q, step).square().sum().backward()
    assert all(p.grad is not None for p in circuit.parameters()) and circuit.w_prop.grad.abs() > 0
    optimizer.step()
    check()
    circuit.w_osc = torch.nn.Parameter(torch.tensor(1.5))  # a replaced tensor
    check()

@pytest.mark.parametrize("algo", ["ppo", "ddpg", "td3", "sac", "es"])
def test_a_circuit_written_only_as_a_spec_trains(tmp_path, algo):
    config = merge(tiny_config(algo), {"arch": {"circuit_spec": "swimmer-cpg"}})
    run = train(config, tmp_path / "run")
    assert run.finished and len(run.read_metrics()) >= 2
    initial = build_policy(config.arch, "swim", 4, seed=config.seed)
    trained = load_run(tmp_path / "run")[0]
    assert sum(p.numel() for p in initial.parameters()) == 5  # swimmer's 4 + w_cpg
    assert not torch.equal(initial.circuit.get_flat_parameters(), trained.circuit.get_flat_parameters())


def test_a_run_keeps_its_spec_and_refuses_a_changed_one(tmp_path):
    spec_file = tmp_path / "mine.yaml"
    spec_file.write_text(yaml.safe_dump(SWIMMER.to_dict()))
    config = merge(tiny_config("es"), {"arch": {"circuit_spec": str(spec_file)}})
    train(config, tmp_path / "run")
    assert (tmp_path / "run" / "circuit.yaml").is_file()
    changed = _spec(units=lambda units: units | {"osc": {"kind": "oscillator", "modules": "head", "period": 40}})
    spec_file.write_text(yaml.safe_dump(changed))
    with pytest.raises(RunError, match="changed since"):
        train(config, tmp_path / "run")
    spec_file.unlink()  # the run still loads, from its own copy
    assert load_run(tmp_path / "run")[0].circuit.oscillators["osc"].period == 60


def test_spec_errors_are_one_line_from_the_cli(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(_spec(synapses=_synapses({"source": "osc", "target": "ghost", "sign": "E"}))))
    for args in (["diagram", str(bad), "--out", str(tmp_path / "x.png")],
                 ["eval", "--init", "--circuit-spec", str(bad)],
                 ["train", "--circuit-spec", str(bad), "--out", str(tmp_path / "run")]):
        result = subprocess.run([sys.executable, "-m", "ncap.cli.main", *args], capture_output=True, text=True)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert result.stderr.strip().count("\n") == 0 and "unknown unit 'ghost'" in result.stderr
    assert not (tmp_path / "run").exists() and not (tmp_path / "x.png").exists()


def test_diagram_of_a_spec_and_of_a_run(tmp_path):
    config = merge(tiny_config("es"), {"arch": {"weight_sharing": False}})
    train(config, tmp_path / "run")
    for source, out in (("swimmer-cpg", "spec.svg"), (str(tmp_path / "run"), "run.png")):
        result = subprocess.run([sys.executable, "-m", "ncap.cli.main", "diagram", source, "--out",
                                 str(tmp_path / out)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert (tmp_path / out).stat().st_size > 5000
    assert (tmp_path / "spec.svg").read_text().count("<path") > 50  # nodes and synapses were drawn


def test_activity_figure_and_video_panel_of_a_spec_circuit(tmp_path):
    from ncap.viz.activity import activity_figure
    from ncap.viz.recording import head_signals, module_units, record_episode
    from ncap.viz.video import ActivityPanel

    policy = build_policy(ArchitectureConfig(circuit_spec="swimmer-cpg"), "swim", 6)
    recording = record_episode(policy, "swim", 6, steps=40, size=(48, 64))
    assert module_units(recording.activity) == ["b", "muscle"]  # prop and cpg live in the body only
    assert head_signals(recording.activity) == ["osc_dorsal", "osc_ventral"]
    activity_figure(recording, tmp_path / "activity.png", steps=40)
    assert (tmp_path / "activity.png").stat().st_size > 5000
    frame = ActivityPanel(recording, 96).render(10)
    assert frame.ndim == 3 and frame.shape[2] == 3


def test_svg_figures_are_the_same_bytes_every_time(tmp_path):
    from ncap.viz import canvas

    for name in ("a.svg", "b.svg"):
        made, axis = canvas.subplots()
        axis.plot([0, 1], [1, 0], label="x")
        axis.legend()
        canvas.save(made, tmp_path / name)
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()
