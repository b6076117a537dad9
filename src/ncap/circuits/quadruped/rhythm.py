"""The quadruped's rhythm generator (RG): a spinal circuit after Danner et al. (2017), as the follow-up
paper wires it (``RhythmGenerationCircuit`` and ``init_rg_default`` in their ``modular.py``; units in
``libs/circuits/units.py``).

Per limb (FL, FR, HL, HR) a flexor half-centre (an adapting, bursting oscillator
whose period falls as its drive rises) and a leaky extensor; commissural and
long-range interneurons couple the limbs across the body (V0d, V0v through
cross_v0d; V3), along each side and diagonally (V0d, V0v, In2, V3). Brainstem
commands ``freq`` and ``sync`` per side drive the flexors and interneurons. All
weights and biases are hand-set and frozen.

Every synapse carries one step of delay: a unit's input at step t is
``W @ outputs(t-1) + W_s @ signals(t-1) + bias``, with the afferent and command
signals written at step t-1. State (voltages, adaptation, the previous outputs
and signals) resets at an episode's start; the oscillators' adaptation starts
uniform between their two bounds (a random phase), as in their ``reset``.

Tensor shapes: state tensors are (..., U) for U units; signals (..., S).
"""

from __future__ import annotations

import torch
from torch import Tensor

from ncap.circuits.dynamics import half_centre_step, initial_adaptation, leaky_step

LIMBS = ("FL", "FR", "HL", "HR")
SIDES = ("L", "R")
BIASES = {"flx": 0.1, "ext": 0.8, "v0d": -0.1, "v0v": -0.1, "v3f": -0.4, "v3e": 0.0, "v3a": -0.4, "in2": -0.1}
"""Tonic drive of each unit type (``init_rg_default``)."""
WEIGHTS = {
    "osc_flxext_i": -1.0, "osc_extflx_i": -0.1,
    "cross_flxflx_i": -1.5, "cross_flxflx_e": 0.3, "cross_extext_e": 0.05,
    "sided_flxflx_i": -0.1, "sided_extflx_e": 0.1, "sidea_extflx_e": 0.1,
    "diagd_flxflx_i": -0.8, "diagd_flxflx_e": 0.2, "diagd_in2v0d_i": -0.2,
    "diaga_flxflx_e": 0.2, "diaga_v3ain2_e": 0.8,
    "aff_flx": 1.0, "aff_ext": 1.0,
    "freq_osc_e": 1.0, "freq_cross_e": 1.0, "freq_diaga_e": 0.8,
    "sync_cross_i": -0.8, "sync_diagdi_i": -0.5, "sync_diagde_i": -0.5,
}
"""Synaptic weights (``init_rg_default``); the name says pathway, source-target and sign."""


def unit_names() -> tuple[str, ...]:
    """The RG's units: the four flexor oscillators first, then the leaky units."""
    names = [f"flx_{a}" for a in LIMBS] + [f"ext_{a}" for a in LIMBS]
    for a in LIMBS:
        names += [f"cross_v0d_{a}", f"cross_v3f_{a}", f"cross_v3e_{a}"]
    names += ["diagd_v0d_FL", "diagd_v0v_FL", "diagd_in2_FL", "diagd_v0d_FR", "diagd_v0v_FR", "diagd_in2_FR",
              "diaga_v3a_HL", "diaga_v3a_HR"]
    return tuple(names)


def signal_names() -> tuple[str, ...]:
    """The RG's input signals: afferent feedback per limb, then commands per side."""
    return tuple([f"aff_flx_{a}" for a in LIMBS] + [f"aff_ext_{a}" for a in LIMBS]
                 + [f"freq_{s}" for s in SIDES] + [f"sync_{s}" for s in SIDES])


