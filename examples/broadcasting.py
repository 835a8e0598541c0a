"""The second example: a broadcast addition and the gradients backward() leaves in .grad."""

import mytorch as torch

a = torch.tensor([[1, 2, 3], [4, 5, 6]], dtype=torch.float32, requires_grad=True)
b = torch.tensor([7, 8, 9], dtype=torch.float32, requires_grad=True)
c = a + b  # b is broadcast over the rows of a
c.backward(torch.ones(2, 3))
print("c =", c)
print("a.grad =", a.grad)
print("b.grad =", b.grad)
