import io
import random

import numpy as np
import torch

from ncap.runs.checkpoint_state import pack, rng_state, set_rng_state, unpack


def test_pack_round_trips_numpy_through_weights_only_load():
    state = {"a": np.arange(5, dtype=np.uint32), "b": [np.float64(2.5), (np.zeros((2, 2)), "x")], "c": None}
    buffer = io.BytesIO()
    torch.save(pack(state), buffer)
    buffer.seek(0)
    back = unpack(torch.load(buffer, weights_only=True))
    assert back["a"].dtype == np.uint32 and np.array_equal(back["a"], state["a"])
    assert back["b"][0] == 2.5 and np.array_equal(back["b"][1][0], np.zeros((2, 2))) and back["b"][1][1] == "x"


def test_rng_state_restores_all_generators():
    saved = rng_state()
    first = (torch.rand(3), np.random.rand(3), random.random())
    set_rng_state(saved)
    second = (torch.rand(3), np.random.rand(3), random.random())
    assert torch.equal(first[0], second[0]) and np.array_equal(first[1], second[1]) and first[2] == second[2]
