"""Tests of ncap.circuits.units against hand-computed values."""

import pytest
import torch

from ncap.circuits.units import (
    Sign,
    SineWaveOscillator,
    SquareWaveOscillator,
    activation_function,
    constrain,
    excitatory,
    graded_clamp,
    graded_relu,
    inhibitory,
    make_oscillator,
    unsigned,
)

W = torch.tensor([-2.0, -0.5, 0.0, 0.5, 2.0])


def test_sign_constraints_by_hand():
    assert torch.equal(excitatory(W), torch.tensor([0.0, 0.0, 0.0, 0.5, 2.0]))
    assert torch.equal(inhibitory(W), torch.tensor([-2.0, -0.5, 0.0, 0.0, 0.0]))
    assert torch.equal(unsigned(W), W)
    assert torch.equal(constrain(W, Sign.EXCITATORY), excitatory(W))
    assert torch.equal(constrain(W, Sign.INHIBITORY), inhibitory(W))
    assert torch.equal(constrain(W, Sign.UNSIGNED), W)
    assert (Sign.EXCITATORY.unit, Sign.INHIBITORY.unit, Sign.UNSIGNED.unit) == (1.0, -1.0, 0.0)
    for sign in Sign:
        assert torch.equal(W.clamp(*sign.bounds), constrain(W, sign))


def test_activations_by_hand():
    z = torch.tensor([-1.0, 0.0, 0.5, 1.0, 1.5])
    assert torch.equal(graded_clamp(z), torch.tensor([0.0, 0.0, 0.5, 1.0, 1.0]))
    assert torch.equal(graded_relu(z), torch.tensor([0.0, 0.0, 0.5, 1.0, 1.5]))
    assert activation_function("clamp") is graded_clamp
    assert activation_function("relu") is graded_relu
    with pytest.raises(ValueError, match="activation must be one of"):
        activation_function("tanh")


def test_square_wave_by_hand():
    oscillator = SquareWaveOscillator(period=4, duty=1)
    out = oscillator(torch.arange(6))
    assert out.shape == (6, 2)
    assert out[:, 0].tolist() == [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    assert out[:, 1].tolist() == [0.0, 1.0, 1.0, 1.0, 0.0, 1.0]
    paper = SquareWaveOscillator()  # period 60, 30 steps on
    assert paper(torch.tensor([0, 29, 30, 59, 60, 61, -1]))[:, 0].tolist() == [1, 1, 0, 0, 1, 1, 0]
    assert paper(7).tolist() == [1.0, 0.0]
    assert paper(torch.zeros(2, 3, dtype=torch.long), dtype=torch.float64).dtype == torch.float64
    assert paper(torch.tensor([29.6, 29.4]))[:, 0].tolist() == [0.0, 1.0]  # float steps are rounded
    assert list(paper.state_dict()) == []


def test_sine_wave_by_hand():
    out = SineWaveOscillator(period=4)(torch.arange(4))
    expected = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])
    assert torch.allclose(out, expected, atol=1e-6)
    half = SineWaveOscillator(period=12)(torch.tensor(1))  # sin(pi/6)
    assert torch.allclose(half, torch.tensor([0.5, 0.0]), atol=1e-6)


def test_oscillator_factory_and_validation():
    assert isinstance(make_oscillator("square", 60, 30), SquareWaveOscillator)
    assert isinstance(make_oscillator("sine", 60, 30), SineWaveOscillator)
    with pytest.raises(ValueError, match="oscillator must be one of"):
        make_oscillator("triangle", 60, 30)
    with pytest.raises(ValueError, match="0 < duty < period"):
        SquareWaveOscillator(10, 10)
    with pytest.raises(ValueError, match="period >= 1"):
        SineWaveOscillator(0)
