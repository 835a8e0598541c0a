"""Two- and three-input elementwise ops against torch: values, dtypes, node names and gradients
of order 1 and 2 (3 on a sample) at ordinary and edge points (ties, zeros, bounds, inf, nan);
type promotion with weak numbers; finite differences; errors; in-place forms and versions."""

import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes
from oracle import assert_same, check_against_torch, make_inputs

import mytorch

P, I, B = "positive", "int", "bool"
INF, NAN = math.inf, math.nan
A = np.array


def _inplace(method, *args, **kwargs):
    """`y = a * 1; y.<method>(*others or args)`: the in-place op on a non-leaf, so it records."""

    def fn(lib, a, *others):
        y = a * 1.0
        out = getattr(y, method)(*(others or args), **kwargs)
        assert out is y
        return y

    return fn


# edge points
TIE_A = A([1.0, 2.0, -1.0, 0.5, 3.0, 0.0])
TIE_B = A([1.0, -2.0, -1.0, 2.0, 3.0, -0.0])
NAN_A = A([NAN, 1.0, NAN, 2.0])
NAN_B = A([1.0, NAN, NAN, -1.0])
ZEROS = A([0.0, 0.0, -0.0, 1.0, -2.0, 0.0])
ZEROS_B = A([0.0, -1.0, 1.0, 0.0, -0.0, 3.0])
BIG = A([1000.0, -1000.0, 0.0, -INF, 30.0, INF])
BIG_B = A([1000.0, 1000.0, -INF, 1.0, -30.0, 2.0])
BOUNDS = A([-2.0, -1.0, -0.5, 0.0, 1.0, 2.0, NAN])  # x hitting clamp's bounds -1 and 1 exactly
WEIGHTS = A([0.0, 0.25, 0.5, 0.75, 1.0, -0.6, 1.5])

