"""The quadruped circuit as a spec: compiled, it is the hand-written circuit (state, population mode,
parameters); limbed specs' validation errors are one line; a spec variant trains."""

import copy

import numpy as np
import pytest
import torch
import yaml
from test_cli import ncap
from test_quadruped_circuit import observations

from ncap.circuits import load_spec
from ncap.circuits.dynamics import STATE_KEY
from ncap.circuits.limb_compiler import CompiledLimbCircuit
from ncap.circuits.quadruped import QuadrupedCircuit, QuadrupedCircuitConfig
from ncap.circuits.quadruped.as_spec import as_compiled, spec_vector
from ncap.circuits.spec import SpecError
from ncap.circuits.spec_body import limb_levels
from ncap.circuits.spec_files import spec_from_dict, spec_text
from ncap.envs.quadruped import BatchedQuadruped, QuadrupedTaskConfig
from ncap.evaluation import obs_to_torch
from ncap.policies.quadruped import CHANNELS


def compiled_params(spec_circuit: CompiledLimbCircuit, hand: dict[str, torch.Tensor]) -> torch.Tensor:
    """The hand-written circuit's raw parameters (repeat 1; leading population dim P) in the compiled
    circuit's flat layout (P, 92), read from the group names of specs/quadruped.yaml."""
    one_copy = {"pf_weight": hand["pf_weight"][..., 0], "pf_bias": hand["pf_bias"],
                "af_weight": hand["af_weight"][..., 0, :]}
    return spec_vector([g.name for g in spec_circuit.groups if g.trainable], one_copy)


def test_spec_has_the_hand_written_parameters_and_initial_weights():
    compiled, hand = CompiledLimbCircuit(load_spec("quadruped")), QuadrupedCircuit()
    assert compiled.num_parameters == sum(p.numel() for p in hand.parameters()) == 92
    initial = compiled_params(compiled, {n: p[None].detach() for n, p in hand.named_parameters()})
    flat = torch.cat([p.detach().reshape(-1) for p in compiled.parameters()])
    assert torch.equal(initial[0], flat)


def test_compiled_spec_equals_the_hand_written_circuit_over_whole_episodes():
    """Closed loop on bumps, 4 bodies, 500 steps: same commands (1e-6) and rhythm-generator activity."""
    compiled, hand = CompiledLimbCircuit(load_spec("quadruped"), seed=5), QuadrupedCircuit(seed=5)
    sim = BatchedQuadruped(QuadrupedTaskConfig(terrain="bumps"), num_envs=4, nthread=1, seed=2)
    obs, done, worst = sim.reset(), False, 0.0
    with torch.no_grad():
        while not done:
            torch_obs = obs_to_torch(obs)
            expected, hand_activity = hand(torch_obs, return_activity=True)
            got, activity = compiled(torch_obs, return_activity=True)
            worst = max(worst, (got - expected).abs().max().item())
            for name in hand.rhythm.units:
                torch.testing.assert_close(activity[name], hand_activity[name], atol=1e-6, rtol=0)
            obs, _, done = sim.step(expected.double().numpy())
    assert sim.step_index == 500 and worst < 1e-6


def test_population_mode_equals_the_hand_written_population_mode():
    compiled, hand = CompiledLimbCircuit(load_spec("quadruped"), seed=1), QuadrupedCircuit(seed=1)
    generator = torch.Generator().manual_seed(0)
    params = torch.randn(3, 92, generator=generator) * 0.5  # the hand-written layout, signs crossed too
    named, start = {}, 0
    for name, p in hand.named_parameters():
        named[name] = params[:, start:start + p.numel()].reshape(3, *p.shape)
        start += p.numel()
    mapped = compiled_params(compiled, named)
    for t in range(60):
        obs = observations((3, 4), t)
        torch.testing.assert_close(compiled.population_forward(mapped, obs), hand.population_forward(params, obs),
                                   atol=1e-6, rtol=0)