def synapses() -> list[tuple[str, str, float]]:
    """Every synapse as (target, source, weight), from their ``RhythmGenerationCircuit``."""
    w = WEIGHTS
    out: list[tuple[str, str, float]] = []
    for a in LIMBS:
        out += [(f"flx_{a}", f"ext_{a}", w["osc_extflx_i"]), (f"ext_{a}", f"flx_{a}", w["osc_flxext_i"])]
    for a, b in (("FR", "FL"), ("FL", "FR"), ("HR", "HL"), ("HL", "HR")):
        out += [(f"cross_v3f_{a}", f"flx_{a}", 1.0), (f"cross_v0d_{a}", f"flx_{a}", 1.0),
                (f"cross_v3e_{a}", f"ext_{a}", 1.0), (f"flx_{b}", f"cross_v0d_{a}", w["cross_flxflx_i"]),
                (f"flx_{b}", f"cross_v3f_{a}", w["cross_flxflx_e"]), (f"ext_{b}", f"cross_v3e_{a}", w["cross_extext_e"])]
    for a, b in (("FL", "HL"), ("FR", "HR")):
        out += [(f"flx_{b}", f"ext_{a}", w["sided_extflx_e"]), (f"flx_{b}", f"flx_{a}", w["sided_flxflx_i"])]
    for a, b in (("HL", "FL"), ("HR", "FR")):
        out += [(f"flx_{b}", f"ext_{a}", w["sidea_extflx_e"])]
    for a, b in (("FL", "HR"), ("FR", "HL")):
        out += [(f"diagd_v0d_{a}", f"flx_{a}", 1.0), (f"diagd_v0v_{a}", f"flx_{a}", 1.0),
                (f"flx_{b}", f"diagd_v0d_{a}", w["diagd_flxflx_i"]), (f"flx_{b}", f"diagd_v0v_{a}", w["diagd_flxflx_e"]),
                (f"diagd_in2_{a}", f"cross_v3f_{a}", 1.0), (f"diagd_v0d_{a}", f"diagd_in2_{a}", w["diagd_in2v0d_i"])]
    for a, b in (("HL", "FR"), ("HR", "FL")):
        out += [(f"diaga_v3a_{a}", f"flx_{a}", 1.0), (f"flx_{b}", f"diaga_v3a_{a}", w["diaga_flxflx_e"]),
                (f"diagd_in2_{b}", f"diaga_v3a_{a}", w["diaga_v3ain2_e"])]
    for a in LIMBS:
        out += [(f"flx_{a}", f"aff_flx_{a}", w["aff_flx"]), (f"ext_{a}", f"aff_ext_{a}", w["aff_ext"])]
    for s in SIDES:
        out += [(f"flx_F{s}", f"freq_{s}", w["freq_osc_e"]), (f"flx_H{s}", f"freq_{s}", w["freq_osc_e"]),
                (f"cross_v3f_F{s}", f"freq_{s}", w["freq_cross_e"]), (f"cross_v3f_H{s}", f"freq_{s}", w["freq_cross_e"]),
                (f"diaga_v3a_H{s}", f"freq_{s}", w["freq_diaga_e"]),
                (f"cross_v0d_F{s}", f"sync_{s}", w["sync_cross_i"]), (f"cross_v0d_H{s}", f"sync_{s}", w["sync_cross_i"]),
                (f"diagd_v0d_F{s}", f"sync_{s}", w["sync_diagdi_i"]), (f"diagd_v0v_F{s}", f"sync_{s}", w["sync_diagde_i"])]
    return out


def _bias(name: str) -> float:
    kind = name.split("_")[-2]
    return BIASES[kind]


class RhythmGenerator(torch.nn.Module):
    """The frozen RG as dense matrices, stepped for any leading shape (...).

    Args:
        timestep: ms per step (the body's control step: 30 for the quadruped).
    """

    def __init__(self, timestep: float = 30.0):
        super().__init__()
        self.units, self.signals = unit_names(), signal_names()
        self.timestep = float(timestep)
        index = {name: i for i, name in enumerate(self.units)}
        signal_index = {name: i for i, name in enumerate(self.signals)}
        units_w = torch.zeros(len(self.units), len(self.units), dtype=torch.float64)
        signals_w = torch.zeros(len(self.units), len(self.signals), dtype=torch.float64)
        for target, source, weight in synapses():
            if source in index:
                units_w[index[target], index[source]] += weight
            else:
                signals_w[index[target], signal_index[source]] += weight
        self.register_buffer("units_w", units_w.float())
        self.register_buffer("signals_w", signals_w.float())
        self.register_buffer("bias", torch.tensor([_bias(n) for n in self.units]))
        self.n_osc = len(LIMBS)

    def initial_state(self, shape: tuple[int, ...], generator: torch.Generator | None = None,
                      random_phase: bool = True) -> dict[str, Tensor]:
        """A fresh episode's state for ``shape`` (...): voltages 0 (oscillators quiet, -1), adaptation
        uniform between its bounds (or in the middle), no previous outputs or signals."""
        osc = self.n_osc
        return {"voltage": torch.cat([-torch.ones((*shape, osc)), torch.zeros((*shape, len(self.units) - osc))], -1),
                "adaptation": initial_adaptation((*shape, osc), generator, random_phase),
                "outputs": torch.zeros((*shape, len(self.units))),
                "signals": torch.zeros((*shape, len(self.signals)))}

    def step(self, state: dict[str, Tensor], signals: Tensor) -> dict[str, Tensor]:
        """One step: state (..., U) tensors and this step's signals (..., S) -> the new state.

        The units read last step's outputs and signals (one step of synaptic delay);
        ``signals`` are kept for the next step.
        """
        x = state["outputs"] @ self.units_w.T + state["signals"] @ self.signals_w.T + self.bias
        osc = self.n_osc
        leaky, leaky_out = leaky_step(state["voltage"][..., osc:], x[..., osc:], self.timestep)
        voltage, adaptation, flexors = half_centre_step(state["voltage"][..., :osc], state["adaptation"], x[..., :osc],
                                                        self.timestep)
        return {"voltage": torch.cat([voltage, leaky], -1), "adaptation": adaptation,
                "outputs": torch.cat([flexors, leaky_out], -1), "signals": signals}

    def limb_outputs(self, state: dict[str, Tensor]) -> Tensor:
        """(flexor, extensor) of each limb from a state: (..., 4, 2) in LIMBS order."""
        outputs = state["outputs"]
        return torch.stack([outputs[..., :4], outputs[..., 4:8]], -1)
