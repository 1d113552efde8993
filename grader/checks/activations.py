"""Checks for 03-activations: collapsing linear layers, activation functions, dead ReLUs.

Every probe calls the student's functions on inputs built here from fixed seeds and returns
plain data; every judge compares that data with an oracle that shares no code with a
solution:

* ``collapse_linear``: the layers applied one after the other (to the identity matrix, to
  the zero vector and to random inputs), the shapes of the (out, in) convention.
* ``sigmoid_tanh``, ``relu_leaky_relu``, ``prelu_elu``, ``maxout``: PyTorch's own
  functions (``torch.sigmoid``, ``torch.tanh``, ``torch.relu``, ``F.leaky_relu``,
  ``F.prelu``, ``F.elu``, ``einsum`` + ``max``) and autograd, in float64. Every input grid
  contains exact zeros, where the expected (sub)gradient is PyTorch's: ReLU'(0) = 0,
  LeakyReLU'(0) = PReLU'(0) = the negative slope, ELU'(0) = alpha. Sigmoid and tanh must
  also stay finite *without overflowing* at |x| = 1000 (they run under
  ``np.errstate(over="raise", invalid="raise")``).
* ``dead_relu_fraction``: matrices built so that the number of dead units is known by
  construction (closed form), including units that fire only once and exact zeros.

The activation exercises are groups of functions, which the notebook collects in a tuple
named after the exercise and the grade cell passes (a mapping by name, or an object with a
``functions`` tuple in the same order, is accepted too).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from .base import (
    Check,
    Data,
    as_float_array,
    expect,
    expect_close,
    expect_not_none,
    expect_shape,
    register,
)
from .base import answer_array as _answer
from .base import answer_field as _field
from .base import answer_number as _number
from .base import describe as _kind
from .base import real_array as _real_array

__all__ = [
    "CollapseLinear",
    "SigmoidTanh",
    "ReluLeakyRelu",
    "PreluElu",
    "Maxout",
    "DeadReluFraction",
    "activation_reference",
]

#: float64 tolerances for values and gradients.
RTOL, ATOL = 1e-7, 1e-12


def _unpack(check: Check, obj: Any, names: tuple[str, ...]) -> dict[str, Callable[..., Any]]:
    """The student's functions by name, from the tuple the grade cell passes."""
    order = ", ".join(names)
    if isinstance(obj, Mapping):
        fns = [obj.get(n) for n in names]
    elif isinstance(obj, (tuple, list)):
        fns = list(obj)
    elif isinstance(getattr(obj, "functions", None), (tuple, list)):
        fns = list(obj.functions)
    else:
        raise check.fail(f"this exercise needs its functions as a tuple ({order})",
                         expected=f"a tuple of {len(names)} functions", actual=type(obj).__name__,
                         hint=f"run the grade cell as given: it passes ({order})")
    if len(fns) != len(names) or not all(callable(f) for f in fns):
        raise check.fail(f"this exercise needs a tuple of {len(names)} functions ({order})",
                         expected=order, actual=f"{len(fns)} object(s): {[type(f).__name__ for f in fns]}",
                         hint="run the grade cell as given")
    return dict(zip(names, fns))


def _pair(check: Check, out: Any, name: str, what: str) -> tuple[Any, Any]:
    """Split a student's ``(a, b)`` return value, or fail naming ``what`` it should be."""
    expect_not_none(check, out, what)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        n = f" of length {len(out)}" if isinstance(out, (tuple, list)) else ""
        raise check.fail(f"{name} must return a pair {what}", expected=what, actual=f"{type(out).__name__}{n}",
                         hint=f"end {name} with `return {what.strip('()')}`")
    return out[0], out[1]


def _fmt(value: Any) -> str:
    return f"an array of shape {value.shape}" if isinstance(value, np.ndarray) else repr(value)


def _array(check: Check, value: Any, what: str) -> np.ndarray:
    expect_not_none(check, value, what)
    return as_float_array(check, value, what)


# Judge-side reading of the answers. When autograding, the probe runs in the student's kernel
# and its data may be forged: a judge trusts nothing the probe validated there, so it checks
# the type, shape and presence of every answer itself, with shapes taken from the inputs
# (which the grader has verified, see Check.inputs), never from the answers.

def _after(check: Check, record: Any, key: str, what: str) -> np.ndarray:
    """An input array as it was after the student's call (compared with the input by the caller)."""
    return _real_array(check, _field(check, record, key, what), what)


