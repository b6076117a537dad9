"""Evaluate a population of parameter vectors of one policy, all in one batch."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import Tensor, nn
from torch.func import functional_call, vmap

from ncap.circuits import CompiledCircuit, SwimmerCircuit
from ncap.envs import BatchedSwimmer
from ncap.policies import CircuitPolicy, step_index
from ncap.policies.rollout import run_episode


class PopulationPolicy:
    """P parameter vectors of ``template`` acting at once.

    Flat vectors hold the trainable parameters, in ``named_parameters()``
    order (frozen ones keep their values). A plain swimmer circuit uses its
    own population mode; any other policy is vectorized with
    ``torch.func.vmap`` over ``functional_call``.
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
        return self._vmapped(params, obs)


def _plain_circuit(policy: nn.Module) -> SwimmerCircuit | CompiledCircuit | None:
    """The circuit of a policy that is a circuit alone, every weight trainable (its own population mode)."""
    if (isinstance(policy, CircuitPolicy) and policy.controller is None
            and isinstance(policy.circuit, SwimmerCircuit | CompiledCircuit)
            and all(p.requires_grad for p in policy.circuit.parameters())):
        return policy.circuit
    return None


def episode_returns(population: PopulationPolicy, params: Tensor, task: str, n_links: int,
                    seeds: list[int], nthread: int | None = None) -> np.ndarray:
    """Return of one episode per parameter vector (P,); member i starts as seed ``seeds[i]``."""
    count = params.shape[0]
    sim = BatchedSwimmer(task, n_links, num_envs=count, nthread=nthread, seed=seeds)
    params = params.to(torch.float32)

    def act(obs: dict[str, Tensor]) -> Tensor:  # each member acts on its own swimmer: (P, 1, ...) -> (P, N)
        return population(params, {key: value[:, None] for key, value in obs.items()})[:, 0]

    try:
        return run_episode(sim, act)
    finally:
        sim.close()
