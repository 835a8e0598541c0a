"""RNN/LSTM/GRU (and cells), scaled_dot_product_attention, MultiheadAttention and the Transformer
layers against torch: identical weights (torch's state_dict loaded into mytorch) and inputs;
outputs, final states, and input and parameter gradients for random cotangents."""

import contextlib
import math
import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch
from oracle import assert_same, check_against_torch
from torch.nn.attention import SDPBackend, sdpa_kernel

import mytorch

F64 = {mytorch: mytorch.float64, torch: torch.float64}


class Const:
    """An input array that does not require grad (masks, indices)."""

    def __init__(self, array):
        self.array = array


def _leaf(lib, a):
    if isinstance(a, Const):
        return lib.tensor(a.array)
    if a is None:
        return None
    return lib.tensor(a, requires_grad=True)


def _flat(out):
    if out is None:
        return []
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flat(o)]
    return [out]


def _load(src, dst):
    """torch module src's state_dict into mytorch module dst, through numpy."""
    state = OrderedDict(
        (k, mytorch.tensor(v.detach().numpy())) for k, v in src.state_dict().items()
    )
    assert list(state) == list(dst.state_dict()), "state_dict keys differ from torch's"
    dst.load_state_dict(state)


def _pair(make, seed=0):
    """make(lib) builds the module in both libraries; returns (mytorch module, torch module) with
    torch's weights in both."""
    torch.manual_seed(seed)
    theirs = make(torch)
    ours = make(mytorch)
    _load(theirs, ours)
    return ours, theirs


def _compare(m_fn, t_fn, arrays, modules=(None, None), *, rtol=1e-7, atol=1e-9, seed=0,
             order=1):  # fmt: skip
    """Run m_fn / t_fn on equal float64 leaves; compare every output, then the gradients of
    sum(<output, random v>) w.r.t. the inputs and the parameters (and, for order=2, the gradients
    of <those gradients, random u>)."""
    m_in = [_leaf(mytorch, a) for a in arrays]
    t_in = [_leaf(torch, a) for a in arrays]
    m_out, t_out = _flat(m_fn(*m_in)), _flat(t_fn(*t_in))
    assert len(m_out) == len(t_out)
    for k, (m, t) in enumerate(zip(m_out, t_out)):
        assert_same(m, t, rtol=rtol, atol=atol, what=f"output {k}")
    m_mod, t_mod = modules
    m_leaves = [x for x in m_in if x is not None and x.requires_grad]
    t_leaves = [x for x in t_in if x is not None and x.requires_grad]
    if m_mod is not None:
        m_names = [n for n, _ in m_mod.named_parameters()]
        assert m_names == [n for n, _ in t_mod.named_parameters()]
        m_leaves += list(m_mod.parameters())
        t_leaves += list(t_mod.parameters())
    rng = np.random.default_rng(seed)
    vs = [rng.standard_normal(tuple(t.shape)) for t in t_out]
    # outputs holding nan (fully masked weights) are compared above, not differentiated
    live = [k for k, t in enumerate(t_out) if t.requires_grad and not t.isnan().any()]
    m_loss = sum((m_out[k] * mytorch.tensor(vs[k])).sum() for k in live)
    t_loss = sum((t_out[k] * torch.tensor(vs[k])).sum() for k in live)
    graph = order > 1
    m_g = mytorch.autograd.grad(m_loss, m_leaves, allow_unused=True, create_graph=graph)
    t_g = torch.autograd.grad(t_loss, t_leaves, allow_unused=True, create_graph=graph)
    for k, (mg, tg) in enumerate(zip(m_g, t_g)):
        if tg is None:
            assert mg is None or not mg.detach().numpy().any(), f"grad {k}: torch has None"
            continue
        assert_same(mg, tg, rtol=rtol, atol=atol, what=f"grad {k}")
    if order < 2:
        return
    pairs = [(mg, tg) for mg, tg in zip(m_g, t_g) if tg is not None and tg.requires_grad]
    us = [rng.standard_normal(tuple(tg.shape)) for _, tg in pairs]
    m_s = sum((mg * mytorch.tensor(u)).sum() for (mg, _), u in zip(pairs, us))
    t_s = sum((tg * torch.tensor(u)).sum() for (_, tg), u in zip(pairs, us))
    m_gg = mytorch.autograd.grad(m_s, m_leaves, allow_unused=True, create_graph=False)
    t_gg = torch.autograd.grad(t_s, t_leaves, allow_unused=True)
    for k, (mg, tg) in enumerate(zip(m_gg, t_gg)):
        if tg is None:
            assert mg is None or not mg.detach().numpy().any(), f"2nd grad {k}: torch has None"
            continue
        assert_same(mg, tg, rtol=rtol, atol=atol, what=f"second-order grad {k}")


def _randn(*shape, seed=1):
    return np.random.default_rng(seed).standard_normal(shape)


# ---- RNN, LSTM, GRU ---------------------------------------------------------------------------

MODES = {
    "rnn_tanh": ("RNN", {}),
    "rnn_relu": ("RNN", {"nonlinearity": "relu"}),
    "lstm": ("LSTM", {}),
    "lstm_proj": ("LSTM", {"proj_size": 2}),
    "gru": ("GRU", {}),
}
# (num_layers, batch_first, unbatched, initial state given, bias)
VARIANTS = {
    "plain": (1, False, False, False, True),
    "two_layers_hx": (2, False, False, True, True),
    "batch_first_hx": (2, True, False, True, True),
    "unbatched": (1, False, True, False, True),
    "unbatched_batch_first_hx": (2, True, True, True, True),
    "no_bias": (2, True, False, False, False),
}