# name: (fn(lib, *inputs), input specs); run through the oracle at order 2
CASES = {
    # add / sub / mul / div and their aliases (the operators are covered in test_ops.py)
    "add_alpha_scalar": (lambda lib, a: lib.add(a, 2, alpha=3), [(3,)]),
    "add_alpha_0d": (lambda lib, a, b: lib.add(a, b, alpha=-0.5), [(), (2, 3)]),
    "add_empty": (lambda lib, a, b: a.add(b, alpha=2), [(0, 3), (3,)]),
    "add_int_tensor": (lambda lib, a, b: a + b, [(2, 3), (I, (3,))]),
    "add_bool_tensor": (lambda lib, a, b: a + b, [(2, 3), (B, (3,))]),
    "sub_alpha_broadcast": (lambda lib, a, b: lib.sub(a, b, alpha=0.5), [(2, 1), (3,)]),
    "subtract": (lambda lib, a, b: lib.subtract(a, b, alpha=2), [(2, 3), (3,)]),
    "subtract_method": (lambda lib, a, b: a.subtract(b), [(), ()]),
    "multiply": (lambda lib, a, b: lib.multiply(a, b), [(2, 3), (1, 3)]),
    "multiply_method_empty": (lambda lib, a, b: a.multiply(b), [(0,), (1,)]),
    "mul_int_scalar_0d": (lambda lib, a, b: a * b, [(), (I, (2,))]),
    "divide": (lambda lib, a, b: lib.divide(a, b), [(2, 3), (P, (3,))]),
    "divide_method_floor": (lambda lib, a, b: a.divide(b, rounding_mode="floor"), [(3,), (P, ())]),
    "true_divide": (lambda lib, a, b: lib.true_divide(a, b), [(2, 3), (P, (2, 1))]),
    "true_divide_method": (lambda lib, a: a.true_divide(3), [()]),
    "div_by_zero": (lambda lib, a, b: a / b, [A([1.0, -1.0, 0.0, 2.0]), A([0.0, -0.0, 0.0, 4.0])]),
    "div_empty": (lambda lib, a, b: lib.div(a, b), [(2, 0), (P, (1,))]),
    # remainder / fmod
    "remainder_broadcast": (lambda lib, a, b: lib.remainder(a, b), [(2, 3), (P, (3,))]),
    "remainder_0d": (lambda lib, a, b: a.remainder(b), [(), (P, ())]),
    "remainder_empty": (lambda lib, a: a.remainder(0.7), [(0,)]),
    "remainder_negative": (lambda lib, a, b: a % -b, [(4,), (P, (4,))]),
    "fmod": (lambda lib, a, b: lib.fmod(a, b), [(2, 3), (P, (3,))]),
    "fmod_negative": (lambda lib, a, b: a.fmod(-b), [(4,), (P, (4,))]),
    "fmod_scalar": (lambda lib, a: lib.fmod(a * 3, -0.7), [(2, 3)]),
    "fmod_0d": (lambda lib, a, b: lib.fmod(a, b), [(), (P, (2,))]),
    "fmod_empty": (lambda lib, a, b: a.fmod(b), [(3, 0), (P, (3, 1))]),
    "fmod_int_divisor": (lambda lib, a, b: lib.fmod(a, b), [(5,), A([2, -3, 3, -2, 7])]),
    "fmod_by_zero": (lambda lib, a: lib.fmod(a, 0.0), [(3,)]),
    # pow / float_power
    "pow_0d": (lambda lib, a, b: lib.pow(a, b), [(P, ()), (3,)]),
    "pow_empty": (lambda lib, a: a.pow(2), [(0, 2)]),
    "pow_int_exponent": (lambda lib, a, b: a**b, [(P, (2, 3)), (I, (3,))]),
    "float_power": (lambda lib, a, b: lib.float_power(a, b), [(P, (2, 3)), (3,)]),
    "float_power_scalar": (lambda lib, a: lib.float_power(a, 3), [(2, 3)]),
    "float_power_rscalar": (lambda lib, a: lib.float_power(2, a), [(3,)]),
    "float_power_from_float32": (lambda lib, a: a.float().float_power(2), [(3,)]),
    "float_power_mixed": (lambda lib, a, b: lib.float_power(a.float(), b), [(P, (3,)), (I, (3,))]),
    "float_power_0d": (lambda lib, a, b: a.float_power(b), [(P, ()), ()]),
    "float_power_empty": (lambda lib, a: lib.float_power(a, 0.5), [(0,)]),
    "float_power_int": (lambda lib, a: lib.float_power(a, 2), [(I, (4,))]),
    # atan2
    "atan2": (lambda lib, a, b: lib.atan2(a, b), [(2, 3), (3,)]),
    "arctan2": (lambda lib, a, b: lib.arctan2(a, b), [(3, 1), (1, 2)]),
    "atan2_method_0d": (lambda lib, a, b: a.atan2(b), [(), ()]),
    "arctan2_method_empty": (lambda lib, a, b: a.arctan2(b), [(0,), ()]),
    "atan2_axes": (lambda lib, a, b: lib.atan2(a, b), [ZEROS, ZEROS_B]),
    "atan2_int": (lambda lib, a, b: lib.atan2(a, b), [(I, (4,)), (I, (4,))]),
    # maximum / minimum / fmax / fmin
    "maximum": (lambda lib, a, b: lib.maximum(a, b), [(2, 3), (3,)]),
    "maximum_method_0d": (lambda lib, a, b: a.maximum(b), [(), (2,)]),
    "maximum_empty": (lambda lib, a, b: lib.maximum(a, b), [(0, 2), (1, 2)]),
    "maximum_ties": (lambda lib, a, b: lib.maximum(a, b), [TIE_A, TIE_B]),
    "maximum_nan": (lambda lib, a, b: lib.maximum(a, b), [NAN_A, NAN_B]),
    "maximum_self_tie": (lambda lib, a: lib.maximum(a, a), [(3,)]),
    "maximum_int": (lambda lib, a, b: lib.maximum(a, b), [(4,), (I, (4,))]),
    "minimum": (lambda lib, a, b: lib.minimum(a, b), [(2, 1), (1, 3)]),
    "minimum_method_0d": (lambda lib, a, b: a.minimum(b), [(), ()]),
    "minimum_empty": (lambda lib, a, b: a.minimum(b), [(0,), (0,)]),
    "minimum_ties": (lambda lib, a, b: lib.minimum(a, b), [TIE_A, TIE_B]),
    "minimum_nan": (lambda lib, a, b: lib.minimum(a, b), [NAN_A, NAN_B]),
    "fmax": (lambda lib, a, b: lib.fmax(a, b), [(2, 3), (3,)]),
    "fmax_method_0d": (lambda lib, a, b: a.fmax(b), [(), (3,)]),
    "fmax_empty": (lambda lib, a, b: lib.fmax(a, b), [(0,), ()]),
    "fmax_ties": (lambda lib, a, b: lib.fmax(a, b), [TIE_A, TIE_B]),
    "fmax_nan": (lambda lib, a, b: lib.fmax(a, b), [NAN_A, NAN_B]),
    "fmin": (lambda lib, a, b: lib.fmin(a, b), [(3, 1), (3,)]),
    "fmin_method_0d": (lambda lib, a, b: a.fmin(b), [(), ()]),
    "fmin_empty": (lambda lib, a, b: a.fmin(b), [(2, 0), (2, 1)]),
    "fmin_ties": (lambda lib, a, b: lib.fmin(a, b), [TIE_A, TIE_B]),
    "fmin_nan": (lambda lib, a, b: lib.fmin(a, b), [NAN_A, NAN_B]),
    # hypot / logaddexp / logaddexp2
    "hypot": (lambda lib, a, b: lib.hypot(a, b), [(2, 3), (3,)]),
    "hypot_method_0d": (lambda lib, a, b: a.hypot(b), [(), ()]),
    "hypot_empty": (lambda lib, a, b: lib.hypot(a, b), [(0,), (1,)]),
    "hypot_zeros_inf": (
        lambda lib, a, b: lib.hypot(a, b),
        [A([0.0, 3.0, INF, -0.0]), A([0.0, -4.0, 1.0, 2.0])],
    ),
    "logaddexp": (lambda lib, a, b: lib.logaddexp(a, b), [(2, 3), (3,)]),
    "logaddexp_method_0d": (lambda lib, a, b: a.logaddexp(b), [(), (2,)]),
    "logaddexp_empty": (lambda lib, a, b: lib.logaddexp(a, b), [(0, 3), (3,)]),
    "logaddexp_large": (lambda lib, a, b: lib.logaddexp(a, b), [BIG, BIG_B]),
    "logaddexp_infs": (
        lambda lib, a, b: lib.logaddexp(a, b),
        [A([-INF, INF, INF]), A([-INF, INF, -INF])],
    ),
    "logaddexp2": (lambda lib, a, b: lib.logaddexp2(a, b), [(2, 3), (2, 1)]),
    "logaddexp2_method_0d": (lambda lib, a, b: a.logaddexp2(b), [(), ()]),
    "logaddexp2_empty": (lambda lib, a, b: a.logaddexp2(b), [(0,), ()]),
    "logaddexp2_large": (lambda lib, a, b: lib.logaddexp2(a, b), [BIG, BIG_B]),
    # lerp
    "lerp_scalar": (lambda lib, a, b: lib.lerp(a, b, 0.3), [(2, 3), (3,)]),
    "lerp_scalar_high": (lambda lib, a, b: a.lerp(b, 0.8), [(2, 3), (2, 3)]),
    "lerp_scalar_0d": (lambda lib, a, b: lib.lerp(a, b, 2), [(), ()]),
    "lerp_scalar_empty": (lambda lib, a, b: a.lerp(b, 0.5), [(0,), (1,)]),
    "lerp_tensor": (lambda lib, a, b, w: lib.lerp(a, b, w), [(2, 1, 3), (3,), (2, 1, 1)]),
    "lerp_tensor_0d": (lambda lib, a, b, w: a.lerp(b, w), [(), (2,), ()]),
    "lerp_tensor_empty": (lambda lib, a, b, w: lib.lerp(a, b, w), [(0, 2), (2,), (1, 2)]),
    "lerp_weights": (lambda lib, a, b, w: lib.lerp(a, b, w), [(7,), (7,), WEIGHTS]),
    "lerp_weight_const_0d": (
        lambda lib, a, b: lib.lerp(a, b, lib.tensor(0.7, dtype=a.dtype)),
        [(3,), (3,)],
    ),
    "lerp_inf": (
        lambda lib, a, b, w: lib.lerp(a, b, w),
        [A([1.0, INF, 2.0]), A([INF, 4.0, 3.0]), A([0.0, 1.0, 0.5])],
    ),
    # copysign
    "copysign": (lambda lib, a, b: lib.copysign(a, b), [(2, 3), (3,)]),
    "copysign_scalar": (lambda lib, a: lib.copysign(a, -1.0), [(2, 3)]),
    "copysign_method_0d": (lambda lib, a, b: a.copysign(b), [(), (2,)]),
    "copysign_empty": (lambda lib, a, b: a.copysign(b), [(0,), ()]),
    "copysign_zeros": (lambda lib, a, b: lib.copysign(a, b), [ZEROS, ZEROS_B]),
    "copysign_int_sign": (lambda lib, a, b: lib.copysign(a, b), [(4,), (I, (4,))]),
    # xlogy
    "xlogy": (lambda lib, a, b: lib.xlogy(a, b), [(2, 3), (P, (3,))]),
    "xlogy_scalar_other": (lambda lib, a: lib.xlogy(a, 2.5), [(3,)]),
    "xlogy_scalar_other_zero": (lambda lib, a: a.xlogy(0.0), [ZEROS]),
    "xlogy_scalar_self": (lambda lib, b: lib.xlogy(3, b), [(P, (3,))]),
    "xlogy_scalar_self_zero": (lambda lib, b: lib.xlogy(0.0, b), [A([0.0, 1.0, 2.0])]),
    "xlogy_method_0d": (lambda lib, a, b: a.xlogy(b), [(), (P, ())]),
    "xlogy_empty": (lambda lib, a, b: lib.xlogy(a, b), [(0,), (P, (1,))]),
    "xlogy_zeros": (
        lambda lib, a, b: lib.xlogy(a, b),
        [
            A([0.0, 0.0, 0.0, 1.0, 2.0, 0.0, NAN, 1.0]),
            A([0.0, INF, NAN, 0.0, 3.0, -1.0, 1.0, -1.0]),
        ],
    ),
    # where
    "where": (lambda lib, c, a, b: lib.where(c, a, b), [(B, (2, 3)), (3,), (2, 1)]),
    "where_scalar_other": (lambda lib, c, a: lib.where(c, a, 0.0), [(B, (3,)), (2, 3)]),
    "where_scalar_input": (lambda lib, c, b: lib.where(c, 2, b), [(B, (3,)), (3,)]),
    "where_method": (lambda lib, c, a, b: a.where(c, b), [(B, (3,)), (3,), ()]),
    "where_0d": (lambda lib, c, a, b: lib.where(c, a, b), [A(True), (), ()]),
    "where_empty": (lambda lib, c, a, b: lib.where(c, a, b), [(B, (0,)), (1,), ()]),
    "where_mixed_dtype": (lambda lib, c, a, b: lib.where(c, a.float(), b), [(B, (3,)), (3,), (3,)]),
    "where_int_branch": (lambda lib, c, a, b: lib.where(c, a, b), [(B, (4,)), (4,), (I, (4,))]),
    # the unused branch is inf / nan / has an infinite derivative: nothing leaks from it
    "where_inf_branch": (lambda lib, a: lib.where(a > 0, a, a * INF), [A([1.0, -1.0, 2.0])]),
    "where_log_branch": (lambda lib, a: lib.where(a > 0, a.log(), a), [A([1.0, -1.0, 0.0, 2.0])]),
    "where_div_branch": (lambda lib, a: lib.where(a != 0, 1 / a, a), [A([0.0, 2.0, -1.0])]),
    # clamp / clip / clamp_min / clamp_max
    "clamp": (lambda lib, a: lib.clamp(a, -0.5, 0.5), [(2, 3)]),
    "clamp_min_only": (lambda lib, a: a.clamp(min=0.1), [(2, 3)]),
    "clamp_max_only": (lambda lib, a: a.clamp(max=-0.1), [(2, 3)]),
    "clamp_0d": (lambda lib, a: lib.clamp(a, 0.0, 1.0), [()]),
    "clamp_empty": (lambda lib, a: lib.clamp(a, 0.0, 1.0), [(0, 3)]),
    "clamp_bounds": (lambda lib, a: lib.clamp(a, -1.0, 1.0), [BOUNDS]),
    "clamp_min_above_max": (lambda lib, a: lib.clamp(a, 1.0, -1.0), [BOUNDS]),
    "clamp_nan_bound": (lambda lib, a: lib.clamp(a, NAN, 1.0), [(3,)]),
    "clamp_int_bounds": (lambda lib, a: a.clamp(-1, 1), [(2, 3)]),
    "clamp_tensor": (lambda lib, a, lo, hi: lib.clamp(a, lo, hi), [(2, 3), (3,), (P, (2, 1))]),
    "clamp_tensor_min": (lambda lib, a, lo: lib.clamp(a, min=lo), [(2, 3), (3,)]),
    "clamp_tensor_max": (lambda lib, a, hi: a.clamp(max=hi), [(2, 3), (2, 1)]),
    "clamp_tensor_0d": (lambda lib, a, lo, hi: lib.clamp(a, lo, hi), [(), (), (P, ())]),
    "clamp_tensor_empty": (lambda lib, a, lo: lib.clamp(a, lo), [(0,), ()]),
    "clamp_tensor_bounds": (
        lambda lib, a, lo, hi: lib.clamp(a, lo, hi),
        [
            A([-2.0, 0.0, 2.0, 0.0, -2.0, 2.0, 0.0, -1.0, 1.0, NAN]),
            A([0.0, 0.0, 0.0, 1.0, 1.0, 1.0, -1.0, -1.0, -1.0, 0.0]),
            A([0.0, 0.0, 0.0, -1.0, -1.0, -1.0, 1.0, 1.0, 1.0, 1.0]),
        ],
    ),
    "clamp_tensor_nan_bounds": (
        lambda lib, a, lo, hi: lib.clamp(a, lo, hi),
        [A([0.0, 0.0, 5.0]), A([NAN, -1.0, -1.0]), A([1.0, NAN, NAN])],
    ),
    "clamp_const_0d_and_number": (lambda lib, a: lib.clamp(a, lib.tensor(0.0), 0.5), [(4,)]),
    "clip": (lambda lib, a: lib.clip(a, -0.5, 0.5), [(2, 3)]),
    "clip_method_tensor": (lambda lib, a, lo: a.clip(lo), [(2, 3), (3,)]),
    "clamp_min": (lambda lib, a: lib.clamp_min(a, 0.0), [(2, 3)]),
    "clamp_min_0d": (lambda lib, a: a.clamp_min(0.0), [()]),
    "clamp_min_empty": (lambda lib, a: a.clamp_min(0.0), [(0,)]),
    "clamp_min_ties": (lambda lib, a: lib.clamp_min(a, 1.0), [TIE_A]),
    "clamp_min_tensor": (lambda lib, a, b: lib.clamp_min(a, b), [(2, 3), (3,)]),
    "clamp_min_tensor_ties": (lambda lib, a, b: a.clamp_min(b), [TIE_A, TIE_B]),
    "clamp_min_tensor_nan": (lambda lib, a, b: a.clamp_min(b), [NAN_A, NAN_B]),
    "clamp_max": (lambda lib, a: lib.clamp_max(a, 0.0), [(2, 3)]),
    "clamp_max_0d": (lambda lib, a: a.clamp_max(0.0), [()]),
    "clamp_max_ties": (lambda lib, a: a.clamp_max(-1.0), [TIE_A]),
    "clamp_max_tensor": (lambda lib, a, b: lib.clamp_max(a, b), [(2, 1), (3,)]),
    "clamp_max_tensor_ties": (lambda lib, a, b: a.clamp_max(b), [TIE_A, TIE_B]),
    "clamp_max_tensor_empty": (lambda lib, a, b: lib.clamp_max(a, b), [(0,), (1,)]),
    # addcmul / addcdiv
    "addcmul": (lambda lib, a, b, c: lib.addcmul(a, b, c), [(2, 3), (3,), (2, 1)]),
    "addcmul_value": (lambda lib, a, b, c: a.addcmul(b, c, value=-2.5), [(3,), (3,), ()]),
    "addcmul_0d": (lambda lib, a, b, c: lib.addcmul(a, b, c, value=2), [(), (), ()]),
    "addcmul_empty": (lambda lib, a, b, c: lib.addcmul(a, b, c), [(0,), (1,), ()]),
    "addcmul_int_input": (
        lambda lib, a, b, c: lib.addcmul(a, b, c, value=0.5),
        [(I, (3,)), (3,), (3,)],
    ),
    "addcdiv": (lambda lib, a, b, c: lib.addcdiv(a, b, c), [(2, 3), (3,), (P, (2, 1))]),
    "addcdiv_value": (lambda lib, a, b, c: a.addcdiv(b, c, value=0.5), [(3,), (), (P, (3,))]),
    "addcdiv_0d": (lambda lib, a, b, c: lib.addcdiv(a, b, c), [(), (), (P, ())]),
    "addcdiv_empty": (lambda lib, a, b, c: a.addcdiv(b, c), [(2, 0), (1,), (P, ())]),
    "addcdiv_by_zero": (
        lambda lib, a, b, c: lib.addcdiv(a, b, c, value=2),
        [(3,), (3,), A([0.0, -0.0, 1.0])],
    ),
    "addcdiv_int_numerator": (
        lambda lib, a, b, c: lib.addcdiv(a, b, c),
        [(3,), (I, (3,)), (P, (3,))],
    ),
    # comparisons, logical, bitwise (no gradient: forward, dtype and requires_grad only)
    "greater": (lambda lib, a, b: lib.greater(a, b), [(2, 3), (3,)]),
    "greater_equal": (lambda lib, a, b: a.greater_equal(b), [TIE_A, TIE_B]),
    "less": (lambda lib, a: lib.less(a, 0.5), [(3,)]),
    "less_equal": (lambda lib, a, b: a.less_equal(b), [(), (I, (3,))]),
    "not_equal": (lambda lib, a, b: lib.not_equal(a, b), [NAN_A, NAN_B]),
    "eq_nan": (lambda lib, a, b: a.eq(b), [NAN_A, NAN_B]),
    "gt_empty": (lambda lib, a, b: a > b, [(0, 2), (2,)]),
    "logical_and": (lambda lib, a, b: lib.logical_and(a, b), [ZEROS, ZEROS_B]),
    "logical_or_method": (lambda lib, a, b: a.logical_or(b), [(I, (2, 3)), (B, (3,))]),
    "logical_xor": (lambda lib, a, b: lib.logical_xor(a, b), [ZEROS, (I, (6,))]),
    "logical_xor_nan": (lambda lib, a, b: a.logical_xor(b), [NAN_A, NAN_B]),
    "bitwise_ops": (lambda lib, a, b: (a & b) | (a ^ ~b), [(I, (2, 3)), (I, (3,))]),
    "bitwise_methods": (
        lambda lib, a, b: a.bitwise_and(b).bitwise_or(3).bitwise_xor(a).bitwise_not(),
        [(I, (4,)), (I, (4,))],
    ),
    "bitwise_bool": (lambda lib, a, b: lib.bitwise_xor(a, b) | True, [(B, (4,)), (B, (4,))]),
    "left_shift": (lambda lib, a, b: lib.bitwise_left_shift(a, b), [(I, (2, 3)), A([0, 1, 3])]),
    "right_shift": (lambda lib, a, b: a.bitwise_right_shift(b), [(I, (2, 3)), A([0, 1, 3])]),
    "shift_operators": (
        lambda lib, a: (a << 2) + (a >> 1) + (1 << a.abs()) + (64 >> a.abs()),
        [(I, (5,))],
    ),
    "shift_out_of_range": (
        lambda lib, a, b: a.bitwise_left_shift(b) + (a >> b),
        [A([1, -8, 8, 3, -1, 5]), A([63, 64, 70, -1, 65, -3])],
    ),
    "isclose": (lambda lib, a, b: lib.isclose(a, a + 1e-9 * b), [(2, 3), (3,)]),
    "isclose_edges": (
        lambda lib, a, b: lib.isclose(a, b, rtol=0.1, atol=0.01, equal_nan=True),
        [A([NAN, INF, -INF, 1.0, 1.0, 0.0]), A([NAN, INF, INF, 1.05, 1.2, 0.005])],
    ),
    "isclose_method_int": (lambda lib, a, b: a.isclose(b, atol=1), [(I, (5,)), (I, (5,))]),
    # in place, on non-leaves (the node recorded replaces the tensor's grad_fn)
    "pow_": (_inplace("pow_"), [(P, (2, 3)), (3,)]),
    "pow_scalar_": (_inplace("pow_", 3), [(2, 3)]),
    "float_power_": (_inplace("float_power_"), [(P, (3,)), (3,)]),
    "fmod_": (_inplace("fmod_", 0.7), [(2, 3)]),
    "fmod_tensor_": (_inplace("fmod_"), [(2, 3), (P, (3,))]),
    "remainder_": (_inplace("remainder_"), [(2, 3), (P, (3,))]),
    "true_divide_": (_inplace("true_divide_"), [(3,), (P, (3,))]),
    "divide_": (_inplace("divide_", 4.0), [(3,)]),
    "multiply_": (_inplace("multiply_"), [(2, 3), (3,)]),
    "subtract_": (_inplace("subtract_", alpha=2), [(2, 3), (3,)]),
    "atan2_": (_inplace("atan2_"), [(2, 3), (3,)]),
    "arctan2_": (_inplace("arctan2_"), [(3,), ()]),
    "hypot_": (_inplace("hypot_"), [(2, 3), (3,)]),
    "lerp_": (_inplace("lerp_", weight=0.25), [(2, 3), (3,)]),
    "lerp_tensor_": (_inplace("lerp_"), [(2, 3), (3,), (2, 1)]),
    "copysign_": (_inplace("copysign_"), [(2, 3), (3,)]),
    "copysign_scalar_": (_inplace("copysign_", -2.0), [(3,)]),
    "xlogy_": (_inplace("xlogy_"), [(2, 3), (P, (3,))]),
    "clamp_": (_inplace("clamp_", -0.5, 0.5), [(2, 3)]),
    "clamp_tensor_": (_inplace("clamp_"), [(2, 3), (3,), (P, (3,))]),
    "clip_": (_inplace("clip_", max=0.0), [(2, 3)]),
    "clamp_min_": (_inplace("clamp_min_", 0.0), [(2, 3)]),
    "clamp_max_tensor_": (_inplace("clamp_max_"), [(2, 3), (3,)]),
    "addcmul_": (_inplace("addcmul_", value=0.5), [(2, 3), (3,), (2, 1)]),
    "addcdiv_": (_inplace("addcdiv_", value=-1), [(2, 3), (3,), (P, (2, 1))]),
    "torch_clamp_": (lambda lib, a: lib.clamp_(a * 1.0, min=0.0), [(3,)]),
    "torch_clip_": (lambda lib, a: lib.clip_(a * 1.0, -0.1, 0.1), [(3,)]),
    "torch_clamp_min_": (lambda lib, a: lib.clamp_min_(a * 1.0, 0.0), [(3,)]),
    "torch_clamp_max_": (lambda lib, a: lib.clamp_max_(a * 1.0, 0.0), [(3,)]),
    "torch_xlogy_": (lambda lib, a: lib.xlogy_(a * 1.0, 2.0), [(3,)]),
    # a comparison written into a float tensor that requires grad: a node with zero gradients
    "eq_": (_inplace("eq_", 0.5), [(3,)]),
    "eq_tensor_": (_inplace("eq_"), [(2, 3), (3,)]),
    "ne_": (_inplace("ne_", 0.5), [(3,)]),
    "ne_tensor_": (_inplace("ne_"), [(3,), (3,)]),
    "lt_": (_inplace("lt_", 0.0), [(3,)]),
    "lt_tensor_": (_inplace("lt_"), [(3,), ()]),
    "le_": (_inplace("le_", 0.0), [(3,)]),
    "le_tensor_": (_inplace("le_"), [(3,), (3,)]),
    "gt_": (_inplace("gt_", 0.0), [(3,)]),
    "gt_tensor_": (_inplace("gt_"), [(3,), (3,)]),
    "ge_": (_inplace("ge_", 0.0), [(3,)]),
    "ge_tensor_": (_inplace("ge_"), [(3,), (3,)]),
    "greater_": (_inplace("greater_", 0.0), [(3,)]),
    "less_equal_tensor_": (_inplace("less_equal_"), [(3,), (3,)]),
}

