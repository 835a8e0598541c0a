"""Utilities that mirror `torch.utils`: today only `data` (datasets, samplers, DataLoader)."""

from . import data

__all__ = ["data"]
