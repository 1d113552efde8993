"""06-regularization/weight_penalty: L2, L1 and elastic-net penalties and their gradients, biases excluded.

Oracle: the penalty written in torch (float64) over the arrays with two or more dimensions, and its
autograd gradients (torch's |w|' at 0 is 0, the subgradient the statement asks for); the neighbouring
mistakes (no 1/2, 2·l2·W, biases penalised, a mean for a sum, sign(0) = ±1) are recomputed to name them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..base import Check, Data, expect, expect_close, register
from ..judging import answer_array, answer_dict, answer_number, unchanged
from ..probing import call, returned, student_array, student_number
from ..properties import Defaults

__all__ = ["WeightPenalty", "ATOL", "RTOL", "reference"]

RTOL, ATOL = 1e-10, 1e-12


def _weights(rng: np.random.Generator, shape: tuple[int, ...], zeros: bool = True) -> np.ndarray:
    w = rng.standard_normal(shape)
    if zeros and w.size > 2:
        w.reshape(-1)[:: 3] = 0.0  # exact zeros, where |w| has its kink
    return w


def _params(rng: np.random.Generator, kind: str) -> dict[str, np.ndarray]:
    """Parameter dicts named as a torch model's named_parameters()."""
    if kind == "mlp":
        return {"fc1.weight": _weights(rng, (4, 3)), "fc1.bias": rng.standard_normal(4),
                "fc2.weight": _weights(rng, (2, 4)), "fc2.bias": rng.standard_normal(2)}
    if kind == "cnn":
        return {"conv.weight": _weights(rng, (3, 2, 3, 3)), "conv.bias": rng.standard_normal(3),
                "bn.weight": 1.0 + 0.1 * rng.standard_normal(3), "bn.bias": rng.standard_normal(3),
                "temperature": np.array(1.5), "head.weight": _weights(rng, (5, 3))}
    if kind == "column":
        return {"w": _weights(rng, (6, 1)), "row": _weights(rng, (1, 7)), "scale": rng.standard_normal(1)}
    return {"w": np.zeros((3, 3)), "b": np.zeros(3)}


#: (kind of params, options): l2 and l1 chosen so that every neighbouring mistake gives another value
_VISIBLE = [("mlp", {"l2": 0.1}), ("mlp", {"l1": 0.05}), ("cnn", {"l2": 0.2, "l1": 0.03})]
_HIDDEN = _VISIBLE + [
    ("cnn", {"l2": 0.7}), ("cnn", {"l1": 0.4}), ("column", {"l2": 1e-3, "l1": 2e-3}), ("mlp", {}),
    ("zeros", {"l2": 0.5, "l1": 0.5}), ("column", {"l2": 0.0, "l1": 0.25}), ("mlp", {"l2": 3.0, "l1": 0.0}),
]


def _penalised(params: dict[str, np.ndarray], *, all_arrays: bool = False) -> list[str]:
    return [k for k, v in params.items() if all_arrays or np.ndim(v) >= 2]


def reference(params: dict[str, np.ndarray], l2: float, l1: float) -> tuple[float, dict[str, np.ndarray]]:
    """The penalty and its gradients with torch autograd (float64)."""
    ts = {k: torch.tensor(np.asarray(v, dtype=np.float64), requires_grad=True) for k, v in params.items()}
    total = torch.zeros((), dtype=torch.float64)
    for k in _penalised(params):
        total = total + l2 / 2 * (ts[k] ** 2).sum() + l1 * ts[k].abs().sum()
    if total.requires_grad:
        total.backward()
    return float(total.detach()), {k: (t.grad.numpy() if t.grad is not None else np.zeros(t.shape)) for k, t in ts.items()}


def _neighbours(params: dict[str, np.ndarray], l2: float, l1: float) -> list[tuple[float, dict, str]]:
    """(value, grads, hint) of the neighbouring mistakes."""
    def form(keys, half=0.5, grad2=1.0, reduce=np.sum, sign=np.sign):
        value = sum(l2 * half * reduce(params[k] ** 2) + l1 * reduce(np.abs(params[k])) for k in keys)
        grads = {k: (grad2 * l2 * v + l1 * sign(v) if k in keys else np.zeros(np.shape(v))) for k, v in params.items()}
        return float(value), grads

    keys, every = _penalised(params), _penalised(params, all_arrays=True)
    return [
        (*form(keys, half=1.0), "the value of the L2 term is l2/2 * sum(W**2): the 1/2 is missing"),
        (*form(keys, grad2=2.0), "the gradient of l2/2 * sum(W**2) is l2 * W, not 2 * l2 * W"),
        (*form(every), "arrays with fewer than 2 dimensions (biases, norm-layer scales) are not penalised: "
                       "select the arrays with W.ndim >= 2, whatever their names"),
        (*form([k for k in params if "bias" not in k]),
         "select the penalised arrays by their number of dimensions (ndim >= 2), not by their names: "
         "a norm layer's 1-d weight and a 0-d array are not penalised"),
        (*form([k for k in keys if np.ndim(params[k]) == 2]),
         "every array with two or more dimensions is penalised: conv kernels (4-d) too, not only matrices"),
        (*form(keys, reduce=np.mean), "the penalty sums over the entries (sum, not mean)"),
        (*form(keys, sign=lambda v: np.where(v >= 0, 1.0, -1.0)),
         "the subgradient of |w| at w = 0 is 0 (np.sign(0) = 0), not +1 or -1"),
    ]