# finite differences need smooth points: leave out kinks, ties, bounds, inf/nan points,
# piecewise-constant results and ops without a derivative
NOT_SMOOTH = {
    "div_by_zero", "divide_method_floor", "fmod_by_zero", "atan2_axes", "atan2_int",
    "maximum_ties", "maximum_nan", "maximum_self_tie", "minimum_ties", "minimum_nan",
    "fmax_ties", "fmax_nan", "fmin_ties", "fmin_nan", "hypot_zeros_inf", "logaddexp_large",
    "logaddexp_infs", "logaddexp2_large", "lerp_inf", "lerp_weights", "copysign_zeros",
    "xlogy_zeros", "xlogy_scalar_other_zero", "xlogy_scalar_self_zero", "where_inf_branch",
    "where_log_branch", "where_div_branch",
    "clamp_bounds", "clamp_min_above_max", "clamp_nan_bound", "clamp_tensor_bounds",
    "clamp_tensor_nan_bounds", "clamp_min_ties", "clamp_min_tensor_ties", "clamp_min_tensor_nan",
    "clamp_max_ties", "clamp_max_tensor_ties", "addcdiv_by_zero", "float_power_int",
    # float32 inside: finite differences at eps 1e-6 say nothing there
    "float_power_from_float32", "float_power_mixed", "where_mixed_dtype",
}  # fmt: skip


