"""05-batchnorm/layernorm_forward: layer norm's forward pass and its cache.

Oracle: ``torch.nn.functional.layer_norm`` in float64. :mod:`.groupnorm_forward` is this check on
group norm (``kind = "gn"``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ..base import Check, Data, expect, expect_close, register
from ..judging import answer_array, answer_number
from ..probing import as_float_array, call, returned
from .shared import all_unchanged, array, cache_answer, cache_record, gn_cache, gn_fn, ln_cache, ln_fn, t
from ..properties import Defaults, LargeMean

__all__ = ["LayernormForward"]


@register
class LayernormForward(Check):
    r"""the output against `torch.nn.functional.layer_norm` in float64 on inputs whose rows *and*
    columns have different means and scales (so normalising the wrong axis shows), a batch of one,
    a large `eps`; the cache entries and their shapes; unmodified inputs."""

    id = "05-batchnorm/layernorm_forward"
    properties = (LargeMean("x"), Defaults(eps=1e-5))
    fn_name: ClassVar[str] = "layernorm_forward"
    #: "ln" (layer norm) or "gn" (group norm)
    kind: ClassVar[str] = "ln"

    def specs(self, visible: bool) -> list[tuple[tuple[int, ...], int | None, float]]:
        """(shape of x, number of groups G or None, eps) per case."""
        return [((4, 6), None, 1e-5)] if visible else [((4, 6), None, 1e-5), ((1, 5), None, 1e-5),
                                                      ((9, 3), None, 0.2), ((5, 8), None, 1e-3)]

    def cases(self, *, visible: bool) -> list[Data]:
        cases = []
        for i, (shape, G, eps) in enumerate(self.specs(visible)):
            rng = np.random.default_rng(900 + i)
            C = shape[1]
            # rows with different offsets and scales, and features with different offsets
            x = rng.normal(0, 3, [shape[0]] + [1] * (len(shape) - 1)) + rng.normal(0, 2, [1, C] + [1] * (len(shape) - 2)) \
                + rng.uniform(0.5, 3.0, [shape[0]] + [1] * (len(shape) - 1)) * rng.standard_normal(shape)
            gamma = rng.uniform(0.5, 2.0, C) * rng.choice([-1.0, 1.0], C)
            beta = rng.normal(0.0, 1.0, C)
            cases.append(dict(x=x, gamma=gamma, beta=beta, eps=eps, G=G))
        return cases

    def _cache_shapes(self, case: Data) -> dict[str, tuple[int, ...]]:
        N, C = case["x"].shape[:2]
        groups = (N, 1) if self.kind == "ln" else (N, case["G"])
        return {"x": case["x"].shape, "x_hat": case["x"].shape, "mu": groups, "var": groups, "gamma": (C,)}

    #: what with_options returns (for Defaults)
    option_outputs = ("out",)

    def with_options(self, obj: Any, case: Data, options: dict[str, Any]) -> Data:
        """For Defaults: the output with exactly ``options`` in the parameter dict."""
        x, gamma, beta, G = case["x"].copy(), case["gamma"].copy(), case["beta"].copy(), case["G"]
        args = (x, gamma, beta, dict(options)) if self.kind == "ln" else (x, gamma, beta, G, dict(options))
        what = f"{self.fn_name} with the parameter dict {dict(options)}"
        out, _ = returned(self, call(self, obj, *args, what=what), ("out", "cache"), self.fn_name)
        return {"out": array(self, out, "out", case["x"].shape)}

    def answer(self, obj: Any, case: Data) -> Data:
        x, gamma, beta, eps, G = case["x"], case["gamma"], case["beta"], case["eps"], case["G"]
        xc, gc, bc = x.copy(), gamma.copy(), beta.copy()
        args = (xc, gc, bc, {"eps": eps}) if self.kind == "ln" else (xc, gc, bc, G, {"eps": eps})
        out, cache = returned(self, call(self, obj, *args, what=self.fn_name), ("out", "cache"), self.fn_name)
        out = array(self, out, "out", x.shape)
        cache_data = cache_record(self, cache, self.fn_name, self._cache_shapes(case))
        if self.kind == "gn":
            if "G" not in cache:
                raise self.fail(f"the cache returned by {self.fn_name} lacks the key 'G'", expected="cache['G'] = G",
                                actual=sorted(map(str, cache)), hint="store the number of groups too")
            cache_data["G"] = float(as_float_array(self, cache["G"], "cache['G']").reshape(-1)[0])
        # the inputs as they are after the call: the judge compares them with its own
        return {"out": out, "cache": cache_data, "x_after": xc.copy(), "gamma_after": gc.copy(), "beta_after": bc.copy()}

    def judge_case(self, case: Data, answer: Any) -> int:
        x, gamma, beta, eps, G = case["x"], case["gamma"], case["beta"], case["eps"], case["G"]
        where = f"(x of shape {tuple(x.shape)}, eps={eps:g}" + (f", G={G}" if G else "") + ")"
        expect(self, all_unchanged(self, answer, {"x": x, "gamma": gamma, "beta": beta}),
               f"x, gamma and beta must not be modified {where}",
               expected="unchanged", actual="modified in place", hint="compute into new arrays")
        out = answer_array(self, answer, "out", x.shape, "out")
        cache = cache_answer(self, answer, self._cache_shapes(case), where)
        if self.kind == "gn":
            cache["G"] = answer_number(self, answer["cache"], "G", f"cache['G'] {where}")
        if self.kind == "ln":
            ref = ln_fn(eps)(t(x), t(gamma), t(beta)).numpy()
            ref_cache = ln_cache(x, gamma, eps)
            hint = ("normalise each ROW (example) over its D features, axis=1 with keepdims, with the biased "
                    "variance: (x - mu) / sqrt(var + eps); then gamma * x_hat + beta")
        else:
            ref = gn_fn(G, eps)(t(x), t(gamma), t(beta)).numpy()
            ref_cache = gn_cache(x, gamma, G, eps)
            hint = ("reshape to (N, G, C // G, H, W): each group is C // G CONSECUTIVE channels; take mean and "
                    "biased variance over axes (2, 3, 4); then scale and shift per CHANNEL with gamma, beta of shape (C,)")
        expect_close(self, out, ref, f"out {where}", rtol=1e-6, atol=1e-8, hint=hint)
        for key in ("x", "mu", "var", "x_hat"):
            expect_close(self, cache[key], ref_cache[key], f"cache['{key}'] {where}", rtol=1e-7, atol=1e-9,
                         hint="the cache holds exactly what the docstring lists, with those shapes")
        expect_close(self, cache["gamma"], gamma, f"cache['gamma'] {where}", rtol=0, atol=0)
        expect_close(self, cache["eps"], eps, f"cache['eps'] {where}", rtol=0, atol=0)
        if self.kind != "gn":
            return 8
        expect_close(self, cache["G"], G, f"cache['G'] {where}", rtol=0, atol=0)
        return 9