def _items(check: Check, record: Any, key: str, n: int, what: str, *, prop: str = "", hint: str = "") -> list[Any]:
    """The answer ``record[key]``: a list (or tuple) of exactly ``n`` items."""
    value = _field(check, record, key, what)
    ok = isinstance(value, (list, tuple)) and len(value) == n
    actual = f"{len(value)} item(s)" if isinstance(value, (list, tuple)) else _kind(value)
    expect(check, ok, prop or f"{what} must be a list of {n} items", expected=f"{n} item(s)", actual=actual, hint=hint)
    return list(value)


# ---------------------------------------------------------------------------------------
# 03-activations/collapse_linear
# ---------------------------------------------------------------------------------------

def _collapse_cases(visible: bool) -> list[list[tuple[np.ndarray, np.ndarray]]]:
    """Lists of layers (W (out, in), b (out,)); consecutive shapes chain."""
    rng = np.random.default_rng(303)

    def net(dims: list[int]) -> list[tuple[np.ndarray, np.ndarray]]:
        return [(rng.standard_normal((o, i)) / np.sqrt(i), rng.standard_normal(o))
                for i, o in zip(dims[:-1], dims[1:])]

    cases = [net([2, 3]), net([3, 4, 2]), net([4, 4, 4])]
    if visible:
        return cases
    return cases + [
        net([5, 5, 5, 5]),
        net([6, 1, 3]),          # a bottleneck of width 1
        net([3, 7, 2, 6, 1]),    # rectangular in both directions, scalar output
        net([8] * 11),           # ten layers
    ]


@register
class CollapseLinear(Check):
    id = "03-activations/collapse_linear"

    def inputs(self, *, visible: bool = False) -> Data:
        # the layers are the only inputs; W, b and the *_after copies are the student's answers
        return {"cases": [{"Ws": [W for W, _ in layers], "bs": [b for _, b in layers]}
                          for layers in _collapse_cases(visible)]}

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        results = []
        for layers in _collapse_cases(visible):
            given = [(W.copy(), b.copy()) for W, b in layers]
            out = obj(given)
            W, b = _pair(self, out, "collapse_linear", "(W, b)")
            results.append({
                "Ws": [W for W, _ in layers], "bs": [b for _, b in layers],
                "W": _array(self, W, "the collapsed weight W"), "b": _array(self, b, "the collapsed bias b"),
                "Ws_after": [np.asarray(w, dtype=np.float64) for w, _ in given],
                "bs_after": [np.asarray(v, dtype=np.float64) for _, v in given],
            })
        return {"cases": results}

    def judge(self, data: Data) -> int:
        n = 0
        rng = np.random.default_rng(404)
        for case in data["cases"]:
            Ws, bs = case["Ws"], case["bs"]
            dims = [Ws[0].shape[1]] + [w.shape[0] for w in Ws]
            where = f"(layer widths {' -> '.join(map(str, dims))})"
            # one array per layer, as many as were passed in: a shorter list would skip layers
            unmodified = f"the layers passed in must not be modified {where}"
            hint = "build new arrays; do not use @= or += on the inputs, nor change the list of layers"
            Ws_after = _items(self, case, "Ws_after", len(Ws), "the weights after the call", prop=unmodified, hint=hint)
            bs_after = _items(self, case, "bs_after", len(bs), "the biases after the call", prop=unmodified, hint=hint)
            for i, (w0, w1, b0, b1) in enumerate(zip(Ws, Ws_after, bs, bs_after)):
                w1 = _real_array(self, w1, f"the weight of layer {i} after the call")
                b1 = _real_array(self, b1, f"the bias of layer {i} after the call")
                expect(self, np.array_equal(w0, w1) and np.array_equal(b0, b1),
                       f"the layers passed in must not be modified (layer {i}) {where}",
                       expected=(w0, b0), actual=(w1, b1), hint="build new arrays; do not use @= or += on the inputs")

            def network(h: np.ndarray, *, bias: bool = True) -> np.ndarray:
                for W, b in zip(Ws, bs):  # one layer after the other: the oracle
                    h = h @ W.T + (b if bias else 0.0)
                return h

            W = _answer(self, case, "W", (dims[-1], dims[0]), f"W {where}",
                        hint="W has shape (out of the last layer, in of the first layer): W_L @ ... @ W_1")
            b = _answer(self, case, "b", (dims[-1],), f"b {where}",
                        hint="b has the output size of the last layer")
            W_ref = network(np.eye(dims[0]), bias=False).T  # linear part: the layers applied to the basis
            expect_close(self, W, W_ref, f"W = W_L @ ... @ W_2 @ W_1 {where}", rtol=RTOL, atol=ATOL,
                         hint="the first layer acts first, so it stands rightmost in the product")
            expect_close(self, b, network(np.zeros(dims[0])), f"b = the network's output at x = 0 {where}",
                         rtol=RTOL, atol=ATOL,
                         hint="each bias passes through every later layer: b <- W_i @ b + b_i")
            X = rng.standard_normal((9, dims[0]))
            expect_close(self, X @ W.T + b, network(X),
                         f"x -> W x + b equals the layers applied one after the other, on random inputs {where}",
                         rtol=RTOL, atol=ATOL)
            n += 6
        return n


