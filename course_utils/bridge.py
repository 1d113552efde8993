"""Run the NumPy code students write inside ordinary PyTorch training.

The notebooks implement layers, penalties and update rules in NumPy, then train real
models with them. Each adapter converts at the boundary (tensors to float NumPy arrays of
the same dtype, results back to the dtype and device they replace) and checks what the
student's function returned, with a message naming the function and what to fix:

- :class:`NumpyLayer`: an ``nn.Module`` from a pair ``forward(x, ...) -> (out, cache)``,
  ``backward(dout, cache) -> dx`` (or ``(dx, *dparams)``);
- :class:`NumpyOptimizer`: a ``torch.optim.Optimizer`` from an update rule
  ``rule(param, grad, state, **hyperparameters) -> new_param``;
- :func:`numpy_penalty`: a differentiable scalar from
  ``penalty_fn(params) -> (value, grads)``;
- :func:`student_or_reference`: use the student's version when it is written, a
  reference otherwise, so later cells still run.
"""

from __future__ import annotations

import copy
import inspect
import numbers
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import torch
from torch import Tensor
from torch.autograd.function import once_differentiable

__all__ = ["NumpyLayer", "NumpyOptimizer", "numpy_penalty", "student_or_reference"]

# Keys torch itself puts in a param group (the optimizer, lr schedulers, SWA); they are
# not hyperparameters of the rule unless its signature names them.
_TORCH_GROUP_KEYS = frozenset({"params", "param_names", "initial_lr", "max_lr", "min_lr",
                               "base_momentum", "max_momentum", "swa_lr"})


def _name(fn: Any) -> str:
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)


def _to_numpy(t: Tensor) -> np.ndarray:
    # A copy, so that NumPy code can neither modify the tensor nor see it change later.
    return t.detach().cpu().numpy().copy()


def _like(t: Tensor) -> tuple[tuple[int, ...], torch.dtype, torch.device]:
    # What a result replacing t must match: shape, dtype (floating), device.
    dtype = t.dtype if t.is_floating_point() else torch.get_default_dtype()
    return tuple(t.shape), dtype, t.device


def _to_tensor(a: Any, like: tuple, what: str) -> Tensor:
    if isinstance(a, Tensor):
        a = a.detach().cpu().numpy()
    try:
        array = np.asarray(a)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{what} must be a NumPy array, got {type(a).__name__}") from err
    if array.dtype == object:
        raise TypeError(f"{what} must be a NumPy array of numbers, got {type(a).__name__}")
    return torch.tensor(array, dtype=like[1], device=like[2])


class _NumpyLayerFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, layer: NumpyLayer, options: dict, x: Tensor, *params: Tensor):
        fwd = _name(layer.numpy_forward)
        result = layer.numpy_forward(_to_numpy(x), *(_to_numpy(p) for p in params), **options)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise TypeError(f"{fwd} must return a pair (out, cache), got "
                            f"{type(result).__name__}; end it with `return out, cache`")
        out, ctx.cache = result
        ctx.layer, ctx.inputs = layer, [_like(t) for t in (x, *params)]
        return _to_tensor(out, _like(x), f"the out returned by {fwd}")

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, dout: Tensor):
        layer, inputs = ctx.layer, ctx.inputs
        bwd, names = _name(layer.numpy_backward), ("x", *layer.param_names)
        grads = layer.numpy_backward(_to_numpy(dout), ctx.cache)
        if not isinstance(grads, tuple):
            grads = (grads,)
        if len(grads) != len(inputs):
            expected = ", ".join("d" + n for n in names)
            raise ValueError(
                f"{bwd} returned {len(grads)} gradient(s), expected {len(inputs)}: "
                f"({expected}), one per input of the forward pass, in that order")
        out = []
        for name, g, like, needed in zip(names, grads, inputs, ctx.needs_input_grad[2:]):
            what = f"d{name} returned by {bwd}"
            if g is None:
                raise TypeError(f"{what} is None; return an array of shape {like[0]}")
            g = _to_tensor(g, like, what)
            if tuple(g.shape) != like[0]:
                raise ValueError(f"{what} has shape {tuple(g.shape)}, expected "
                                 f"{like[0]}, the shape of {name}")
            out.append(g if needed else None)
        return (None, None, *out)


