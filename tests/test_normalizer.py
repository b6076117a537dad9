import torch

from ncap.policies import RunningNormalizer


def test_identity_until_updated_then_standardizes():
    norm = RunningNormalizer(2)
    x = torch.tensor([[1.0, 10.0], [3.0, 30.0]])
    assert torch.equal(norm(x), x)
    norm.update(x)
    assert torch.allclose(norm(x), torch.tensor([[-1.0, -1.0], [1.0, 1.0]]), atol=1e-4)


def test_batched_updates_equal_one_big_update():
    data = torch.randn(100, 3, generator=torch.Generator().manual_seed(0)) * 5 + 2
    a, b = RunningNormalizer(3), RunningNormalizer(3)
    a.update(data)
    for chunk in data.split(7):
        b.update(chunk)
    assert torch.allclose(a.running_mean, b.running_mean, atol=1e-6)
    assert torch.allclose(a.running_var, b.running_var, atol=1e-5)
    assert a.running_count.item() == b.running_count.item() == 100


def test_statistics_are_in_state_dict_and_clipped():
    norm = RunningNormalizer(1, clip=3.0)
    norm.update(torch.tensor([[0.0], [2.0]]))
    assert set(norm.state_dict()) == {"running_mean", "running_var", "running_count"}
    assert norm(torch.tensor([[100.0]])).item() == 3.0