# ---------------------------------------------------------------------------------------
# Element-wise activations: one oracle for all
# ---------------------------------------------------------------------------------------

#: Inputs around every special point: zero, tiny, moderate, beyond exp's overflow (709.78), huge.
EXTREMES = np.array([-1000.0, -710.0, -709.0, -100.0, -40.0, -20.0, -5.0, -1.0, -1e-8, -0.0,
                     0.0, 1e-8, 1.0, 5.0, 20.0, 40.0, 100.0, 709.0, 710.0, 1000.0])


def _random_input(rng: np.random.Generator, shape: tuple[int, ...], scale: float = 3.0) -> np.ndarray:
    """Gaussian entries with about one in seven set to exactly 0 (where the kinks are)."""
    x = scale * rng.standard_normal(shape)
    x.reshape(-1)[::7] = 0.0
    return x


def _inputs(visible: bool, seed: int, *, extremes: bool = True) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    xs = ([EXTREMES.copy()] if extremes else [np.array([-2.0, -1e-8, -0.0, 0.0, 1e-8, 2.0])])
    xs.append(_random_input(rng, (4, 5)))
    if not visible:
        xs += [_random_input(rng, (3,)), _random_input(rng, (2, 3, 4)), _random_input(rng, (50, 20), 10.0)]
    return xs


def activation_reference(kind: str, x: np.ndarray, dout: np.ndarray, **params: Any) -> dict[str, np.ndarray]:
    """PyTorch's value and autograd gradients (float64) of activation ``kind`` at ``x``.

    Returns ``{"out", "dx"}`` and, for ``prelu``, ``"dalpha"``.
    """
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    extra = {}
    if kind == "sigmoid":
        y = torch.sigmoid(xt)
    elif kind == "tanh":
        y = torch.tanh(xt)
    elif kind == "relu":
        y = torch.relu(xt)
    elif kind == "leaky_relu":
        y = F.leaky_relu(xt, negative_slope=params["negative_slope"])
    elif kind == "elu":
        y = F.elu(xt, alpha=params["alpha"])
    elif kind == "prelu":
        extra["alpha"] = torch.tensor(params["alpha"], dtype=torch.float64, requires_grad=True)
        y = F.prelu(xt, extra["alpha"])
    else:
        raise ValueError(f"unknown activation {kind!r}")
    y.backward(torch.tensor(dout, dtype=torch.float64))
    out = {"out": y.detach().numpy().copy(), "dx": xt.grad.numpy().copy()}
    if kind == "prelu":
        out["dalpha"] = extra["alpha"].grad.numpy().copy()
    return out


def _with_douts(
    plan: list[tuple[str, dict[str, Any], np.ndarray]],
) -> list[tuple[str, dict[str, Any], np.ndarray, np.ndarray]]:
    """(activation, forward keyword arguments, x, dout) for every call: one upstream gradient per
    call, drawn in order from one fixed stream."""
    rng = np.random.default_rng(17)
    return [(kind, params, x, rng.standard_normal(x.shape)) for kind, params, x in plan]