def test_state_in_the_observation_gives_the_stateful_commands():
    stateful, stateless = (CompiledLimbCircuit(load_spec("quadruped"), seed=4) for _ in range(2))
    state = stateless.initial_state(5, torch.Generator().manual_seed(9))
    stateful.generator.manual_seed(9)
    with torch.no_grad():
        for t in range(40):
            obs = observations((5,), t)
            torch.testing.assert_close(stateless({**obs, STATE_KEY: state}), stateful(obs), atol=1e-6, rtol=0)
            state = stateless.next_state({**obs, STATE_KEY: state})


def _quadruped_data() -> dict:
    return yaml.safe_load(spec_text("quadruped")[0])


def _edit(change):
    data = copy.deepcopy(_quadruped_data())
    change(data)
    return data


def _synapse(data, source, target):
    return next(s for s in data["synapses"] if s["source"] == source and s["target"] == target)


@pytest.mark.parametrize("change,message", [
    (lambda d: _synapse(d, "flx", "lift").update(share_by=["fore", "back"]), "unknown tag 'back'"),
    (lambda d: _synapse(d, "cross_v0d", "flx").update(module="opposite"), "unknown relation 'opposite'"),
    (lambda d: d["units"]["lift"].update(output="hip"), "names no actuator"),
    (lambda d: d["synapses"].extend([{"source": "lift", "target": "extend", "sign": "E"},
                                     {"source": "extend", "target": "lift", "sign": "E"}]),
     r"a cycle without a delay or a stateful unit: lift\[FL\] -> extend\[FL\] -> lift\[FL\]"),
    (lambda d: d["units"]["pos_yaw_n"].update(joint="knee"), "not one of the body's joints"),
    (lambda d: d["body"]["relations"].update(across={"FL": "XX"}), "unknown module 'XX'"),
    (lambda d: _synapse(d, "flx", "lift").update(share_by=["left"]), "carries 0 of the tags"),
    (lambda d: d["units"]["extend"].update(output=None), "no unit drives actuator extend"),
])
def test_limbed_spec_errors_are_one_line(change, message):
    with pytest.raises(SpecError, match=message) as error:
        spec_from_dict(_edit(change))
    assert "\n" not in str(error.value)


def test_a_channel_the_body_lacks_is_refused_when_compiled():
    with pytest.raises(SpecError, match="no channel 'foot_contact'"):
        CompiledLimbCircuit(load_spec("quadruped"), channels={k: v for k, v in CHANNELS.items() if k != "foot_contact"})


def test_limb_features_on_a_chain_are_refused():
    data = yaml.safe_load(spec_text("swimmer")[0])
    data["synapses"][0]["delay"] = 1
    with pytest.raises(SpecError, match="delay needs a limbed body"):
        spec_from_dict(data)


def test_specs_on_the_wrong_body_are_refused(tmp_path):
    result = ncap("train", "--task", "swim", "--circuit-spec", "quadruped", "--out", str(tmp_path / "a"))
    assert result.returncode == 2 and "describes a limbed body" in result.stderr and len(result.stderr.splitlines()) == 1
    result = ncap("train", "--task", "quadruped", "--algo", "es", "--circuit-spec", "swimmer", "--out",
                  str(tmp_path / "b"))
    assert result.returncode == 2 and "describes a chain" in result.stderr and len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_a_variant_written_only_as_a_spec_trains_with_es(tmp_path):
    """The quadruped without afferent feedback, as YAML only: 12 parameters, trained by ARS, reproducible."""
    data = _quadruped_data()
    data["name"] = "quadruped-open-loop"
    data["synapses"] = [s for s in data["synapses"] if not s["weight"].startswith("af_")]
    path = tmp_path / "open-loop.yaml"
    path.write_text(yaml.safe_dump(data))
    assert CompiledLimbCircuit(spec_from_dict(data)).num_parameters == 12
    args = ["train", "--task", "quadruped", "--algo", "es", "--circuit-spec", str(path), "--steps", "3000",
            "--eval-every", "1500", "--eval-episodes", "2", "--threads", "1", "--es-update", "ars",
            "--es-population", "4", "--es-sigma", "0.1", "--es-lr", "1.0", "--es-weight-decay", "0.01"]
    rows = []
    for run in ("a", "b"):
        result = ncap(*args, "--out", str(tmp_path / run))
        assert result.returncode == 0, result.stderr
        rows.append(np.loadtxt(tmp_path / run / "metrics.csv", delimiter=",", skiprows=1, usecols=(0, 2, 6)))
    np.testing.assert_array_equal(rows[0], rows[1])
    assert rows[0][-1, 0] >= 3000