@pytest.mark.parametrize("name", CASES)
def test_matches_torch(name):
    fn, specs = CASES[name]
    check_against_torch(fn, specs, order=2)


def _gradcheck_inputs(specs, seed):
    return [
        mytorch.tensor(a.astype(np.float64), requires_grad=True)
        if a.dtype.kind == "f"
        else mytorch.tensor(a)
        for a in make_inputs(specs, np.random.default_rng(seed))
    ]


def _differentiable(name):
    fn, specs = CASES[name]
    out = fn(mytorch, *_gradcheck_inputs(specs, 0))
    return out.requires_grad and out.numel() > 0


SMOOTH = sorted(n for n in CASES if n not in NOT_SMOOTH and _differentiable(n))


@pytest.mark.parametrize("name", SMOOTH)
def test_gradcheck(name):
    fn, specs = CASES[name]
    inputs = _gradcheck_inputs(specs, seed=0)
    assert mytorch.autograd.gradcheck(lambda *xs: fn(mytorch, *xs), inputs)


@pytest.mark.parametrize("name", SMOOTH)
def test_gradgradcheck(name):
    fn, specs = CASES[name]
    inputs = _gradcheck_inputs(specs, seed=1)
    assert mytorch.autograd.gradgradcheck(lambda *xs: fn(mytorch, *xs), inputs)


def test_smooth_set_is_large():
    # guards the filters above against silently skipping everything
    assert len(SMOOTH) > 80


# ---- third order against torch ------------------------------------------------------------------

THIRD_ORDER = {
    "atan2": (lambda lib, a, b: lib.atan2(a, b), [(3,), (3,)]),
    "hypot": (lambda lib, a, b: lib.hypot(a, b), [(3,), (3,)]),
    "logaddexp": (lambda lib, a, b: lib.logaddexp(a, b), [(3,), (3,)]),
    "logaddexp2": (lambda lib, a, b: lib.logaddexp2(a, b), [(2,), (2,)]),
    "xlogy": (lambda lib, a, b: lib.xlogy(a, b), [(3,), (P, (3,))]),
    "lerp": (lambda lib, a, b, w: lib.lerp(a, b, w) ** 3, [(3,), (3,), (3,)]),
    "addcdiv": (lambda lib, a, b, c: lib.addcdiv(a, b, c, value=0.5), [(3,), (3,), (P, (3,))]),
    "addcmul": (lambda lib, a, b, c: lib.addcmul(a, b, c).exp(), [(3,), (3,), (3,)]),
    "copysign": (lambda lib, a, b: lib.copysign(a, b) ** 3, [(3,), (3,)]),
    "maximum": (lambda lib, a, b: lib.maximum(a, b) ** 3, [(4,), (4,)]),
    "clamp_tensor": (lambda lib, a, lo, hi: lib.clamp(a, lo, hi) ** 3, [(6,), (6,), (P, (6,))]),
    "float_power": (lambda lib, a, b: lib.float_power(a, b), [(P, (3,)), (3,)]),
    "where": (lambda lib, c, a, b: lib.where(c, a.sin(), b.exp()), [(B, (4,)), (4,), (4,)]),
}


def _third_order(lib, fn, arrays, rng_seed):
    rng = np.random.default_rng(rng_seed)
    leaves = [
        lib.tensor(a.copy(), requires_grad=a.dtype.kind == "f") if a.dtype.kind == "f" else
        lib.tensor(a.copy()) for a in arrays
    ]  # fmt: skip
    diff = [x for x in leaves if x.requires_grad]
    out = fn(lib, *leaves)
    grads = lib.autograd.grad(out, diff, lib.tensor(rng.standard_normal(tuple(out.shape))),
                              create_graph=True)  # fmt: skip
    for _ in range(2):
        # an input the derivative no longer depends on comes back as None
        us = [lib.tensor(rng.standard_normal(tuple(x.shape))) for x in diff]
        s = sum((g * u).sum() for g, u in zip(grads, us) if g is not None and g.requires_grad)
        grads = lib.autograd.grad(s, diff, create_graph=True, allow_unused=True)
    return grads


@pytest.mark.parametrize("name", THIRD_ORDER)
def test_third_order_matches_torch(name):
    fn, specs = THIRD_ORDER[name]
    arrays = make_inputs(specs, np.random.default_rng(3))
    m = _third_order(mytorch, fn, arrays, 7)
    t = _third_order(torch, fn, arrays, 7)
    assert len(m) == len(t)
    assert any(tg is not None for tg in t)
    for k, (mg, tg) in enumerate(zip(m, t)):
        if tg is None:
            assert mg is None or not mg.detach().numpy().any(), f"third-order grad {k}"
        else:
            assert_same(mg, tg, what=f"third-order grad {k}")


# ---- hypothesis: broadcast shapes ---------------------------------------------------------------

BROADCAST = {
    "atan2": (lambda lib, a, b: lib.atan2(a, b), 2),
    "maximum": (lambda lib, a, b: lib.maximum(a, b), 2),
    "fmin": (lambda lib, a, b: lib.fmin(a, b), 2),
    "hypot": (lambda lib, a, b: lib.hypot(a, b), 2),
    "logaddexp": (lambda lib, a, b: lib.logaddexp(a, b), 2),
    "copysign": (lambda lib, a, b: a.copysign(b), 2),
    "xlogy": (lambda lib, a, b: lib.xlogy(a, b.abs() + 0.5), 2),
    "fmod": (lambda lib, a, b: lib.fmod(a, b.abs() + 0.5), 2),
    "lerp": (lambda lib, a, b, w: lib.lerp(a, b, w), 3),
    "addcmul": (lambda lib, a, b, c: a.addcmul(b, c, value=0.5), 3),
    "addcdiv": (lambda lib, a, b, c: lib.addcdiv(a, b, c.abs() + 0.5), 3),
    "clamp": (lambda lib, a, lo, hi: lib.clamp(a, lo, hi), 3),
    "where": (lambda lib, a, b, c: lib.where(c > 0, a, b), 3),
}


@pytest.mark.parametrize("op", BROADCAST)
@given(data=st.data())
def test_broadcasting_matches_torch(op, data):
    fn, n = BROADCAST[op]
    shapes = data.draw(
        mutually_broadcastable_shapes(num_shapes=n, min_dims=0, max_dims=3, min_side=0, max_side=3)
    )
    specs = list(shapes.input_shapes)
    if op == "clamp":
        # torch's own ClampBackward0 fails when x is smaller than the broadcast result ("output
        # with shape [] doesn't match the broadcast shape [1]"); see the gradcheck below
        specs[0] = shapes.result_shape
    check_against_torch(fn, specs, order=2)


def test_clamp_broadcasting_the_input_matches_finite_differences():
    x, lo, hi = _gradcheck_inputs([(3,), (2, 1), (P, (2, 3))], seed=2)
    assert mytorch.clamp(x, lo, hi).shape == (2, 3)
    assert mytorch.autograd.gradcheck(mytorch.clamp, [x, lo, hi])
    assert mytorch.autograd.gradgradcheck(mytorch.clamp, [x, lo, hi])


# ---- forward only: type promotion, numbers, edge values, keyword names --------------------------


def _values(lib):
    return SimpleNamespace(
        f=lib.tensor([1.5, -2.0, 0.0]),
        d=lib.tensor([1.5, -2.0, 0.0], dtype=lib.float64),
        h=lib.tensor([1.5, -2.0, 0.0], dtype=lib.float16),
        i=lib.tensor([3, -4, 0]),
        i32=lib.tensor([3, -4, 0], dtype=lib.int32),
        u8=lib.tensor([3, 200, 0], dtype=lib.uint8),
        b=lib.tensor([True, False, True]),
        f0=lib.tensor(2.0, dtype=lib.float64),
        i0=lib.tensor(2),
        nan=lib.tensor([NAN, 1.0, NAN]),
    )