class _ElementwiseCheck(Check):
    """Shared probe/judge for groups of ``<name>_forward`` / ``<name>_backward`` pairs."""

    #: (activation, extra keyword arguments to the forward) per function pair, in the tuple's order.
    names: tuple[str, ...]
    #: Run the forward and backward with numpy overflow / invalid turned into errors.
    strict_overflow: frozenset[str] = frozenset()
    hints: dict[str, dict[str, str]] = {}

    def plan(self, visible: bool) -> list[tuple[str, dict[str, Any], np.ndarray]]:
        """(activation, forward keyword arguments, x) for every call."""
        raise NotImplementedError

    def _call(self, kind: str, fns: dict[str, Callable[..., Any]], x: np.ndarray, params: dict[str, Any],
              dout: np.ndarray) -> dict[str, Any]:
        fwd, bwd = fns[f"{kind}_forward"], fns[f"{kind}_backward"]
        x_in, dout_in = x.copy(), dout.copy()
        call_params = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in params.items()
                       if not k.startswith("_")}
        if kind == "prelu":
            out, cache = _pair(self, fwd(x_in, call_params["alpha"]), f"{kind}_forward", "(out, cache)")
        else:
            out, cache = _pair(self, fwd(x_in, **call_params), f"{kind}_forward", "(out, cache)")
        out = _array(self, out, f"the output of {kind}_forward")
        expect_shape(self, out, x.shape, f"the output of {kind}_forward",
                     hint="an element-wise function keeps the shape of x")
        grads = bwd(dout_in, cache)
        rec = {"out": out}
        if kind == "prelu":
            dx, dalpha = _pair(self, grads, f"{kind}_backward", "(dx, dalpha)")
            rec["dalpha"] = _array(self, dalpha, f"dalpha from {kind}_backward")
            rec["alpha_after"] = np.asarray(call_params["alpha"], dtype=np.float64)
        else:
            dx = grads
        rec["dx"] = _array(self, dx, f"dx from {kind}_backward")
        rec["x_after"], rec["dout_after"] = x_in, dout_in
        return rec

    def inputs(self, *, visible: bool = False) -> Data:
        # params is a dict, and bind_inputs accepts a dict with extra keys: param_names pins its
        # keys (the judge reads only those); out, dx, dalpha and the *_after copies are answers
        return {"cases": [{"kind": kind, "params": params, "param_names": list(params), "x": x, "dout": dout}
                          for kind, params, x, dout in _with_douts(self.plan(visible))]}

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        fns = _unpack(self, obj, self.names)
        results = []
        for kind, params, x, dout in _with_douts(self.plan(visible)):
            if kind in self.strict_overflow:
                try:
                    with np.errstate(over="raise", invalid="raise"):
                        rec = self._call(kind, fns, x, params, dout)
                except FloatingPointError as err:
                    bad = x[np.abs(x) >= 709] if x.ndim == 1 else x
                    raise self.fail(f"{kind}: an overflow or an invalid operation (inf/inf, inf-inf) while "
                                    f"computing {kind} at large |x|",
                                    expected=f"finite results without overflow at x = {bad}",
                                    actual=f"FloatingPointError: {err}",
                                    hint=self.hints.get(kind, {}).get("overflow", "")) from None
            else:
                rec = self._call(kind, fns, x, params, dout)
            results.append({"kind": kind, "params": params, "param_names": list(params), "x": x, "dout": dout,
                            **rec})
        return {"cases": results}

    def judge(self, data: Data) -> int:
        n = 0
        for case in data["cases"]:
            kind, x, dout = case["kind"], case["x"], case["dout"]
            params = {k: case["params"][k] for k in case["param_names"]}  # exactly the grader's keys
            shown = {k: v for k, v in params.items() if not k.startswith("_")}
            where = f"(x of shape {x.shape}{''.join(f', {k}={_fmt(v)}' for k, v in shown.items())})"
            hints = self.hints.get(kind, {})
            ref = activation_reference(kind, x, dout, **{**shown, **{k[1:]: v for k, v in params.items()
                                                                       if k.startswith("_")}})
            x_after = _after(self, case, "x_after", f"x after {kind}_forward")
            expect(self, np.array_equal(x_after, x, equal_nan=True), f"{kind}_forward must not modify x {where}",
                   expected=x, actual=x_after,
                   hint="compute into a new array (np.where, np.maximum, x * mask); x[x < 0] = ... writes into the caller's x")
            dout_after = _after(self, case, "dout_after", f"dout after {kind}_backward")
            expect(self, np.array_equal(dout_after, dout), f"{kind}_backward must not modify dout {where}",
                   expected=dout, actual=dout_after, hint="compute dx into a new array")
            out = _answer(self, case, "out", x.shape, f"the output of {kind}_forward {where}",
                          hint="an element-wise function keeps the shape of x")
            expect_close(self, out, ref["out"], f"{kind}_forward(x) {where}", rtol=RTOL, atol=ATOL,
                         hint=hints.get("forward", "compare with the formula above"))
            dx = _answer(self, case, "dx", x.shape, f"dx from {kind}_backward {where}", hint="dx has the shape of x")
            at0 = x == 0  # from the input, never from the answer
            if at0.any():
                expect_close(self, dx[at0], ref["dx"][at0],
                             f"dx from {kind}_backward at x = 0 exactly {where}", rtol=RTOL, atol=ATOL,
                             hint=hints.get("zero", "at x = 0 follow PyTorch's convention stated in the notebook"))
            expect_close(self, dx, ref["dx"], f"dx = dout * {kind}'(x) from {kind}_backward {where}",
                         rtol=RTOL, atol=ATOL, hint=hints.get("backward", "multiply dout by the local derivative"))
            n += 6
            if kind == "prelu":
                alpha = shown["alpha"]
                alpha_after = _after(self, case, "alpha_after", "alpha after prelu_forward")
                expect(self, np.array_equal(alpha_after, alpha), f"prelu_forward must not modify alpha {where}",
                       expected=alpha, actual=alpha_after)
                dalpha = _answer(self, case, "dalpha", alpha.shape, f"dalpha {where}",
                                 hint="dalpha has the shape of alpha: sum dout * x over every axis alpha is shared along")
                expect_close(self, dalpha, ref["dalpha"], f"dalpha from prelu_backward {where}",
                             rtol=RTOL, atol=ATOL, hint=hints.get("dalpha", ""))
                n += 3
        return n


