"""Recurrent layers: RNN, LSTM, GRU and their single-step cells.

The time loop runs in Python over mytorch ops, so every output is differentiable to any order;
the input projection of a whole sequence is one matmul. PackedSequence input is not supported.
"""

from __future__ import annotations

import math
import numbers
import warnings

from ... import _creation, _ops
from ..._tensor import Tensor
from .. import functional as F  # noqa: N812
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNBase", "RNNCell", "RNNCellBase"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# ---- one time step (torch's gate order: LSTM i, f, g, o; GRU r, z, n) -----------------------


def _rnn_step(x_proj, h, w_hh, b_hh, relu):
    pre = x_proj + F.linear(h, w_hh, b_hh)
    return pre.relu() if relu else pre.tanh()


def _lstm_step(x_proj, h, c, w_hh, b_hh, w_hr=None):
    i, f, g, o = (x_proj + F.linear(h, w_hh, b_hh)).chunk(4, -1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    return (h if w_hr is None else F.linear(h, w_hr)), c


def _gru_step(x_proj, h, w_hh, b_hh):
    x_r, x_z, x_n = x_proj.chunk(3, -1)
    h_r, h_z, h_n = F.linear(h, w_hh, b_hh).chunk(3, -1)
    r = (x_r + h_r).sigmoid()
    z = (x_z + h_z).sigmoid()
    # NOTE: the reset gate multiplies W_hn h + b_hn, bias included, as in torch
    n = (x_n + r * h_n).tanh()
    return n + z * (h - n)  # (1 - z) * n + z * h


# ---- full sequences -------------------------------------------------------------------------


def _check_number(value, name):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")


class RNNBase(Module):
    """Mirrors `torch.nn.RNNBase`: the parameters and the layer/direction loop shared by RNN,
    LSTM and GRU. PackedSequence input is not supported."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:  # fmt: skip
        super().__init__()
        if (
            not isinstance(dropout, numbers.Number)
            or isinstance(dropout, bool)
            or not 0 <= dropout <= 1
        ):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of an "
                "element being zeroed"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                "dropout expects num_layers greater than 1, but got "
                f"dropout={dropout} and num_layers={num_layers}",
                UserWarning,
                stacklevel=2,
            )
        _check_number(hidden_size, "hidden_size")
        _check_number(num_layers, "num_layers")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError(
                "proj_size should be a positive integer or zero to disable projections"
            )
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size

        gates = _GATES[mode] * hidden_size
        out_size = proj_size or hidden_size
        names = []
        for layer in range(num_layers):
            for suffix in ("", "_reverse")[: 1 + bidirectional]:
                in_size = input_size if layer == 0 else out_size * (1 + bidirectional)
                shapes: dict[str, tuple[int, ...]] = {
                    "weight_ih": (gates, in_size),
                    "weight_hh": (gates, out_size),
                }
                if bias:
                    shapes.update(bias_ih=(gates,), bias_hh=(gates,))
                if proj_size:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                for kind, shape in shapes.items():
                    name = f"{kind}_l{layer}{suffix}"
                    setattr(self, name, Parameter(_creation.empty(shape, dtype=dtype)))
                    names.append(name)
        self._flat_weights_names = names
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def flatten_parameters(self) -> None:
        """Mirrors `torch.nn.RNNBase.flatten_parameters`: nothing to do without cuDNN."""

    @property
    def _flat_weights(self):
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self):
        """The parameters grouped per layer and direction, as torch's `all_weights`."""
        per = len(self._flat_weights_names) // (self.num_layers * (1 + self.bidirectional))
        flat = self._flat_weights
        return [flat[i : i + per] for i in range(0, len(flat), per)]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ---- forward helpers ---------------------------------------------------------------------

    def _prepare(self, input, name, dim_word):  # noqa: A002
        """Checks the input's rank; returns (time-major batched input, is_batched)."""
        if input.dim() not in (2, 3):
            raise ValueError(
                f"{name}: Expected input to be 2D or 3D, got {input.dim()}D{dim_word} instead"
            )
        is_batched = input.dim() == 3
        if not is_batched:
            input = input.unsqueeze(0 if self.batch_first else 1)  # noqa: A001
        if self.batch_first:
            input = input.transpose(0, 1)  # noqa: A001
        return input, is_batched

    def _check_input(self, input):  # noqa: A002
        weight = self.weight_ih_l0
        if input.dtype != weight.dtype:
            t_in, t_w = repr(input.dtype), repr(weight.dtype)
            raise ValueError(
                f"RNN input dtype ({t_in}) does not match weight dtype ({t_w}). Convert input: "
                f"input.to({t_w}), or convert model: model.to({t_in})"
            )
        if input.size(-1) != self.input_size:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                f"{input.size(-1)}"
            )

    def _hidden_shape(self, batch, size):
        return (self.num_layers * (1 + self.bidirectional), batch, size)

    def _check_hidden(self, hx, expected, what="hidden"):
        if tuple(hx.shape) != expected:
            raise RuntimeError(f"Expected {what} size {expected}, got {list(hx.shape)}")

    def _run(self, x, states):
        """x: (T, N, in) time-major; states: tuple of (L*D, N, *) initial states.
        Returns the last layer's output (T, N, D*out) and the final states, stacked like states."""
        if x.shape[0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        dirs = 1 + self.bidirectional
        finals = [[] for _ in states]
        for layer in range(self.num_layers):
            outs = []
            for d in range(dirs):
                k = layer * dirs + d
                suffix = f"_l{layer}" + ("_reverse" if d else "")
                out, last = self._direction(x, [s[k] for s in states], suffix, reverse=bool(d))
                outs.append(out)
                for acc, s in zip(finals, last):
                    acc.append(s)
            x = outs[0] if dirs == 1 else _ops.cat(outs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, training=True)
        return x, tuple(_ops.stack(acc, 0) for acc in finals)

    def _direction(self, x, state, suffix, reverse):
        w_ih, w_hh = getattr(self, "weight_ih" + suffix), getattr(self, "weight_hh" + suffix)
        b_ih = getattr(self, "bias_ih" + suffix) if self.bias else None
        b_hh = getattr(self, "bias_hh" + suffix) if self.bias else None
        w_hr = getattr(self, "weight_hr" + suffix) if self.proj_size else None
        x_proj = F.linear(x, w_ih, b_ih)
        steps = range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])
        outputs = []
        for t in steps:
            if self.mode == "LSTM":
                state = _lstm_step(x_proj[t], *state, w_hh, b_hh, w_hr)
            elif self.mode == "GRU":
                state = [_gru_step(x_proj[t], state[0], w_hh, b_hh)]
            else:
                state = [_rnn_step(x_proj[t], state[0], w_hh, b_hh, self.mode == "RNN_RELU")]
            outputs.append(state[0])
        if reverse:
            outputs.reverse()
        return _ops.stack(outputs, 0), state

    def _forward_one_state(self, input, hx, name, dim_word):  # noqa: A002
        x, is_batched = self._prepare(input, name, dim_word)
        if hx is not None:
            if is_batched and hx.dim() != 3:
                raise RuntimeError(
                    f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor"
                )
            if not is_batched:
                if hx.dim() != 2:
                    raise RuntimeError(
                        f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D "
                        "tensor"
                    )
                hx = hx.unsqueeze(1)
        self._check_input(x)
        expected = self._hidden_shape(x.shape[1], self.hidden_size)
        if hx is None:
            hx = _creation.zeros(expected, dtype=x.dtype)
        self._check_hidden(hx, expected)
        output, (h_n,) = self._run(x, (hx,))
        output, (h_n,) = self._finish(output, (h_n,), is_batched)
        return output, h_n

    def _finish(self, output, states, is_batched):
        if self.batch_first:
            output = output.transpose(0, 1)
        if not is_batched:
            output = output.squeeze(0 if self.batch_first else 1)
            states = tuple(s.squeeze(1) for s in states)
        return output, states


