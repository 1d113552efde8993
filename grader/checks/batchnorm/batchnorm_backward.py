"""05-batchnorm/batchnorm_backward: batch norm's backward pass, from the grader's own cache.

Oracle: autograd through ``torch.nn.functional.batch_norm`` in float64, with non-trivial gamma and
beta. The backward receives the cache of the contract (:mod:`.shared`), built by the grader, so it
is graded on its own, whatever the student's forward pass does. The other backward checks of 05
are this one on other normalisations (``kind``) and shapes (``specs``).
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

import numpy as np

from ..base import Check, Data, expect, expect_close, register
from ..judging import answer_array, answer_dict, answer_field, real_array
from ..probing import call, returned
from .shared import array, bn_cache, bn_fn, gn_cache, gn_fn, grads, ln_cache, ln_fn, snapshot
from ..properties import LargeMean

__all__ = ["BatchnormBackward"]


@register
class BatchnormBackward(Check):
    r"""`dx`, `dgamma` and `dbeta` against PyTorch autograd through `torch.nn.functional.batch_norm`
    in float64 (relative tolerance $10^{-6}$), with non-trivial $\gamma$ (some negative) and
    $\beta$, inputs with a large mean, batches of 2 to 10 examples, a single feature, a large
    `eps`; and that `dout` and the cache are not modified."""

    id = "05-batchnorm/batchnorm_backward"
    properties = (LargeMean("x"),)
    fn_name: ClassVar[str] = "batchnorm_backward"
    #: "bn" (batch norm), "ln" (layer norm) or "gn" (group norm)
    kind: ClassVar[str] = "bn"
    #: cache entries the grader computes (not copies of inputs): compared within rounding, since the
    #: kernel's and the grader's torch may round differently (threads); the others exactly
    COMPUTED: ClassVar[frozenset[str]] = frozenset({"x_hat", "mu", "var"})
    #: the eps of the i-th case
    EPS: ClassVar[tuple[float, ...]] = (1e-5, 1e-2, 1e-5, 0.3)

    def specs(self, visible: bool) -> list[tuple[tuple[int, ...], int | None]]:
        """(shape of x, number of groups G or None) per case."""
        return [((6, 4), None)] if visible else [((6, 4), None), ((10, 3), None), ((2, 5), None), ((3, 1), None)]

    def cases(self, *, visible: bool) -> list[Data]:
        cases = []
        for i, (shape, G) in enumerate(self.specs(visible)):
            rng = np.random.default_rng(500 + i)
            C = shape[1]
            x = 3.0 + rng.uniform(0.5, 2.0, [1, C] + [1] * (len(shape) - 2)) * rng.standard_normal(shape)
            gamma = rng.uniform(0.5, 2.0, C) * rng.choice([-1.0, 1.0], C)
            beta = rng.normal(0.0, 1.0, C)
            dout = rng.standard_normal(shape)
            cases.append(dict(x=x, gamma=gamma, beta=beta, dout=dout, eps=self.EPS[i], G=G))
        return cases

    def _cache(self, case: Data) -> dict[str, Any]:
        """The cache of the contract, as the grader builds it from the case's inputs."""
        if self.kind == "ln":
            return ln_cache(case["x"], case["gamma"], case["eps"])
        if self.kind == "gn":
            return gn_cache(case["x"], case["gamma"], case["G"], case["eps"])
        return {**bn_cache(case["x"], case["eps"]), "eps": case["eps"], "gamma": case["gamma"]}

    def answer(self, obj: Any, case: Data) -> Data:
        cache = self._cache(case)
        given = copy.deepcopy(cache)
        dout = case["dout"]
        out = call(self, obj, dout, given, what=self.fn_name)
        dx, dgamma, dbeta = returned(self, out, ("dx", "dgamma", "dbeta"), self.fn_name)
        C = case["x"].shape[1]
        return {"dx": array(self, dx, "dx", case["x"].shape), "dgamma": array(self, dgamma, "dgamma", (C,)),
                "dbeta": array(self, dbeta, "dbeta", (C,)),
                # dout and the cache as they are after the call: the judge compares them
                "dout_after": dout.copy(), "cache_after": {k: snapshot(given.get(k)) for k in cache}}

    def _dout_and_cache_unchanged(self, case: Data, answer: Any) -> bool:
        """Are dout and every entry of the cache the grader gave as they were, after the call?"""
        dout_after = real_array(self, answer_field(self, answer, "dout_after", "dout after the call"),
                                "dout after the call")
        if not np.array_equal(dout_after, case["dout"]):
            return False
        after = answer_dict(self, answer, "cache_after", "the cache after the call")
        for key, given in self._cache(case).items():
            value = answer_field(self, after, key, f"cache['{key}'] after the call")
            if value is None:  # the probe's record of an entry deleted or replaced by a non-number
                return False
            value = real_array(self, value, f"cache['{key}'] after the call")
            given = np.asarray(given, dtype=np.float64)
            if value.shape != given.shape:
                return False
            same = (np.allclose(value, given, rtol=1e-12, atol=1e-15) if key in self.COMPUTED
                    else np.array_equal(value, given))
            if not same:
                return False
        return True

    def judge_case(self, case: Data, answer: Any) -> int:
        x, eps, G = case["x"], case["eps"], case["G"]
        fn = {"ln": lambda: ln_fn(eps), "gn": lambda: gn_fn(G, eps), "bn": lambda: bn_fn(eps)}[self.kind]()
        dx, dgamma, dbeta = grads(fn, x, case["gamma"], case["beta"], case["dout"])
        where = f"(x of shape {tuple(x.shape)}, eps={eps:g}" + (f", G={G}" if G else "") + ")"
        expect(self, self._dout_and_cache_unchanged(case, answer), f"dout and the cache must not be modified {where}",
               expected="unchanged", actual="modified in place", hint="compute into new arrays")
        C = x.shape[1]
        got = {"dx": answer_array(self, answer, "dx", x.shape, "dx"),
               "dgamma": answer_array(self, answer, "dgamma", (C,), "dgamma"),
               "dbeta": answer_array(self, answer, "dbeta", (C,), "dbeta")}
        scale = float(np.max(np.abs(dx))) + 1e-12
        axes = {"bn": "axis 0 (the batch)", "ln": "axis 1 (the features)",
                "gn": "the C//G channels of a group and H, W"}[self.kind]
        expect_close(self, got["dbeta"], dbeta, f"dbeta {where}", rtol=1e-7, atol=1e-9,
                     hint="dbeta is dout summed over every axis but the feature/channel axis")
        expect_close(self, got["dgamma"], dgamma, f"dgamma {where}", rtol=1e-7, atol=1e-9,
                     hint="dgamma is (dout * x_hat) summed over every axis but the feature/channel axis")
        expect_close(self, got["dx"], dx, f"dx {where}", rtol=1e-6, atol=1e-9 * scale,
                     hint=(f"the mean and the variance are taken over {axes} and both depend on x: "
                           "dx = gamma / sqrt(var + eps) * (dout - mean(dout) - x_hat * mean(dout * x_hat)), "
                           f"means over {axes}"))
        return 4