@register
class SigmoidTanh(_ElementwiseCheck):
    id = "03-activations/sigmoid_tanh"
    names = ("sigmoid_forward", "sigmoid_backward", "tanh_forward", "tanh_backward")
    strict_overflow = frozenset({"sigmoid", "tanh"})
    hints = {
        "sigmoid": {
            "overflow": "1 / (1 + np.exp(-x)) overflows for x << 0 (and np.where evaluates BOTH branches): "
                        "compute exp only of -|x| (a boolean mask per sign), or use 0.5 * (1 + np.tanh(x / 2))",
            "forward": "sigmoid(x) = 1 / (1 + exp(-x)), computed without overflow",
            "backward": "sigmoid'(x) = s (1 - s) with s = sigmoid(x); multiply by dout",
        },
        "tanh": {
            "overflow": "(e^x - e^-x) / (e^x + e^-x) is inf / inf for large |x|: use np.tanh",
            "forward": "use np.tanh",
            "backward": "tanh'(x) = 1 - tanh(x)^2: square the OUTPUT, not the input; multiply by dout",
        },
    }

    def plan(self, visible: bool) -> list[tuple[str, dict[str, Any], np.ndarray]]:
        return [(kind, {}, x) for kind in ("sigmoid", "tanh") for x in _inputs(visible, 1 if kind == "sigmoid" else 2)]


@register
class ReluLeakyRelu(_ElementwiseCheck):
    id = "03-activations/relu_leaky_relu"
    names = ("relu_forward", "relu_backward", "leaky_relu_forward", "leaky_relu_backward")
    hints = {
        "relu": {
            "forward": "relu(x) = max(x, 0) element-wise: np.maximum(x, 0)",
            "zero": "PyTorch's convention is relu'(0) = 0: the mask is x > 0, not x >= 0",
            "backward": "dx = dout where x > 0, and 0 elsewhere",
        },
        "leaky_relu": {
            "forward": "x where x > 0, negative_slope * x elsewhere; use the negative_slope argument",
            "zero": "PyTorch's convention at x = 0 is the negative slope (the mask is x > 0)",
            "backward": "dx = dout where x > 0 and negative_slope * dout elsewhere",
        },
    }

    def plan(self, visible: bool) -> list[tuple[str, dict[str, Any], np.ndarray]]:
        plan: list[tuple[str, dict[str, Any], np.ndarray]] = [("relu", {}, x) for x in _inputs(visible, 3)]
        slopes = [None, 0.2] if visible else [None, 0.2, 0.5, 0.0]
        for i, slope in enumerate(slopes):
            # None: call with the default; the oracle then uses PyTorch's default 0.01
            params = {"_negative_slope": 0.01} if slope is None else {"negative_slope": slope}
            plan += [("leaky_relu", params, x) for x in _inputs(visible, 10 + i)]
        return plan