@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("mode", MODES)
def test_recurrent_layers_match_torch(mode, variant, bidirectional):
    name, extra = MODES[mode]
    layers, batch_first, unbatched, given, bias = VARIANTS[variant]
    size, hidden, time, batch = 3, 4, 4, 2
    ours, theirs = _pair(lambda lib: getattr(lib.nn, name)(
        size, hidden, layers, bias=bias, batch_first=batch_first, bidirectional=bidirectional,
        dtype=F64[lib], **extra))  # fmt: skip
    shape = (
        (time, size) if unbatched else (batch, time, size) if batch_first else (time, batch, size)
    )
    arrays = [_randn(*shape)]
    if given:
        states = (layers * (1 + bidirectional),) + (() if unbatched else (batch,))
        out = extra.get("proj_size", hidden)
        arrays.append(_randn(*states, out, seed=2))
        if name == "LSTM":
            arrays.append(_randn(*states, hidden, seed=3))

    def run(module):
        def fn(x, *hx):
            if not hx:
                return module(x)
            return module(x, tuple(hx) if name == "LSTM" else hx[0])

        return fn

    _compare(run(ours), run(theirs), arrays, (ours, theirs))


CELLS = {
    "rnn_tanh": ("RNNCell", {}),
    "rnn_relu": ("RNNCell", {"nonlinearity": "relu"}),
    "lstm": ("LSTMCell", {}),
    "gru": ("GRUCell", {}),
}


@pytest.mark.parametrize(
    "unbatched, given, bias", [(False, True, True), (False, False, False), (True, True, True),
                               (True, False, True)])  # fmt: skip
@pytest.mark.parametrize("cell", CELLS)
def test_cells_match_torch(cell, unbatched, given, bias):
    name, extra = CELLS[cell]
    ours, theirs = _pair(
        lambda lib: getattr(lib.nn, name)(3, 4, bias=bias, dtype=F64[lib], **extra)
    )
    lead = () if unbatched else (2,)
    arrays = [_randn(*lead, 3)]
    if given:
        arrays += [_randn(*lead, 4, seed=2)] + ([_randn(*lead, 4, seed=3)] if name == "LSTMCell"
                                                else [])  # fmt: skip

    def run(module):
        return lambda x, *hx: module(
            x, (tuple(hx) if name == "LSTMCell" else hx[0]) if hx else None
        )

    _compare(run(ours), run(theirs), arrays, (ours, theirs))


def test_recurrent_float32_eval_and_rerun_are_deterministic():
    ours, theirs = _pair(lambda lib: lib.nn.GRU(3, 5, 2, dropout=0.3, bidirectional=True))
    ours.eval(), theirs.eval()
    x = _randn(4, 2, 3).astype(np.float32)
    o1, h1 = ours(mytorch.tensor(x))
    o2, _ = ours(mytorch.tensor(x))
    to, th = theirs(torch.tensor(x))
    assert_same(o1, to, what="output")
    assert_same(h1, th, what="h_n")
    assert np.array_equal(o1.detach().numpy(), o2.detach().numpy())


def _dropout_probe(lib, num_layers, p=0.5):
    """A relu RNN whose layers copy their positive input, so the output is exactly the dropout
    applied between layers to x."""
    m = lib.nn.RNN(6, 6, num_layers, nonlinearity="relu", dropout=p, dtype=F64[lib])
    with lib.no_grad():
        for name, w in m.named_parameters():
            w.zero_()
            if name.startswith("weight_ih"):
                w.copy_(lib.eye(6, dtype=F64[lib]))
    return m


@pytest.mark.parametrize("lib", [mytorch, torch], ids=["mytorch", "torch"])
def test_recurrent_dropout_between_layers_is_statistically_right(lib):
    p = 0.5
    x = np.random.default_rng(0).uniform(0.5, 1.5, size=(10, 20, 6))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        single = _dropout_probe(lib, 1, p)
    m = _dropout_probe(lib, 2, p)
    out = m(lib.tensor(x))[0].detach().numpy()
    kept = out != 0
    # every element is either dropped or scaled by 1/(1-p)
    np.testing.assert_allclose(out[kept], x[kept] / (1 - p), rtol=1e-12)
    assert abs(1 - kept.mean() - p) < 0.06  # 1200 Bernoulli draws: 4.6 standard deviations
    # a different mask on the next call, no dropout in eval mode or after the last layer
    assert not np.array_equal(m(lib.tensor(x))[0].detach().numpy() != 0, kept)
    np.testing.assert_allclose(m.eval()(lib.tensor(x))[0].detach().numpy(), x, rtol=1e-12)
    np.testing.assert_allclose(single(lib.tensor(x))[0].detach().numpy(), x, rtol=1e-12)


def test_recurrent_layer_zero_batch_matches_torch():
    ours, theirs = _pair(lambda lib: lib.nn.LSTM(3, 4, dtype=F64[lib]))
    o, (h, c) = ours(mytorch.zeros(2, 0, 3, dtype=mytorch.float64))
    to, (th, tc) = theirs(torch.zeros(2, 0, 3, dtype=torch.float64))
    for m, t in ((o, to), (h, th), (c, tc)):
        assert tuple(m.shape) == tuple(t.shape)


