"""The quadruped NCAP circuit: rhythm generation, afferent feedback, pattern formation, brainstem drive.

Written from the follow-up paper's model (``QuadrupedModularActor`` in their
``modular.py``, configured as ``modular_pfrepinit_rg_afrepbioinit_bcrep``):

- **afferent feedback (AF)**: per leg, its 10 channels (position, velocity and
  force of yaw, lift and extend; foot contact) are rectified into 20 non-negative
  afferents ``[relu(-x), relu(x)]`` and mapped linearly onto (flexor, extensor)
  of that leg's half-centre; fore legs share one map, hind legs another;
- **rhythm generation (RG)**: ``rhythm.RhythmGenerator``, frozen, stateful,
  one step of synaptic delay (afferents written at step t act at t + 1);
- **brainstem**: a constant drive onto ``freq`` and ``sync`` of both sides
  (0.3 walk, 0.5 run; their ``BrainstemCommandSignal``), or a command input;
- **pattern formation (PF)**: per leg ``tanh(W (flexor, extensor) + b)`` ->
  (lift, extend) commands; fore legs share one map, hind legs another.

Trainable: PF 2 x (2 x 2 + 2) = 12, AF 2 x (2 x 20) = 80: 92 parameters.
With ``repeat = k`` each weight is stored as k copies that add up (their
redundant copies, ``repeat: 8``: 708 numbers, the same function).

Initial weights are their priors, translated to this body's actuators by
function (docs/quadruped.md): the flexor swings a leg (lifts the foot, moves
it forward), the extensor makes it stance (presses down, moves it back);
load and foot contact excite the extensor and inhibit the flexor; a foot far
back excites the flexor, far forward the extensor. With sign constraints a
weight keeps its initial sign (zero-initialized weights are free), as their
``constrain_sign``; biases are free.

State (the RG's) lives in the module; it resets for every batch element
whose ``obs["step"]`` is 0 (an episode's first observation) and whenever the
batch shape changes. Or it travels with the observation: when ``obs`` holds
``STATE_KEY`` (the packed state before this step, (..., ``state_size``)), the
circuit is a pure function of its input and keeps nothing; ``next_state``
gives the state to pass with the next observation and ``initial_state`` an
episode's first (how PPO trains it: training/circuit_state.py).
Shapes: observations (..., C) per channel, commands (..., 8).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from ncap.circuits.dynamics import STATE_KEY
from ncap.circuits.quadruped.rhythm import LIMBS, RhythmGenerator

CHANNELS = ("joint_positions", "joint_velocities", "actuator_forces")
"""Per-dof observation channels the afferents read (3 dofs per leg: yaw, lift, extend), then foot contact."""
GROUP = (0, 0, 1, 1)
"""Weight-sharing group of each leg: fore (FL, FR) 0, hind (HL, HR) 1."""
DRIVES = {"walk": 0.3, "run": 0.5}
"""The follow-up paper's brainstem command per task."""
N_AFFERENTS = 20


@dataclass(frozen=True)
class QuadrupedCircuitConfig:
    """The quadruped circuit's options."""

    drive: float = 0.3
    """Brainstem command onto freq and sync (0.3 walk, 0.5 run)."""
    repeat: int = 1
    """Redundant copies of every trainable weight (the authors' runs: 8, 708 numbers for 92 parameters)."""
    sign_constraints: bool = True
    """Weights keep the sign of their prior (zero priors are free)."""
    afferent_feedback: bool = True
    """Afferents onto the rhythm generator (False: an open-loop CPG, 12 parameters)."""
    random_phase: bool = True
    """Start each episode's half-centres at a random point of their cycle (theirs); False: all at the middle."""
    timestep: float = 30.0
    """Milliseconds per step (the body's control step)."""


def pf_prior() -> Tensor:
    """PF weights (group, out: lift/extend, in: flexor/extensor), (2, 2, 2)."""
    lift = [-0.2, 0.8]
    return torch.tensor([[lift, [0.5, -0.3]], [lift, [-0.5, 0.3]]])


