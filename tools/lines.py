"""Line report: non-blank, non-comment code lines per module of the core, as a size signal."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "mytorch"
CORE = ("_tensor.py", "autograd", "_ops")


def code_lines(path: Path) -> int:
    lines = (line.strip() for line in path.read_text().splitlines())
    return sum(1 for line in lines if line and not line.startswith("#"))


def main() -> int:
    rows = sorted((str(p.relative_to(ROOT.parent)), code_lines(p)) for p in ROOT.rglob("*.py"))
    width = max(len(name) for name, _ in rows)
    for name, n in rows:
        print(f"{name:<{width}}  {n:5d}")
    core = sum(n for name, n in rows if any(f"mytorch/{c}" in name for c in CORE))
    engine = next(n for name, n in rows if name.endswith("autograd/engine.py"))
    print(f"{'total':<{width}}  {sum(n for _, n in rows):5d}")
    print(f"{'core (tensor, autograd, ops)':<{width}}  {core:5d}")
    print(f"{'engine':<{width}}  {engine:5d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
