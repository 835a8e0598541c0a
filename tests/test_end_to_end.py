"""An MLP and a CNN trained for 50 steps from identical weights on identical batches of the shipped
digits data give PyTorch's loss curve (float32 tolerance)."""

import gzip
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
import torch

import mytorch

DATA = Path(__file__).resolve().parent.parent / "examples" / "data" / "digits.csv.gz"


def _batches(n_steps=50, batch=32):
    with gzip.open(DATA, "rt") as f:
        data = np.loadtxt(f, delimiter=",")
    x = (data[:, :64] / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    y = data[:, 64].astype(np.int64)
    rng = np.random.default_rng(0)
    return [
        (x[idx], y[idx])
        for idx in (rng.choice(len(y), batch, replace=False) for _ in range(n_steps))
    ]


def _mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))


def _cnn(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        # no bias before batch norm: its gradient is zero up to rounding, which Adam would amplify
        nn.Conv2d(8, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 2 * 2, 10),
    )  # fmt: skip


def _curve(lib, model, batches, optimizer_fn):
    optimizer = optimizer_fn(lib, model)
    losses = []
    for xb, yb in batches:
        loss = lib.nn.functional.cross_entropy(model(lib.tensor(xb)), lib.tensor(yb))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return np.array(losses)


OPTIMIZERS = {
    "sgd_momentum": lambda lib, m: lib.optim.SGD(m.parameters(), lr=0.05, momentum=0.9),
    "adamw": lambda lib, m: lib.optim.AdamW(m.parameters(), lr=3e-3),
}


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("make", [_mlp, _cnn], ids=["mlp", "cnn"])
def test_fifty_steps_follow_torchs_loss_curve(make, optimizer):
    torch.manual_seed(0)
    theirs = make(torch)
    ours = make(mytorch)
    ours.load_state_dict(
        OrderedDict((k, mytorch.tensor(v.numpy().copy())) for k, v in theirs.state_dict().items())
    )
    batches = _batches()
    t_curve = _curve(torch, theirs, batches, OPTIMIZERS[optimizer])
    m_curve = _curve(mytorch, ours, batches, OPTIMIZERS[optimizer])
    assert t_curve[-1] < t_curve[0]  # the run actually trains
    np.testing.assert_allclose(m_curve, t_curve, rtol=2e-3, atol=2e-4)
    for (name, p), (_, q) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        np.testing.assert_allclose(p.numpy(), q.numpy(), rtol=2e-3, atol=2e-4, err_msg=name)