def af_prior() -> Tensor:
    """AF weights (group, out: flexor/extensor, afferent), (2, 2, 20); afferents ``[relu(-x), relu(x)]``
    of x = (position, velocity, force) x (yaw, lift, extend) and contact."""
    prior = torch.zeros(2, 2, N_AFFERENTS)
    neg, pos = 0, 10
    extend_position, lift_force, contact = 2, 7, 9
    prior[0, 0, neg + extend_position] = 1.0  # fore foot back (extend < 0): flexor
    prior[0, 1, pos + extend_position] = 1.0  # fore foot forward: extensor
    prior[1, 0, pos + extend_position] = 1.0  # hind foot back (extend > 0): flexor
    prior[1, 1, neg + extend_position] = 1.0  # hind foot forward: extensor
    prior[:, 0, pos + lift_force] = -1.0  # load: inhibits the flexor ...
    prior[:, 1, pos + lift_force] = 1.0  # ... and excites the extensor
    prior[:, 0, pos + contact] = -1.0
    prior[:, 1, pos + contact] = 1.0
    return prior


def _constrain(weight: Tensor, sign: Tensor) -> Tensor:
    return torch.where(sign > 0, weight.clamp(min=0), torch.where(sign < 0, weight.clamp(max=0), weight))


def afferents(obs: Mapping[str, Tensor]) -> Tensor:
    """Rectified afferents per leg (..., 4, 20) from the observation channels."""
    per_leg = [obs[key].reshape(*obs[key].shape[:-1], 4, 3) for key in CHANNELS]
    x = torch.cat(per_leg + [obs["foot_contact"][..., None]], -1)
    return torch.cat([torch.relu(-x), torch.relu(x)], -1)