def test_the_open_loop_variant_is_the_hand_written_circuit_without_afferent_feedback():
    compiled = CompiledLimbCircuit(load_spec("quadruped-open-loop"), seed=2)
    hand = QuadrupedCircuit(QuadrupedCircuitConfig(afferent_feedback=False), seed=2)
    assert compiled.num_parameters == sum(p.numel() for p in hand.parameters()) == 12
    with torch.no_grad():
        for t in range(80):
            obs = observations((3,), t)
            torch.testing.assert_close(compiled(obs), hand(obs), atol=1e-6, rtol=0)


@pytest.mark.parametrize("config", [QuadrupedCircuitConfig(repeat=8), QuadrupedCircuitConfig(afferent_feedback=False)])
def test_a_trained_hand_written_circuit_reads_as_its_spec(config):
    hand = QuadrupedCircuit(config, seed=3)
    with torch.no_grad():  # "trained": every weight moved, some across their sign (the constraint clamps them)
        for p in hand.parameters():
            p.add_(torch.randn(p.shape, generator=torch.Generator().manual_seed(p.numel())) * 0.3)
    compiled = as_compiled(hand, seed=3)
    with torch.no_grad():
        for t in range(80):
            obs = observations((3,), t)
            torch.testing.assert_close(compiled(obs), hand(obs), atol=1e-5, rtol=0)
    with pytest.raises(ValueError, match="no spec"):
        as_compiled(QuadrupedCircuit(QuadrupedCircuitConfig(sign_constraints=False)))


def test_the_variant_grid_ships_and_names_its_runs():
    from ncap.experiments.grids import expand_yaml

    specs = expand_yaml(yaml.safe_load(open("examples/grids/quadruped-spec-variant.yaml")))
    assert [s.name for s in specs] == [f"es-ncap-spec-quadruped-open-loop-walk-flat-s{i}" for i in range(3)]


def test_a_limbed_diagram_is_the_body_seen_from_above():
    from ncap.viz.limb_diagram import _anchors, _positions, _roles

    spec = load_spec("quadruped")
    anchors, places, roles = _anchors(spec), _positions(spec), _roles(spec)
    assert anchors["FL"][0] < 0 < anchors["FR"][0] and anchors["HL"][1] < 0 < anchors["FL"][1]  # head up, left left
    assert {roles[u] for u in ("flx", "ext")} == {"core"} and roles["lift"] == "output" and roles["drive"] == "source"
    for (unit, module), place in places.items():
        if roles[unit] == "inter":  # interneurons lie between the limbs, closer to the body's centre
            assert np.linalg.norm(place) < np.linalg.norm(anchors[module])
    points = np.array(list(places.values()))
    gaps = np.linalg.norm(points[:, None] - points[None], axis=-1) + np.eye(len(points)) * 99
    assert gaps.min() > 0.3  # no two units drawn on top of each other


