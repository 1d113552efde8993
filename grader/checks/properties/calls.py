"""Properties of how the student's functions are called: in another order, without their options."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..base import Case, Check, Data
from ..judging import answer_array, answer_dict
from .core import Property, same

__all__ = ["Interleaved", "Defaults"]


class Interleaved(Property):
    """Calls in another order give the same results: a second input's forward pass between a
    forward pass and its backward pass, and the backward pass run twice on one cache, give the
    gradients of a fresh forward and backward, and an output already returned does not change
    when later calls run."""

    name = "interleaved"

    def __init__(self, *, outputs: tuple[str, ...], grads: tuple[str, ...], pick: tuple[int, int] = (0, 1)) -> None:
        #: the names of what the check's ``forward`` and ``backward`` adapters return; which visible cases
        self.outputs, self.grads, self.pick = outputs, grads, pick

    def cases(self, check: Check, *, visible: bool) -> list[Data]:
        """Two of the visible cases, or the pairs of the check's ``interleaved_pairs()`` when it has one."""
        if hasattr(check, "interleaved_pairs"):
            return [{"a": a, "b": b} for a, b in check.interleaved_pairs()]
        own = check.cases(visible=True)
        return [{"a": own[self.pick[0]], "b": own[self.pick[1]]}]

    def answer(self, check: Check, obj: Any, case: Data) -> Data:
        from ..probing import as_float_array

        a, b = case["a"], case["b"]
        raw_a, cache_a = check.forward(obj, a)              # forward A, then B, before either backward
        first = {k: as_float_array(check, raw_a[k], k).copy() for k in self.outputs}
        _, cache_b = check.forward(obj, b)
        grads_b = check.backward(obj, b, cache_b)
        grads_a = check.backward(obj, a, cache_a)
        again_a = check.backward(obj, a, cache_a)           # backward twice on one cache
        later = {k: as_float_array(check, raw_a[k], k) for k in self.outputs}
        _, fresh_cache_a = check.forward(obj, a)            # the reference order: forward, backward
        fresh_a = check.backward(obj, a, fresh_cache_a)
        _, fresh_cache_b = check.forward(obj, b)
        fresh_b = check.backward(obj, b, fresh_cache_b)
        return {"first": first, "later": later, "a": grads_a, "again": again_a, "b": grads_b,
                "fresh_a": fresh_a, "fresh_b": fresh_b}

    def judge_cases(self, check: Check, cases: list[Case]) -> int:
        held = 0
        for case, answer in cases:
            def read(key: str, names: tuple[str, ...], what: str) -> dict[str, np.ndarray]:
                got = answer_dict(check, answer, key, what)
                return {k: answer_array(check, got, k, None, f"{k} ({what})") for k in names}

            first, later = (read(k, self.outputs, w) for k, w in (("first", "the output when returned"),
                                                                   ("later", "the same output after later calls")))
            for k in self.outputs:
                if not same(first[k], later[k]):
                    raise check.fail(f"{k} returned by one forward call changed when later calls ran",
                                     expected=first[k], actual=later[k],
                                     hint="return a new array, not a view of the cache or of an array reused "
                                          "by the next call; do not write into cached arrays in backward")
            held += 1
            grads = {key: read(key, self.grads, what) for key, what in (
                ("a", "backward after another input's forward"), ("again", "backward run a second time"),
                ("b", "backward of the second input"), ("fresh_a", "forward then backward"),
                ("fresh_b", "forward then backward of the second input"))}
            for key, ref, prop, hint in (
                ("again", "a", "backward run twice on one cache must give the same gradients",
                 "backward must not change the cache (no in-place edits of cached arrays)"),
                ("a", "fresh_a", "a forward pass of another input before the backward pass must not change the "
                 "gradients", "keep everything backward needs in the cache, not in globals or attributes shared "
                 "between calls"),
                ("b", "fresh_b", "the second input's gradients must not depend on the first input's calls",
                 "keep everything backward needs in the cache, not in globals shared between calls"),
            ):
                for k in self.grads:
                    if not same(grads[key][k], grads[ref][k]):
                        raise check.fail(f"{prop} ({k})", expected=grads[ref][k], actual=grads[key][k], hint=hint)
                held += 1
        return held


class Defaults(Property):
    """Called without {names}, the function behaves exactly as with the documented default{s}
    ({values})."""

    name = "defaults"

    def __init__(self, **defaults: Any) -> None:
        #: the documented defaults; the check's ``with_options(obj, case, options)`` calls the
        #: function with exactly ``options`` passed and returns its results as arrays, under the
        #: names of the check's ``option_outputs``
        self.defaults = defaults

    def wording(self) -> dict[str, str]:
        names = [f"`{k}`" for k in self.defaults]
        return {"names": " or ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " or " + names[-1],
                "s": "s" if len(names) > 1 else "",
                "values": ", ".join(f"`{k}={v!r}`" for k, v in self.defaults.items())}

    def cases(self, check: Check, *, visible: bool) -> list[Data]:
        return [{"case": check.cases(visible=True)[0], "omitted": name} for name in self.defaults]

    def answer(self, check: Check, obj: Any, case: Data) -> Data:
        given = dict(self.defaults)
        omitted = {k: v for k, v in given.items() if k != case["omitted"]}
        return {"omitted": check.with_options(obj, case["case"], omitted),
                "given": check.with_options(obj, case["case"], given)}

    def judge_cases(self, check: Check, cases: list[Case]) -> int:
        held = 0
        for case, answer in cases:
            name = case["omitted"]
            omitted = answer_dict(check, answer, "omitted", f"the results without {name}")
            given = answer_dict(check, answer, "given", f"the results with {name}={self.defaults[name]!r}")
            for k in check.option_outputs:
                want = answer_array(check, given, k, None, f"{k} with {name}={self.defaults[name]!r}")
                got = answer_array(check, omitted, k, want.shape, f"{k} without {name}")
                if not same(got, want):
                    raise check.fail(f"the default of {name} must be {self.defaults[name]!r}, as documented",
                                     expected=f"{k} as with {name}={self.defaults[name]!r}",
                                     actual=f"{k} differs when {name} is left out",
                                     hint=f"give the parameter its documented default: {name}={self.defaults[name]!r}")
            held += 1
        return held