@pytest.mark.parametrize(
    "make",
    [lambda nn: nn.RNN(3, 4), lambda nn: nn.RNN(3, 4, 2, "relu", False, True, 0.5, True),
     lambda nn: nn.LSTM(3, 4, 2, proj_size=2, bidirectional=True), lambda nn: nn.GRU(3, 4, 3),
     lambda nn: nn.RNNCell(3, 4, False, "relu"), lambda nn: nn.LSTMCell(3, 4),
     lambda nn: nn.GRUCell(3, 4, bias=False)],
)  # fmt: skip
def test_recurrent_parameters_repr_and_init_match_torch(make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = make(mytorch.nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in theirs.named_parameters()
    ]
    bound = 1 / math.sqrt(theirs.hidden_size)
    values = np.concatenate([p.detach().numpy().ravel() for p in ours.parameters()])
    assert np.abs(values).max() <= bound and np.abs(values).max() > 0.8 * bound
    assert abs(values.mean()) < 0.2 * bound  # uniform(-b, b), not (0, b)
    if isinstance(theirs, torch.nn.RNNBase):
        assert [[tuple(w.shape) for w in ws] for ws in ours.all_weights] == [
            [tuple(w.shape) for w in ws] for ws in theirs.all_weights
        ]


def test_recurrent_dropout_warning_matches_torch():
    with pytest.warns(UserWarning) as ours:
        mytorch.nn.LSTM(3, 4, dropout=0.2)
    with pytest.warns(UserWarning) as theirs:
        torch.nn.LSTM(3, 4, dropout=0.2)
    assert str(ours[0].message) == str(theirs[0].message)


# ---- second order ---------------------------------------------------------------------------


def test_lstm_second_order_matches_torch():
    ours, theirs = _pair(lambda lib: lib.nn.LSTM(2, 3, 1, bidirectional=True, dtype=F64[lib]))
    arrays = [_randn(3, 2, 2), _randn(2, 2, 3, seed=2), _randn(2, 2, 3, seed=3)]

    def run(module):
        return lambda x, h, c: module(x, (h, c))

    _compare(run(ours), run(theirs), arrays, (ours, theirs), order=2)


def test_gru_gradcheck_and_gradgradcheck():
    m = mytorch.nn.GRU(2, 2, 2, dtype=mytorch.float64)
    x = mytorch.tensor(_randn(2, 1, 2), requires_grad=True)
    h = mytorch.tensor(_randn(2, 1, 2, seed=2), requires_grad=True)

    def fn(x, h):
        out, h_n = m(x, h)
        return out.sum(-1) + h_n.sum()

    assert mytorch.autograd.gradcheck(fn, (x, h))
    assert mytorch.autograd.gradgradcheck(fn, (x, h))


# ---- scaled_dot_product_attention ------------------------------------------------------------


def _sdpa(**kw):
    def fn(lib, q, k, v, *mask):
        ctx = sdpa_kernel([SDPBackend.MATH]) if lib is torch else contextlib.nullcontext()
        with ctx:  # torch's fused CPU kernel has no double backward
            return lib.nn.functional.scaled_dot_product_attention(q, k, v, *mask, **kw)

    return fn


CAUSAL_HOLE = np.tril(np.ones((3, 5), dtype=bool))
DEAD_ROW = np.ones((3, 5), dtype=bool)
DEAD_ROW[1] = False
FLOAT_MASK = np.where(CAUSAL_HOLE, _randn(3, 5, seed=4), -np.inf)

SDPA_CASES = {
    "plain": (_sdpa(), [(2, 3, 4), (2, 5, 4), (2, 5, 6)]),
    "heads_4d": (_sdpa(), [(2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 3)]),
    "unbatched_2d": (_sdpa(), [(3, 4), (5, 4), (5, 2)]),
    "broadcast_batch": (_sdpa(), [(2, 3, 4), (1, 5, 4), (1, 5, 4)]),
    "scale": (_sdpa(scale=0.3), [(2, 3, 4), (2, 5, 4), (2, 5, 6)]),
    "causal_square": (_sdpa(is_causal=True), [(2, 4, 3), (2, 4, 3), (2, 4, 3)]),
    "causal_wide": (_sdpa(is_causal=True), [(2, 3, 4), (2, 5, 4), (2, 5, 6)]),
    "bool_mask": (_sdpa(), [(2, 3, 4), (2, 5, 4), (2, 5, 6), CAUSAL_HOLE]),
    "bool_mask_dead_row": (_sdpa(), [(2, 3, 4), (2, 5, 4), (2, 5, 6), DEAD_ROW]),
    "float_mask": (_sdpa(), [(2, 3, 4), (2, 5, 4), (2, 5, 6), (3, 5)]),
    "float_mask_inf": (_sdpa(), [(2, 3, 4), (2, 5, 4), (2, 5, 6), FLOAT_MASK]),
    "gqa": (_sdpa(enable_gqa=True), [(1, 4, 3, 2), (1, 2, 5, 2), (1, 2, 5, 3)]),
    "empty_batch": (_sdpa(), [(0, 3, 4), (0, 5, 4), (0, 5, 6)]),
}


@pytest.mark.parametrize("name", SDPA_CASES)
def test_scaled_dot_product_attention_matches_torch(name):
    fn, specs = SDPA_CASES[name]
    # torch's math kernel names its last node differently (UnsafeView, Bmm, ...)
    check_against_torch(fn, specs, order=2, check_grad_fn=False)


def test_sdpa_dead_row_is_zero_with_zero_gradient():
    q = mytorch.randn(3, 4, requires_grad=True)
    k, v = mytorch.randn(5, 4), mytorch.randn(5, 2)
    out = mytorch.nn.functional.scaled_dot_product_attention(q, k, v, mytorch.tensor(DEAD_ROW))
    assert not out[1].detach().numpy().any()
    (grad,) = mytorch.autograd.grad(out[1].sum(), q, create_graph=False)
    assert not grad.numpy().any() and not np.isnan(out.detach().numpy()).any()


@pytest.mark.parametrize("lib", [mytorch, torch], ids=["mytorch", "torch"])
def test_sdpa_dropout_is_statistically_right(lib):
    p, seq = 0.3, 40
    rng = np.random.default_rng(0)
    q, k = lib.tensor(rng.standard_normal((seq, 4))), lib.tensor(rng.standard_normal((seq, 4)))
    v = lib.eye(seq, dtype=F64[lib])  # the output is then the attention weights themselves
    sdpa = lib.nn.functional.scaled_dot_product_attention
    full = sdpa(q, k, v).numpy()
    dropped = sdpa(q, k, v, dropout_p=p).numpy()
    kept = dropped != 0
    np.testing.assert_allclose(dropped[kept], full[kept] / (1 - p), rtol=1e-10)
    assert abs(1 - kept.mean() - p) < 0.05  # 1600 draws: 4.4 standard deviations


# ---- MultiheadAttention ---------------------------------------------------------------------

L, S, N, E, H = 3, 4, 2, 4, 2
PAD = np.array([[False, False, True, False], [False, False, False, True]])
PAD_FLOAT = np.where(PAD, -np.inf, 0.0) + np.where(PAD, 0, _randn(N, S, seed=5) * 0.1)
ATTN_BOOL = ~np.tril(np.ones((L, S), dtype=bool))
ATTN_FLOAT = np.where(ATTN_BOOL, -np.inf, 0.0)
ATTN_3D = _randn(N * H, L, S, seed=6)

# constructor kwargs, forward kwargs (masks given as arrays), unbatched
MHA_CASES = {
    "plain": ({}, {}, False),
    "no_weights": ({}, {"need_weights": False}, False),
    "per_head_weights": ({}, {"average_attn_weights": False}, False),
    "batch_first": ({"batch_first": True}, {}, False),
    "batch_first_no_weights": ({"batch_first": True}, {"need_weights": False}, False),
    "bool_attn_mask": ({}, {"attn_mask": ATTN_BOOL}, False),
    "bool_attn_mask_causal_hint": (
        {},
        {"attn_mask": ATTN_BOOL, "is_causal": True, "need_weights": False},
        False,
    ),
    "float_attn_mask": ({}, {"attn_mask": ATTN_FLOAT, "need_weights": False}, False),
    "attn_mask_3d": ({}, {"attn_mask": ATTN_3D}, False),
    "key_padding_bool": ({}, {"key_padding_mask": PAD}, False),
    "key_padding_float": ({}, {"key_padding_mask": PAD_FLOAT, "need_weights": False}, False),
    "both_masks": ({}, {"key_padding_mask": PAD, "attn_mask": ATTN_BOOL}, False),
    "kdim_vdim": ({"kdim": 3, "vdim": 5}, {}, False),
    "no_bias": ({"bias": False}, {"need_weights": False}, False),
    "bias_kv_zero_attn": (
        {"add_bias_kv": True, "add_zero_attn": True},
        {"key_padding_mask": PAD, "attn_mask": ATTN_BOOL},
        False,
    ),
    "unbatched": ({}, {"average_attn_weights": False}, True),
    "unbatched_masks": (
        {},
        {"key_padding_mask": PAD[0], "attn_mask": ATTN_BOOL, "need_weights": False},
        True,
    ),
    "unbatched_mask_3d": ({}, {"attn_mask": ATTN_3D[:H]}, True),
}


# self-attention (one tensor as query, key and value) wherever the shapes allow it
MHA_RUNS = [(n, False) for n in MHA_CASES] + [
    (n, True) for n, (kw, _, unbatched) in MHA_CASES.items() if "kdim" not in kw and not unbatched
]


@pytest.mark.parametrize("name, self_attention", MHA_RUNS, ids=[f"{n}-{s}" for n, s in MHA_RUNS])
def test_multihead_attention_matches_torch(name, self_attention):
    make_kw, fwd_kw, unbatched = MHA_CASES[name]
    ours, theirs = _pair(lambda lib: lib.nn.MultiheadAttention(E, H, dtype=F64[lib], **make_kw))
    first = make_kw.get("batch_first", False)

    def shape(length, dim):
        return (length, dim) if unbatched else (N, length, dim) if first else (length, N, dim)

    q = _randn(*shape(L, E))
    if self_attention:
        arrays, index = [q], [0, 0, 0]
        if "attn_mask" in fwd_kw:
            fwd_kw = {**fwd_kw, "attn_mask": fwd_kw["attn_mask"][:, :L][..., :L]}
        if "key_padding_mask" in fwd_kw:
            fwd_kw = {**fwd_kw, "key_padding_mask": fwd_kw["key_padding_mask"][..., :L]}
    else:
        k = _randn(*shape(S, make_kw.get("kdim", E)), seed=2)
        v = _randn(*shape(S, make_kw.get("vdim", E)), seed=3)
        arrays, index = [q, k, v], [0, 1, 2]
    names = sorted(n for n, a in fwd_kw.items() if isinstance(a, np.ndarray))
    flags = {n: a for n, a in fwd_kw.items() if not isinstance(a, np.ndarray)}
    arrays += [Const(fwd_kw[n]) for n in names]

    def run(module):
        def fn(*xs):
            masks = dict(zip(names, xs[len(xs) - len(names) :]))
            return module(*(xs[i] for i in index), **masks, **flags)

        return fn

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mismatched mask types: compared in ERRORS
        _compare(run(ours), run(theirs), arrays, (ours, theirs))


@pytest.mark.parametrize("batch_first", [False, True])
def test_multihead_attention_eval_float32_matches_torch_fast_path(batch_first):
    ours, theirs = _pair(lambda lib: lib.nn.MultiheadAttention(E, H, batch_first=batch_first))
    ours.eval(), theirs.eval()
    x = _randn(*((N, L, E) if batch_first else (L, N, E))).astype(np.float32)
    with torch.no_grad():
        to, tw = theirs(*[torch.tensor(x)] * 3, key_padding_mask=torch.tensor(PAD[:, :L]))
    mo, mw = ours(*[mytorch.tensor(x)] * 3, key_padding_mask=mytorch.tensor(PAD[:, :L]))
    assert_same(mo, to, what="output")
    assert_same(mw, tw, what="weights")


def test_multi_head_attention_forward_static_kv_separate_weights_matches_torch():
    rng = np.random.default_rng(7)
    static = (N * H, 6, E // H)
    shapes = {"q_w": (E, E), "k_w": (E, 3), "v_w": (E, 5), "b": (3 * E,), "out_w": (E, E),
              "out_b": (E,), "static_k": static, "static_v": static}  # fmt: skip
    params = {n: rng.standard_normal(shape) for n, shape in shapes.items()}
    names = list(params)

    def run(lib):
        def fn(q, k, v, *ps):
            p = dict(zip(names, ps))
            return lib.nn.functional.multi_head_attention_forward(
                q, k, v, E, H, None, p["b"], None, None, True, 0.0, p["out_w"], p["out_b"],
                use_separate_proj_weight=True, q_proj_weight=p["q_w"], k_proj_weight=p["k_w"],
                v_proj_weight=p["v_w"], static_k=p["static_k"], static_v=p["static_v"],
                average_attn_weights=False,
            )  # fmt: skip

        return fn

    arrays = [_randn(L, N, E), _randn(S, N, 3, seed=2), _randn(S, N, 5, seed=3)]
    _compare(run(mytorch), run(torch), arrays + [params[n] for n in names])


def test_multihead_attention_second_order_matches_torch():
    ours, theirs = _pair(lambda lib: lib.nn.MultiheadAttention(E, H, dtype=F64[lib]))
    arrays = [_randn(L, N, E), _randn(S, N, E, seed=2), _randn(S, N, E, seed=3), Const(PAD)]

    def run(module):
        return lambda q, k, v, pad: module(q, k, v, key_padding_mask=pad)

    _compare(run(ours), run(theirs), arrays, (ours, theirs), order=2)


def test_multihead_attention_dropout_is_statistically_right():
    p = 0.4
    m = mytorch.nn.MultiheadAttention(8, 2, dropout=p, dtype=mytorch.float64)
    x = mytorch.tensor(_randn(12, 5, 8))
    full = m.eval()(x, x, x, average_attn_weights=False)[1].detach().numpy()
    out, dropped = m.train()(x, x, x, average_attn_weights=False)
    dropped = dropped.detach().numpy()
    kept = dropped != 0
    np.testing.assert_allclose(dropped[kept], full[kept] / (1 - p), rtol=1e-10)
    assert abs(1 - kept.mean() - p) < 0.05  # 1440 draws: 4.4 standard deviations
    assert not np.allclose(out.detach().numpy(), m.eval()(x, x, x)[0].detach().numpy())


def test_multihead_attention_structure_and_init_match_torch():
    def make(lib):
        return lib.nn.MultiheadAttention(8, 2, add_bias_kv=True, kdim=3, vdim=5)

    ours, theirs = make(mytorch), make(torch)
    assert repr(ours) == repr(theirs)
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in theirs.named_parameters()
    ]
    for attr in ("embed_dim", "kdim", "vdim", "_qkv_same_embed_dim", "num_heads", "head_dim",
                 "dropout", "batch_first", "add_zero_attn"):  # fmt: skip
        assert getattr(ours, attr) == getattr(theirs, attr), attr
    plain = mytorch.nn.MultiheadAttention(8, 2)
    assert plain.q_proj_weight is None and plain.bias_k is None
    assert not plain.in_proj_bias.detach().numpy().any()
    assert not plain.out_proj.bias.detach().numpy().any()
    w = plain.in_proj_weight.detach().numpy()
    bound = math.sqrt(6 / (8 + 24))  # xavier-uniform over the packed (3E, E) matrix
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound


# ---- Transformer ----------------------------------------------------------------------------

D, NHEAD, FF = 4, 2, 6
CAUSAL = Const(np.triu(np.full((L, L), -np.inf), 1))

ENCODER_CASES = {
    "post_norm": ({}, {}),
    "pre_norm_gelu": ({"norm_first": True, "activation": "gelu"}, {}),
    "batch_first_causal": ({"batch_first": True}, {"src_mask": CAUSAL}),
    "padding_bool": ({}, {"src_key_padding_mask": Const(PAD[:, :L])}),
    "bool_mask_no_bias": ({"bias": False}, {"src_mask": Const(ATTN_BOOL[:, :L])}),
    "module_activation": ({"activation": lambda lib: lib.nn.Tanh()}, {}),
    "function_activation": ({"activation": lambda lib: lib.sigmoid}, {}),
    "causal_hint": ({}, {"src_mask": CAUSAL, "is_causal": True}),
    "unbatched": ({}, {"src_mask": CAUSAL}),
}


def _layer_kwargs(lib, kw):
    kw = dict(kw)
    if callable(kw.get("activation")):
        kw["activation"] = kw["activation"](lib)
    return kw


def _forward_args(fwd):
    names = [n for n, a in fwd.items() if isinstance(a, Const)]
    flags = {n: a for n, a in fwd.items() if not isinstance(a, Const)}
    return names, flags, [fwd[n] for n in names]


@pytest.mark.parametrize("stack", [False, True], ids=["layer", "encoder"])
@pytest.mark.parametrize("name", ENCODER_CASES)
def test_transformer_encoder_matches_torch(name, stack):
    make_kw, fwd = ENCODER_CASES[name]

    def make(lib):
        layer = lib.nn.TransformerEncoderLayer(D, NHEAD, FF, dropout=0.0, dtype=F64[lib],
                                               **_layer_kwargs(lib, make_kw))  # fmt: skip
        if not stack:
            return layer
        norm = lib.nn.LayerNorm(D, dtype=F64[lib])
        return lib.nn.TransformerEncoder(layer, 2, norm=norm, enable_nested_tensor=False)

    ours, theirs = _pair(make)
    names, flags, masks = _forward_args(fwd)
    if stack:
        names = ["mask" if n == "src_mask" else n for n in names]
    shape = (
        (L, D) if name == "unbatched" else (N, L, D) if make_kw.get("batch_first") else (L, N, D)
    )

    def run(module):
        return lambda x, *ms: module(x, **dict(zip(names, ms)), **flags)

    _compare(run(ours), run(theirs), [_randn(*shape)] + masks, (ours, theirs))


DECODER_CASES = {
    "post_norm": ({}, {}),
    "pre_norm_masks": (
        {"norm_first": True, "batch_first": True},
        {
            "tgt_mask": CAUSAL,
            "memory_key_padding_mask": Const(PAD),
            "tgt_key_padding_mask": Const(PAD[:, :L]),
        },
    ),
    "memory_mask_gelu": (
        {"activation": "gelu"},
        {"memory_mask": Const(ATTN_BOOL), "tgt_is_causal": False},
    ),
}


@pytest.mark.parametrize("stack", [False, True], ids=["layer", "decoder"])
@pytest.mark.parametrize("name", DECODER_CASES)
def test_transformer_decoder_matches_torch(name, stack):
    make_kw, fwd = DECODER_CASES[name]

    def make(lib):
        layer = lib.nn.TransformerDecoderLayer(D, NHEAD, FF, dropout=0.0, dtype=F64[lib],
                                               **make_kw)  # fmt: skip
        return lib.nn.TransformerDecoder(layer, 2) if stack else layer

    ours, theirs = _pair(make)
    names, flags, masks = _forward_args(fwd)
    first = make_kw.get("batch_first", False)
    tgt, mem = ((N, L, D), (N, S, D)) if first else ((L, N, D), (S, N, D))

    def run(module):
        return lambda t, m, *ms: module(t, m, **dict(zip(names, ms)), **flags)

    _compare(run(ours), run(theirs), [_randn(*tgt), _randn(*mem, seed=2)] + masks,
             (ours, theirs))  # fmt: skip


def test_transformer_matches_torch_and_generates_its_mask():
    def make(lib):
        return lib.nn.Transformer(D, NHEAD, 1, 2, FF, dropout=0.0, batch_first=True,
                                  dtype=F64[lib])  # fmt: skip

    ours, theirs = _pair(make)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(L, dtype=torch.float64)
    assert_same(mytorch.nn.Transformer.generate_square_subsequent_mask(L, dtype=mytorch.float64),
                mask)  # fmt: skip
    assert_same(mytorch.nn.Transformer.generate_square_subsequent_mask(2),
                torch.nn.Transformer.generate_square_subsequent_mask(2))  # fmt: skip

    def run(module):
        return lambda s, t, m, pad: module(s, t, tgt_mask=m, src_key_padding_mask=pad,
                                           memory_key_padding_mask=pad)  # fmt: skip

    arrays = [_randn(N, S, D), _randn(N, L, D, seed=2), Const(mask.numpy()), Const(PAD)]
    _compare(run(ours), run(theirs), arrays, (ours, theirs))


def test_transformer_layers_eval_match_torch():
    def make(lib):
        layer = lib.nn.TransformerEncoderLayer(D, NHEAD, FF, batch_first=True)
        return lib.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)

    ours, theirs = _pair(make)
    ours.eval(), theirs.eval()
    x = _randn(N, L, D).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.tensor(x), src_key_padding_mask=torch.tensor(PAD[:, :L]))
    got = ours(mytorch.tensor(x), src_key_padding_mask=mytorch.tensor(PAD[:, :L]))
    assert_same(got, expected, what="eval output")
    again = ours(mytorch.tensor(x), src_key_padding_mask=mytorch.tensor(PAD[:, :L]))
    assert np.array_equal(got.detach().numpy(), again.detach().numpy())


