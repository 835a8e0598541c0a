"""The first example: values and derivatives of any order of a scalar expression."""

import mytorch as torch

a = torch.tensor(3.0, dtype=torch.float32, requires_grad=True)
b = torch.tensor(10.0, dtype=torch.float32, requires_grad=True)
c = 2 + (a + b**2) / (a + b + a * b)
print("c =", c)

dc_da, dc_db = torch.autograd.grad(c, [a, b])
print("dc/da =", dc_da)
print("dc/db =", dc_db)

d2c_da2 = torch.autograd.grad(dc_da, [a])[0]  # no create_graph=True needed
d2c_db2 = torch.autograd.grad(dc_db, [b])[0]
print("d2c/da2 =", d2c_da2)
print("d2c/db2 =", d2c_db2)