FORWARD = {
    # promotion: int/bool tensors with float numbers, 0-d tensors, mixed tensors
    "add_int_float": lambda lib, v: v.i + 2.5,
    "add_bool_bool_alpha": lambda lib, v: lib.add(v.b, v.b, alpha=2),
    "add_int_alpha": lambda lib, v: lib.add(v.i, v.i32, alpha=3),
    "mul_bool_float": lambda lib, v: v.b * 2.5,
    "mul_bool_int": lambda lib, v: lib.mul(v.b, 2),
    "mul_half_0d_double": lambda lib, v: v.h * v.f0,
    "div_int_int": lambda lib, v: lib.true_divide(v.i, v.i32),
    "div_int_zero": lambda lib, v: lib.div(v.i, 0),
    "floor_divide_int": lambda lib, v: lib.floor_divide(v.i, 3),
    "floor_divide_float_number": lambda lib, v: lib.floor_divide(v.i, 2.5),
    "floor_divide_rnumber": lambda lib, v: lib.floor_divide(7, v.i + 10),
    "floor_divide_signed_zero": lambda lib, v: lib.floor_divide(v.f, lib.tensor([0.0, -0.0, 1.0])),
    "remainder_int": lambda lib, v: lib.remainder(v.i, -3),
    "remainder_rnumber": lambda lib, v: lib.remainder(7, v.i + 10),
    "remainder_by_zero": lambda lib, v: lib.remainder(v.f, lib.tensor([0.0, -0.0, 2.0])),
    "fmod_int": lambda lib, v: lib.fmod(v.i, -3),
    "fmod_int_float": lambda lib, v: lib.fmod(v.i, 1.5),
    "fmod_by_zero": lambda lib, v: lib.fmod(v.f, lib.tensor([0.0, -0.0, 2.0])),
    "pow_int_float": lambda lib, v: lib.pow(v.i, 0.5),
    "pow_bool": lambda lib, v: v.b**2,
    "float_power_int": lambda lib, v: lib.float_power(v.i, 2),
    "float_power_bool": lambda lib, v: lib.float_power(v.b, v.b),
    "float_power_rnumber_int": lambda lib, v: lib.float_power(2, v.i),
    "float_power_float32": lambda lib, v: v.f.float_power(-1),
    "atan2_int": lambda lib, v: lib.atan2(v.i, v.i32),
    "atan2_bool": lambda lib, v: lib.atan2(v.b, v.b),
    "atan2_int_0d_double": lambda lib, v: lib.atan2(v.i, v.f0),
    "atan2_signed_zeros": lambda lib, v: lib.atan2(
        lib.tensor([0.0, -0.0, 0.0, -0.0]), lib.tensor([0.0, 0.0, -0.0, -0.0])
    ),
    "maximum_int_float": lambda lib, v: lib.maximum(v.i, v.f),
    "maximum_int_0d_double": lambda lib, v: lib.maximum(v.i, v.f0),
    "maximum_float_0d_int": lambda lib, v: lib.maximum(v.f, v.i0),
    "maximum_bool": lambda lib, v: lib.maximum(v.b, ~v.b),
    "minimum_nan": lambda lib, v: v.nan.minimum(v.f),
    "fmax_int": lambda lib, v: lib.fmax(v.i, v.i32),
    "fmax_bool": lambda lib, v: lib.fmax(v.b, v.b),
    "fmin_nan": lambda lib, v: lib.fmin(v.nan, v.f),
    "fmin_int_float": lambda lib, v: v.i.fmin(v.f),
    "hypot_float_int": lambda lib, v: lib.hypot(v.f, v.i),
    "hypot_float_double": lambda lib, v: lib.hypot(v.f, v.d),
    "logaddexp_float_int": lambda lib, v: lib.logaddexp(v.f, v.i),
    "logaddexp2_half": lambda lib, v: lib.logaddexp2(v.h, v.h),
    "copysign_int": lambda lib, v: lib.copysign(v.i, v.i32),
    "copysign_int_number": lambda lib, v: lib.copysign(v.i, -1),
    "copysign_bool": lambda lib, v: lib.copysign(v.b, v.b),
    "copysign_float_double": lambda lib, v: lib.copysign(v.f, v.d),
    "copysign_negative_zero": lambda lib, v: lib.copysign(v.f, -0.0),
    "xlogy_int": lambda lib, v: lib.xlogy(v.i, v.i),
    "xlogy_int_number": lambda lib, v: lib.xlogy(v.i, 2),
    "xlogy_number_int": lambda lib, v: lib.xlogy(2, v.i),
    "xlogy_bool": lambda lib, v: lib.xlogy(v.b, v.b),
    "xlogy_float_double": lambda lib, v: v.f.xlogy(v.d),
    "lerp_int_weight": lambda lib, v: lib.lerp(v.f, v.f * 2, 2),
    "lerp_0d_double_weight": lambda lib, v: lib.lerp(v.f, v.f * 2, v.f0),
    "lerp_half": lambda lib, v: lib.lerp(v.h, v.h * 3, 0.75),
    "lerp_float32_precision": lambda lib, v: lib.lerp(v.f * 1e4, v.f + 1, 0.3),
    "clamp_int_float_bound": lambda lib, v: lib.clamp(v.i, 0.5),
    "clamp_int_int_bounds": lambda lib, v: lib.clamp(v.i, 0, 1),
    "clamp_int_float_max": lambda lib, v: v.i.clamp(max=1.5),
    "clamp_float_0d_double": lambda lib, v: lib.clamp(v.f, v.f0),
    "clamp_int_0d_double": lambda lib, v: lib.clamp(v.i, v.f0),
    "clamp_int_float_tensor": lambda lib, v: lib.clamp(v.i, lib.tensor([0.0, 1.0, 2.0])),
    "clamp_bool_int": lambda lib, v: lib.clamp(v.b, 0),
    "clamp_bool_tensor": lambda lib, v: lib.clamp(v.b, lib.tensor(True)),
    "clamp_uint8_negative_wraps": lambda lib, v: lib.clamp(v.u8, -1),
    "clamp_uint8_max": lambda lib, v: lib.clamp(v.u8, max=255),
    "clamp_nan_input": lambda lib, v: lib.clamp(v.nan, -1, 1),
    "clamp_min_int_float": lambda lib, v: lib.clamp_min(v.i, 0.5),
    "clamp_min_int_tensor": lambda lib, v: lib.clamp_min(v.i, v.f),
    "clamp_max_float_int": lambda lib, v: lib.clamp_max(v.f, v.i),
    "clamp_min_bool_int": lambda lib, v: lib.clamp_min(v.b, 1),
    "clip_int": lambda lib, v: lib.clip(v.i, 0, 1),
    "addcmul_int": lambda lib, v: lib.addcmul(v.i, v.i, v.i, value=2),
    "addcmul_int_float_value": lambda lib, v: lib.addcmul(v.i, v.i, v.i, value=2.5),
    "addcmul_int_negative_value": lambda lib, v: lib.addcmul(v.i, v.i, v.i, value=-2.5),
    "addcmul_float_int_value": lambda lib, v: lib.addcmul(v.f, v.i, v.i, value=2.5),
    "addcmul_int_float": lambda lib, v: lib.addcmul(v.i, v.f, v.f),
    "addcmul_mixed_float": lambda lib, v: lib.addcmul(v.f, v.d, v.f),
    "addcdiv_int_float": lambda lib, v: lib.addcdiv(v.i, v.f, v.f + 3),
    "addcdiv_float_int_float": lambda lib, v: lib.addcdiv(v.f, v.i, v.f + 3),
    "where_int_number": lambda lib, v: lib.where(v.b, v.i, 2.5),
    "where_numbers_float": lambda lib, v: lib.where(v.b, 2.5, 3),
    "where_numbers_int": lambda lib, v: lib.where(v.b, 2, 3),
    "where_numbers_bool": lambda lib, v: lib.where(v.b, True, False),
    "where_float_double": lambda lib, v: lib.where(v.b, v.f, v.d),
    "where_0d_double_int": lambda lib, v: lib.where(v.b, v.f0, v.i),
    "where_condition_only": lambda lib, v: lib.where(lib.tensor([[True, False], [False, True]])),
    "where_method_number": lambda lib, v: v.f.where(v.b, 0),
    "eq_float_double": lambda lib, v: lib.eq(v.f, v.d),
    "eq_int_float_number": lambda lib, v: lib.eq(v.i, 1.5),
    "gt_bool_float_number": lambda lib, v: lib.gt(v.b, 0.5),
    "greater_float_int": lambda lib, v: lib.greater(v.f, v.i),
    "logical_and_float_int": lambda lib, v: lib.logical_and(v.f, v.i),
    "logical_xor_int_bool": lambda lib, v: lib.logical_xor(v.i, v.b),
    "logical_or_nan": lambda lib, v: lib.logical_or(v.nan, v.f),
    "bitwise_and_int_number": lambda lib, v: lib.bitwise_and(v.i, 1),
    "bitwise_and_bool_int": lambda lib, v: lib.bitwise_and(v.b, 1),
    "bitwise_and_bool_bool": lambda lib, v: lib.bitwise_and(v.b, True),
    "bitwise_xor_int32_int64": lambda lib, v: lib.bitwise_xor(v.i, v.i32),
    "bitwise_not_bool": lambda lib, v: lib.bitwise_not(v.b),
    "left_shift_uint8": lambda lib, v: lib.bitwise_left_shift(v.u8, 1),
    "left_shift_uint8_wide": lambda lib, v: v.u8 << 9,
    "right_shift_uint8_wide": lambda lib, v: v.u8 >> 9,
    "left_shift_int32_wide": lambda lib, v: lib.bitwise_left_shift(v.i32, 33),
    "right_shift_negative": lambda lib, v: lib.bitwise_right_shift(v.i, 70),
    "left_shift_number": lambda lib, v: lib.bitwise_left_shift(2, v.i.abs()),
    "isclose_int": lambda lib, v: lib.isclose(v.i, lib.tensor([3, -3, 1]), rtol=0.5),
    "isclose_bool": lambda lib, v: lib.isclose(v.b, v.b),
    "isclose_infs": lambda lib, v: lib.isclose(
        lib.tensor([INF, -INF, NAN]), lib.tensor([INF, INF, NAN])
    ),
    "allclose": lambda lib, v: lib.allclose(v.f, v.f + 1e-7),
    "allclose_nan": lambda lib, v: (
        lib.allclose(v.nan, v.nan),
        v.nan.allclose(v.nan, equal_nan=True),
    ),
    "allclose_far": lambda lib, v: lib.allclose(v.f, v.f + 1e-3, rtol=0.0, atol=1e-4),
    "equal_dtypes": lambda lib, v: (
        lib.equal(v.f, v.d),
        lib.equal(v.i, v.i32),
        lib.equal(v.f, v.i),
    ),
    "equal_shapes": lambda lib, v: (v.i0.equal(lib.tensor([2])), lib.equal(v.f, v.f[:2])),
    "equal_nan": lambda lib, v: lib.equal(v.nan, v.nan),
    "equal_empty": lambda lib, v: lib.equal(lib.ones(0), lib.ones(0, dtype=lib.int64)),
    # torch's keyword names
    "kw_add": lambda lib, v: lib.add(input=v.f, other=v.f, alpha=2),
    "kw_clamp": lambda lib, v: lib.clamp(input=v.f, min=0.0),
    "kw_clamp_method": lambda lib, v: v.f.clamp(min=-1, max=1),
    "kw_clamp_min": lambda lib, v: lib.clamp_min(input=v.f, min=0.0),
    "kw_clamp_max_method": lambda lib, v: v.f.clamp_max(max=0.0),
    "kw_lerp": lambda lib, v: lib.lerp(input=v.f, end=v.f * 2, weight=0.5),
    "kw_lerp_method": lambda lib, v: v.f.lerp(end=v.f * 2, weight=0.5),
    "kw_where": lambda lib, v: lib.where(condition=v.b, input=v.f, other=v.d),
    "kw_where_method": lambda lib, v: v.f.where(condition=v.b, other=v.d),
    "kw_pow": lambda lib, v: lib.pow(input=v.f, exponent=2),
    "kw_float_power": lambda lib, v: lib.float_power(input=v.f, exponent=2),
    "kw_maximum": lambda lib, v: lib.maximum(input=v.f, other=v.d),
    "kw_atan2": lambda lib, v: lib.atan2(input=v.f, other=v.d),
    "kw_xlogy": lambda lib, v: lib.xlogy(input=v.f, other=v.d),
    "kw_copysign": lambda lib, v: lib.copysign(input=v.f, other=-1),
    "kw_fmod": lambda lib, v: lib.fmod(input=v.f, other=2),
    "kw_remainder": lambda lib, v: lib.remainder(input=v.f, other=2),
    "kw_addcmul": lambda lib, v: lib.addcmul(input=v.f, tensor1=v.f, tensor2=v.f, value=2),
    "kw_addcdiv_method": lambda lib, v: v.f.addcdiv(tensor1=v.f, tensor2=v.f + 3, value=2),
    "kw_isclose": lambda lib, v: lib.isclose(
        input=v.f, other=v.f, rtol=0.1, atol=0.1, equal_nan=True
    ),
    "kw_allclose": lambda lib, v: lib.allclose(input=v.f, other=v.f, rtol=0.1),
    "kw_equal": lambda lib, v: lib.equal(input=v.f, other=v.f),
    "kw_div": lambda lib, v: lib.div(input=v.f, other=2, rounding_mode="floor"),
    # in place: the result is cast to the tensor's own dtype
    "inplace_add_int": lambda lib, v: v.i.clone().add_(2),
    "inplace_add_float_int": lambda lib, v: v.f.clone().add_(v.i),
    "inplace_mul_float_double": lambda lib, v: v.f.clone().mul_(v.d),
    "inplace_div_floor_int": lambda lib, v: v.i.clone().div_(2, rounding_mode="floor"),
    "inplace_floor_divide_int": lambda lib, v: v.i.clone().floor_divide_(2),
    "inplace_remainder_int": lambda lib, v: v.i.clone().remainder_(3),
    "inplace_pow_int": lambda lib, v: v.i.clone().pow_(2),
    "inplace_pow_float_double": lambda lib, v: v.f.clone().pow_(v.d),
    "inplace_float_power_double": lambda lib, v: v.d.clone().float_power_(v.f),
    "inplace_clamp_int": lambda lib, v: v.i.clone().clamp_(0, 1),
    "inplace_clamp_0d_double": lambda lib, v: v.f.clone().clamp_(v.f0),
    "inplace_clamp_min_tensor": lambda lib, v: v.f.clone().clamp_min_(v.f),
    "inplace_addcmul_int": lambda lib, v: v.i.clone().addcmul_(v.i, v.i),
    "inplace_eq_float": lambda lib, v: v.f.clone().eq_(1.5),
    "inplace_lt_int": lambda lib, v: v.i.clone().lt_(0),
    "inplace_gt_bool": lambda lib, v: v.b.clone().gt_(0.5),
    "inplace_ne_float_int": lambda lib, v: v.f.clone().ne_(v.i),
    "inplace_less_float": lambda lib, v: v.f.clone().less_(0),
    "inplace_not_equal_float": lambda lib, v: v.f.clone().not_equal_(0),
    "inplace_logical_and_float": lambda lib, v: v.f.clone().logical_and_(v.f),
    "inplace_logical_or_int_bool": lambda lib, v: v.i.clone().logical_or_(v.b),
    "inplace_logical_xor_bool": lambda lib, v: v.b.clone().logical_xor_(v.b),
    "inplace_bitwise_and_int": lambda lib, v: v.i.clone().bitwise_and_(1),
    "inplace_bitwise_or_int": lambda lib, v: v.i.clone().bitwise_or_(v.i32),
    "inplace_bitwise_xor_int": lambda lib, v: v.i.clone().bitwise_xor_(2),
    "inplace_bitwise_not_int": lambda lib, v: v.i.clone().bitwise_not_(),
    "inplace_bitwise_not_bool": lambda lib, v: v.b.clone().bitwise_not_(),
    "inplace_bitwise_and_int32_int64": lambda lib, v: v.i32.clone().bitwise_and_(v.i),
    "inplace_shifts": lambda lib, v: v.i.clone().bitwise_left_shift_(2).bitwise_right_shift_(1),
    "inplace_copysign_number": lambda lib, v: v.f.clone().copysign_(-1),
    "inplace_xlogy_number": lambda lib, v: v.f.clone().xlogy_(2),
    "inplace_lerp_tensor_weight": lambda lib, v: v.f.clone().lerp_(v.f * 2, v.f),
    "inplace_hypot": lambda lib, v: v.f.clone().hypot_(v.f),
    "inplace_fmod": lambda lib, v: v.f.clone().fmod_(0.7),
    "inplace_operators": lambda lib, v: _ioperators(v.i.clone()),
    "inplace_float_operators": lambda lib, v: _ifloat_operators(v.f.clone()),
}


