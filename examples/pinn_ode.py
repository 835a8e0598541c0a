"""A physics-informed network: learn u(t) with u'' + u = 0, u(0) = 0, u'(0) = 1 on [0, 2*pi].

The exact solution is sin(t). The loss uses the network's own first and second derivatives with
respect to its input, taken with `autograd.grad`; mytorch records them by default, so the loss
can be differentiated again for the optimizer without `create_graph=True`.
"""

import math
import time

import mytorch as torch
import mytorch.nn as nn


def main(steps: int = 1500) -> float:
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
    optimizer = torch.optim.Adam(net.parameters(), lr=3e-3)
    t = torch.linspace(0, 2 * math.pi, 64).reshape(-1, 1).requires_grad_()
    t0 = torch.zeros(1, 1, requires_grad=True)
    start = time.perf_counter()
    for step in range(steps + 1):
        u = net(t)
        (du,) = torch.autograd.grad(u.sum(), t)  # u'(t), itself differentiable
        (d2u,) = torch.autograd.grad(du.sum(), t)  # u''(t)
        u0 = net(t0)
        (du0,) = torch.autograd.grad(u0.sum(), t0)
        loss = ((d2u + u) ** 2).mean() + (u0**2).sum() + ((du0 - 1) ** 2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 300 == 0:
            print(f"step {step:4d}  physics loss {loss.item():.6f}")
    with torch.no_grad():
        grid = torch.linspace(0, 2 * math.pi, 200).reshape(-1, 1)
        error = (net(grid) - grid.sin()).abs().max().item()
    print(f"max |u(t) - sin(t)| on [0, 2pi]: {error:.4f}  ({time.perf_counter() - start:.1f} s)")
    return error


if __name__ == "__main__":
    main()