@register
class PreluElu(_ElementwiseCheck):
    id = "03-activations/prelu_elu"
    names = ("prelu_forward", "prelu_backward", "elu_forward", "elu_backward")
    hints = {
        "prelu": {
            "forward": "x where x > 0, alpha * x elsewhere, with alpha broadcast along the rows (one slope per column)",
            "zero": "at x = 0 use the negative side, as PyTorch does: dx = alpha * dout (the mask is x > 0)",
            "backward": "dx = dout where x > 0 and alpha * dout elsewhere",
            "dalpha": "dalpha = sum over the rows of dout * x, counting only entries with x <= 0 "
                      "(where x > 0 the output does not depend on alpha); for alpha of shape (1,) sum everything",
        },
        "elu": {
            "forward": "x where x > 0, alpha * (exp(x) - 1) elsewhere (np.expm1 is accurate near 0)",
            "zero": "at x = 0 PyTorch uses the negative side: dx = alpha * exp(0) * dout = alpha * dout",
            "backward": "dx = dout where x > 0 and alpha * exp(x) * dout (= (out + alpha) * dout) elsewhere",
        },
    }

    def plan(self, visible: bool) -> list[tuple[str, dict[str, Any], np.ndarray]]:
        rng = np.random.default_rng(5)
        shapes = [(4, 5, 5), (3, 6, 1)] if visible else [(4, 5, 5), (3, 6, 1), (50, 20, 20), (1, 3, 3), (7, 2, 1)]
        plan: list[tuple[str, dict[str, Any], np.ndarray]] = []
        for n, d, a in shapes:
            alpha = rng.uniform(-0.3, 0.6, a)
            plan.append(("prelu", {"alpha": alpha}, _random_input(rng, (n, d))))
        alphas = [None, 0.5] if visible else [None, 0.5, 2.0]
        for i, alpha in enumerate(alphas):
            params = {"_alpha": 1.0} if alpha is None else {"alpha": alpha}
            plan += [("elu", params, x) for x in _inputs(visible, 20 + i)]
        return plan


# ---------------------------------------------------------------------------------------
# 03-activations/maxout
# ---------------------------------------------------------------------------------------

def maxout_reference(x: np.ndarray, W: np.ndarray, b: np.ndarray, dout: np.ndarray) -> dict[str, np.ndarray]:
    """PyTorch (float64) value and autograd gradients of max_k (x W[:, :, k] + b[:, k])."""
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in (("x", x), ("W", W), ("b", b))}
    z = torch.einsum("nd,dhk->nhk", t["x"], t["W"]) + t["b"]           # (N, H, k)
    out = z.max(dim=2).values                                          # (N, H)
    out.backward(torch.tensor(dout, dtype=torch.float64))
    return {"out": out.detach().numpy().copy(), "dx": t["x"].grad.numpy().copy(),
            "dW": t["W"].grad.numpy().copy(), "db": t["b"].grad.numpy().copy()}


def _maxout_cases(visible: bool) -> list[dict[str, Any]]:
    """x (N, D), W (D, H, k), b (H, k), dout (N, H) and the relu flag of every case."""
    rng = np.random.default_rng(31)
    # (N, D, H, k, relu): relu=True makes piece 1 identically zero, so maxout = ReLU(piece 0)
    plan = [(4, 3, 5, 2, False), (6, 2, 3, 2, True)]
    if not visible:
        plan += [(6, 4, 3, 3, False), (5, 2, 2, 1, False), (1, 3, 4, 4, False), (20, 6, 7, 5, False)]
    cases = []
    for n, d, h, k, relu in plan:
        x, W, b = rng.standard_normal((n, d)), rng.standard_normal((d, h, k)), rng.standard_normal((h, k))
        if relu:
            W[:, :, 1], b[:, 1] = 0.0, 0.0
        dout = rng.standard_normal((n, h))
        cases.append({"x": x, "W": W, "b": b, "dout": dout, "relu": relu})
    return cases


