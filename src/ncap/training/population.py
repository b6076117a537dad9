"""Evaluate a population of parameter vectors of one policy, all in one batch."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import Tensor, nn
from torch.func import functional_call, vmap

from ncap.circuits import CompiledCircuit, SwimmerCircuit
from ncap.circuits.limb_compiler import CompiledLimbCircuit
from ncap.circuits.quadruped import QuadrupedCircuit
from ncap.envs.registry import make_simulator
from ncap.policies import CircuitPolicy, step_index
from ncap.policies.rollout import reseed, run_episode


class PopulationPolicy:
    """P parameter vectors of ``template`` acting at once.

    Flat vectors hold the trainable parameters, in ``named_parameters()``
    order (frozen ones keep their values). A plain swimmer circuit uses its
    own population mode, as do the quadruped circuits, hand-written or compiled
    from a limbed spec (their state held per member); any other policy is vectorized with ``torch.func.vmap`` over
    ``functional_call``.
    """

    def __init__(self, template: nn.Module):
        self.template = template
        named = [(name, p) for name, p in template.named_parameters() if p.requires_grad]
        self.names = [name for name, _ in named]
        self.shapes = [p.shape for _, p in named]
        self.sizes = [p.numel() for _, p in named]
        self.size = sum(self.sizes)
        self._circuit = _plain_circuit(template)
        self._vmapped: Callable = vmap(self._single)

    def _trainable(self) -> list[nn.Parameter]:
        return [p for p in self.template.parameters() if p.requires_grad]

    def flat(self) -> Tensor:
        """The template's trainable parameters as one vector (D,)."""
        return torch.cat([p.detach().reshape(-1) for p in self._trainable()])

    def load(self, flat: Tensor) -> nn.Module:
        """Copy a vector (D,) into the template's trainable parameters; returns the template."""
        with torch.no_grad():
            torch.nn.utils.vector_to_parameters(flat.detach().to(torch.float32), self._trainable())
        return self.template

    def _single(self, flat: Tensor, obs: dict[str, Tensor]) -> Tensor:
        parts = torch.split(flat, self.sizes)
        params = {name: t.reshape(shape) for name, t, shape in zip(self.names, parts, self.shapes)}
        return functional_call(self.template, params, (obs,))

    @torch.no_grad()
    def __call__(self, params: Tensor, obs: dict[str, Tensor]) -> Tensor:
        """params (P, D), observations (P, B, ...) -> actions (P, B, N)."""
        if self._circuit is not None:
            return self._circuit.population_forward(params, obs["joints"], step_index(obs))
        if isinstance(self.template, QuadrupedCircuit | CompiledLimbCircuit):
            return self.template.population_forward(params, obs)
        return self._vmapped(params, obs)


def _plain_circuit(policy: nn.Module) -> SwimmerCircuit | CompiledCircuit | None:
    """The circuit of a policy that is a circuit alone, every weight trainable (its own population mode)."""
    if (isinstance(policy, CircuitPolicy) and policy.controller is None
            and isinstance(policy.circuit, SwimmerCircuit | CompiledCircuit)
            and all(p.requires_grad for p in policy.circuit.parameters())):
        return policy.circuit
    return None


def episode_returns(population: PopulationPolicy, params: Tensor, task: str, n_links: int,
                    seeds: list[int], nthread: int | None = None, quadruped=None) -> tuple[np.ndarray, int]:
    """Return of one episode per parameter vector (P,) and the control steps simulated; member i
    starts as seed ``seeds[i]`` (``quadruped``: the quadruped task's config, for task quadruped)."""
    count = params.shape[0]
    sim = make_simulator(task, n_links, count, nthread=nthread, seed=seeds, quadruped=quadruped)
    params = params.to(torch.float32)
    reseed(population.template, seeds)

    def act(obs: dict[str, Tensor]) -> Tensor:  # each member acts on its own body: (P, 1, ...) -> (P, N)
        return population(params, {key: value[:, None] for key, value in obs.items()})[:, 0]

    try:
        returns = run_episode(sim, act)
        return returns, simulated_steps(sim)
    finally:
        sim.close()


def simulated_steps(sim) -> int:
    """Control steps a batched simulator took in its episode, over all bodies (fallen bodies stop)."""
    alive_steps = getattr(sim, "alive_steps", None)
    if alive_steps is not None:
        return int(alive_steps.sum())
    return sim.num_envs * sim.step_index
