"""Experiments: learning curves, sweeps, statistics and the paper's figures."""