@register
class Maxout(Check):
    id = "03-activations/maxout"
    names = ("maxout_forward", "maxout_backward")

    def inputs(self, *, visible: bool = False) -> Data:
        # x, W, b, dout and relu; out, dx, dW, db and the *_after copies are answers
        return {"cases": _maxout_cases(visible)}

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        fns = _unpack(self, obj, self.names)
        results = []
        for case in _maxout_cases(visible):
            x, W, b, dout, relu = case["x"], case["W"], case["b"], case["dout"], case["relu"]
            (n, d), (_, h, k) = x.shape, W.shape
            given = {"x": x.copy(), "W": W.copy(), "b": b.copy(), "dout": dout.copy()}
            out, cache = _pair(self, fns["maxout_forward"](given["x"], given["W"], given["b"]),
                               "maxout_forward", "(out, cache)")
            out = _array(self, out, "the output of maxout_forward")
            expect_shape(self, out, (n, h), f"the output of maxout_forward (N={n}, D={d}, H={h}, k={k})",
                         hint="z = x W + b has shape (N, H, k); take the max over the LAST axis (the k pieces)")
            grads = fns["maxout_backward"](given["dout"], cache)
            expect_not_none(self, grads, "(dx, dW, db)")
            if not isinstance(grads, (tuple, list)) or len(grads) != 3:
                raise self.fail("maxout_backward must return a triple (dx, dW, db)", expected="(dx, dW, db)",
                                actual=type(grads).__name__, hint="end with `return dx, dW, db`")
            dx, dW, db = (_array(self, g, name) for g, name in zip(grads, ("dx", "dW", "db")))
            results.append({"x": x, "W": W, "b": b, "dout": dout, "relu": relu, "out": out,
                            "dx": dx, "dW": dW, "db": db,
                            **{f"{key}_after": value for key, value in given.items()}})
        return {"cases": results}

    def judge(self, data: Data) -> int:
        n = 0
        for case in data["cases"]:
            x, W, b, dout = case["x"], case["W"], case["b"], case["dout"]
            (N, D), (_, H, k) = x.shape, W.shape
            where = f"(N={N}, D={D}, H={H}, k={k})"
            for name in ("x", "W", "b", "dout"):
                after = _after(self, case, f"{name}_after", f"{name} after the call")
                expect(self, np.array_equal(after, case[name]), f"{name} must not be modified {where}",
                       expected=case[name], actual=after, hint="compute into new arrays")
            ref = maxout_reference(x, W, b, dout)
            out = _answer(self, case, "out", (N, H), f"the output of maxout_forward {where}",
                          hint="z = x W + b has shape (N, H, k); take the max over the LAST axis (the k pieces)")
            expect_close(self, out, ref["out"], f"maxout_forward: max over k of x @ W[:, :, j] + b[:, j] {where}",
                         rtol=RTOL, atol=ATOL, hint="include the bias b of every piece before taking the max")
            if case["relu"]:  # an input: the grader's flag, not an answer
                relu = np.maximum(x @ W[:, :, 0] + b[:, 0], 0.0)
                expect_close(self, out, relu,
                             f"with piece 1 identically zero, maxout equals ReLU(x @ W[:, :, 0] + b[:, 0]) {where}",
                             rtol=RTOL, atol=ATOL)
                n += 1
            for g, shape, hint in (
                ("dx", (N, D), "dx = sum over pieces j of dz_j @ W[:, :, j].T, where dz_j is dout on the winning entries"),
                ("dW", (D, H, k), "dW[:, :, j] = x.T @ dz_j: only the winning piece of each (n, h) gets dout"),
                ("db", (H, k), "db[:, j] = dz_j summed over the batch (a sum, not a mean)"),
            ):
                grad = _answer(self, case, g, shape, f"{g} {where}", hint=f"{g} has the shape of {g[1:]}")
                expect_close(self, grad, ref[g], f"{g} from maxout_backward {where}", rtol=RTOL, atol=ATOL,
                             hint=hint + "; the other pieces get no gradient")
            n += 12
        return n


# ---------------------------------------------------------------------------------------
# 03-activations/dead_relu_fraction
# ---------------------------------------------------------------------------------------

