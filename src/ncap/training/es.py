"""Evolution strategies (Salimans et al. 2017) with EvoTorch, on the batched simulator.

EvoTorch supplies the pieces: a ``Problem`` whose population is evaluated in
one batch (split over Ray actors when ``workers > 0``: EvoTorch's
``num_actors``), the antithetic Gaussian ``SymmetricSeparableGaussian`` with
its centered-rank gradient, and the ``Adam`` optimizer. This module drives
them one generation at a time so that a run can stop and resume exactly:

    samples   = mu ± sigma * z               (population/2 antithetic pairs, z ~ N(0, I))
    fitness   = one deterministic episode each, each member from its own random start
    r         = centered ranks of the fitness, in [-0.5, 0.5]
    g         = (1/n) sum_i r_i z_i          (the authors' estimate; "salimans": divided by sigma too)
    g         = clip(g, -grad_clip, grad_clip) - weight_decay * mu
    mu       += Adam(g)

The authors' estimate is EvoTorch's centered-rank gradient (which is
``(1/n) sum_i r_i (x_i - mu)``) divided by sigma; Salimans et al.'s, by sigma^2.
With the authors' the +-1 clip does not fire and the L2 decay is a real pull
toward zero (docs/training.md).
"""

from __future__ import annotations

import numpy as np
import torch
from evotorch import Problem, SolutionBatch
from evotorch.distributions import SymmetricSeparableGaussian
from evotorch.optimizers import Adam

from ncap.config import TrainConfig
from ncap.envs.registry import episode_steps
from ncap.policies import build_policy
from ncap.runs import RunDir
from ncap.training.population import PopulationPolicy, episode_returns
from ncap.training.reporting import RunLogger


class SwimmerProblem(Problem):
    """Maximize one episode's return of a policy's parameter vector.

    Each generation draws its starts from ``episode_seed`` (sent to Ray
    actors before each evaluation). With ``member_starts="own"`` (the
    authors') member i of the generation starts from the state of the i-th
    seed drawn by ``np.random.SeedSequence(episode_seed)``; with "shared" every member starts from the state
    of ``episode_seed``, so ranks compare policies, not starts. Either way
    results do not depend on how the population is split among actors.
    """

    def __init__(self, config: TrainConfig):
        self.config = config
        self.population = PopulationPolicy(build_policy(config.arch, config.task, config.n_links, seed=config.seed,
                                                        quadruped=config.quadruped))
        self.episode_seed = 0
        self.steps_taken = 0
        self.episode_steps = episode_steps(config.task)
        super().__init__("max", solution_length=self.population.size, initial_bounds=(-1.0, 1.0),
                         dtype=torch.float32, num_actors=config.es.workers or None)

    def member_seeds(self, first: int, count: int) -> list[int]:
        """Start seeds of members ``first .. first + count - 1`` of the generation."""
        if self.config.es.member_starts == "shared":
            return [self.episode_seed] * count
        every = np.random.SeedSequence(self.episode_seed).generate_state(self.config.es.population)
        return [int(s) for s in every[first:first + count]]

    def _evaluate_batch(self, batch: SolutionBatch) -> None:
        values = batch.values.as_subclass(torch.Tensor)  # plain tensor: no read-only dispatch per op
        seeds = self.member_seeds(_first_index(batch), values.shape[0])
        nthread = self.config.threads if self.config.es.workers == 0 else 1
        returns, steps = episode_returns(self.population, values, self.config.task, self.config.n_links, seeds, nthread,
                                         self.config.quadruped)
        self.steps_taken += steps
        batch.set_evals(torch.as_tensor(returns, dtype=torch.float32))

    def _make_sync_data_for_actors(self) -> int:
        return self.episode_seed

    def _use_sync_data_from_main(self, received: int) -> None:
        self.episode_seed = received


def _first_index(batch: SolutionBatch) -> int:
    """Index in the whole population of a batch's first member: a Ray actor's piece is a slice
    of the population (EvoTorch keeps it, through pickling, as ``_slice``); a whole batch starts at 0."""
    where = getattr(batch, "_slice", None)
    return int(where.start or 0) if isinstance(where, slice) else 0


def es_gradient(samples: torch.Tensor, fitness: torch.Tensor, mu: torch.Tensor, sigma: float,
                estimate: str = "authors") -> torch.Tensor:
    """The ES ascent direction (D,) before clipping and decay.

    Args:
        samples: (n, D) antithetic population, rows ``mu + sigma z_k`` and ``mu - sigma z_k`` alternating.
        fitness: (n,) episode returns.
        mu: (D,) center; sigma: noise std.
        estimate: "authors" for ``(1/n) sum_i r_i z_i``, "salimans" for ``(1/(n sigma)) sum_i r_i z_i``,
            with r the centered ranks of ``fitness`` in [-0.5, 0.5] (EvoTorch's).
    """
    distribution = SymmetricSeparableGaussian({"mu": mu, "sigma": torch.full_like(mu, sigma),
                                               "divide_mu_grad_by": "num_directions"})
    gradient = distribution.compute_gradients(samples, fitness, objective_sense="max", ranking_method="centered")["mu"]
    return gradient / (sigma if estimate == "authors" else sigma**2)