class NumpyLayer(torch.nn.Module):
    """A layer whose forward and backward passes are a NumPy pair.

    Calling the layer on a tensor ``x`` (N, ...) runs ``forward(x_np, *param_arrays,
    **options) -> (out, cache)``; autograd's backward pass runs ``backward(dout_np,
    cache)``, which returns ``dx`` (same shape as ``x``) or, when the layer has
    parameters, ``(dx, *dparams)`` in the order of ``params``. Arrays are copies in the
    tensors' dtype (use float64 for gradient checks); ``out`` and the gradients come back
    in the dtype and on the device of the tensor they belong to. Backward runs once per
    graph (no double backward).

    Args:
        forward: the NumPy forward pass, e.g. ``affine_forward(x, W, b)``.
        backward: the matching NumPy backward pass.
        params: name -> initial array (or tensor), registered in this order as
            ``nn.Parameter`` attributes (``layer.W``) and passed positionally after ``x``.
            The parameters keep the arrays' dtype.
        train_arg: if given (e.g. ``"train"``), ``forward`` also receives
            ``train=self.training``, so ``layer.train()`` / ``layer.eval()`` reach it.
        **options: passed by keyword at every call (e.g. ``p=0.5``); a
            ``np.random.Generator`` is the same object every call, so each call draws anew.

    Example::

        dropout = NumpyLayer(dropout_forward, dropout_backward, train_arg="train",
                             p=0.5, rng=np.random.default_rng(0))
    """

    def __init__(self, forward: Callable, backward: Callable, *,
                 params: Mapping[str, Any] | None = None, train_arg: str | None = None,
                 **options: Any) -> None:
        super().__init__()
        if not callable(forward) or not callable(backward):
            raise TypeError("forward and backward must be functions, got "
                            f"{type(forward).__name__} and {type(backward).__name__}")
        if train_arg is not None and train_arg in options:
            raise ValueError(f"{train_arg!r} is set by train_arg from layer.training; "
                             "do not pass it as an option too")
        self.numpy_forward, self.numpy_backward = forward, backward
        self.train_arg, self.options = train_arg, dict(options)
        self.param_names = tuple(params or ())
        for name, value in (params or {}).items():
            value = (value.detach().clone() if isinstance(value, Tensor)
                     else torch.tensor(np.asarray(value)))
            self.register_parameter(name, torch.nn.Parameter(value))

    def forward(self, x: Tensor) -> Tensor:
        """Run the NumPy forward pass on ``x`` (N, ...) and return ``out`` as a tensor."""
        x = torch.as_tensor(x)
        options = dict(self.options)
        if self.train_arg is not None:
            options[self.train_arg] = self.training
        # getattr, not self._parameters, so torch.func.functional_call can swap them.
        params = [getattr(self, name) for name in self.param_names]
        return _NumpyLayerFunction.apply(self, options, x, *params)

    def extra_repr(self) -> str:
        parts = [f"forward={_name(self.numpy_forward)}",
                 f"backward={_name(self.numpy_backward)}"]
        if self.param_names:
            parts.append(f"params=({', '.join(self.param_names)})")
        if self.train_arg is not None:
            parts.append(f"train_arg={self.train_arg!r}")
        parts += [f"{k}={v!r}" for k, v in self.options.items()]
        return ", ".join(parts)


class NumpyOptimizer(torch.optim.Optimizer):
    """A ``torch.optim.Optimizer`` whose update is a NumPy rule, one parameter at a time.

    At every :meth:`step`, for each parameter ``p`` with a gradient, ``rule(param, grad,
    state, **hyper)`` receives copies of ``p`` and ``p.grad`` as NumPy arrays (p's dtype and
    shape, 0-d to 4-d), the dict ``state`` (empty before the first step; the rule fills it
    with buffers under torch.optim's names, and ``optimizer.state[p]`` is that same dict),
    and the hyperparameters of p's group; it returns the new parameter, copied into ``p``.
    Parameters whose gradient is None are skipped and their state is untouched.

    Args:
        params: parameters, or param groups (dicts with ``"params"`` and their own
            hyperparameters), as for any torch optimizer.
        rule: the update rule. Its signature decides which hyperparameters exist: a group
            key it does not accept, or a hyperparameter it requires and a group lacks, is
            a TypeError here (a rule taking ``**kwargs`` accepts any key).
        **defaults: hyperparameters of every group that does not set its own, e.g.
            ``lr=0.1, momentum=0.9``. Learning-rate schedulers change ``group["lr"]``.
    """

    def __init__(self, params: Iterable[Any], rule: Callable, **defaults: Any) -> None:
        if not callable(rule):
            raise TypeError(f"rule must be a function, got {type(rule).__name__}")
        self.rule = rule
        try:
            self._signature: inspect.Signature | None = inspect.signature(rule)
        except (TypeError, ValueError):  # some builtins have no signature: trust them
            self._signature = None
        super().__init__(params, defaults)

    def _hyperparameters(self, group: Mapping[str, Any]) -> dict[str, Any]:
        named = set() if self._signature is None else set(self._signature.parameters)
        return {k: (v.item() if isinstance(v, Tensor) and v.ndim == 0 else v)
                for k, v in group.items()
                if k != "params" and (k not in _TORCH_GROUP_KEYS or k in named)}

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group as torch does, then check its hyperparameters against the rule."""
        super().add_param_group(param_group)
        if self._signature is None:
            return
        hyper = self._hyperparameters(self.param_groups[-1])
        where = f"param group {len(self.param_groups) - 1}"
        rule = f"{_name(self.rule)}{self._signature}"
        try:
            self._signature.bind(None, None, {}, **hyper)
        except TypeError as err:
            self.param_groups.pop()
            accepted = [n for n, p in list(self._signature.parameters.items())[3:]
                        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
            unknown = sorted(set(hyper) - set(accepted))
            if unknown and not any(p.kind is p.VAR_KEYWORD
                                   for p in self._signature.parameters.values()):
                raise TypeError(f"{where} sets {', '.join(unknown)}, which the rule {rule} "
                                f"does not accept; its hyperparameters are "
                                f"{', '.join(accepted) or 'none'}") from None
            raise TypeError(f"the rule {rule} cannot take the hyperparameters of {where} "
                            f"({err}); pass the missing ones to NumpyOptimizer(..., "
                            "name=value) or in the group") from None

    @torch.no_grad()
    def step(self, closure: Callable[[], Tensor] | None = None) -> Tensor | None:
        """Update every parameter that has a gradient; return ``closure()`` if given."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        rule = _name(self.rule)
        for group in self.param_groups:
            hyper = self._hyperparameters(group)
            for p in group["params"]:
                if p.grad is None:
                    continue
                new = self.rule(_to_numpy(p), _to_numpy(p.grad), self.state[p], **hyper)
                if not isinstance(new, (np.ndarray, np.generic, numbers.Real)):
                    raise TypeError(f"{rule} must return the new parameter as a NumPy "
                                    f"array, got {type(new).__name__}")
                if np.shape(new) != tuple(p.shape):
                    raise ValueError(f"{rule} returned an array of shape {np.shape(new)} "
                                     f"for a parameter of shape {tuple(p.shape)}; return "
                                     "the updated parameter, same shape as param")
                p.copy_(torch.as_tensor(np.asarray(new), dtype=p.dtype, device=p.device))
        return loss

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load groups as torch does, and the rules' state dicts as they were saved."""
        # torch's loader rebuilds every iterable in the state by its type, which an
        # ndarray does not survive: load the groups alone, then the state by position.
        saved = state_dict["state"]
        super().load_state_dict({**state_dict, "state": {}})
        for old, new in zip(state_dict["param_groups"], self.param_groups):
            for key, p in zip(old["params"], new["params"]):
                if key in saved:
                    self.state[p] = copy.deepcopy(saved[key])


