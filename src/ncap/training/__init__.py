"""Training and evaluation: policies on the batched simulator."""