def ars_gradient(samples: torch.Tensor, fitness: torch.Tensor, mu: torch.Tensor) -> torch.Tensor:
    """Augmented random search's step direction (D,) (the quadruped paper's ``PointEvolutionStrategy``
    with z-score shaping and ``gradient_scale = sigma``): ``(1/N) sum_k (z+_k - z-_k) (x+_k - mu)`` over the
    N antithetic pairs, z the returns minus their mean over their std (NumPy's, ddof 0).

    EvoTorch's "normalized" ranking is that z with torch's std (ddof 1) and its gradient halves the pair
    difference: this is EvoTorch's gradient times ``2 sqrt(n / (n - 1))`` for n = 2N samples.
    """
    distribution = SymmetricSeparableGaussian({"mu": mu, "sigma": torch.ones_like(mu),
                                               "divide_mu_grad_by": "num_directions"})
    gradient = distribution.compute_gradients(samples, fitness, objective_sense="max",
                                              ranking_method="normalized")["mu"]
    n = fitness.numel()
    return gradient * 2 * (n / (n - 1)) ** 0.5


def _generation_seed(seed: int, generation: int) -> int:
    return (seed * 1_000_003 + generation) % (2**31)


class ESTrainer:
    """Trains ``config`` with ES in ``run``; resumable from its checkpoint at any generation."""

    def __init__(self, run: RunDir, config: TrainConfig):
        self.run, self.config = run, config
        if config.es.ray_address is not None:
            import ray  # noqa: PLC0415  (only for clusters)

            ray.init(address=config.es.ray_address, ignore_reinit_error=True)
        self.problem = SwimmerProblem(config)
        size = self.problem.population.size
        self.mu = self.problem.population.flat()
        self.adam = Adam(solution_length=size, dtype=torch.float32, stepsize=config.es.lr)
        self.generation, self.env_steps = 0, 0
        metrics, elapsed = [], 0.0
        self.train_return = self.clipped_fraction = float("nan")
        if run.has_checkpoint:
            metrics, elapsed = run.restore_checkpoint(self._restore)
        self.logger = RunLogger(run, config, metrics, elapsed)

    def _distribution(self) -> SymmetricSeparableGaussian:
        sigma = torch.full_like(self.mu, self.config.es.sigma)
        return SymmetricSeparableGaussian({"mu": self.mu, "sigma": sigma, "divide_mu_grad_by": "num_directions"})

    def step(self) -> None:
        """One generation: sample, evaluate, update the center."""
        es, problem = self.config.es, self.problem
        distribution = self._distribution()
        generator = torch.Generator().manual_seed(_generation_seed(self.config.seed, self.generation))
        batch = SolutionBatch(problem, popsize=es.population, empty=True)
        distribution.sample(out=batch.access_values(), generator=generator)
        problem.episode_seed = _generation_seed(self.config.seed + 7919, self.generation)
        problem.steps_taken = 0
        problem.evaluate(batch)
        fitness = batch.access_evals()[:, 0]
        samples = batch.access_values(keep_evals=True)
        if es.update == "ars":
            self.mu = self.mu + es.lr * ars_gradient(samples, fitness, self.mu) - es.weight_decay * self.mu
        else:
            gradient = es_gradient(samples, fitness, self.mu, es.sigma, es.gradient)
            self.clipped_fraction = float((gradient.abs() > es.grad_clip).float().mean())
            gradient = gradient.clamp(-es.grad_clip, es.grad_clip) - es.weight_decay * self.mu
            self.mu = self.mu + self.adam.ascent(gradient)
        self.generation += 1
        self.env_steps += problem.steps_taken if es.workers == 0 else es.population * problem.episode_steps
        self.train_return = float(fitness.mean())

    def policy(self):
        """The center of the search distribution as a policy module."""
        return self.problem.population.load(self.mu)

    def maybe_evaluate(self, force: bool = False) -> None:
        self.logger.record(self.env_steps, self.policy, self.train_return, self._state, force)

    def train(self) -> None:
        self.maybe_evaluate()
        while self.env_steps < self.config.steps:
            self.step()
            self.logger.advance(self.env_steps)
            self.maybe_evaluate()
        self.maybe_evaluate(force=True)
        self.run.save_policy(self.policy())
        self.logger.close()
        if self.config.es.workers:
            self.problem.kill_actors()

    def _state(self) -> dict:
        return {"algo": "es", "env_steps": self.env_steps, "generation": self.generation,
                "wall_time": self.logger.wall_time, "policy": self.policy().state_dict(), "mu": self.mu.clone(),
                "adam": self.adam.contained_optimizer.state_dict(), "train_return": self.train_return}

    def _restore(self, state: dict) -> None:
        if state["mu"].shape != self.mu.shape:
            raise ValueError(f"ES center of shape {tuple(state['mu'].shape)}, expected {tuple(self.mu.shape)}")
        self.mu = state["mu"].clone()
        self.adam.contained_optimizer.load_state_dict(state["adam"])
        self.generation, self.env_steps = int(state["generation"]), int(state["env_steps"])
        self.train_return = float(state["train_return"])
