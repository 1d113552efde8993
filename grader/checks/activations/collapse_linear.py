"""03-activations/collapse_linear: a stack of linear layers is one linear layer.

Oracle: the layers applied one after the other (to the identity matrix, to the zero vector and to
random inputs), with the shapes of the (out, in) convention.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..base import Check, Data, expect, expect_close, register
from ..judging import answer_array, answer_list, real_array
from ..probing import call, returned, student_array
from .shared import ATOL, RTOL

__all__ = ["CollapseLinear"]


def _cases(visible: bool) -> list[list[tuple[np.ndarray, np.ndarray]]]:
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
    r"""the shapes `(out_L, in_1)` and `(out_L,)`; that `W` equals the layers' linear parts applied
    one after the other, that `b` is the stack's output at 0, and that $x \mapsto Wx + b$
    reproduces the layers applied in sequence on random inputs; on stacks of one to ten layers,
    square and rectangular, with a width-1 bottleneck; that the layers passed in are not
    modified; and that `W` and `b` are new arrays, which do not change when the caller changes its
    layers afterwards."""

    id = "03-activations/collapse_linear"

    def cases(self, *, visible: bool) -> list[Data]:
        # X: random inputs (9, in) on which the judge compares x -> W x + b with the layers
        rng = np.random.default_rng(404)
        return [{"Ws": [W for W, _ in layers], "bs": [b for _, b in layers],
                 "X": rng.standard_normal((9, layers[0][0].shape[1]))} for layers in _cases(visible)]

    def answer(self, obj: Any, case: Data) -> Data:
        given = [(w.copy(), v.copy()) for w, v in zip(case["Ws"], case["bs"])]
        out = call(self, obj, given, what="collapse_linear(layers)")
        W, b = returned(self, out, ("W", "b"), "collapse_linear")
        after = {"Ws_after": [np.array(w, dtype=np.float64) for w, _ in given],
                 "bs_after": [np.array(v, dtype=np.float64) for _, v in given]}
        for w, v in given:  # the caller goes on changing its layers: the result must not change with them
            w += 1.0
            v += 1.0
        return {"W": student_array(self, W, "the collapsed weight W"), "b": student_array(self, b, "the collapsed bias b"),
                **after}

    def judge_case(self, case: Data, answer: Any) -> int:
        Ws, bs = case["Ws"], case["bs"]
        dims = [Ws[0].shape[1]] + [w.shape[0] for w in Ws]
        where = f"(layer widths {' -> '.join(map(str, dims))})"
        # one array per layer, as many as were passed in: a shorter list would skip layers
        unmodified = f"the layers passed in must not be modified {where}"
        hint = "build new arrays; do not use @= or += on the inputs, nor change the list of layers"
        Ws_after = answer_list(self, answer, "Ws_after", len(Ws), "the weights after the call", prop=unmodified, hint=hint)
        bs_after = answer_list(self, answer, "bs_after", len(bs), "the biases after the call", prop=unmodified, hint=hint)
        for i, (w0, w1, b0, b1) in enumerate(zip(Ws, Ws_after, bs, bs_after)):
            w1 = real_array(self, w1, f"the weight of layer {i} after the call")
            b1 = real_array(self, b1, f"the bias of layer {i} after the call")
            expect(self, np.array_equal(w0, w1) and np.array_equal(b0, b1),
                   f"the layers passed in must not be modified (layer {i}) {where}",
                   expected=(w0, b0), actual=(w1, b1), hint="build new arrays; do not use @= or += on the inputs")

        def network(h: np.ndarray, *, bias: bool = True) -> np.ndarray:
            for W, b in zip(Ws, bs):  # one layer after the other: the oracle
                h = h @ W.T + (b if bias else 0.0)
            return h

        W = answer_array(self, answer, "W", (dims[-1], dims[0]), f"W {where}",
                         hint="W has shape (out of the last layer, in of the first layer): W_L @ ... @ W_1")
        b = answer_array(self, answer, "b", (dims[-1],), f"b {where}", hint="b has the output size of the last layer")
        W_ref = network(np.eye(dims[0]), bias=False).T  # linear part: the layers applied to the basis
        # the probe adds 1 to every array of the caller's layers after the call: a result that moved with
        # them is the caller's own array
        moved = np.allclose(W, W_ref + 1.0) or np.allclose(b, network(np.zeros(dims[0])) + 1.0)
        expect(self, not moved, f"W and b must be new arrays, not the arrays of layers[0] {where}",
               expected="W and b unchanged when the caller later changes its layers",
               actual="they changed with the layers", hint="with one layer, return copies: np.array(W_1), np.array(b_1)")
        expect_close(self, W, W_ref, f"W = W_L @ ... @ W_2 @ W_1 {where}", rtol=RTOL, atol=ATOL,
                     hint="the first layer acts first, so it stands rightmost in the product")
        expect_close(self, b, network(np.zeros(dims[0])), f"b = the network's output at x = 0 {where}",
                     rtol=RTOL, atol=ATOL, hint="each bias passes through every later layer: b <- W_i @ b + b_i")
        X = case["X"]
        expect_close(self, X @ W.T + b, network(X),
                     f"x -> W x + b equals the layers applied one after the other, on random inputs {where}",
                     rtol=RTOL, atol=ATOL)
        return 6