def _ioperators(x):
    x <<= 2
    x >>= 1
    x &= 7
    x |= 8
    x ^= 3
    x **= 2
    x //= 3
    x %= 5
    return x


def _ifloat_operators(x):
    x **= 2
    x //= 0.7
    x %= 2
    return x


def _same(m, t, what):
    if isinstance(t, torch.Tensor):
        assert_same(m, t, what=what)
        return
    if isinstance(t, tuple):
        assert isinstance(m, tuple) and len(m) == len(t), (m, t)
        for k, (x, y) in enumerate(zip(m, t)):
            _same(x, y, f"{what}[{k}]")
        return
    assert type(m) is type(t) and m == t, (m, t)


@pytest.mark.parametrize("name", FORWARD)
def test_forward_matches_torch(name):
    fn = FORWARD[name]
    _same(fn(mytorch, _values(mytorch)), fn(torch, _values(torch)), name)


@pytest.mark.parametrize(
    "ta", ["bool", "uint8", "int8", "int32", "int64", "float16", "float32", "float64"]
)
@pytest.mark.parametrize("other", ["same", "int64", "float32", "float64", 2, 2.5, True, "0d"])
@pytest.mark.parametrize(
    "op", ["maximum", "fmin", "atan2", "copysign", "xlogy", "clamp_min", "lerp", "hypot"]
)
def test_promotion_matches_torch(op, ta, other):
    """Result dtype (or error class) over dtype pairs, incl. weak Python numbers and 0-d."""

    def run(lib):
        a = lib.tensor([1, 0, 2], dtype=getattr(lib, ta))
        if other == "same":
            b = a.clone()
        elif other == "0d":
            b = lib.tensor(1.0, dtype=lib.float64)
        elif isinstance(other, str):
            b = lib.tensor([2, 1, 0], dtype=getattr(lib, other))
        else:
            b = other
        if op == "lerp":
            return lib.lerp(a, a, b)
        return getattr(lib, op)(a, b)

    try:
        expected = run(torch)
    except Exception as e:  # noqa: BLE001 - the class is what is compared
        with pytest.raises(type(e)):
            run(mytorch)
        return
    assert_same(run(mytorch), expected, what=f"{op}({ta}, {other})")


# ---- where: no nan or inf from the unused branch ------------------------------------------------


@pytest.mark.parametrize("lib", [mytorch, torch], ids=["mytorch", "torch"])
def test_where_unused_branch_gets_exact_zeros(lib):
    # an infinite cotangent times a 0/1 mask would give nan in the unused branch
    x = lib.tensor([1.0, -1.0, 2.0], dtype=lib.float64, requires_grad=True)
    y = lib.tensor([3.0, 4.0, 5.0], dtype=lib.float64, requires_grad=True)
    out = lib.where(x > 0, x, y)
    gx, gy = lib.autograd.grad(out, [x, y], lib.tensor([INF, NAN, 1.0], dtype=lib.float64))
    assert gx.tolist()[1:] == [0.0, 1.0] and gx.tolist()[0] == INF
    assert gy.tolist()[0] == 0.0 and gy.tolist()[2] == 0.0 and math.isnan(gy.tolist()[1])


def test_clamp_gradient_at_bounds_is_exact():
    # torch passes the gradient where x equals a bound; both libraries, value by value
    for lib in (mytorch, torch):
        x = lib.tensor([-1.0, -0.5, 1.0, 1.5], requires_grad=True)
        (g,) = lib.autograd.grad(lib.clamp(x, -1, 1).sum(), [x])
        assert g.tolist() == [1.0, 1.0, 1.0, 0.0]


def test_maximum_tie_splits_the_gradient():
    for lib in (mytorch, torch):
        x = lib.tensor([2.0, 1.0], requires_grad=True)
        y = lib.tensor([2.0, 3.0], requires_grad=True)
        gx, gy = lib.autograd.grad(lib.maximum(x, y).sum(), [x, y])
        assert gx.tolist() == [0.5, 0.0] and gy.tolist() == [0.5, 1.0]


def test_comparisons_are_not_differentiable():
    x = mytorch.randn(3, requires_grad=True)
    for out in (x > 0, x.eq(x), mytorch.isclose(x, x), mytorch.logical_xor(x, x)):
        assert out.dtype is mytorch.bool and not out.requires_grad and out.grad_fn is None
    assert not mytorch.maximum(mytorch.tensor([1, 2]), mytorch.tensor([2, 1])).requires_grad


def test_out_is_refused():
    x = mytorch.ones(2)
    with pytest.raises(TypeError, match="out"):
        mytorch.add(x, x, out=x)
    with pytest.raises(TypeError, match="out"):
        mytorch.maximum(x, x, out=x)


