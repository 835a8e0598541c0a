"""The examples run and learn: a few hundred steps of the character-level transformer."""

import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))


def test_char_transformer_learns_beyond_a_uniform_guess():
    import char_transformer

    final = char_transformer.main(minutes=2.0, max_steps=150)
    assert final < math.log(len(char_transformer.CHARS)) - 1.0
