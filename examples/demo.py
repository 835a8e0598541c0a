"""The demo: the two examples from the README, then a linear regression trained on shipped data."""

import runpy
from pathlib import Path

here = Path(__file__).parent
for name in ("derivatives.py", "broadcasting.py", "linear_regression.py"):
    print(f"== examples/{name}")
    runpy.run_path(str(here / name), run_name="__main__")
    print()
