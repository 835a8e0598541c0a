"""Test configuration: hypothesis profiles and a fixed seed for every test."""

import os

import numpy as np
import pytest
from hypothesis import settings

# "ci" is reproducible and quick; "dev" explores more (HYPOTHESIS_PROFILE=dev)
settings.register_profile("ci", deadline=None, max_examples=40, derandomize=True)
settings.register_profile("dev", deadline=None, max_examples=300)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _restore_global_state():
    import mytorch

    np.random.seed(0)
    mytorch.manual_seed(0)
    default = mytorch.get_default_dtype()
    higher = mytorch.autograd.get_higher_order_default()
    yield
    mytorch.set_default_dtype(default)
    mytorch.autograd.set_higher_order_default(higher)
