"""The physics-informed loss of examples/pinn_ode.py (second derivatives of a network with respect
to its input, then a backward pass through them) follows torch with create_graph=True."""

import math
import sys
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch

import mytorch


def _curve(lib, net, steps, **grad_kwargs):
    optimizer = lib.optim.Adam(net.parameters(), lr=3e-3)
    t = lib.linspace(0, 2 * math.pi, 16, dtype=lib.float64).reshape(-1, 1).requires_grad_()
    losses = []
    for _ in range(steps):
        u = net(t)
        (du,) = lib.autograd.grad(u.sum(), t, **grad_kwargs)
        (d2u,) = lib.autograd.grad(du.sum(), t, **grad_kwargs)
        loss = ((d2u + u) ** 2).mean() + (u[0] ** 2).sum() + ((du[0] - 1) ** 2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return np.array(losses)


def _net(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 1)).double()


def test_second_derivative_training_follows_torch():
    torch.manual_seed(0)
    theirs = _net(torch)
    ours = _net(mytorch)
    ours.load_state_dict(
        OrderedDict((k, mytorch.tensor(v.numpy().copy())) for k, v in theirs.state_dict().items())
    )
    t_curve = _curve(torch, theirs, 30, create_graph=True)
    m_curve = _curve(mytorch, ours, 30)  # mytorch's default records the derivatives
    np.testing.assert_allclose(m_curve, t_curve, rtol=1e-9, atol=1e-12)
    assert t_curve[-1] < t_curve[0]


def test_the_example_learns_sin():
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
    import pinn_ode

    assert pinn_ode.main(steps=600) < 0.25