def test_names_exist_as_in_torch():
    functions = """add sub subtract mul multiply div divide true_divide floor_divide remainder fmod
        pow float_power atan2 arctan2 maximum minimum fmax fmin hypot logaddexp logaddexp2 lerp
        copysign xlogy eq ne lt le gt ge greater greater_equal less less_equal not_equal
        logical_and logical_or logical_xor bitwise_and bitwise_or bitwise_xor bitwise_not
        bitwise_left_shift bitwise_right_shift isclose allclose equal where clamp clip clamp_min
        clamp_max addcmul addcdiv clamp_ clip_ clamp_min_ clamp_max_ xlogy_""".split()
    for name in functions:
        assert callable(getattr(mytorch, name)), name
    for name in functions:
        if hasattr(torch.Tensor, name):
            assert hasattr(mytorch.Tensor, name), name
        if not name.endswith("_") and hasattr(torch.Tensor, name + "_"):
            assert hasattr(mytorch.Tensor, name + "_"), name + "_"
    for name in ("maximum", "minimum", "fmax", "fmin", "logaddexp", "isclose", "where"):
        assert not hasattr(torch.Tensor, name + "_") and not hasattr(mytorch.Tensor, name + "_")


# ---- errors: same class as torch, key message part in both ---------------------------------------

ERRORS = {
    # Tensor-only arguments
    "maximum_number": (lambda lib, v: lib.maximum(v.f, 2.0), "must be Tensor"),
    "fmax_number": (lambda lib, v: lib.fmax(2, v.f), "must be Tensor"),
    "atan2_number": (lambda lib, v: lib.atan2(v.f, 2.0), "must be Tensor, not float"),
    "atan2_number_input": (lambda lib, v: lib.atan2(2, v.i), "must be Tensor, not int"),
    "hypot_number": (lambda lib, v: v.f.hypot(2.0), "must be Tensor"),
    "logical_and_number": (lambda lib, v: lib.logical_and(v.f, 2), "must be Tensor, not int"),
    "logical_xor_number_": (lambda lib, v: v.b.clone().logical_xor_(True), "must be Tensor"),
    "isclose_number": (lambda lib, v: lib.isclose(v.f, 1.0), "must be Tensor"),
    "equal_number": (lambda lib, v: lib.equal(v.f, 1.0), "must be Tensor"),
    "xlogy_numbers": (lambda lib, v: lib.xlogy(2.0, 3.0), ""),
    "fmod_number_input": (lambda lib, v: lib.fmod(2, v.i), ""),
    "float_power_numbers": (lambda lib, v: lib.float_power(2, 3), ""),
    "where_number_condition": (lambda lib, v: lib.where(True, v.f, v.f), ""),
    # dtypes
    "hypot_int": (lambda lib, v: lib.hypot(v.i, v.i), "\"hypot_cpu\" not implemented for 'Long'"),
    "hypot_bool": (lambda lib, v: lib.hypot(v.b, v.b), "not implemented for 'Bool'"),
    "logaddexp_int": (
        lambda lib, v: lib.logaddexp(v.i, v.i32),
        '"logaddexp_cpu" not implemented',
    ),
    "logaddexp2_int": (
        lambda lib, v: lib.logaddexp2(v.i, v.i),
        '"logaddexp2_cpu" not implemented',
    ),
    "lerp_end_dtype": (
        lambda lib, v: lib.lerp(v.f, v.d, 0.5),
        "expected dtype float for `end` but got dtype double",
    ),
    "lerp_end_0d_dtype": (
        lambda lib, v: lib.lerp(v.d, v.f0.float(), 0.5),
        "expected dtype double for `end` but got dtype float",
    ),
    "lerp_weight_dtype": (
        lambda lib, v: lib.lerp(v.f, v.f, v.d),
        "for `weight` but got dtype double",
    ),
    "lerp_int_end": (
        lambda lib, v: lib.lerp(v.i32, v.f, 0.5),
        "expected dtype int for `end` but got dtype float",
    ),
    "lerp_int": (
        lambda lib, v: lib.lerp(v.i, v.i, 0.5),
        "\"lerp_kernel_scalar\" not implemented for 'Long'",
    ),
    "lerp_int_tensor": (
        lambda lib, v: lib.lerp(v.i, v.i, v.i),
        "\"lerp_kernel_tensor\" not implemented for 'Long'",
    ),
    "lerp_bool": (lambda lib, v: lib.lerp(v.b, v.b, 0.5), "not implemented for 'Bool'"),
    "isclose_dtypes": (lambda lib, v: lib.isclose(v.f, v.d), "Float did not match Double"),
    "isclose_int_float": (lambda lib, v: v.f.isclose(v.i), "Float did not match Long"),
    "allclose_dtypes": (lambda lib, v: lib.allclose(v.f, v.d), "Float did not match Double"),
    "isclose_rtol": (
        lambda lib, v: lib.isclose(v.f, v.f, rtol=-1),
        "rtol must be greater than or equal to zero, but got -1",
    ),
    "isclose_atol": (
        lambda lib, v: lib.isclose(v.b, v.b, atol=-1),
        "atol must be greater than or equal to zero",
    ),
    "where_float_condition": (
        lambda lib, v: lib.where(v.f, v.f, v.f),
        "where expected condition to be a boolean tensor, but got a tensor with dtype Float",
    ),
    "where_int_condition": (lambda lib, v: lib.where(v.i, v.f, v.f), "dtype Long"),
    "addcdiv_ints": (
        lambda lib, v: lib.addcdiv(v.f, v.i, v.i),
        "Integer division with addcdiv is no longer supported",
    ),
    "addcdiv_bools": (
        lambda lib, v: lib.addcdiv(v.i, v.b, v.b, value=2.0),
        "Integer division with addcdiv",
    ),
    "addcmul_bool": (
        lambda lib, v: lib.addcmul(v.b, v.b, v.b),
        "\"addcmul_cpu_out\" not implemented for 'Bool'",
    ),
    "bitwise_and_float": (
        lambda lib, v: lib.bitwise_and(v.f, v.f),
        "\"bitwise_and_cpu\" not implemented for 'Float'",
    ),
    "bitwise_or_float_number": (
        lambda lib, v: v.i | 1.5,
        "\"bitwise_or_cpu\" not implemented for 'Float'",
    ),
    "bitwise_xor_double": (
        lambda lib, v: v.d ^ v.d,
        "\"bitwise_xor_cpu\" not implemented for 'Double'",
    ),
    "bitwise_not_float": (
        lambda lib, v: lib.bitwise_not(v.f),
        "\"bitwise_not_cpu\" not implemented for 'Float'",
    ),
    "invert_float": (
        lambda lib, v: ~v.f,
        "~ (operator.invert) is only implemented on integer and Boolean-type tensors",
    ),
    "left_shift_float": (lambda lib, v: v.f << 1, "\"lshift_cpu\" not implemented for 'Float'"),
    "left_shift_by_float": (
        lambda lib, v: v.i << 1.5,
        "\"lshift_cpu\" not implemented for 'Float'",
    ),
    "right_shift_float": (
        lambda lib, v: lib.bitwise_right_shift(v.d, 1),
        "\"rshift_cpu\" not implemented for 'Double'",
    ),
    "shift_bool": (lambda lib, v: v.b << v.b, "\"lshift_cpu\" not implemented for 'Bool'"),
    "fmod_bool": (lambda lib, v: lib.fmod(v.b, v.b), "\"fmod_cpu\" not implemented for 'Bool'"),
    "fmod_int_zero": (lambda lib, v: lib.fmod(v.i, 0), "ZeroDivisionError"),
    "fmod_int_zero_tensor": (lambda lib, v: v.i.fmod(v.i), "ZeroDivisionError"),
    "remainder_int_zero": (lambda lib, v: lib.remainder(v.i, 0), "ZeroDivisionError"),
    "clamp_no_bounds": (
        lambda lib, v: lib.clamp(v.f),
        "At least one of 'min' or 'max' must not be None",
    ),
    "clamp_none_bounds": (
        lambda lib, v: v.f.clamp(None, None),
        "At least one of 'min' or 'max'",
    ),
    "clamp_bool_bounds": (
        lambda lib, v: lib.clamp(v.b, False, True),
        "\"clamp_scalar_cpu\" not implemented for 'Bool'",
    ),
    "clamp_bool_min": (
        lambda lib, v: lib.clamp(v.b, True),
        "\"clamp_min_scalar_cpu\" not implemented for 'Bool'",
    ),
    "clamp_min_bool": (lambda lib, v: lib.clamp_min(v.b, True), '"clamp_min_scalar_cpu"'),
    "clamp_max_bool": (lambda lib, v: lib.clamp_max(v.b, False), '"clamp_max_scalar_cpu"'),
    "clamp_uint8_overflow": (
        lambda lib, v: lib.clamp(v.u8, 300),
        "value cannot be converted to type uint8_t without overflow",
    ),
    "clamp_int8_overflow": (
        lambda lib, v: lib.clamp(v.u8.to(lib.int8), -129),
        "int8_t without overflow",
    ),
    "clamp_int64_overflow": (
        lambda lib, v: lib.clamp(v.i, max=2**63),
        "int64_t without overflow",
    ),
    "clamp_number_and_tensor": (
        lambda lib, v: lib.clamp(v.f, 0.5, v.f),
        "clamp() received an invalid combination of arguments",
    ),
    "clamp_list_bound": (lambda lib, v: lib.clamp(v.f, min=[1.0]), ""),
    "clamp_min_missing": (lambda lib, v: lib.clamp_min(v.f), ""),
    "add_float_alpha_int": (
        lambda lib, v: lib.add(v.i, 2, alpha=1.5),
        "For integral input tensors, argument alpha must not be a floating point number.",
    ),
    "sub_float_alpha_int": (
        lambda lib, v: v.i.sub(v.i, alpha=0.5),
        "argument alpha must not be a floating point number",
    ),
    "add_bool_alpha_float": (
        lambda lib, v: lib.add(v.f, v.f, alpha=True),
        "Boolean alpha only supported for Boolean results.",
    ),
    "add_alpha_positional": (lambda lib, v: lib.add(v.f, v.f, 2), ""),
    "div_rounding_mode": (
        lambda lib, v: lib.div(v.f, 2, rounding_mode="round"),
        "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found 'round'",
    ),
    "broadcast_maximum": (
        lambda lib, v: lib.maximum(v.f, lib.ones(2)),
        "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0",
    ),
    "broadcast_lerp": (lambda lib, v: lib.lerp(v.f, v.f, lib.ones(2)), "must match the size"),
    "broadcast_addcmul": (
        lambda lib, v: lib.addcmul(v.f, lib.ones(2), v.f),
        "must match the size",
    ),
    "broadcast_clamp": (lambda lib, v: lib.clamp(v.f, lib.ones(2)), "must match the size"),
    "broadcast_where": (
        lambda lib, v: lib.where(v.b, v.f, lib.ones(2)),
        "tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0",
    ),
    "broadcast_where_condition": (
        lambda lib, v: lib.where(v.b[:2], v.f, v.f),
        "tensor a (2) must match the size of tensor b (3)",
    ),
    "broadcast_clamp_three": (
        lambda lib, v: lib.clamp(v.f, lib.ones(2, 1), lib.ones(4)),
        "tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1",
    ),
    "broadcast_isclose": (lambda lib, v: lib.isclose(v.f, lib.ones(2)), "must match the size"),
    # in place: the result must fit the tensor's dtype and shape
    "inplace_add_float_into_int": (
        lambda lib, v: v.i.clone().add_(1.5),
        "result type Float can't be cast to the desired output type Long",
    ),
    "inplace_div_int": (
        lambda lib, v: v.i.clone().div_(2),
        "can't be cast to the desired output type Long",
    ),
    "inplace_true_divide_int": (lambda lib, v: v.i.clone().true_divide_(2), "can't be cast"),
    "inplace_fmod_int_float": (lambda lib, v: v.i.clone().fmod_(1.5), "can't be cast"),
    "inplace_pow_int_float": (lambda lib, v: v.i.clone().pow_(0.5), "can't be cast"),
    "inplace_atan2_int": (lambda lib, v: v.i.clone().atan2_(v.i), "can't be cast"),
    "inplace_copysign_int": (lambda lib, v: v.i.clone().copysign_(v.i), "can't be cast"),
    "inplace_xlogy_int": (lambda lib, v: v.i.clone().xlogy_(v.f), "can't be cast"),
    "inplace_clamp_int_float": (
        lambda lib, v: v.i.clone().clamp_(0.5),
        "result type Float can't be cast",
    ),
    "inplace_clamp_min_int_tensor": (lambda lib, v: v.i.clone().clamp_(min=v.f), "can't be cast"),
    "inplace_addcmul_int_float": (lambda lib, v: v.i.clone().addcmul_(v.f, v.f), "can't be cast"),
    "inplace_bitwise_bool_int": (
        lambda lib, v: v.b.clone().bitwise_and_(1),
        "result type Long can't be cast to the desired output type Bool",
    ),
    "inplace_float_power_float": (
        lambda lib, v: v.f.clone().float_power_(2),
        "the base given to float_power_ has dtype Float but the operation's result requires "
        "dtype Double",
    ),
    "inplace_lerp_dtype": (
        lambda lib, v: v.f.clone().lerp_(v.d, 0.5),
        "expected dtype float for `end`",
    ),
    "inplace_bitwise_not_float": (
        lambda lib, v: v.f.clone().bitwise_not_(),
        "not implemented for 'Float'",
    ),
    "inplace_broadcast_shape": (
        lambda lib, v: lib.ones(2, 1).add_(lib.ones(2, 3)),
        "output with shape [2, 1] doesn't match the broadcast shape [2, 3]",
    ),
    "inplace_maximum_missing": (lambda lib, v: v.f.maximum_(v.f), "maximum_"),
    "inplace_leaf": (
        lambda lib, v: lib.ones(2, requires_grad=True).clamp_(0, 1),
        "a leaf Variable that requires grad is being used in an in-place operation.",
    ),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors_match_torch(name):
    fn, part = ERRORS[name]
    with pytest.raises(Exception) as t_err:
        fn(torch, _values(torch))
    with pytest.raises(Exception) as m_err:
        fn(mytorch, _values(mytorch))
    assert type(m_err.value) is type(t_err.value), (m_err.value, t_err.value)
    assert part in str(t_err.value), f"the expected part is not in torch's message: {t_err.value}"
    assert part in str(m_err.value), (str(m_err.value), str(t_err.value))


# ---- in place: versions, failures, saved tensors ------------------------------------------------

INPLACE = {
    "add_": lambda x: x.add_(1.0, alpha=2),
    "pow_": lambda x: x.pow_(2),
    "fmod_": lambda x: x.fmod_(0.7),
    "remainder_": lambda x: x.remainder_(0.7),
    "clamp_": lambda x: x.clamp_(-0.5, 0.5),
    "clamp_min_": lambda x: x.clamp_min_(0.0),
    "lerp_": lambda x: x.lerp_(x * 0 + 1, 0.3),
    "addcmul_": lambda x: x.addcmul_(x, x),
    "addcdiv_": lambda x: x.addcdiv_(x, x + 10),
    "atan2_": lambda x: x.atan2_(x + 1),
    "copysign_": lambda x: x.copysign_(-1.0),
    "eq_": lambda x: x.eq_(0.5),
    "logical_or_": lambda x: x.logical_or_(x),
    "float_power_": lambda x: x.float_power_(2),
}


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_bumps_version_like_torch(name):
    versions = []
    for lib in (mytorch, torch):
        x = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64)
        v0 = x._version
        out = INPLACE[name](x)
        assert out is x
        versions.append(x._version - v0)
    assert versions[0] == versions[1] >= 1


