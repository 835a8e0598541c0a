"""A character-level transformer trained on the opening of "Alice's Adventures in Wonderland"
(examples/data/alice.txt, public domain). Prints samples as it learns.

    python examples/char_transformer.py --minutes 3
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import mytorch as torch
import mytorch.nn as nn
import mytorch.nn.functional as F

TEXT = (Path(__file__).parent / "data" / "alice.txt").read_text()
CHARS = sorted(set(TEXT))
INDEX = {c: i for i, c in enumerate(CHARS)}


class CharTransformer(nn.Module):
    def __init__(self, vocab: int, context: int, dim: int = 64, heads: int = 4, layers: int = 2):
        super().__init__()
        self.context = context
        self.embed = nn.Embedding(vocab, dim)
        self.position = nn.Parameter(torch.randn(context, dim) * 0.02)
        layer = nn.TransformerEncoderLayer(
            dim, heads, dim_feedforward=4 * dim, dropout=0.0, batch_first=True, norm_first=True
        )
        self.blocks = nn.TransformerEncoder(layer, layers)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab)
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(context))

    def forward(self, idx):
        n = idx.shape[1]
        x = self.embed(idx) + self.position[:n]
        x = self.blocks(x, mask=self.mask[:n, :n], is_causal=True)
        return self.head(self.norm(x))


def batch(data, context: int, size: int):
    starts = torch.randint(0, len(data) - context - 1, (size,))
    x = torch.stack([data[s : s + context] for s in starts.tolist()])
    y = torch.stack([data[s + 1 : s + context + 1] for s in starts.tolist()])
    return x, y


def sample(model, prompt: str, length: int, temperature: float = 0.8) -> str:
    model.eval()
    idx = [INDEX[c] for c in prompt]
    with torch.no_grad():
        for _ in range(length):
            window = torch.tensor([idx[-model.context :]])
            logits = model(window)[0, -1] / temperature
            probs = F.softmax(logits, dim=-1)
            idx.append(int(torch.multinomial(probs, 1).item()))
    model.train()
    return "".join(CHARS[i] for i in idx)


def main(minutes: float = 3.0, max_steps: int | None = None) -> float:
    torch.manual_seed(0)
    data = torch.tensor([INDEX[c] for c in TEXT])
    context = 32
    model = CharTransformer(len(CHARS), context)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    start, step, loss = time.perf_counter(), 0, float("nan")
    print(f"{len(TEXT)} characters, vocabulary {len(CHARS)}, "
          f"{sum(p.numel() for p in model.parameters())} parameters")  # fmt: skip
    while time.perf_counter() - start < minutes * 60 and (max_steps is None or step < max_steps):
        x, y = batch(data, context, 16)
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, len(CHARS)), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 100 == 0:
            elapsed = time.perf_counter() - start
            print(f"step {step:5d}  loss {loss.item():.3f}  "
                  f"(uniform guess {math.log(len(CHARS)):.2f})  {elapsed:6.1f} s")  # fmt: skip
            if step % 300 == 0:
                print("   " + sample(model, "Alice ", 80).replace("\n", " "))
        step += 1
    print("final sample:\n" + sample(model, "Alice was ", 200))
    return loss.item()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    main(parser.parse_args().minutes)
