"""The demo: the README's two examples, a linear regression, then an MLP and a CNN trained on the
handwritten digits shipped in examples/data."""

import runpy
from pathlib import Path

here = Path(__file__).parent
for name in ("derivatives.py", "broadcasting.py", "linear_regression.py", "digits.py"):
    print(f"== examples/{name}")
    runpy.run_path(str(here / name), run_name="__main__")
    print()
