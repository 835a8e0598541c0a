"""Train a small MLP and a small CNN on the 8x8 handwritten digits shipped in examples/data.

Written exactly as a PyTorch script, with only the imports changed. Prints test accuracy and wall
time, saves a checkpoint, reloads it and checks the predictions, and plots the curves (PNG) when
matplotlib is installed.
"""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import numpy as np

import mytorch as torch
import mytorch.nn as nn
import mytorch.nn.functional as F
from mytorch.utils.data import DataLoader, TensorDataset

try:
    from tqdm import tqdm
except ImportError:  # the progress bar is optional

    def tqdm(iterable, **kwargs):
        return iterable


HERE = Path(__file__).parent
OUT = HERE / "output"


def load_digits():
    with gzip.open(HERE / "data" / "digits.csv.gz", "rt") as f:
        data = np.loadtxt(f, delimiter=",")
    images = (data[:, :64] / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    labels = data[:, 64].astype(np.int64)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(labels))
    split = int(0.8 * len(labels))
    train, test = order[:split], order[split:]
    return (images[train], labels[train]), (images[test], labels[test])


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
            nn.Linear(64, 10),
        )  # fmt: skip

    def forward(self, x):
        return self.net(x)


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(32 * 2 * 2, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))  # 16 x 4 x 4
        x = self.pool(F.relu(self.conv2(x)))  # 32 x 2 x 2
        return self.fc(x.flatten(1))


def accuracy(model, x, y) -> float:
    model.eval()
    with torch.no_grad():
        pred = model(x).argmax(1)
    model.train()
    return (pred == y).float().mean().item()


def train(model, train_set, test_x, test_y, epochs, lr):
    loader = DataLoader(train_set, batch_size=64, shuffle=True)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    history = []
    for epoch in range(epochs):
        total, count = 0.0, 0
        for xb, yb in tqdm(loader, desc=f"epoch {epoch + 1:2d}", leave=False):
            loss = F.cross_entropy(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(yb)
            count += len(yb)
        history.append((total / count, accuracy(model, test_x, test_y)))
        print(
            f"  epoch {epoch + 1:2d}  loss {history[-1][0]:.4f}  test accuracy {history[-1][1]:.3f}"
        )
    return history


def check_checkpoint(model, factory, test_x):
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{type(model).__name__.lower()}.pt"
    torch.save(model.state_dict(), path)
    restored = factory()
    restored.load_state_dict(torch.load(path))
    model.eval()
    restored.eval()
    with torch.no_grad():
        same = bool((model(test_x).argmax(1) == restored(test_x).argmax(1)).all())
    print(f"  checkpoint {path.relative_to(HERE.parent)}: reloaded model predicts the same: {same}")
    if not same:
        raise SystemExit("the reloaded checkpoint disagrees with the trained model")


def plot(histories):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot")
        return
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
    for name, history in histories.items():
        ax1.plot([h[0] for h in history], label=name)
        ax2.plot([h[1] for h in history], label=name)
    ax1.set(title="training loss", xlabel="epoch")
    ax2.set(title="test accuracy", xlabel="epoch")
    ax1.legend()
    fig.tight_layout()
    OUT.mkdir(exist_ok=True)
    fig.savefig(OUT / "digits.png", dpi=100)
    print(f"plot: {(OUT / 'digits.png').relative_to(HERE.parent)}")


def main():
    torch.manual_seed(0)
    (train_x, train_y), (test_x, test_y) = load_digits()
    train_set = TensorDataset(torch.from_numpy(train_x), torch.from_numpy(train_y))
    test_x, test_y = torch.from_numpy(test_x), torch.from_numpy(test_y)
    histories = {}
    for name, factory, epochs, lr in (("MLP", MLP, 15, 0.05), ("CNN", CNN, 15, 0.05)):
        print(f"{name}: {len(train_set)} training images, {len(test_y)} test images")
        start = time.perf_counter()
        model = factory()
        histories[name] = train(model, train_set, test_x, test_y, epochs, lr)
        elapsed = time.perf_counter() - start
        print(f"  {name} test accuracy {histories[name][-1][1]:.3f} in {elapsed:.1f} s")
        check_checkpoint(model, factory, test_x)
    plot(histories)


if __name__ == "__main__":
    main()