def _dead_cases(visible: bool) -> list[dict[str, Any]]:
    """Pre-activation matrices (N, H) whose number of dead units is known by construction."""
    rng = np.random.default_rng(2718)
    neg = lambda shape: -rng.uniform(0.1, 3.0, shape)  # noqa: E731 -- strictly negative entries
    cases = []

    once = neg((6, 5))  # units 0, 2, 3 fire on exactly one example each, units 1 and 4 never
    for j, i in ((0, 5), (2, 0), (3, 2)):
        once[i, j] = 1e-3
    cases.append({"what": "units that fire on exactly one example are alive", "A": once, "n_dead": 2})

    zeros = neg((4, 3))  # unit 0 all zeros (dead), unit 1 zeros and one positive (alive), unit 2 <= 0 (dead)
    zeros[:, 0] = 0.0
    zeros[:, 1] = 0.0
    zeros[3, 1] = 0.5
    zeros[1:3, 2] = 0.0
    cases.append({"what": "an output of exactly 0 is not firing (<= 0 for every example means dead)",
                  "A": zeros, "n_dead": 2})

    cases.append({"what": "every unit is negative on every example", "A": neg((5, 4)), "n_dead": 4})
    if visible:
        return cases

    cases.append({"what": "every unit is positive on every example", "A": -neg((3, 7)), "n_dead": 0})
    planted = rng.standard_normal((200, 50))
    dead = rng.choice(50, size=17, replace=False)
    planted[:, dead] = -np.abs(planted[:, dead])
    planted[::9, dead] = 0.0
    alive = np.setdiff1d(np.arange(50), dead)
    planted[rng.integers(200, size=alive.size), alive] = rng.uniform(0.1, 1.0, alive.size)
    cases.append({"what": "17 dead units planted among 50, over 200 examples", "A": planted, "n_dead": 17})
    cases.append({"what": "a single example", "A": np.array([[1.0, -1.0, 0.0, 2.0, -3.0, -0.0]]), "n_dead": 4})
    one = neg((10, 1))
    one[::3] = -0.0
    cases.append({"what": "a single unit that never fires", "A": one, "n_dead": 1})
    tiny = neg((3, 3))
    tiny[1, 0], tiny[2, 2] = 1e-300, 1e300
    cases.append({"what": "positive outputs of any size count as firing", "A": tiny, "n_dead": 1})
    wide = neg((2, 9))  # N < H: more units than examples
    wide[0, :4] = rng.uniform(0.1, 1.0, 4)
    wide[1, 3:6] = rng.uniform(0.1, 1.0, 3)
    cases.append({"what": "more units than examples (N=2, H=9)", "A": wide, "n_dead": 3})
    return cases


@register
class DeadReluFraction(Check):
    id = "03-activations/dead_relu_fraction"

    def inputs(self, *, visible: bool = False) -> Data:
        # what, A and n_dead; value and A_after are answers
        return {"cases": _dead_cases(visible)}

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        results = []
        for case in _dead_cases(visible):
            A = case["A"].copy()
            value = obj(A)
            expect_not_none(self, value, "the fraction of dead units, a float")
            value = as_float_array(self, value, "the fraction of dead units")
            if value.size != 1:
                raise self.fail("dead_relu_fraction must return one number", expected="a float in [0, 1]",
                                actual=f"an array of shape {value.shape}",
                                hint="reduce over the examples (axis 0) per unit, then average over the units")
            results.append({**case, "value": float(value.reshape(())), "A_after": A})
        return {"cases": results}

    def judge(self, data: Data) -> int:
        n = 0
        for case in data["cases"]:
            A = case["A"]
            N, H = A.shape
            where = f"({case['what']}; N={N} examples, H={H} units)"
            A_after = _after(self, case, "A_after", "the pre-activations after the call")
            expect(self, np.array_equal(A_after, A), f"the pre-activations must not be modified {where}",
                   expected=A, actual=A_after, hint="compare into a new boolean array")
            value = _number(self, case, "value", f"the fraction of dead units {where}",
                            hint="reduce over the examples (axis 0) per unit, then average over the units")
            expected = case["n_dead"] / H
            hint = "a unit is dead when its pre-activation is <= 0 for EVERY example (all over axis 0); " \
                   "return the fraction of the H units that are dead"
            if abs(value - case["n_dead"]) < 1e-9 and case["n_dead"] != expected:
                hint = "return a fraction (dead units / H), not the number of dead units"
            elif np.isclose(value, np.mean(A <= 0)) and not np.isclose(value, expected):
                hint = "that is the fraction of ENTRIES <= 0; a unit is dead only if it is <= 0 for every example"
            elif np.isclose(value, np.mean(np.all(A < 0, axis=0))) and not np.isclose(value, expected):
                hint = "an output of exactly 0 does not fire: test <= 0, not < 0"
            elif np.isclose(value, np.mean(np.any(A <= 0, axis=0))) and not np.isclose(value, expected):
                hint = "a unit that fires on one example is alive: use all(), not any()"
            elif np.isclose(value, np.mean(np.all(A <= 0, axis=1))) and not np.isclose(value, expected):
                hint = "reduce over the examples (axis 0), one answer per unit (column)"
            expect(self, 0.0 <= value <= 1.0, f"the result must be a fraction in [0, 1] {where}",
                   expected=expected, actual=value, hint=hint)
            expect_close(self, value, expected, f"the fraction of dead units {where}", rtol=1e-12, atol=1e-12,
                         hint=hint)
            n += 3
        return n