def test_diagram_of_the_quadruped_spec_and_of_a_quadruped_run(tmp_path):
    run = "results/quadruped/es-ncap-walk-flat-s0"  # trained with the hand-written circuit, drawn as its spec
    for source, out in (("quadruped", "spec.svg"), (run, "run.png")):
        result = ncap("diagram", source, "--out", str(tmp_path / out))
        assert result.returncode == 0, result.stderr
    svg = (tmp_path / "spec.svg").read_text()
    assert svg.count("<path") > 500 and "one step late" in svg and "diagd" in svg
    assert (tmp_path / "run.png").stat().st_size > 50_000
    refused = ncap("diagram", "quadruped", "--n-links", "4", "--out", str(tmp_path / "x.png"))
    assert refused.returncode == 2 and "applies to chain circuits" in refused.stderr
    assert refused.stderr.strip().count("\n") == 0 and not (tmp_path / "x.png").exists()


def _with_side_commands(data: dict) -> dict:
    """The quadruped spec with its one drive split into per-side freq and sync inputs (same synapses)."""
    data["units"] = {k: v for k, v in data["units"].items() if k != "drive"} | {
        "freq": {"kind": "input", "observation": "freq"}, "sync": {"kind": "input", "observation": "sync"}}
    for synapse in data["synapses"]:
        if synapse["source"] == "drive":
            synapse["source"] = "freq" if synapse["weight"].startswith("freq") else "sync"
    return data


def test_per_side_commands_default_to_the_drive_and_steer_one_side():
    base = CompiledLimbCircuit(load_spec("quadruped"), seed=1, random_phase=False)
    sided = CompiledLimbCircuit(spec_from_dict(_with_side_commands(_quadruped_data())), seed=1, random_phase=False)
    with torch.no_grad():
        for t in range(60):  # no command in the observation: both sides get the drive, as the shipped spec
            obs = observations((2,), t)
            torch.testing.assert_close(sided(obs), base(obs), atol=1e-6, rtol=0)
        base.reset(), sided.reset()
        for t in range(2):  # the right side faster: at the second step only the right flexors' input differs
            obs = observations((2,), t)
            _, expected = base(obs, return_activity=True)
            _, got = sided({**obs, "freq": torch.tensor([[0.3, 0.6]] * 2), "sync": torch.full((2, 2), 0.3)},
                           return_activity=True)
    for leg in ("FL", "HL"):
        torch.testing.assert_close(got[f"flx_{leg}"], expected[f"flx_{leg}"])
    for leg in ("FR", "HR"):
        assert (got[f"flx_{leg}"] - expected[f"flx_{leg}"]).abs().max() > 1e-3


def test_a_torso_channel_reads_one_axis_of_the_body():
    data = _quadruped_data()
    data["units"]["pitch_up"] = {"kind": "input", "observation": "torso_up", "axis": "x", "rectify": "positive"}
    data["synapses"].append({"source": "pitch_up", "target": "ext", "sign": "E", "magnitude": 0.5,
                             "share_by": ["fore", "hind"], "delay": 1, "weight": "af_ext_pitch_up"})
    circuit = CompiledLimbCircuit(spec_from_dict(data), seed=0, channels=CHANNELS)
    assert circuit.num_parameters == 94
    obs = observations((3,), 0) | {"torso_up": torch.tensor([[0.4, -0.2, 0.9], [-0.4, 0.1, 0.9], [0.0, 0.0, 1.0]])}
    _, activity = circuit(obs, return_activity=True)
    for leg in ("FL", "FR", "HL", "HR"):  # every module reads the body's one value, rectified
        torch.testing.assert_close(activity[f"pitch_up_{leg}"], torch.tensor([0.4, 0.0, 0.0]))
    sim = BatchedQuadruped(QuadrupedTaskConfig(), num_envs=2, nthread=1, seed=0)
    with torch.no_grad():  # and the body gives it: a closed-loop step runs
        assert circuit(obs_to_torch(sim.reset())).shape == (2, 8)
    sim.close()


