"""What the checks of 03-activations share: tolerances, input grids, and one check for every
element-wise ``<name>_forward`` / ``<name>_backward`` pair.

Oracle: PyTorch's own functions (``torch.sigmoid``, ``torch.tanh``, ``torch.relu``,
``F.leaky_relu``, ``F.prelu``, ``F.elu``) and autograd, in float64. Every input grid contains
exact zeros, where the expected (sub)gradient is PyTorch's: ReLU'(0) = 0, LeakyReLU'(0) =
PReLU'(0) = the negative slope, ELU'(0) = alpha.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch
import torch.nn.functional as F

from ..base import Check, Data, expect, expect_close
from ..judging import answer_array, answer_field, unchanged
from ..probing import call, functions, returned, student_array

__all__ = ["RTOL", "ATOL", "EXTREMES", "TINY", "random_input", "input_grids", "activation_reference", "ElementwiseCheck"]

#: float64 tolerances for values and gradients.
RTOL, ATOL = 1e-7, 1e-12

#: Inputs around every special point: zero, tiny, moderate, beyond exp's overflow (709.78), huge.
EXTREMES = np.array([-1000.0, -710.0, -709.0, -100.0, -40.0, -20.0, -5.0, -1.0, -1e-8, -0.0,
                     0.0, 1e-8, 1.0, 5.0, 20.0, 40.0, 100.0, 709.0, 710.0, 1000.0])


#: Inputs near 0 and in the far tails, where exp(x) - 1 or 1 - sigma(x) cancels and only a
#: relative tolerance sees the lost digits.
TINY = np.array([-1e-300, -1e-12, -1e-8, -1e-5, -0.1, 1e-12, 1e-8, 1e-5, 0.1, -30.0, -40.0, -700.0, 30.0])


def _same_params(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def _same_call(case: Data, kind: str, params: dict[str, Any], x: np.ndarray) -> bool:
    return (case["kind"] == kind and _same_params(case["params"], params) and case["x"].shape == x.shape
            and np.array_equal(case["x"], x))


def random_input(rng: np.random.Generator, shape: tuple[int, ...], scale: float = 3.0) -> np.ndarray:
    """Gaussian entries with about one in seven set to exactly 0 (where the kinks are)."""
    x = scale * rng.standard_normal(shape)
    x.reshape(-1)[::7] = 0.0
    return x


def input_grids(visible: bool, seed: int, *, extremes: bool = True) -> list[np.ndarray]:
    """The inputs of one activation: the extremes (or a small grid around 0), then random arrays."""
    rng = np.random.default_rng(seed)
    xs = ([EXTREMES.copy()] if extremes else [np.array([-2.0, -1e-8, -0.0, 0.0, 1e-8, 2.0])])
    xs.append(random_input(rng, (4, 5)))
    if not visible:
        xs += [random_input(rng, (3,)), random_input(rng, (2, 3, 4)), random_input(rng, (50, 20), 10.0)]
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


def _fmt(value: Any) -> str:
    return f"an array of shape {value.shape}" if isinstance(value, np.ndarray) else repr(value)


class ElementwiseCheck(Check):
    """One probe and judge for groups of ``<name>_forward`` / ``<name>_backward`` pairs: a case is
    one activation ``kind`` on one input ``x`` with keyword arguments ``params`` (those passed to
    the forward; the others take their default, :attr:`DEFAULTS`) and an upstream gradient ``dout``."""

    #: The functions of the exercise's tuple, in its order.
    names: ClassVar[tuple[str, ...]]
    #: Activations whose forward and backward run with NumPy's overflow and invalid turned into errors.
    strict_overflow: ClassVar[frozenset[str]] = frozenset()
    hints: ClassVar[dict[str, dict[str, str]]] = {}
    #: The oracle's value of every keyword argument the case does not pass (the notebook's defaults).
    DEFAULTS: ClassVar[dict[str, dict[str, float]]] = {"leaky_relu": {"negative_slope": 0.01}, "elu": {"alpha": 1.0}}

    def plan(self, visible: bool) -> list[tuple[str, dict[str, Any], np.ndarray]]:
        """(activation, keyword arguments passed to the forward, x) for every call."""
        raise NotImplementedError

    def cases(self, *, visible: bool) -> list[Data]:
        # one upstream gradient per call, drawn in order from one fixed stream; the hidden run
        # is the visible cases, then the calls of the hidden plan that are not among them
        rng = np.random.default_rng(17)
        shown = [{"kind": kind, "params": params, "x": x, "dout": rng.standard_normal(x.shape)}
                 for kind, params, x in self.plan(True)]
        if visible:
            return shown
        rng = np.random.default_rng(18)
        return shown + [{"kind": kind, "params": params, "x": x, "dout": rng.standard_normal(x.shape)}
                        for kind, params, x in self.plan(False)
                        if not any(_same_call(c, kind, params, x) for c in shown)]

    def interleaved_pairs(self) -> list[tuple[Data, Data]]:
        """For :class:`~grader.checks.properties.Interleaved`: two visible cases of each activation."""
        own = self.cases(visible=True)
        kinds = dict.fromkeys(c["kind"] for c in own)
        pairs = []
        for kind in kinds:
            mine = [c for c in own if c["kind"] == kind]
            if len(mine) >= 2:
                pairs.append((mine[0], mine[1]))
        return pairs

    def _fns(self, obj: Any, kind: str) -> tuple[Any, Any]:
        fns = functions(self, obj, self.names)
        return fns[f"{kind}_forward"], fns[f"{kind}_backward"]

    def _strict(self, kind: str) -> tuple[type[Exception], ...]:
        """The errors :meth:`answer` reports itself (an overflow of an activation in strict_overflow)."""
        return (FloatingPointError,) if kind in self.strict_overflow else ()

    def forward(self, obj: Any, case: Data) -> tuple[dict[str, Any], Any]:
        """One forward call of the case's activation: ({"out": the raw output}, the cache)."""
        kind, x, params = case["kind"], case["x"], case["params"]
        fwd, _ = self._fns(obj, kind)
        strict = self._strict(kind)
        got = (call(self, fwd, x, params["alpha"], what=f"{kind}_forward(x, alpha)", reraise=strict)
               if kind == "prelu" else call(self, fwd, x, **params, what=f"{kind}_forward(x, ...)", reraise=strict))
        out, cache = returned(self, got, ("out", "cache"), f"{kind}_forward")
        student_array(self, out, f"the output of {kind}_forward", x.shape,
                      hint="an element-wise function keeps the shape of x")
        return {"out": out}, cache

    def _backward(self, obj: Any, case: Data, cache: Any) -> Data:
        """One backward call: {"dx": ...} and, for PReLU, {"dalpha": ...}, as float arrays."""
        kind = case["kind"]
        _, bwd = self._fns(obj, kind)
        grads = call(self, bwd, case["dout"], cache, what=f"{kind}_backward(dout, cache)", reraise=self._strict(kind))
        if kind != "prelu":
            return {"dx": student_array(self, grads, f"dx from {kind}_backward")}
        dx, dalpha = returned(self, grads, ("dx", "dalpha"), f"{kind}_backward")
        return {"dx": student_array(self, dx, f"dx from {kind}_backward"),
                "dalpha": student_array(self, dalpha, f"dalpha from {kind}_backward")}

    def backward(self, obj: Any, case: Data, cache: Any) -> dict[str, np.ndarray]:
        """For Interleaved: {"dx": ...} (dalpha is judged by the check's own cases)."""
        return {"dx": self._backward(obj, case, cache)["dx"]}

    def extreme_cases(self, *, visible: bool) -> list[Data]:
        """For :class:`~grader.checks.properties.NoOverflow`: every activation of the exercise on
        :data:`EXTREMES` and on :data:`TINY`, with each parameter setting of the visible plan."""
        rng = np.random.default_rng(19)
        seen: list[tuple[str, dict[str, Any]]] = []
        for kind, params, _ in self.plan(True):
            if kind != "prelu" and not any(k == kind and _same_params(p, params) for k, p in seen):
                seen.append((kind, params))
        return [{"kind": kind, "params": params, "x": x.copy(), "dout": rng.standard_normal(x.shape)}
                for kind, params in seen for x in (EXTREMES, TINY)]

    def answer(self, obj: Any, case: Data) -> Data:
        kind, x = case["kind"], case["x"]
        if kind not in self.strict_overflow:
            return self._answer(obj, case)
        try:
            with np.errstate(over="raise", invalid="raise"):
                return self._answer(obj, case)
        except FloatingPointError as err:
            bad = x[np.abs(x) >= 709] if x.ndim == 1 else x
            raise self.fail(f"{kind}: an overflow or an invalid operation (inf/inf, inf-inf) while "
                            f"computing {kind} at large |x|",
                            expected=f"finite results without overflow at x = {bad}",
                            actual=f"FloatingPointError: {err}",
                            hint=self.hints.get(kind, {}).get("overflow", "")) from None

    def _answer(self, obj: Any, case: Data) -> Data:
        raw, cache = self.forward(obj, case)
        rec = {"out": student_array(self, raw["out"], f"the output of {case['kind']}_forward"),
               **self._backward(obj, case, cache)}
        if case["kind"] == "prelu":
            rec["alpha_after"] = np.asarray(case["params"]["alpha"], dtype=np.float64)
        rec["x_after"], rec["dout_after"] = case["x"], case["dout"]
        return rec

    def judge_case(self, case: Data, answer: Any) -> int:
        kind, x, dout, params = case["kind"], case["x"], case["dout"], case["params"]
        where = f"(x of shape {x.shape}{''.join(f', {k}={_fmt(v)}' for k, v in params.items())})"
        hints = self.hints.get(kind, {})
        ref = activation_reference(kind, x, dout, **{**self.DEFAULTS.get(kind, {}), **params})
        expect(self, unchanged(self, answer, "x_after", x, f"x after {kind}_forward"),
               f"x must not be modified by {kind}_forward {where}", expected=x,
               actual=answer_field(self, answer, "x_after", f"x after {kind}_forward"),
               hint="compute into a new array (np.where, np.maximum, x * mask); x[x < 0] = ... writes into the caller's x")
        expect(self, unchanged(self, answer, "dout_after", dout, f"dout after {kind}_backward"),
               f"dout must not be modified by {kind}_backward {where}", expected=dout,
               actual=answer_field(self, answer, "dout_after", f"dout after {kind}_backward"),
               hint="compute dx into a new array")
        out = answer_array(self, answer, "out", x.shape, f"the output of {kind}_forward {where}",
                           hint="an element-wise function keeps the shape of x")
        expect_close(self, out, ref["out"], f"{kind}_forward(x) {where}", rtol=RTOL, atol=ATOL,
                     hint=hints.get("forward", "compare with the formula above"), precise=True)
        dx = answer_array(self, answer, "dx", x.shape, f"dx from {kind}_backward {where}", hint="dx has the shape of x")
        at0 = x == 0  # from the input, never from the answer
        if at0.any():
            expect_close(self, dx[at0], ref["dx"][at0],
                         f"dx from {kind}_backward at x = 0 exactly {where}", rtol=RTOL, atol=ATOL,
                         hint=hints.get("zero", "at x = 0 follow PyTorch's convention stated in the notebook"))
        expect_close(self, dx, ref["dx"], f"dx = dout * {kind}'(x) from {kind}_backward {where}",
                     rtol=RTOL, atol=ATOL, hint=hints.get("backward", "multiply dout by the local derivative"))
        if kind != "prelu":
            return 6
        alpha = params["alpha"]
        expect(self, unchanged(self, answer, "alpha_after", alpha, "alpha after prelu_forward"),
               f"alpha must not be modified by prelu_forward {where}", expected=alpha,
               actual=answer_field(self, answer, "alpha_after", "alpha after prelu_forward"))
        dalpha = answer_array(self, answer, "dalpha", alpha.shape, f"dalpha {where}",
                              hint="dalpha has the shape of alpha: sum dout * x over every axis alpha is shared along")
        expect_close(self, dalpha, ref["dalpha"], f"dalpha from prelu_backward {where}",
                     rtol=RTOL, atol=ATOL, hint=hints.get("dalpha", ""))
        return 9