class QuadrupedCircuit(nn.Module):
    """The quadruped NCAP circuit as a policy of the quadruped's observations -> 8 commands."""

    def __init__(self, config: QuadrupedCircuitConfig | None = None, seed: int = 0):
        super().__init__()
        self.config = config = config or QuadrupedCircuitConfig()
        k = config.repeat
        self.rhythm = RhythmGenerator(config.timestep)
        self.register_buffer("pf_sign", torch.sign(pf_prior()) if config.sign_constraints else torch.zeros(2, 2, 2))
        self.register_buffer("leg_group", torch.tensor(GROUP), persistent=False)
        self.register_buffer("af_sign", torch.sign(af_prior()) if config.sign_constraints else torch.zeros(2, 2, 20))
        self.pf_weight = nn.Parameter(pf_prior()[..., None].repeat(1, 1, 1, k) / k)
        self.pf_bias = nn.Parameter(torch.zeros(2, 2))
        if config.afferent_feedback:
            self.af_weight = nn.Parameter(af_prior()[:, :, None, :].repeat(1, 1, k, 1) / k)
        self.generator = torch.Generator().manual_seed(seed)
        self.state: dict[str, Tensor] | None = None
        self._weights: tuple[Tensor, dict[str, Tensor]] | None = None
        """The last effective weights computed without autograd, with the flat parameter values they came from."""

    @property
    def n_actions(self) -> int:
        return 8

    def effective(self, params: Mapping[str, Tensor] | None = None) -> dict[str, Tensor]:
        """Constrained, copy-summed weights: pf_weight (P, 2, 2, 2), pf_bias (P, 2, 2), af_weight (P, 2, 2, 20)."""
        params = params if params is not None else {n: p[None] for n, p in self.named_parameters()}
        out = {"pf_weight": _constrain(params["pf_weight"], self.pf_sign[..., None]).sum(-1),
               "pf_bias": params["pf_bias"]}
        if "af_weight" in params:
            out["af_weight"] = _constrain(params["af_weight"], self.af_sign[:, :, None, :]).sum(-2)
        return out

    def _current(self) -> dict[str, Tensor]:
        """``effective()``; without autograd, computed again only when a parameter's value changed."""
        if torch.is_grad_enabled():
            return self.effective()
        values = torch.cat([p.reshape(-1) for p in self.parameters()])
        if self._weights is None or not torch.equal(self._weights[0], values):
            self._weights = (values, self.effective())
        return self._weights[1]

    def reset(self) -> None:
        """Forget the state: the next call starts new episodes everywhere."""
        self.state = None

    def reseed(self, seeds: list[int]) -> None:
        """Restart the stream of starting phases from the first episode's seed of the coming batch: the
        batch's phases then depend on its episodes' seeds and order only (one stream for the whole batch, so a
        population split over several processes would draw other phases: ES on Ray workers is refused)."""
        self.generator.manual_seed(int(seeds[0]))

    def _fresh(self, shape: tuple[int, ...], generator: torch.Generator | None = None) -> dict[str, Tensor]:
        return self.rhythm.initial_state(shape, self.generator if generator is None else generator,
                                         self.config.random_phase)

    @property
    def state_size(self) -> int:
        """Numbers in the packed state ``STATE_KEY`` carries: the RG's voltages and outputs (U each) and
        adaptations (4), and the last step's afferents (4 x 20) and command (4) from which its signals are
        computed again with the current weights (so that a gradient reaches the afferent weights)."""
        units = len(self.rhythm.units)
        return 2 * units + self.rhythm.n_osc + 4 * N_AFFERENTS + 4

    def initial_state(self, count: int, generator: torch.Generator) -> Tensor:
        """Packed first states of ``count`` episodes (count, state_size), phases drawn from ``generator``."""
        fresh = self._fresh((count,), generator)
        last_inputs = torch.zeros(count, 4 * N_AFFERENTS + 4)  # no afferents or command before the first step
        return torch.cat([fresh["voltage"], fresh["adaptation"], fresh["outputs"], last_inputs], -1)

    def next_state(self, obs: Mapping[str, Tensor]) -> Tensor:
        """The packed state after this step (..., state_size), from observations holding ``STATE_KEY``
        (the state before it): what the next observation carries. Without autograd."""
        lead = obs[STATE_KEY].shape[:-1]
        flat = {key: value.reshape(1, -1, value.shape[-1]) for key, value in obs.items()}
        with torch.no_grad():
            weights = self._current()
            state = self._unpack(weights, flat[STATE_KEY])
            aff, command = afferents(flat), self._command(flat, None)
            state = self.rhythm.step(state, self._signals(weights, aff, command))
            packed = torch.cat([state["voltage"], state["adaptation"], state["outputs"], aff.flatten(-2), command], -1)
        return packed.reshape(*lead, -1)

    def _unpack(self, weights: Mapping[str, Tensor], flat: Tensor) -> dict[str, Tensor]:
        """A packed state (P, B, state_size) -> the RG's state, its signals computed with ``weights``."""
        units, osc = len(self.rhythm.units), self.rhythm.n_osc
        voltage, adaptation, outputs, aff, command = torch.split(flat, [units, osc, units, 4 * N_AFFERENTS, 4], -1)
        signals = self._signals(weights, aff.unflatten(-1, (4, N_AFFERENTS)), command)
        return {"voltage": voltage, "adaptation": adaptation, "outputs": outputs, "signals": signals}

    def _leg_drive(self, weights: Mapping[str, Tensor], aff: Tensor) -> Tensor:
        """Afferent drive onto (flexor, extensor) per leg (P, B, 4, 2) from afferents (P, B, 4, 20)."""
        if "af_weight" not in weights:
            return torch.zeros(*aff.shape[:-1], 2)
        w = weights["af_weight"].index_select(1, self.leg_group)[:, None]  # (P, 1, 4, 2, 20)
        return (w * aff[..., None, :]).sum(-1)

    def _command(self, obs: Mapping[str, Tensor], drive: Tensor | None) -> Tensor:
        """The brainstem command onto freq and sync of both sides (P, B, 4)."""
        shape = obs["step"].shape[:-1]
        return torch.full((*shape, 4), self.config.drive) if drive is None else drive[..., None].expand(*shape, 4)

    def _signals(self, weights: Mapping[str, Tensor], aff: Tensor, command: Tensor) -> Tensor:
        """The RG's input signals (P, B, S): afferent drive to flexors, to extensors, then the command."""
        legs = self._leg_drive(weights, aff)
        return torch.cat([legs[..., 0], legs[..., 1], command], -1)

    def _state_for(self, steps: Tensor) -> dict[str, Tensor]:
        """The state for step indices (P, B): fresh where an episode starts (step 0) or the shape changed."""
        shape = tuple(steps.shape)
        if self.state is None or tuple(self.state["outputs"].shape[:-1]) != shape:
            return self._fresh(shape)
        start = steps == 0
        if not start.any():
            return self.state
        fresh = self._fresh(shape)
        return {key: torch.where(start[..., None], fresh[key], value) for key, value in self.state.items()}

    def run(self, weights: Mapping[str, Tensor], obs: Mapping[str, Tensor], drive: Tensor | None = None,
            return_activity: bool = False):
        """One control step for P weight sets on (P, B, ...) observations -> commands (P, B, 8) [, activity].

        The state before the step is ``obs[STATE_KEY]`` if there, else the module's (which it then updates)."""
        if STATE_KEY in obs:
            state = self._unpack(weights, obs[STATE_KEY])
        else:
            state = self._state_for(obs["step"][..., 0].round())
        aff = afferents(obs)
        legs = self._leg_drive(weights, aff)
        state = self.rhythm.step(state, torch.cat([legs[..., 0], legs[..., 1], self._command(obs, drive)], -1))
        if STATE_KEY not in obs:
            self.state = {key: value.detach() for key, value in state.items()}
        rhythm = self.rhythm.limb_outputs(state)  # (P, B, 4, 2)
        w = weights["pf_weight"].index_select(1, self.leg_group)[:, None]  # (P, 1, 4, 2, 2)
        b = weights["pf_bias"].index_select(1, self.leg_group)[:, None]  # (P, 1, 4, 2)
        commands = torch.tanh((w * rhythm[..., None, :]).sum(-1) + b).flatten(-2)
        if not return_activity:
            return commands
        activity = {name: state["outputs"][..., i] for i, name in enumerate(self.rhythm.units)}
        for i, leg in enumerate(LIMBS):
            activity[f"aff_flx_{leg}"], activity[f"aff_ext_{leg}"] = legs[..., i, 0], legs[..., i, 1]
        return commands, activity

    def forward(self, obs: Mapping[str, Tensor], drive: Tensor | None = None, return_activity: bool = False):
        """Observations with leading dims (...) -> commands (..., 8) [, activity: name -> (...)]."""
        lead = obs["step"].shape[:-1]
        flat = {key: value.reshape(1, -1, value.shape[-1]) for key, value in obs.items()}
        drive = None if drive is None else drive.reshape(1, -1)
        out = self.run(self._current(), flat, drive, return_activity)
        if not return_activity:
            return out.reshape(*lead, 8)
        commands, activity = out
        return commands.reshape(*lead, 8), {k: v.reshape(lead) for k, v in activity.items()}

    def population_forward(self, params: Tensor, obs: Mapping[str, Tensor]) -> Tensor:
        """P flat parameter vectors (P, D) (``named_parameters`` order) on (P, B, ...) observations -> (P, B, 8)."""
        sizes = [p.numel() for _, p in self.named_parameters()]
        parts = torch.split(params, sizes, dim=-1)
        named = {name: part.reshape(-1, *p.shape) for (name, p), part in zip(self.named_parameters(), parts)}
        return self.run(self.effective(named), obs)