class RNN(RNNBase):
    """Mirrors `torch.nn.RNN`: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device=None, dtype=None) -> None:  # fmt: skip
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device, dtype)  # fmt: skip
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):  # noqa: A002
        return self._forward_one_state(input, hx, "RNN", " tensor")


class GRU(RNNBase):
    """Mirrors `torch.nn.GRU`, with torch's gate order (r, z, n) and n = tanh(W_in x + b_in +
    r * (W_hn h + b_hn))."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device=None, dtype=None) -> None:  # fmt: skip
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device, dtype)  # fmt: skip

    def forward(self, input, hx=None):  # noqa: A002
        return self._forward_one_state(input, hx, "GRU", "")


class LSTM(RNNBase):
    """Mirrors `torch.nn.LSTM`, gate order (i, f, g, o), with `proj_size`."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device=None, dtype=None) -> None:  # fmt: skip
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device, dtype)  # fmt: skip

    def forward(self, input, hx=None):  # noqa: A002
        x, is_batched = self._prepare(input, "LSTM", "")
        if hx is not None:
            h0, c0 = hx
            want = 3 if is_batched else 2
            if h0.dim() != want or c0.dim() != want:
                kind = "batched 3-D" if is_batched else "unbatched 2-D"
                raise RuntimeError(
                    f"For {kind} input, hx and cx should also be {want}-D but got "
                    f"({h0.dim()}-D, {c0.dim()}-D) tensors"
                )
            if not is_batched:
                h0, c0 = h0.unsqueeze(1), c0.unsqueeze(1)
        self._check_input(x)
        batch = x.shape[1]
        h_shape = self._hidden_shape(batch, self.proj_size or self.hidden_size)
        c_shape = self._hidden_shape(batch, self.hidden_size)
        if hx is None:
            h0 = _creation.zeros(h_shape, dtype=x.dtype)
            c0 = _creation.zeros(c_shape, dtype=x.dtype)
        self._check_hidden(h0, h_shape, "hidden[0]")
        self._check_hidden(c0, c_shape, "hidden[1]")
        output, states = self._run(x, (h0, c0))
        output, states = self._finish(output, states, is_batched)
        return output, states


# ---- cells ----------------------------------------------------------------------------------


class RNNCellBase(Module):
    """Mirrors `torch.nn.RNNCellBase`: weight_ih (G*H, in), weight_hh (G*H, H), biases."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device=None, dtype=None) -> None:  # fmt: skip
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        gates = num_chunks * hidden_size
        self.weight_ih = Parameter(_creation.empty((gates, input_size), dtype=dtype))
        self.weight_hh = Parameter(_creation.empty((gates, hidden_size), dtype=dtype))
        if bias:
            self.bias_ih = Parameter(_creation.empty(gates, dtype=dtype))
            self.bias_hh = Parameter(_creation.empty(gates, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _batched(self, input, hidden, what=None, lstm=False):  # noqa: A002
        """Checks ranks; returns (2-D input, [2-D states] or None, is_batched)."""
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        for k, h in enumerate(hidden or ()):
            if h.dim() not in (1, 2):
                label = "hidden" if what is None else f"{what}[{k}]"
                raise ValueError(f"{name}: Expected {label} to be 1D or 2D, got {h.dim()}D instead")
        is_batched = input.dim() == 2
        if lstm and hidden is not None:
            if not is_batched:
                # torch takes hx[0] and hx[1]: an IndexError for fewer, the rest ignored
                hidden = (hidden[0], hidden[1])
            elif len(hidden) != 2:
                raise RuntimeError("lstm_cell expects two hidden states")
        if not is_batched:
            input = input.unsqueeze(0)  # noqa: A001
            hidden = hidden and [h.unsqueeze(0) for h in hidden]
        if input.size(1) != self.input_size:
            raise RuntimeError(
                f"input has inconsistent input_size: got {input.size(1)} expected {self.input_size}"
            )
        if hidden is None:
            hidden = [_creation.zeros((input.size(0), self.hidden_size), dtype=input.dtype)]
        for k, h in enumerate(hidden):
            if input.size(0) != h.size(0):
                raise RuntimeError(
                    f"Input batch size {input.size(0)} doesn't match hidden{k} batch size "
                    f"{h.size(0)}"
                )
            if h.size(1) != self.hidden_size:
                raise RuntimeError(
                    f"hidden{k} has inconsistent hidden_size: got {h.size(1)}, expected "
                    f"{self.hidden_size}"
                )
        return input, hidden, is_batched

    def _project(self, input):  # noqa: A002
        return F.linear(input, self.weight_ih, self.bias_ih)


class RNNCell(RNNCellBase):
    """Mirrors `torch.nn.RNNCell`."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None) -> None:  # fmt: skip
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        x, (h,), is_batched = self._batched(input, None if hx is None else [hx])
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        relu = self.nonlinearity == "relu"
        h = _rnn_step(self._project(x), h, self.weight_hh, self.bias_hh, relu)
        return h if is_batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """Mirrors `torch.nn.LSTMCell`."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:  # fmt: skip
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx=None):  # noqa: A002
        hidden = None if hx is None else tuple(hx)
        x, hidden, is_batched = self._batched(input, hidden, "hx", lstm=True)
        h0, c0 = hidden * 2 if hx is None else hidden
        h, c = _lstm_step(self._project(x), h0, c0, self.weight_hh, self.bias_hh)
        return (h, c) if is_batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """Mirrors `torch.nn.GRUCell`."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:  # fmt: skip
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        x, (h,), is_batched = self._batched(input, None if hx is None else [hx])
        h = _gru_step(self._project(x), h, self.weight_hh, self.bias_hh)
        return h if is_batched else h.squeeze(0)