@pytest.mark.parametrize("change,message", [
    (lambda d: d["units"].update(tilt={"kind": "input", "observation": "torso_up"}), "needs an axis"),
    (lambda d: d["units"].update(tilt={"kind": "input", "observation": "torso_up", "axis": "w"}), "x, y or z"),
    (lambda d: d["units"]["pos_yaw_n"].update(axis="x"), "axis applies to torso channels"),
    (lambda d: d["units"]["flx"].update(axis="x"), "apply to input units only"),
    (lambda d: (d["body"]["modules"].update(FL=["fore"]), d["units"].update(f={"kind": "input", "observation": "freq"})),
     "FL carry neither"),
])
def test_channel_errors_are_one_line(change, message):
    with pytest.raises(SpecError, match=message) as error:
        spec_from_dict(_edit(change))
    assert "\n" not in str(error.value)


def test_a_loop_through_a_stateful_unit_reads_it_one_step_late():
    def within_limb(data, delays):  # flx -> ext and ext -> flx inside each limb, with these delays
        for synapse in data["synapses"]:
            pair = (synapse["source"], synapse["target"])
            if pair in delays and "module" not in synapse:
                synapse["delay"] = delays[pair]
        return data

    implicit = spec_from_dict(within_limb(_quadruped_data(), {("flx", "ext"): 0, ("ext", "flx"): 0}))
    explicit = spec_from_dict(within_limb(_quadruped_data(), {("flx", "ext"): 1, ("ext", "flx"): 0}))
    _, lagged = limb_levels(implicit)
    assert lagged == {(("ext", m), ("flx", m)) for m in ("FL", "FR", "HL", "HR")}  # the edge leaving flx
    a, b = CompiledLimbCircuit(implicit, seed=3), CompiledLimbCircuit(explicit, seed=3)
    with torch.no_grad():
        for t in range(60):
            obs = observations((2,), t)
            torch.testing.assert_close(a(obs), b(obs), atol=0, rtol=0)


def test_activity_and_video_panels_accept_a_compiled_spec_with_flexors_and_extensors():
    from ncap.viz.quadruped_video import has_rhythm, record_quadruped

    variant = CompiledLimbCircuit(load_spec("quadruped-open-loop"), seed=0)
    assert has_rhythm(variant) and has_rhythm(QuadrupedCircuit())
    renamed = _quadruped_data()  # the same circuit with its flexors called "flexor": no flx_FL to draw
    renamed["units"]["flexor"] = renamed["units"].pop("flx")
    for synapse in renamed["synapses"]:
        synapse.update({end: "flexor" for end in ("source", "target") if synapse[end] == "flx"})
    assert not has_rhythm(CompiledLimbCircuit(spec_from_dict(renamed)))
    recording = record_quadruped(variant, QuadrupedTaskConfig(), steps=20, size=None)
    assert recording.flexors.shape == (20, 4) and recording.flexors.max() > 0  # the rhythm generator's traces


def test_sharing_by_side_gives_the_left_and_the_right_legs_one_weight_each():
    data = _quadruped_data()
    _synapse(data, "flx", "lift").update(share_by=["left", "right"])
    circuit, base = CompiledLimbCircuit(spec_from_dict(data), seed=0), CompiledLimbCircuit(load_spec("quadruped"), seed=0)
    assert circuit.num_parameters == 92 and circuit.weight("pf_lift_flx").shape == (2,)
    with torch.no_grad():
        circuit.weight("pf_lift_flx").copy_(torch.tensor([-0.9, 0.0]))  # left legs' flexors lower lift, right none
        base.weight("pf_lift_flx").zero_()  # fore and hind: none
        left_moved = []
        for t in range(30):  # lift is each leg's first command: FL 0, FR 2, HL 4, HR 6
            obs = observations((1,), t)
            got, activity = circuit(obs, return_activity=True)
            expected = base(obs)
            torch.testing.assert_close(got[:, [2, 6]], expected[:, [2, 6]])  # the right legs: no flexor weight
            for leg, column in (("FL", 0), ("HL", 4)):
                if activity[f"flx_{leg}"].item() > 0:
                    left_moved.append(got[0, column].item() < expected[0, column].item() - 1e-3)
    assert left_moved and all(left_moved)  # wherever a left flexor fires, its leg's lift is lower
