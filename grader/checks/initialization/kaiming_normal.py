"""04-initialization/kaiming_normal: He's normal initialiser, judged by its law (:mod:`.shared`),
and the options it must refuse."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..base import Case, Data, expect, register
from ..judging import answer_field
from ..probing import raised
from .shared import InitializerCheck

__all__ = ["KaimingNormal"]


def _kaiming(shape: tuple[int, ...], a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "relu") -> dict[str, Any]:
    return {"shape": shape, "params": {"a": a, "mode": mode, "nonlinearity": nonlinearity}}


_VISIBLE = [_kaiming((256, 512)), _kaiming((2, 3))]
_HIDDEN = _VISIBLE + [
    _kaiming((512, 256), mode="fan_out"),
    _kaiming((128, 64, 3, 3)),
    _kaiming((64, 128, 3, 5), mode="fan_out"),
    _kaiming((300, 400), a=0.5, nonlinearity="leaky_relu"),
    _kaiming((400, 300), a=0.2, mode="fan_out", nonlinearity="leaky_relu"),
    _kaiming((200, 600), nonlinearity="linear"),
    _kaiming((250, 300), a=0.5, nonlinearity="relu"),   # a is documented as used only for leaky_relu
    _kaiming((3, 2, 2)),
]
#: Options kaiming_normal must refuse with a ValueError (hidden cases only).
_BAD_OPTIONS = [
    {"mode": "fan_avg", "nonlinearity": "relu"},
    {"mode": "fan_in", "nonlinearity": "swish"},
    # options torch.nn.init.calculate_gain accepts, which this function documents as refused
    {"mode": "fan_in", "nonlinearity": "tanh"},
    {"mode": "fan_out", "nonlinearity": "sigmoid"},
]


@register
class KaimingNormal(InitializerCheck):
    r"""the same statistics as for Xavier normal (shape, mean, variance, Kolmogorov-Smirnov tests
    against $\mathcal{N}(0, \text{std}^2)$ and against `torch.nn.init.kaiming_normal_` with the same
    arguments, the count beyond 3 std, independence, fresh draws), for ReLU with both modes on linear and convolution
    shapes (and with $a = 0.5$ given, which ReLU ignores), leaky ReLU with $a = 0.5$ and $a = 0.2$
    (the gain uses $a^2$), and `"linear"`; the
    target std comes from `torch.nn.init.calculate_gain`. Hidden: `mode="fan_avg"` and
    `nonlinearity` `"swish"`, `"tanh"` and `"sigmoid"` (which `calculate_gain` would accept) raise
    `ValueError`."""

    id = "04-initialization/kaiming_normal"
    init = "kaiming_normal"

    def samples(self, *, visible: bool) -> list[dict[str, Any]]:
        return _VISIBLE if visible else _HIDDEN

    def cases(self, *, visible: bool) -> list[Data]:
        return super().cases(visible=visible) + ([] if visible else [
            {"kind": "raises", "shape": [20, 10], "options": options} for options in _BAD_OPTIONS])

    def answer(self, obj: Any, case: Data) -> Data:
        if case["kind"] != "raises":
            return super().answer(obj, case)
        return {"outcome": raised(obj, tuple(case["shape"]), a=0.0, rng=np.random.default_rng(0), **case["options"])}

    def judge_cases(self, cases: list[Case]) -> int:
        n = super().judge_cases(cases)
        for case, answer in cases:
            if case["kind"] == "raises":
                key = ", ".join(f"{k}={v!r}" for k, v in case["options"].items())
                outcome = answer_field(self, answer, "outcome", "the outcome of a call that must raise")
                expect(self, isinstance(outcome, str) and outcome == "ValueError",
                       f"kaiming_normal(..., {key}) must raise ValueError",
                       expected="ValueError", actual=outcome if isinstance(outcome, str) else repr(outcome)[:100],
                       hint="validate the options first, e.g. raise ValueError(f\"Invalid mode: {mode}\")")
                n += 1
        return n
