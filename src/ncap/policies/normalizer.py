"""Running mean/std normalization of observation features, saved with the policy."""

from __future__ import annotations

import torch
from torch import Tensor, nn


class RunningNormalizer(nn.Module):
    """``clamp((x - mean) / std, -clip, clip)`` with running statistics.

    Identity until :meth:`update` is called. The statistics are buffers named
    ``running_*``: they travel in ``state_dict`` and are copied (not averaged)
    into target networks by Stable-Baselines3.

    Args:
        size: feature size D; inputs are (..., D).
    """

    def __init__(self, size: int, clip: float = 10.0, eps: float = 1e-8):
        super().__init__()
        self.clip, self.eps = clip, eps
        self.register_buffer("running_mean", torch.zeros(size))
        self.register_buffer("running_var", torch.ones(size))
        self.register_buffer("running_count", torch.zeros((), dtype=torch.float64))

    @torch.no_grad()
    def update(self, batch: Tensor) -> None:
        """Fold a batch (n, D) into the statistics (parallel Welford)."""
        batch = batch.reshape(-1, self.running_mean.shape[0]).to(torch.float64)
        n = batch.shape[0]
        if n == 0:
            return
        count = self.running_count.item()
        mean, var = self.running_mean.double(), self.running_var.double()
        batch_mean, batch_var = batch.mean(0), batch.var(0, unbiased=False)
        total = count + n
        delta = batch_mean - mean
        new_mean = mean + delta * n / total
        if count == 0:
            new_var = batch_var
        else:
            new_var = (var * count + batch_var * n + delta.square() * count * n / total) / total
        self.running_mean.copy_(new_mean)
        self.running_var.copy_(new_var)
        self.running_count.fill_(total)

    def forward(self, x: Tensor) -> Tensor:
        """Normalized features (..., D)."""
        if self.running_count.item() == 0:
            return x
        std = (self.running_var + self.eps).sqrt()
        return ((x - self.running_mean) / std).clamp(-self.clip, self.clip)
