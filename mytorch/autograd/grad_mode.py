"""Grad mode: whether ops record a graph. Per thread, as in torch."""

import functools
import threading


class _State(threading.local):
    enabled = True
    inference = False
    implicit_higher_order = False  # inside grad() running mytorch's higher-order default


_state = _State()


def is_grad_enabled() -> bool:
    """Mirrors `torch.is_grad_enabled`."""
    return _state.enabled


def is_inference_mode_enabled() -> bool:
    """Mirrors `torch.is_inference_mode_enabled`."""
    return _state.inference


class _Mode:
    """Base for context managers that double as decorators (`@no_grad()` and `@no_grad`)."""

    def __new__(cls, *args):
        if len(args) == 1 and callable(args[0]) and cls._bare_decorator:
            return cls()(args[0])
        return super().__new__(cls)

    _bare_decorator = True

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(*self._args):
                return fn(*args, **kwargs)

        return wrapper

    _args: tuple[bool, ...] = ()

    def __enter__(self):
        self._prev = (_state.enabled, _state.inference)
        self._apply()
        return self

    def __exit__(self, *exc):
        _state.enabled, _state.inference = self._prev
        return False

    def clone(self):
        return self.__class__(*self._args)


class no_grad(_Mode):  # noqa: N801
    """Mirrors `torch.no_grad`."""

    def _apply(self):
        _state.enabled = False


class enable_grad(_Mode):  # noqa: N801
    """Mirrors `torch.enable_grad`."""

    def _apply(self):
        _state.enabled = True


class set_grad_enabled(_Mode):  # noqa: N801
    """Mirrors `torch.set_grad_enabled`: takes effect at once; also a context manager."""

    _bare_decorator = False

    def __init__(self, mode: bool):
        if not isinstance(mode, bool):
            raise TypeError(
                f"set_grad_enabled(): argument 'mode' must be bool, not {type(mode).__name__}"
            )
        self._args = (mode,)
        self._prev = (_state.enabled, _state.inference)
        _state.enabled = mode

    def _apply(self):
        _state.enabled = self._args[0]

    def __enter__(self):
        return self

    def __call__(self, fn):
        # as a decorator it must not change the mode where it is written
        _state.enabled = self._prev[0]
        return super().__call__(fn)


class inference_mode(_Mode):  # noqa: N801
    """Mirrors `torch.inference_mode`: here it is no_grad plus the inference flag."""

    def __init__(self, mode: bool = True):
        self._args = (mode,)

    def _apply(self):
        if self._args[0]:
            _state.enabled = False
            _state.inference = True