FAILING_INPLACE = {
    "add_float_into_int": lambda x, lib: x.add_(1.5),
    "clamp_float_into_int": lambda x, lib: x.clamp_(0.5),
    "float_power_int": lambda x, lib: x.float_power_(2),
    "lerp_int": lambda x, lib: x.lerp_(x, 0.5),
    "atan2_int": lambda x, lib: x.atan2_(x),
    "broadcast": lambda x, lib: x.mul_(lib.ones(2, 3, dtype=x.dtype)),
    "bitwise_float": lambda x, lib: x.to(lib.float32).bitwise_xor_(x),
    "fmod_zero": lambda x, lib: x.fmod_(0),
    "addcdiv_ints": lambda x, lib: x.addcdiv_(x, x),
}


@pytest.mark.parametrize("name", FAILING_INPLACE)
def test_failing_inplace_changes_nothing(name):
    errors = []
    for lib in (mytorch, torch):
        x = lib.tensor([3, -4, 5])
        before, v0 = x.clone(), x._version
        with pytest.raises(Exception) as err:
            FAILING_INPLACE[name](x, lib)
        errors.append(type(err.value))
        assert x.tolist() == before.tolist() and x._version == v0
    assert errors[0] is errors[1]


@pytest.mark.parametrize("lib", [mytorch, torch], ids=["mytorch", "torch"])
@pytest.mark.parametrize("op", ["hypot", "copysign", "atan2", "maximum", "xlogy", "lerp"])
def test_modifying_a_saved_tensor_is_detected(lib, op):
    a = lib.tensor([0.5, 1.5], requires_grad=True)
    b = lib.tensor([2.0, -1.0], requires_grad=True)
    x = a * 1
    y = lib.lerp(x, b, b) if op == "lerp" else getattr(lib, op)(x, b)
    x.mul_(2)  # x is saved by every one of these ops
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_inplace_comparison_zeroes_the_gradient():
    # after y.eq_(...) the values are 0/1 constants: no gradient reaches x, as in torch
    for lib in (mytorch, torch):
        x = lib.tensor([0.5, 1.0], requires_grad=True)
        y = x * 3
        y.gt_(1.0)
        assert type(y.grad_fn).__name__ == "GtBackward0"
        (g,) = lib.autograd.grad(y.sum(), [x])
        assert g.tolist() == [0.0, 0.0]


@pytest.mark.parametrize(
    "update",
    [
        lambda lib, w, g: w.sub_(0.1 * g),
        lambda lib, w, g: w.add_(g),
        lambda lib, w, g: w.mul_(g),
        lambda lib, w, g: w.div_(g.abs() + 1),
        lambda lib, w, g: w.add_(g, alpha=2.5),  # alpha: the general path
        lambda lib, w, g: w.add_(g.double()),  # another dtype: the general path
        lambda lib, w, g: w.mul_(g[0]),  # broadcasting a row
        lambda lib, w, g: w.add_(3),
    ],
)
def test_in_place_arithmetic_without_recording_matches_torch(update):
    """Under no_grad, add_/sub_/mul_/div_ write straight into the array (a ufunc with out=);
    values, dtype, version counter and the views that share the memory must be as torch's."""
    rng = np.random.default_rng(7)
    ws, gs = rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal((3, 4))
    got = {}
    for lib in (mytorch, torch):
        w = lib.tensor(ws, requires_grad=True)
        view = w.detach()[1]
        g = lib.tensor(gs.astype(np.float32))
        with lib.no_grad():
            out = update(lib, w, g)
        assert out is w and w.dtype == lib.float32 and w.requires_grad
        got[lib] = (w.detach().numpy().copy(), view.numpy().copy(), w._version)
    np.testing.assert_allclose(got[mytorch][0], got[torch][0], rtol=1e-6)
    np.testing.assert_array_equal(got[mytorch][1], got[mytorch][0][1])  # the view saw the write
    assert got[mytorch][2] == got[torch][2]


def test_in_place_arithmetic_that_would_grow_the_tensor_fails_as_torch():
    for lib in (mytorch, torch):
        w = lib.ones(3)
        with lib.no_grad(), pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
            w.add_(lib.ones(2, 3))
        assert w.tolist() == [1.0, 1.0, 1.0]  # nothing written