def test_transformer_structure_matches_torch():
    def make(lib):
        layer = lib.nn.TransformerEncoderLayer(D, NHEAD, FF, activation=lib.nn.Tanh(), bias=False)
        return layer, lib.nn.TransformerDecoderLayer(D, NHEAD, FF, norm_first=True)

    for ours, theirs in zip(make(mytorch), make(torch)):
        assert repr(ours) == repr(theirs)
        assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == [
            (n, tuple(p.shape)) for n, p in theirs.named_parameters()
        ]
    layers = mytorch.nn.TransformerEncoder(make(mytorch)[0], 2).layers
    assert layers[0].linear1.weight is not layers[1].linear1.weight  # deep copies


# ---- errors ---------------------------------------------------------------------------------


def _x(lib, *shape, dtype=None):
    return lib.zeros(*shape, dtype=dtype or lib.float32)


def _b(lib, *shape):
    return lib.zeros(*shape, dtype=lib.bool)


ERRORS = {
    "rnn_dropout_range": lambda lib: lib.nn.RNN(3, 4, dropout=1.5),
    "rnn_hidden_zero": lambda lib: lib.nn.RNN(3, 0),
    "rnn_layers_zero": lambda lib: lib.nn.GRU(3, 4, num_layers=0),
    "rnn_nonlinearity": lambda lib: lib.nn.RNN(3, 4, nonlinearity="sigmoid"),
    "gru_proj": lambda lib: lib.nn.GRU(3, 4, proj_size=2),
    "lstm_proj_too_big": lambda lib: lib.nn.LSTM(3, 4, proj_size=4),
    "lstm_proj_negative": lambda lib: lib.nn.LSTM(3, 4, proj_size=-1),
    "rnn_4d": lambda lib: lib.nn.RNN(3, 4)(_x(lib, 2, 2, 2, 3)),
    "lstm_4d": lambda lib: lib.nn.LSTM(3, 4)(_x(lib, 2, 2, 2, 3)),
    "gru_4d": lambda lib: lib.nn.GRU(3, 4)(_x(lib, 2, 2, 2, 3)),
    "rnn_input_size": lambda lib: lib.nn.RNN(3, 4)(_x(lib, 5, 2, 2)),
    "rnn_dtype": lambda lib: lib.nn.LSTM(3, 4)(_x(lib, 5, 2, 3, dtype=lib.float64)),
    "rnn_hidden_shape": lambda lib: lib.nn.RNN(3, 4)(_x(lib, 5, 2, 3), _x(lib, 1, 3, 4)),
    "rnn_unbatched_hx": lambda lib: lib.nn.RNN(3, 4)(_x(lib, 5, 3), _x(lib, 1, 1, 4)),
    "rnn_batched_hx": lambda lib: lib.nn.GRU(3, 4)(_x(lib, 5, 2, 3), _x(lib, 2, 4)),
    "lstm_unbatched_hx": lambda lib: lib.nn.LSTM(3, 4)(_x(lib, 5, 3),
                                                      (_x(lib, 1, 4), _x(lib, 1, 1, 4))),
    "lstm_cell_state_shape": lambda lib: lib.nn.LSTM(3, 4)(_x(lib, 5, 2, 3),
                                                          (_x(lib, 1, 2, 4), _x(lib, 1, 3, 4))),
    "lstm_proj_hidden_shape": lambda lib: lib.nn.LSTM(3, 4, proj_size=2)(
        _x(lib, 2, 2, 3), (_x(lib, 1, 2, 4), _x(lib, 1, 2, 4))),
    "rnn_empty_sequence": lambda lib: lib.nn.RNN(3, 4)(_x(lib, 0, 2, 3)),
    "cell_3d": lambda lib: lib.nn.LSTMCell(3, 4)(_x(lib, 2, 2, 3)),
    "cell_hidden_3d": lambda lib: lib.nn.GRUCell(3, 4)(_x(lib, 2, 3), _x(lib, 1, 2, 4)),
    "lstm_cell_hidden_3d": lambda lib: lib.nn.LSTMCell(3, 4)(_x(lib, 2, 3),
                                                            (_x(lib, 1, 2, 4), _x(lib, 2, 4))),
    "cell_batch": lambda lib: lib.nn.RNNCell(3, 4)(_x(lib, 2, 3), _x(lib, 3, 4)),
    "cell_input_size": lambda lib: lib.nn.RNNCell(3, 4)(_x(lib, 2, 2)),
    "cell_hidden_size": lambda lib: lib.nn.LSTMCell(3, 4)(_x(lib, 2, 3),
                                                         (_x(lib, 2, 4), _x(lib, 2, 5))),
    "cell_unbatched_hx_2d": lambda lib: lib.nn.RNNCell(3, 4)(_x(lib, 3), _x(lib, 1, 4)),
    "cell_nonlinearity": lambda lib: lib.nn.RNNCell(3, 4, nonlinearity="x")(_x(lib, 3)),
    "sdpa_1d": lambda lib: lib.nn.functional.scaled_dot_product_attention(
        _x(lib, 2), _x(lib, 5, 2), _x(lib, 5, 7)),
    "sdpa_dtype": lambda lib: lib.nn.functional.scaled_dot_product_attention(
        _x(lib, 3, 2), _x(lib, 5, 2, dtype=lib.float64), _x(lib, 5, 7)),
    "sdpa_mask_dtype": lambda lib: lib.nn.functional.scaled_dot_product_attention(
        _x(lib, 3, 2), _x(lib, 5, 2), _x(lib, 5, 7), _x(lib, 3, 5, dtype=lib.int64)),
    "sdpa_mask_and_causal": lambda lib: lib.nn.functional.scaled_dot_product_attention(
        _x(lib, 3, 2), _x(lib, 5, 2), _x(lib, 5, 7), _b(lib, 3, 5), is_causal=True),
    "sdpa_gqa_heads": lambda lib: lib.nn.functional.scaled_dot_product_attention(
        _x(lib, 1, 4, 3, 2), _x(lib, 1, 3, 5, 2), _x(lib, 1, 3, 5, 2), enable_gqa=True),
    "mha_embed_zero": lambda lib: lib.nn.MultiheadAttention(0, 2),
    "mha_divisible": lambda lib: lib.nn.MultiheadAttention(5, 2),
    "mha_causal_without_mask": lambda lib: lib.nn.MultiheadAttention(4, 2)(*[_x(lib, 3, 2, 4)] * 3,
                                                                          is_causal=True),
    "mha_attn_mask_2d": lambda lib: lib.nn.MultiheadAttention(4, 2)(
        *[_x(lib, 3, 2, 4)] * 3, attn_mask=_b(lib, 3, 4)),
    "mha_attn_mask_3d": lambda lib: lib.nn.MultiheadAttention(4, 2)(
        *[_x(lib, 3, 2, 4)] * 3, attn_mask=_b(lib, 2, 3, 3)),
    "mha_attn_mask_4d": lambda lib: lib.nn.MultiheadAttention(4, 2)(
        *[_x(lib, 3, 2, 4)] * 3, attn_mask=_b(lib, 2, 3, 3, 1)),
    "mha_attn_mask_int": lambda lib: lib.nn.MultiheadAttention(4, 2)(
        *[_x(lib, 3, 2, 4)] * 3, attn_mask=_x(lib, 3, 3, dtype=lib.int64)),
    "mha_padding_int": lambda lib: lib.nn.MultiheadAttention(4, 2)(
        *[_x(lib, 3, 2, 4)] * 3, key_padding_mask=_x(lib, 2, 3, dtype=lib.int64)),
    "mha_padding_3d": lambda lib: lib.nn.MultiheadAttention(4, 2)(
        *[_x(lib, 3, 2, 4)] * 3, key_padding_mask=_b(lib, 2, 3, 1)),
    "mha_key_value": lambda lib: lib.nn.MultiheadAttention(4, 2)(
        _x(lib, 3, 2, 4), _x(lib, 2, 2, 4), _x(lib, 3, 2, 4)),
    "mha_key_rank": lambda lib: lib.nn.MultiheadAttention(4, 2)(
        _x(lib, 3, 2, 4), _x(lib, 3, 2, 1, 4), _x(lib, 3, 2, 4)),
    "mha_embed": lambda lib: lib.nn.MultiheadAttention(4, 2)(*[_x(lib, 3, 2, 3)] * 3),
    "mha_query_1d": lambda lib: lib.nn.MultiheadAttention(4, 2)(*[_x(lib, 4)] * 3),
    "mha_unbatched_key": lambda lib: lib.nn.MultiheadAttention(4, 2)(
        _x(lib, 3, 4), _x(lib, 3, 2, 4), _x(lib, 3, 4)),
    "mha_unbatched_padding": lambda lib: lib.nn.MultiheadAttention(4, 2)(
        *[_x(lib, 3, 4)] * 3, key_padding_mask=_b(lib, 2, 3)),
    "mha_unbatched_mask_3d": lambda lib: lib.nn.MultiheadAttention(4, 2)(
        *[_x(lib, 3, 4)] * 3, attn_mask=_b(lib, 4, 3, 3)),
    "encoder_activation": lambda lib: lib.nn.TransformerEncoderLayer(4, 2, activation="tanh"),
    "transformer_batch": lambda lib: lib.nn.Transformer(4, 2, 1, 1, 8)(_x(lib, 3, 2, 4),
                                                                      _x(lib, 3, 1, 4)),
    "transformer_features": lambda lib: lib.nn.Transformer(4, 2, 1, 1, 8)(_x(lib, 3, 2, 4),
                                                                         _x(lib, 3, 2, 3)),
}  # fmt: skip


def _raised(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
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
    assert m_msg.replace("mytorch.", "torch.") == t_msg


def test_mismatched_mask_warning_matches_torch():
    def run(lib):
        m = lib.nn.MultiheadAttention(4, 2)
        x = _x(lib, 3, 2, 4)
        with pytest.warns(UserWarning) as record:
            m(x, x, x, key_padding_mask=_b(lib, 2, 3), attn_mask=_x(lib, 3, 3))
        return [str(w.message) for w in record]

    assert run(mytorch) == run(torch)
