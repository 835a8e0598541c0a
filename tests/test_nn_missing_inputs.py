"""LSTMCell given the wrong number of hidden states and multi_head_attention_forward given no
projection weight: the same exception (class and text) as torch, or the same result."""

import numpy as np
import pytest
import torch
from oracle import assert_same

import mytorch


def _x(lib, *shape):
    data = np.random.default_rng(sum(shape)).standard_normal(shape)
    return lib.tensor(data, dtype=lib.float64)


def _lstm_cell(lib, x_shape, n_states, input_size=3):
    cell = lib.nn.LSTMCell(input_size, 4, dtype=lib.float64)
    with lib.no_grad():
        for p in cell.parameters():
            p.copy_(_x(lib, *p.shape))
    h_shape = (4,) if len(x_shape) == 1 else (x_shape[0], 4)
    return cell(_x(lib, *x_shape), tuple(_x(lib, *h_shape) for _ in range(n_states)))


def _mha(lib, separate, missing):
    e = 4
    w = {name: _x(lib, e, e) for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight")}
    w["in_proj_weight"] = _x(lib, 3 * e, e)
    w[missing] = None
    q = _x(lib, 3, 2, e)
    return lib.nn.functional.multi_head_attention_forward(
        q, q, q, e, 2, w["in_proj_weight"], None, None, None, False, 0.0, _x(lib, e, e), None,
        use_separate_proj_weight=separate, q_proj_weight=w["q_proj_weight"],
        k_proj_weight=w["k_proj_weight"], v_proj_weight=w["v_proj_weight"],
    )  # fmt: skip


ERRORS = {
    "lstm_cell_one_state": lambda lib: _lstm_cell(lib, (2, 3), 1),
    "lstm_cell_three_states": lambda lib: _lstm_cell(lib, (2, 3), 3),
    # the count is checked before the input size, as torch does
    "lstm_cell_three_states_bad_input": lambda lib: _lstm_cell(lib, (2, 5), 3),
    "lstm_cell_unbatched_one_state": lambda lib: _lstm_cell(lib, (3,), 1),
    "mha_no_in_proj_weight": lambda lib: _mha(lib, False, "in_proj_weight"),
    "mha_no_q_proj_weight": lambda lib: _mha(lib, True, "q_proj_weight"),
    "mha_no_k_proj_weight": lambda lib: _mha(lib, True, "k_proj_weight"),
    "mha_no_v_proj_weight": lambda lib: _mha(lib, True, "v_proj_weight"),
}


def _raised(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the class is what is compared
        return type(e), str(e)
    return None, None


@pytest.mark.parametrize("name", ERRORS)
def test_errors_match_torch(name):
    t_cls, t_msg = _raised(lambda: ERRORS[name](torch))
    m_cls, m_msg = _raised(lambda: ERRORS[name](mytorch))
    assert t_cls is not None, "torch raised nothing"
    assert m_cls is t_cls, f"{m_cls} != {t_cls}: {m_msg}"
    assert m_msg == t_msg


def test_unbatched_lstm_cell_uses_the_first_two_states_as_torch():
    # torch indexes hx[0] and hx[1] of an unbatched input and ignores the rest
    m_h, m_c = _lstm_cell(mytorch, (3,), 3)
    t_h, t_c = _lstm_cell(torch, (3,), 3)
    assert_same(m_h, t_h, what="h")
    assert_same(m_c, t_c, what="c")