@register
class WeightPenalty(Check):
    """the value and the gradients against the penalty written in torch and its autograd gradients
    (float64), for L2 alone, L1 alone, both (elastic net) and neither, on parameter dicts named as
    `named_parameters()` names them: weight matrices, a column and a row matrix, a 4-d conv kernel,
    biases, norm-layer scales and a 0-d array, with exact zeros in the weights (where the L1
    subgradient must be 0); that only arrays with two or more dimensions are penalised (whatever their
    names), that `grads` has the keys and shapes of `params` with zeros for the excluded arrays, that
    the value is a Python float, and that `params` is not modified. A wrong value or gradient is
    compared with the usual slips: the 1/2 of the L2 term missing, a gradient 2·l2·W, biases
    penalised, a mean instead of a sum, sign(0) taken as ±1."""

    id = "06-regularization/weight_penalty"
    properties = (Defaults(l2=0.0, l1=0.0),)
    option_outputs = ("value", "grads")

    def cases(self, *, visible: bool) -> list[Data]:
        return [{"params": _params(np.random.default_rng(60 + i), kind), "options": dict(options)}
                for i, (kind, options) in enumerate(_VISIBLE if visible else _HIDDEN)]

    def _call(self, obj: Any, params: dict[str, np.ndarray], options: dict[str, float]) -> tuple[float, dict]:
        given = ", ".join(f"{k}={v}" for k, v in options.items())
        out = call(self, obj, params, **options, what=f"weight_penalty(params, {given})")
        value, grads = returned(self, out, ("value", "grads"), "weight_penalty")
        value = student_number(self, value, "the penalty's value", hint="return float(value)")
        expect(self, isinstance(grads, dict), "grads must be a dict name -> array, with the keys of params",
               expected="a dict", actual=type(grads).__name__, hint="build {name: gradient for name in params}")
        missing = [k for k in params if k not in grads]
        expect(self, not missing and len(grads) == len(params), "grads must have exactly the keys of params",
               expected=sorted(params), actual=sorted(map(str, grads)),
               hint="give every parameter a gradient: zeros of its shape for the excluded ones (biases)")
        # l2 * W of a 0-d array W is a NumPy scalar, which stands for a 0-d array here
        return value, {k: student_array(self, np.asarray(grads[k]) if np.ndim(params[k]) == 0 and
                                        isinstance(grads[k], np.generic) else grads[k],
                                        f"grads[{k!r}]", np.shape(params[k])) for k in params}

    def answer(self, obj: Any, case: Data) -> Data:
        params = case["params"]
        value, grads = self._call(obj, params, case["options"])
        return {"value": value, "grads": grads, "params_after": params}

    def with_options(self, obj: Any, case: Data, options: dict[str, float]) -> Data:
        value, grads = self._call(obj, case["params"], options)
        return {"value": np.array([value]), "grads": np.concatenate([np.ravel(g) for g in grads.values()])}

    def judge_case(self, case: Data, answer: Any) -> int:
        params, options = case["params"], case["options"]
        l2, l1 = options.get("l2", 0.0), options.get("l1", 0.0)
        where = f"({', '.join(f'{k}={v}' for k, v in options.items()) or 'l2 and l1 left at their defaults'}; " \
                f"params {', '.join(f'{k} {np.shape(v)}' for k, v in params.items())})"
        after = answer_dict(self, answer, "params_after", "the params after the call")
        for k, v in params.items():
            expect(self, unchanged(self, after, k, v, f"params[{k!r}] after the call"),
                   f"params must not be modified: params[{k!r}] changed {where}", expected="params unchanged",
                   actual=f"params[{k!r}] was changed", hint="compute new arrays (l2 * W); do not write into W")
        value = answer_number(self, answer, "value", "the penalty's value")
        got = answer_dict(self, answer, "grads", "grads")
        grads = {k: answer_array(self, got, k, np.shape(v), f"grads[{k!r}]") for k, v in params.items()}
        want_value, want = reference(params, l2, l1)
        neighbours = _neighbours(params, l2, l1)
        if not np.isclose(value, want_value, rtol=RTOL, atol=ATOL):
            hint = next((h for v, _, h in neighbours if np.isclose(value, v, rtol=RTOL, atol=ATOL)),
                        "value = l2/2 * sum of W**2 + l1 * sum of |W|, over the arrays with ndim >= 2")
            expect_close(self, value, want_value, f"the penalty's value {where}", rtol=RTOL, atol=ATOL, hint=hint)
        for k in params:
            if not np.allclose(grads[k], want[k], rtol=RTOL, atol=ATOL):
                hint = next((h for _, g, h in neighbours if np.allclose(grads[k], g[k], rtol=RTOL, atol=ATOL)),
                            "the gradient is l2 * W + l1 * sign(W) for a penalised array, zeros for the others")
                what = f"grads[{k!r}] ({'penalised' if np.ndim(params[k]) >= 2 else 'excluded: ndim < 2'}) {where}"
                expect_close(self, grads[k], want[k], what, rtol=RTOL, atol=ATOL, hint=hint)
        return 3
