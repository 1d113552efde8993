"""05-batchnorm/batchnorm_forward: batch norm's forward pass through train -> test -> train sequences.

Oracle: ``torch.nn.functional.batch_norm`` in float64 (what ``BatchNorm1d`` / ``BatchNorm2d`` call),
its running buffers replayed step by step with torch's own in-place update.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ..base import Check, Data, expect, expect_close, register
from ..judging import answer_array, answer_flag, answer_list
from ..probing import call, returned
from .shared import all_unchanged, array, bn_cache, cache_answer, cache_record, torch_batch_norm
from ..properties import Defaults, LargeMean

__all__ = ["BatchnormForward"]


def _batches(seed: int, shape: tuple[int, ...], n: int, *, loc: float = 0.0, scale: float = 1.0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    C = shape[1]
    # per-feature offsets and scales, so that the right axis matters
    offs = loc + rng.normal(0.0, 2.0, C)
    scales = scale * rng.uniform(0.5, 3.0, C)
    bshape = [1, C] + [1] * (len(shape) - 2)
    return [offs.reshape(bshape) + scales.reshape(bshape) * rng.standard_normal(shape) for _ in range(n)]


def _plans(spatial: bool, visible: bool) -> list[dict[str, Any]]:
    """Each plan: shapes, options and the sequence of modes of the calls on one bn_param."""
    def shp(n, c):
        return (n, c, 3, 2) if spatial else (n, c)

    plans = [dict(shape=shp(8, 5), momentum=0.1, eps=1e-5, modes="ttst", seed=1, given_stats=True)]
    if visible:
        return plans
    # images as they are stored, integers 0..255: the first layer of a network may normalise them
    images = [dict(shape=(6, 3, 4, 4), momentum=0.1, eps=1e-5, modes="tts", seed=7, given_stats=True,
                   uint8=True)] if spatial else []
    return plans + images + [
        dict(shape=shp(16, 3), momentum=0.3, eps=1e-3, modes="ttttsstts", seed=2, given_stats=True, loc=5.0),
        dict(shape=shp(2, 4), momentum=0.5, eps=1e-5, modes="tttst", seed=3, given_stats=True),  # B/(B-1) = 2
        dict(shape=shp(6, 3), momentum=0.1, eps=0.5, modes="tts", seed=4, given_stats=True),     # large eps
        dict(shape=shp(5, 2), momentum=0.2, eps=1e-5, modes="stt", seed=5, given_stats=False),   # defaults
        # a second bn_param without running stats, of the same width: it starts from zeros and ones too
        dict(shape=shp(7, 2), momentum=0.2, eps=1e-5, modes="tt", seed=6, given_stats=False),
    ]


def _cases(spatial: bool, visible: bool) -> list[dict[str, Any]]:
    """Every plan: its options (all but ``modes``), gamma, beta, the initial running stats ``rm0`` /
    ``rv0``, and one step per call with its mode (``"train"`` / ``"test"``) and its batch ``x``."""
    cases = []
    for plan in _plans(spatial, visible):
        shape, C = plan["shape"], plan["shape"][1]
        rng = np.random.default_rng(100 + plan["seed"])
        gamma, beta = rng.uniform(0.5, 2.0, C) * rng.choice([-1.0, 1.0], C), rng.normal(0.0, 1.0, C)
        xs = _batches(plan["seed"], shape, len(plan["modes"]), loc=plan.get("loc", 0.0))
        if plan.get("uint8"):
            xs = [rng.integers(0, 256, shape, dtype=np.uint8) for _ in xs]
        rm0, rv0 = np.zeros(C), np.ones(C)
        if plan["given_stats"]:
            rm0, rv0 = rng.normal(0.0, 1.0, C), rng.uniform(0.5, 2.0, C)
        steps = [{"mode": "train" if mode == "t" else "test", "x": x} for mode, x in zip(plan["modes"], xs)]
        cases.append({**{k: v for k, v in plan.items() if k != "modes"}, "gamma": gamma, "beta": beta,
                      "rm0": rm0, "rv0": rv0, "steps": steps})
    return cases


@register
class BatchnormForward(Check):
    r"""sequences of calls on one `bn_param` (train, train, test, train, ...), compared after *every*
    call with `torch.nn.functional.batch_norm` in float64 (what `torch.nn.BatchNorm1d` runs): the
    output, `running_mean` and `running_var`; batches of 2 to 16 examples (so the factor $N/(N-1)$
    shows), several `momentum` and `eps` values, two `bn_param`s without running averages, one
    after the other (each starts from zeros and ones); the cache
    entries, and `None` for the cache in test mode; and that `x`, `gamma`, `beta` are not modified."""

    id = "05-batchnorm/batchnorm_forward"
    properties = (LargeMean("steps.x"), Defaults(eps=1e-5, momentum=0.1))
    #: (N, C, H, W) inputs, normalised per channel, instead of (N, D).
    spatial: ClassVar[bool] = False
    fn_name: ClassVar[str] = "batchnorm_forward"

    #: what with_options returns (for Defaults)
    option_outputs = ("out", "running_mean", "running_var")

    def with_options(self, obj: Any, case: Data, options: dict[str, Any]) -> Data:
        """For Defaults: one training call on the case's first batch, with exactly ``options`` besides the
        mode and the running averages in bn_param; the output and the running averages it leaves."""
        x, C = case["steps"][0]["x"], case["shape"][1]
        bn_param = {"mode": "train", "running_mean": case["rm0"].copy(), "running_var": case["rv0"].copy(), **options}
        out = call(self, obj, x.copy(), case["gamma"].copy(), case["beta"].copy(), bn_param,
                   what=f"{self.fn_name} with bn_param keys {sorted(bn_param)}")
        out, _ = returned(self, out, ("out", "cache"), self.fn_name)
        return {"out": array(self, out, "out", x.shape),
                "running_mean": array(self, bn_param.get("running_mean"), "bn_param['running_mean']", (C,)),
                "running_var": array(self, bn_param.get("running_var"), "bn_param['running_var']", (C,))}

    def cases(self, *, visible: bool) -> list[Data]:
        # a case is a whole sequence of calls on one bn_param: each call's answer depends on the
        # running averages the calls before it left
        return _cases(self.spatial, visible)

    def answer(self, obj: Any, case: Data) -> Data:
        shape, C = case["shape"], case["shape"][1]
        gamma, beta, rm0, rv0 = case["gamma"], case["beta"], case["rm0"], case["rv0"]
        bn_param: dict[str, Any] = {"eps": case["eps"], "momentum": case["momentum"]}
        if case["given_stats"]:
            bn_param["running_mean"], bn_param["running_var"] = rm0.copy(), rv0.copy()
        steps: list[dict[str, Any]] = []
        for k, given in enumerate(case["steps"]):
            bn_param["mode"] = given["mode"]
            xc, gc, bc = given["x"].copy(), gamma.copy(), beta.copy()
            out = call(self, obj, xc, gc, bc, bn_param, what=f"{self.fn_name} in {bn_param['mode']} mode")
            out, cache = returned(self, out, ("out", "cache"), self.fn_name)
            trained = any(st["mode"] == "train" for st in case["steps"][:k])
            for key in ("running_mean", "running_var"):
                if key not in bn_param and given["mode"] == "test" and not trained:
                    continue  # test mode before any training may leave the defaults implicit
                if key not in bn_param:
                    raise self.fail(f"{self.fn_name} must store bn_param['{key}']", expected=f"an array of shape ({C},)",
                                    actual="missing", hint="write the updated running averages back into bn_param")
            step = {"out": array(self, out, "out", shape),
                    "running_mean": array(self, bn_param.get("running_mean", rm0), "bn_param['running_mean']", (C,)).copy(),
                    "running_var": array(self, bn_param.get("running_var", rv0), "bn_param['running_var']", (C,)).copy(),
                    # the inputs as they are after the call: the judge compares them with its own
                    "x_after": xc.copy(), "gamma_after": gc.copy(), "beta_after": bc.copy()}
            if given["mode"] == "train":  # the mode the grader set, not bn_param["mode"] read back
                step["cache"] = cache_record(self, cache, self.fn_name,
                                             {"x": shape, "x_hat": shape, "mu": (C,), "var": (C,), "gamma": (C,)})
            else:
                step["cache_is_none"] = cache is None   # documented: no cache in test mode
            steps.append(step)
        return {"steps": steps}

    def judge_case(self, case: Data, answer: Any) -> int:
        rm, rv = case["rm0"], case["rv0"]
        eps, mom, shape, C = case["eps"], case["momentum"], tuple(case["shape"]), case["shape"][1]
        steps = answer_list(self, answer, "steps", len(case["steps"]), "the calls of the sequence")
        n, history = 0, []
        for k, (given, step) in enumerate(zip(case["steps"], steps)):
            history.append(given["mode"])
            where = (f"(call {k + 1} of the sequence {' -> '.join(history)}, x of shape {tuple(given['x'].shape)}, "
                     f"momentum={mom:g}, eps={eps:g}"
                     + ("" if case["given_stats"] else ", bn_param without running stats at first") + ")")
            training = given["mode"] == "train"
            out_ref, rm_new, rv_new = torch_batch_norm(given["x"], case["gamma"], case["beta"], rm, rv,
                                                       training=training, momentum=mom, eps=eps)
            expect(self, all_unchanged(self, step, {"x": given["x"], "gamma": case["gamma"], "beta": case["beta"]}),
                   f"x, gamma and beta must not be modified {where}",
                   expected="inputs unchanged", actual="an input was modified in place",
                   hint="compute into new arrays; avoid x -= mu")
            if training:
                hint = ("normalise with the BATCH mean and the biased batch variance (divide by N), "
                        "over axis 0" + (", 2 and 3 (every axis but C)" if self.spatial else "")
                        + ", as (x - mu) / sqrt(var + eps), then gamma * x_hat + beta")
            else:
                hint = ("test mode normalises with bn_param['running_mean'] and ['running_var'], "
                        "not the statistics of the batch"
                        + ("" if case["given_stats"] else "; missing running stats start as zeros (mean) and ones (var)"))
            out = answer_array(self, step, "out", shape, f"out in {given['mode']} mode {where}")
            expect_close(self, out, out_ref, f"out in {given['mode']} mode {where}", rtol=1e-6, atol=1e-8, hint=hint)
            if training:
                rv_hint = ("running_var = (1 - momentum) * running_var + momentum * var_unbiased, where "
                           "var_unbiased = var * B / (B - 1) with B the number of values per feature")
            else:
                rv_hint = "test mode must leave the running averages unchanged"
            running_mean = answer_array(self, step, "running_mean", (C,), f"bn_param['running_mean'] after the call {where}")
            running_var = answer_array(self, step, "running_var", (C,), f"bn_param['running_var'] after the call {where}")
            expect_close(self, running_mean, rm_new, f"bn_param['running_mean'] after the call {where}",
                         rtol=1e-7, atol=1e-9,
                         hint=("running_mean = (1 - momentum) * running_mean + momentum * mu (PyTorch's convention)"
                               + ("" if case["given_stats"] else
                                  "; every bn_param without running averages starts from its own new zeros and "
                                  "ones (a default array shared between calls carries one layer's statistics into "
                                  "another)")
                               if training else rv_hint))
            expect_close(self, running_var, rv_new, f"bn_param['running_var'] after the call {where}",
                         rtol=1e-7, atol=1e-9, hint=rv_hint)
            n += 4
            if not training:
                none = answer_flag(self, step, "cache_is_none", f"whether the cache is None {where}")
                expect(self, none, f"in test mode the cache must be None, as documented {where}", expected=None,
                       actual="a cache", hint="there is no backward pass at test time: return out, None")
                n += 1
            if training:  # the grader's mode: a cache is required after every training call
                ref = bn_cache(given["x"], eps)
                cache = cache_answer(self, step, {"x": shape, "x_hat": shape, "mu": (C,), "var": (C,), "gamma": (C,)},
                                     where)
                for key in ("x", "mu", "var", "x_hat"):
                    expect_close(self, cache[key], ref[key], f"cache['{key}'] {where}", rtol=1e-7, atol=1e-9,
                                 hint="the cache holds the input, the batch mean, the BIASED batch variance "
                                      "and x_hat, exactly as the docstring says")
                expect_close(self, cache["gamma"], case["gamma"], f"cache['gamma'] {where}", rtol=0, atol=0)
                expect_close(self, cache["eps"], eps, f"cache['eps'] {where}", rtol=0, atol=0)
                n += 6
            rm, rv = rm_new, rv_new
        return n