class _PenaltyFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, penalty_fn: Callable, names: tuple, options: dict,
                *params: Tensor) -> Tensor:
        fn = _name(penalty_fn)
        result = penalty_fn({n: _to_numpy(p) for n, p in zip(names, params)}, **options)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise TypeError(f"{fn} must return a pair (value, grads), got "
                            f"{type(result).__name__}")
        value, grads = result
        if not isinstance(grads, Mapping) or set(grads) != set(names):
            got = sorted(grads) if isinstance(grads, Mapping) else type(grads).__name__
            raise ValueError(f"{fn} must return grads as a dict with one entry per "
                             f"parameter (zeros where unpenalised): expected keys "
                             f"{sorted(names)}, got {got}")
        ctx.grads = []
        for n, p in zip(names, params):
            g = _to_tensor(grads[n], _like(p), f"grads[{n!r}] returned by {fn}")
            if g.shape != p.shape:
                raise ValueError(f"grads[{n!r}] returned by {fn} has shape "
                                 f"{tuple(g.shape)}, expected {tuple(p.shape)}")
            ctx.grads.append(g)
        return torch.tensor(float(value), dtype=params[0].dtype, device=params[0].device)

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, dvalue: Tensor):
        return (None, None, None, *(dvalue * g if needed else None
                                    for g, needed in zip(ctx.grads, ctx.needs_input_grad[3:])))


def numpy_penalty(penalty_fn: Callable, model: torch.nn.Module, **options: Any) -> Tensor:
    """A scalar tensor whose value and gradient come from a NumPy penalty of the weights.

    ``penalty_fn(params, **options) -> (value, grads)`` receives ``params``, a dict
    ``name -> array`` of copies of ``model.named_parameters()``, and returns a float and a
    dict with the same keys and shapes. Backpropagating through the result adds
    ``grads[name]`` (times the upstream gradient) to each ``p.grad``, so
    ``loss = F.cross_entropy(out, y) + numpy_penalty(weight_penalty, model, l2=1e-3)``
    trains with the penalty.

    Returns:
        A 0-d tensor in the dtype and on the device of the model's first parameter.
    """
    named = list(model.named_parameters())
    if not named:
        raise ValueError("model has no parameters to penalise")
    names = tuple(n for n, _ in named)
    return _PenaltyFunction.apply(penalty_fn, names, options, *(p for _, p in named))


def student_or_reference(name: str, try_student: Callable[[], Any],
                         reference: Callable[[], Any], *,
                         what: str = "PyTorch's reference") -> Any:
    """Return ``try_student()``, or ``reference()`` while the exercise is not done.

    Only NotImplementedError (the stub's) falls back, printing one line
    ``"<name> is not done yet: this cell uses <what> instead."``; any other exception
    propagates, so that a wrong answer shows instead of being hidden.
    """
    try:
        return try_student()
    except NotImplementedError:
        pass
    print(f"{name} is not done yet: this cell uses {what} instead.")
    return reference()
