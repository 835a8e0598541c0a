"""Typing: the package ships py.typed, public signatures carry annotations, and the annotations
agree with what the functions return at run time. mypy itself runs in CI (.ci/run)."""

import inspect
import typing
import warnings
from pathlib import Path

import pytest
import torch

import mytorch
import mytorch.types
from mytorch import Tensor

ROOT = Path(__file__).resolve().parent.parent


def test_py_typed_is_in_the_package_and_in_its_package_data():
    assert (Path(mytorch.__file__).parent / "py.typed").is_file()
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "py.typed" in config["tool"]["setuptools"]["package-data"]["mytorch"]
    assert config["tool"]["mypy"]["files"] == ["mytorch"]


FULLY_ANNOTATED = {
    "tensor": mytorch.tensor,
    "zeros": mytorch.zeros,
    "ones_like": mytorch.ones_like,
    "full": mytorch.full,
    "arange": mytorch.arange,
    "eye": mytorch.eye,
    "rand": mytorch.rand,
    "randn": mytorch.randn,
    "manual_seed": mytorch.manual_seed,
    "save": mytorch.save,
    "load": mytorch.load,
    "Module.parameters": mytorch.nn.Module.parameters,
    "Module.state_dict": mytorch.nn.Module.state_dict,
    "init.kaiming_uniform_": mytorch.nn.init.kaiming_uniform_,
    "Optimizer.step": mytorch.optim.Optimizer.step,
    "DataLoader": mytorch.utils.data.DataLoader.__init__,
    "random_split": mytorch.utils.data.random_split,
}


@pytest.mark.parametrize("name", FULLY_ANNOTATED)
def test_public_signatures_are_annotated(name):
    sig = inspect.signature(FULLY_ANNOTATED[name])
    assert sig.return_annotation is not inspect.Signature.empty
    unannotated = [
        p.name
        for p in sig.parameters.values()
        if p.name != "self" and p.annotation is inspect.Parameter.empty
    ]
    assert unannotated == []


def test_builtin_names_in_annotations_are_not_the_dtypes():
    # mytorch.bool and mytorch.int are dtypes; an annotation `-> bool` in their module means them
    assert inspect.signature(mytorch.is_tensor).return_annotation is bool
    assert inspect.signature(mytorch.numel).return_annotation is int
    assert typing.get_type_hints(mytorch.can_cast)["return"] is bool


def test_type_aliases_mirror_torch_types():
    for name in ("Number", "Device", "FileLike", "_size", "_bool", "_int", "_float", "_dtype"):
        assert hasattr(torch.types, name) and hasattr(mytorch.types, name), name
    assert set(typing.get_args(mytorch.types.Number)) == set(typing.get_args(torch.types.Number))
    assert mytorch.types._bool is bool and mytorch.types._int is int
    assert mytorch.types._dtype is mytorch.dtype


def _methods_without_required_arguments():
    for name, fn in vars(Tensor).items():
        if name.startswith("_") or not inspect.isfunction(fn):
            continue
        params = list(inspect.signature(fn).parameters.values())[1:]
        if all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
               for p in params):  # fmt: skip
            yield name, inspect.signature(fn).return_annotation


def test_tensor_return_annotations_match_the_values_returned():
    kinds = {"Tensor": Tensor, "tuple[Tensor, ...]": tuple, "_bool": bool, "bool": bool, "int": int}
    checked = 0
    for name, annotation in _methods_without_required_arguments():
        if annotation not in kinds:
            continue
        x = mytorch.tensor([[0.5, 0.25, 0.75], [0.125, 0.625, 0.375]], dtype=mytorch.float64)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                out = getattr(x, name)()
            except (RuntimeError, ValueError, TypeError, NotImplementedError):
                continue  # needs another shape or dtype: nothing to compare
        assert isinstance(out, kinds[annotation]), (name, annotation, type(out))
        if annotation == "tuple[Tensor, ...]":
            assert all(isinstance(t, Tensor) for t in out), name
        checked += 1
    assert checked > 100  # the loop did reach the bulk of the methods


def test_item_is_annotated_as_a_number():
    assert inspect.signature(Tensor.item).return_annotation == "Number"
    value = mytorch.tensor([2.5]).item()
    assert isinstance(value, typing.get_args(mytorch.types.Number))
