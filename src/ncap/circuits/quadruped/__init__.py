"""The quadruped NCAP circuit (pure torch): rhythm generator, afferent feedback, pattern formation."""

from ncap.circuits.quadruped.circuit import DRIVES, QuadrupedCircuit, QuadrupedCircuitConfig, af_prior, pf_prior
from ncap.circuits.quadruped.phases import limb_phases, onsets, phase_distance
from ncap.circuits.quadruped.rhythm import LIMBS, RhythmGenerator

__all__ = ["DRIVES", "QuadrupedCircuit", "QuadrupedCircuitConfig", "af_prior", "pf_prior", "limb_phases", "onsets",
           "phase_distance", "LIMBS", "RhythmGenerator"]
