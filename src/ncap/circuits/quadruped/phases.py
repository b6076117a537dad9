"""Rhythm and inter-limb phase from on/off traces (flexor bursts, or a foot's swing), pure NumPy."""

from __future__ import annotations

import numpy as np


def onsets(active: np.ndarray) -> list[np.ndarray]:
    """Steps at which each limb turns on: ``active`` (T, L) booleans -> L arrays of step indices."""
    active = np.asarray(active, dtype=bool)
    return [np.flatnonzero(active[1:, i] & ~active[:-1, i]) + 1 for i in range(active.shape[1])]


def limb_phases(active: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean period (steps) of limb 0 and each limb's phase relative to it, (L,) in [0, 1).

    A limb's phase is where its onsets fall in limb 0's cycles, averaged as an
    angle (circular mean); NaN where a limb has no cycles. Limb 0's phase is 0.
    """
    starts = onsets(active)
    reference = starts[0]
    if len(reference) < 2:
        return float("nan"), np.full(len(starts), np.nan)
    period = float(np.diff(reference).mean())
    phases = []
    for limb in starts:
        offsets = [((limb[limb >= t][0] - t) / period) % 1 for t in reference[:-1] if (limb >= t).any()]
        if not offsets:
            phases.append(np.nan)
            continue
        angle = np.angle(np.mean(np.exp(2j * np.pi * np.asarray(offsets))))
        phases.append((angle / (2 * np.pi)) % 1)
    return period, np.asarray(phases)


def phase_distance(a: float, b: float) -> float:
    """Distance between two phases on the unit circle, in [0, 0.5]."""
    d = abs(a - b) % 1
    return min(d, 1 - d)
