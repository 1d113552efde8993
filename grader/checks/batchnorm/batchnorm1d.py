"""05-batchnorm/BatchNorm1d: a batch-norm module through train() / eval() switches.

Oracle: a ``torch.nn.BatchNorm1d`` in float64 driven through the same ``train()`` / ``eval()`` calls,
compared after every call (outputs, ``running_mean``, ``running_var`` and ``training``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..base import Check, Data, expect, expect_close, register
from ..judging import answer_array, answer_dict, answer_flag, answer_list
from ..probing import call
from .shared import all_unchanged, array, t
from ..properties import LargeMean

__all__ = ["BatchNorm1dModule"]

_PLANS = [
    # (D, N, momentum, eps, ops): "f" forward, "e" eval(), "t" train()
    (4, 8, 0.1, 1e-5, "fftefftfe"),
]
_PLANS_HIDDEN = _PLANS + [
    (3, 4, 0.5, 1e-3, "ffefftfffefef"),
    (5, 2, 0.3, 1e-5, "fteefftf"),   # train() while already training, eval() twice
    (2, 16, None, None, "ffef"),      # default eps and momentum
    (3, 6, 0.2, 1e-5, "fftffef", True),  # gamma and beta left as __init__ made them (ones, zeros)
    (1, 5, 0.1, 1e-5, "ffef"),        # a single feature
]
_OPS = {"f": "forward", "e": "eval()", "t": "train()"}


def _cases(visible: bool) -> list[dict[str, Any]]:
    """Every run: the constructor's arguments, the gamma and beta set on the module, and one step per
    operation (``"f"`` forward, ``"e"`` eval(), ``"t"`` train()), with its batch ``x`` for a forward pass."""
    runs = []
    for i, (D, N, momentum, eps, ops, *keep) in enumerate(_PLANS if visible else _PLANS_HIDDEN):
        rng = np.random.default_rng(40 + i)
        gamma, beta = rng.uniform(0.5, 2.0, D) * rng.choice([-1.0, 1.0], D), rng.normal(0.0, 1.0, D)
        if keep:  # None: the test does not set them
            gamma, beta = None, None
        offs, scales = rng.normal(0, 3, D), rng.uniform(0.5, 3.0, D)
        steps: list[dict[str, Any]] = []
        for op in ops:
            step: dict[str, Any] = {"op": op}
            if op == "f":
                step["x"] = offs + scales * rng.standard_normal((N, D))
            steps.append(step)
        runs.append({"D": D, "momentum": momentum, "eps": eps, "gamma": gamma, "beta": beta, "steps": steps})
    return runs


@register
class BatchNorm1dModule(Check):
    r"""the initial parameters, buffers and mode; then, for several sizes (a single feature
    included), `momentum` and `eps`, a sequence of `forward`, `eval()`, `train()` calls
    (train → eval → train → eval, repeated switches included) replayed on a `torch.nn.BatchNorm1d` in float64: after *every* call the output,
    `running_mean`, `running_var` and `training` must agree, so the buffers must be frozen in eval
    mode and updated again after `train()`; `train()` and `eval()` return the module; with `gamma`
    and `beta` left as `__init__` made them too; a second instance keeps its own buffers; and `x`
    must not be modified."""

    id = "05-batchnorm/BatchNorm1d"
    properties = (LargeMean("steps.x"),)

    def cases(self, *, visible: bool) -> list[Data]:
        # a case is one module driven through a sequence of calls: each depends on the ones before
        return _cases(visible)

    def _attr(self, m: Any, name: str, shape: tuple[int, ...]) -> np.ndarray:
        if not hasattr(m, name):
            raise self.fail(f"a BatchNorm1d instance must have the attribute `{name}`",
                            expected=f"an array of shape {shape}", actual="no such attribute",
                            hint=f"set self.{name} in __init__")
        return array(self, getattr(m, name), f"the attribute {name}", shape).copy()

    def answer(self, obj: Any, case: Data) -> Data:
        D, momentum, eps, gamma, beta = case["D"], case["momentum"], case["eps"], case["gamma"], case["beta"]
        kwargs = {} if momentum is None else {"eps": eps, "momentum": momentum}
        m = call(self, obj, D, what=f"BatchNorm1d({D}{', ' if kwargs else ''}"
                 + ", ".join(f"{k}={v}" for k, v in kwargs.items()) + ")", **kwargs)
        for meth in ("forward", "train", "eval"):
            if not callable(getattr(m, meth, None)):
                raise self.fail(f"a BatchNorm1d instance must have a method {meth}()", expected=f"m.{meth}",
                                actual=f"{type(m).__name__} without {meth}", hint="define it in the class body")
        init = {k: self._attr(m, k, (D,)) for k in ("gamma", "beta", "running_mean", "running_var")}
        init["training"] = bool(getattr(m, "training", None) is True)
        if gamma is not None:
            m.gamma, m.beta = gamma.copy(), beta.copy()
        other = call(self, obj, D, what="a second BatchNorm1d", **kwargs)   # must share nothing with m
        steps = []
        for given in case["steps"]:
            step: dict[str, Any] = {}
            if given["op"] == "f":
                xc = given["x"].copy()
                out = call(self, m.forward, xc, what="forward(x)")
                # x as it is after the call: the judge compares it with its own
                step.update(out=array(self, out, "forward(x)", given["x"].shape), x_after=xc.copy())
            else:
                op = _OPS[given["op"]]
                got = call(self, m.eval if given["op"] == "e" else m.train, what=op)
                step["training"] = bool(getattr(m, "training", None) is True)
                step["returned_self"] = got is m   # as torch.nn.Module: m.eval() returns m
            step["running_mean"] = self._attr(m, "running_mean", (D,))
            step["running_var"] = self._attr(m, "running_var", (D,))
            steps.append(step)
        return {"init": init, "steps": steps,
                "other": {k: self._attr(other, k, (D,)) for k in ("gamma", "beta", "running_mean", "running_var")}}

    def judge_case(self, case: Data, answer: Any) -> int:
        D = case["D"]
        kwargs = {} if case["momentum"] is None else {"eps": case["eps"], "momentum": case["momentum"]}
        ref = torch.nn.BatchNorm1d(D, dtype=torch.float64, **kwargs)
        label = f"BatchNorm1d({D}" + "".join(f", {k}={v}" for k, v in kwargs.items()) + ")"
        init = answer_dict(self, answer, "init", f"the state of a new {label}")
        for name, value in (("gamma", ref.weight), ("beta", ref.bias), ("running_mean", ref.running_mean),
                            ("running_var", ref.running_var)):
            expect_close(self, answer_array(self, init, name, (D,), f"the attribute {name}"), value.detach().numpy(),
                         f"{name} right after {label}", rtol=0, atol=0,
                         hint="as in PyTorch: gamma ones, beta zeros, running_mean zeros, running_var ones")
        training = answer_flag(self, init, "training", f"self.training of a new {label}")
        expect(self, training, f"a new {label} must be in training mode (self.training is True)",
               expected=True, actual=training, hint="set self.training = True in __init__")
        n = 5
        other = answer_dict(self, answer, "other", f"the state of a second {label}")
        for name, value in (("gamma", ref.weight), ("beta", ref.bias), ("running_mean", ref.running_mean),
                            ("running_var", ref.running_var)):
            expect_close(self, answer_array(self, other, name, (D,), f"the attribute {name} of a second module"),
                         value.detach().numpy(), f"a second {label}, never called, must keep its own {name} "
                         "while the first one trains", rtol=0, atol=0,
                         hint="create new arrays in __init__ (np.ones(D), np.zeros(D)) for every instance; a "
                              "default argument or a class attribute is shared by all of them")
        n += 1
        if case["gamma"] is not None:
            with torch.no_grad():
                ref.weight.copy_(t(case["gamma"]))
                ref.bias.copy_(t(case["beta"]))
        steps = answer_list(self, answer, "steps", len(case["steps"]), "the calls of the sequence")
        done = []
        for given, step in zip(case["steps"], steps):
            op = given["op"]
            done.append(_OPS[op])
            where = f"({label}, after {' -> '.join(done)})"
            if op == "f":
                with torch.no_grad():
                    out_ref = ref(t(given["x"])).numpy()
                expect(self, all_unchanged(self, step, {"x": given["x"]}), f"x must not be modified by forward {where}",
                       expected="x unchanged", actual="x modified in place", hint="compute into new arrays")
                out = answer_array(self, step, "out", given["x"].shape, f"forward(x) {where}")
                expect_close(self, out, out_ref, f"forward(x) in {'training' if ref.training else 'eval'} "
                             f"mode {where}", rtol=1e-6, atol=1e-8,
                             hint=("training mode: batch mean and biased batch variance; "
                                   if ref.training else "eval mode: the running averages; ")
                             + "then gamma * x_hat + beta with the CURRENT self.gamma and self.beta")
                n += 2
            else:
                ref.train(op == "t")
                training = answer_flag(self, step, "training", f"self.training {where}")
                expect(self, training == ref.training, f"self.training {where}", expected=ref.training,
                       actual=training, hint="train() sets self.training = True, eval() sets it False")
                returned_self = answer_flag(self, step, "returned_self", f"what {_OPS[op]} returned {where}")
                expect(self, returned_self, f"{_OPS[op]} must return the module itself, as torch.nn.Module does "
                       f"{where}", expected="self", actual="another value (None?)",
                       hint="end train() and eval() with `return self`, so that m = BatchNorm1d(D).eval() works")
                n += 2
            hint = ("update the running averages only in training mode, with "
                    "running = (1 - momentum) * running + momentum * batch_stat and the UNBIASED variance N/(N-1)")
            running_mean = answer_array(self, step, "running_mean", (D,), f"the attribute running_mean {where}")
            running_var = answer_array(self, step, "running_var", (D,), f"the attribute running_var {where}")
            expect_close(self, running_mean, ref.running_mean.numpy(), f"running_mean {where}",
                         rtol=1e-7, atol=1e-9, hint=hint)
            expect_close(self, running_var, ref.running_var.numpy(), f"running_var {where}",
                         rtol=1e-7, atol=1e-9, hint=hint)
            n += 2
        return n
