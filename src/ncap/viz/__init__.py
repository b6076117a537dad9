"""Seeing the swimmer think: recordings, videos with the circuit's activity, still figures."""
