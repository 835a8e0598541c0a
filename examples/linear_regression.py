"""Fit y = x @ w + b by gradient descent on the data in examples/data/regression.csv."""

from pathlib import Path

import numpy as np

import mytorch as torch

data = np.loadtxt(Path(__file__).parent / "data" / "regression.csv", delimiter=",", skiprows=1)
x = torch.tensor(data[:, :3], dtype=torch.float32)
y = torch.tensor(data[:, 3], dtype=torch.float32)

torch.manual_seed(0)
w = torch.zeros(3, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
lr = 0.05

for step in range(201):
    pred = x @ w + b
    loss = ((pred - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
    w.grad = None
    b.grad = None
    if step % 25 == 0:
        print(f"step {step:3d}  loss {loss.item():.5f}")

print("w =", w)
print("b =", b)
