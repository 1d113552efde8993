"""Checks for 05-batchnorm: batch, spatial, layer and group normalisation, and a module.

Every probe calls the student's function (or class) on inputs built here from fixed seeds and
returns plain data; every judge compares it with PyTorch in float64, which shares no code
with a solution:

* forward passes: ``torch.nn.functional.batch_norm`` (what ``BatchNorm1d`` / ``BatchNorm2d``
  call), ``layer_norm`` and ``group_norm``; running buffers are replayed step by step with
  torch's own in-place update, through train -> test -> train sequences;
* backward passes: autograd of the same functions, with non-trivial ``gamma`` and ``beta``;
* ``BatchNorm1d``: a ``torch.nn.BatchNorm1d`` driven through the same ``train()`` / ``eval()``
  calls, compared after every call (outputs, ``running_mean`` and ``running_var``).

The caches that backward passes receive follow the contract stated in the notebook (a dict
with ``x``, ``x_hat``, ``mu``, ``var``, ``eps``, ``gamma``, and ``G`` for group norm), so that
a backward pass is graded on its own, whatever the student's forward pass does. Nothing here is
random at grading time, so no check is ``randomized``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from .base import Check, Data, as_float_array, expect, expect_close, expect_shape, register
from .base import answer_array as _answer
from .base import answer_field as _field
from .base import answer_number as _number
from .base import describe as _kind
from .base import real_array as _real_array

__all__ = [
    "BatchnormForward",
    "BatchnormBackward",
    "BatchnormBackwardAlt",
    "SpatialBatchnormForward",
    "LayernormForward",
    "LayernormBackward",
    "GroupnormForward",
    "GroupnormBackward",
    "BatchNorm1dModule",
]

_T = torch.float64
CACHE_KEYS = ("x", "x_hat", "mu", "var", "eps", "gamma")


def _t(a: np.ndarray) -> torch.Tensor:
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=_T)


def _call(check: Check, fn: Any, *args: Any, what: str, **kwargs: Any) -> Any:
    """Call student code; any error but NotImplementedError becomes a CheckFailure."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception as err:  # noqa: BLE001 - every student error is reported the same way
        raise check.fail(f"{what} raised {type(err).__name__}: {err}", expected="no error",
                         actual=f"{type(err).__name__}: {err}",
                         hint="run the call in the notebook and read the traceback") from None


def _pair_or_triple(check: Check, out: Any, names: tuple[str, ...], fn_name: str) -> tuple[Any, ...]:
    """Unpack a returned tuple of len(names) items, or fail saying what was expected."""
    if not isinstance(out, (tuple, list)) or len(out) != len(names):
        got = type(out).__name__ + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else "")
        raise check.fail(f"{fn_name} must return a tuple ({', '.join(names)})",
                         expected=f"tuple of {len(names)}", actual=got,
                         hint=f"end with `return {', '.join(names)}`")
    return tuple(out)


def _array(check: Check, value: Any, what: str, shape: tuple[int, ...]) -> np.ndarray:
    if value is None:
        raise check.fail(f"{what} is None", expected=f"an array of shape {shape}", actual=None,
                         hint="did you forget to compute or return it?")
    a = as_float_array(check, value, what)
    expect_shape(check, a, shape, what)
    return a


def _cache_data(check: Check, cache: Any, fn_name: str, shapes: dict[str, tuple[int, ...]]) -> dict[str, Any]:
    """The contract keys of a returned cache, as plain data."""
    if not isinstance(cache, dict):
        raise check.fail(f"the cache returned by {fn_name} (training mode) must be a dict",
                         expected=f"dict with keys {sorted(shapes) + ['eps']}", actual=type(cache).__name__,
                         hint="the backward pass of the grader receives the cache described in the docstring")
    missing = [k for k in list(shapes) + ["eps"] if k not in cache]
    if missing:
        raise check.fail(f"the cache returned by {fn_name} lacks keys {missing}",
                         expected=sorted(list(shapes) + ["eps"]), actual=sorted(map(str, cache)),
                         hint="store exactly the entries listed in the docstring")
    data = {k: _array(check, cache[k], f"cache['{k}']", s) for k, s in shapes.items()}
    data["eps"] = float(as_float_array(check, cache["eps"], "cache['eps']").reshape(-1)[0])
    return data


# ---------------------------------------------------------------------------------------
# Judge-side reading of the answers
# ---------------------------------------------------------------------------------------
# When autograding, the probe runs in the student's kernel and its data may be forged: a judge
# trusts nothing the probe validated there (shapes, cache keys, "unchanged" flags), so it checks
# the type, shape and presence of every answer itself, with shapes taken from the inputs (which
# the grader has verified, see Check.inputs), and compares the inputs after the call with the
# inputs itself.

def _flag(check: Check, record: Any, key: str, what: str) -> bool:
    """The answer ``record[key]``: a bool (a state the student's object reported, not a verdict)."""
    value = _field(check, record, key, what)
    expect(check, isinstance(value, (bool, np.bool_)), f"{what} must be a bool", expected="True or False",
           actual=_kind(value))
    return bool(value)


def _dict(check: Check, record: Any, key: str, what: str) -> Mapping[str, Any]:
    value = _field(check, record, key, what)
    expect(check, isinstance(value, Mapping), f"{what} must be a dict", expected="a dict", actual=_kind(value))
    return value


def _unchanged(check: Check, record: Any, inputs: dict[str, np.ndarray]) -> bool:
    """True when every input array, as the probe recorded it after the call (``<name>_after``),
    equals the grader's input: the judge compares, rather than trusting a flag from the kernel."""
    same = True
    for name, before in inputs.items():
        after = _real_array(check, _field(check, record, f"{name}_after", f"{name} after the call"),
                            f"{name} after the call")
        same &= bool(np.array_equal(after, before))
    return same


def _cache_answer(check: Check, record: Any, shapes: dict[str, tuple[int, ...]], where: str) -> dict[str, Any]:
    """The contract keys of a returned cache (arrays of ``shapes``, and the number eps)."""
    cache = _dict(check, record, "cache", f"the returned cache {where}")
    data: dict[str, Any] = {k: _answer(check, cache, k, s, f"cache['{k}']") for k, s in shapes.items()}
    data["eps"] = _number(check, cache, "eps", f"cache['eps'] {where}")
    return data


def _snapshot(value: Any) -> np.ndarray | None:
    """A float64 copy of one cache entry after a backward call; None when it is missing or no
    longer numbers (the judge then sees it as modified)."""
    if value is None:
        return None
    try:
        return np.array(value, dtype=np.float64)
    except Exception:  # noqa: BLE001 - anything the student put there
        return None


# ---------------------------------------------------------------------------------------
# Oracles (PyTorch, float64)
# ---------------------------------------------------------------------------------------

def torch_batch_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, running_mean: np.ndarray,
                     running_var: np.ndarray, *, training: bool, momentum: float, eps: float,
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(out, new running_mean, new running_var) of F.batch_norm on (N, C) or (N, C, H, W)."""
    rm, rv = _t(running_mean), _t(running_var)
    out = F.batch_norm(_t(x), rm, rv, _t(gamma), _t(beta), training=training, momentum=momentum, eps=eps)
    return out.numpy(), rm.numpy(), rv.numpy()


def _bn_cache_oracle(x: np.ndarray, eps: float) -> dict[str, np.ndarray]:
    xt = _t(x)
    dims = [0] + list(range(2, xt.dim()))
    var, mu = torch.var_mean(xt, dim=dims, unbiased=False)
    x_hat = F.batch_norm(xt, None, None, training=True, eps=eps)
    return {"x": x, "x_hat": x_hat.numpy(), "mu": mu.numpy(), "var": var.numpy()}


def _grads(fn: Any, x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, dout: np.ndarray,
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dx, dgamma, dbeta) of sum(fn(x, gamma, beta) * dout) by autograd in float64."""
    xt, gt, bt = (_t(a).requires_grad_(True) for a in (x, gamma, beta))
    out = fn(xt, gt, bt)
    out.backward(_t(dout))
    return xt.grad.numpy(), gt.grad.numpy(), bt.grad.numpy()


def _bn_fn(eps: float):
    return lambda x, g, b: F.batch_norm(x, None, None, g, b, training=True, eps=eps)


def _ln_fn(eps: float):
    return lambda x, g, b: F.layer_norm(x, (x.shape[-1],), g, b, eps)


def _gn_fn(G: int, eps: float):
    return lambda x, g, b: F.group_norm(x, G, g, b, eps)


# ---------------------------------------------------------------------------------------
# Batch norm forward (1-D and spatial): train -> test -> train sequences
# ---------------------------------------------------------------------------------------

def _batches(seed: int, shape: tuple[int, ...], n: int, *, loc: float = 0.0, scale: float = 1.0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    C = shape[1]
    # per-feature offsets and scales, so that the right axis matters
    offs = loc + rng.normal(0.0, 2.0, C)
    scales = scale * rng.uniform(0.5, 3.0, C)
    bshape = [1, C] + [1] * (len(shape) - 2)
    return [offs.reshape(bshape) + scales.reshape(bshape) * rng.standard_normal(shape) for _ in range(n)]


def _bn_plans(spatial: bool, visible: bool) -> list[dict[str, Any]]:
    """Each plan: shapes, options and the sequence of modes of the calls on one bn_param."""
    def shp(n, c):
        return (n, c, 3, 2) if spatial else (n, c)

    plans = [dict(shape=shp(8, 5), momentum=0.1, eps=1e-5, modes="ttst", seed=1, given_stats=True)]
    if visible:
        return plans
    return plans + [
        dict(shape=shp(16, 3), momentum=0.3, eps=1e-3, modes="ttttsstts", seed=2, given_stats=True, loc=5.0),
        dict(shape=shp(2, 4), momentum=0.5, eps=1e-5, modes="tttst", seed=3, given_stats=True),  # B/(B-1) = 2
        dict(shape=shp(6, 3), momentum=0.1, eps=0.5, modes="tts", seed=4, given_stats=True),     # large eps
        dict(shape=shp(5, 2), momentum=0.2, eps=1e-5, modes="stt", seed=5, given_stats=False),   # defaults
    ]


def _bn_forward_inputs(spatial: bool, visible: bool) -> list[dict[str, Any]]:
    """Every plan as the probe reports it, without the answers: the plan's options (all but
    ``modes``), gamma, beta, the initial running stats ``rm0`` / ``rv0``, and one step per call
    with its mode (``"train"`` / ``"test"``) and its batch ``x``."""
    plans = []
    for plan in _bn_plans(spatial, visible):
        shape, C = plan["shape"], plan["shape"][1]
        rng = np.random.default_rng(100 + plan["seed"])
        gamma, beta = rng.uniform(0.5, 2.0, C) * rng.choice([-1.0, 1.0], C), rng.normal(0.0, 1.0, C)
        xs = _batches(plan["seed"], shape, len(plan["modes"]), loc=plan.get("loc", 0.0))
        rm0, rv0 = np.zeros(C), np.ones(C)
        if plan["given_stats"]:
            rm0, rv0 = rng.normal(0.0, 1.0, C), rng.uniform(0.5, 2.0, C)
        steps = [{"mode": "train" if mode == "t" else "test", "x": x} for mode, x in zip(plan["modes"], xs)]
        plans.append({**{k: v for k, v in plan.items() if k != "modes"}, "gamma": gamma, "beta": beta,
                      "rm0": rm0, "rv0": rv0, "steps": steps})
    return plans


class _BatchnormForwardBase(Check):
    spatial: bool = False
    fn_name: str = "batchnorm_forward"

    def inputs(self, *, visible: bool = False) -> Data:
        return {"plans": _bn_forward_inputs(self.spatial, visible)}

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        plans = []
        for plan in _bn_forward_inputs(self.spatial, visible):
            shape, C = plan["shape"], plan["shape"][1]
            gamma, beta, rm0, rv0 = plan["gamma"], plan["beta"], plan["rm0"], plan["rv0"]
            bn_param: dict[str, Any] = {"eps": plan["eps"], "momentum": plan["momentum"]}
            if plan["given_stats"]:
                bn_param["running_mean"], bn_param["running_var"] = rm0.copy(), rv0.copy()
            steps = []
            for given in plan["steps"]:
                x = given["x"]
                bn_param["mode"] = given["mode"]
                xc, gc, bc = x.copy(), gamma.copy(), beta.copy()
                out = _call(self, obj, xc, gc, bc, bn_param, what=f"{self.fn_name} in {bn_param['mode']} mode")
                out, cache = _pair_or_triple(self, out, ("out", "cache"), self.fn_name)
                for key, default in (("running_mean", rm0), ("running_var", rv0)):
                    if key not in bn_param and given["mode"] == "test" and not any(st["mode"] == "train" for st in steps):
                        continue  # test mode before any training may leave the defaults implicit
                    if key not in bn_param:
                        raise self.fail(f"{self.fn_name} must store bn_param['{key}']", expected=f"an array of shape ({C},)",
                                        actual="missing", hint="write the updated running averages back into bn_param")
                # the mode the grader set, not bn_param["mode"] read back after the student's call
                step = {"mode": given["mode"], "x": x, "out": _array(self, out, "out", shape),
                        "running_mean": _array(self, bn_param.get("running_mean", rm0), "bn_param['running_mean']", (C,)).copy(),
                        "running_var": _array(self, bn_param.get("running_var", rv0), "bn_param['running_var']", (C,)).copy(),
                        # the inputs as they are after the call: the judge compares them with its own
                        "x_after": xc.copy(), "gamma_after": gc.copy(), "beta_after": bc.copy()}
                if given["mode"] == "train":
                    step["cache"] = _cache_data(self, cache, self.fn_name,
                                                {"x": shape, "x_hat": shape, "mu": (C,), "var": (C,), "gamma": (C,)})
                steps.append(step)
            plans.append({**{k: v for k, v in plan.items() if k != "steps"}, "steps": steps})
        return {"plans": plans}

    def judge(self, data: Data) -> int:
        n = 0
        for plan in data["plans"]:
            rm, rv = plan["rm0"], plan["rv0"]
            eps, mom = plan["eps"], plan["momentum"]
            history = []
            for k, step in enumerate(plan["steps"]):
                history.append(step["mode"])
                where = (f"(call {k + 1} of the sequence {' -> '.join(history)}, x of shape {tuple(step['x'].shape)}, "
                         f"momentum={mom:g}, eps={eps:g}"
                         + ("" if plan["given_stats"] else ", bn_param without running stats at first") + ")")
                training = step["mode"] == "train"
                out_ref, rm_new, rv_new = torch_batch_norm(step["x"], plan["gamma"], plan["beta"], rm, rv,
                                                           training=training, momentum=mom, eps=eps)
                unchanged = _unchanged(self, step, {"x": step["x"], "gamma": plan["gamma"], "beta": plan["beta"]})
                expect(self, unchanged, f"x, gamma and beta must not be modified {where}",
                       expected="inputs unchanged", actual="an input was modified in place",
                       hint="compute into new arrays; avoid x -= mu")
                if training:
                    hint = ("normalise with the BATCH mean and the biased batch variance (divide by N), "
                            "over axis 0" + (", 2 and 3 (every axis but C)" if self.spatial else "")
                            + ", as (x - mu) / sqrt(var + eps), then gamma * x_hat + beta")
                else:
                    hint = ("test mode normalises with bn_param['running_mean'] and ['running_var'], "
                            "not the statistics of the batch"
                            + ("" if plan["given_stats"] else "; missing running stats start as zeros (mean) and ones (var)"))
                C = plan["shape"][1]
                out = _answer(self, step, "out", tuple(plan["shape"]), f"out in {step['mode']} mode {where}")
                expect_close(self, out, out_ref, f"out in {step['mode']} mode {where}",
                             rtol=1e-6, atol=1e-8, hint=hint)
                if training:
                    rv_hint = ("running_var = (1 - momentum) * running_var + momentum * var_unbiased, where "
                               "var_unbiased = var * B / (B - 1) with B the number of values per feature")
                else:
                    rv_hint = "test mode must leave the running averages unchanged"
                running_mean = _answer(self, step, "running_mean", (C,), f"bn_param['running_mean'] after the call {where}")
                running_var = _answer(self, step, "running_var", (C,), f"bn_param['running_var'] after the call {where}")
                expect_close(self, running_mean, rm_new, f"bn_param['running_mean'] after the call {where}",
                             rtol=1e-7, atol=1e-9,
                             hint=("running_mean = (1 - momentum) * running_mean + momentum * mu (PyTorch's convention)"
                                   if training else rv_hint))
                expect_close(self, running_var, rv_new, f"bn_param['running_var'] after the call {where}",
                             rtol=1e-7, atol=1e-9, hint=rv_hint)
                n += 4
                if training:  # the grader's mode: a cache is required after every training call
                    ref = _bn_cache_oracle(step["x"], eps)
                    shape = tuple(plan["shape"])
                    cache = _cache_answer(self, step, {"x": shape, "x_hat": shape, "mu": (C,), "var": (C,),
                                                       "gamma": (C,)}, where)
                    for key in ("x", "mu", "var", "x_hat"):
                        expect_close(self, cache[key], ref[key], f"cache['{key}'] {where}", rtol=1e-7, atol=1e-9,
                                     hint="the cache holds the input, the batch mean, the BIASED batch variance "
                                          "and x_hat, exactly as the docstring says")
                    expect_close(self, cache["gamma"], plan["gamma"], f"cache['gamma'] {where}", rtol=0, atol=0)
                    expect_close(self, cache["eps"], eps, f"cache['eps'] {where}", rtol=0, atol=0)
                    n += 6
                rm, rv = rm_new, rv_new
        return n


@register
class BatchnormForward(_BatchnormForwardBase):
    id = "05-batchnorm/batchnorm_forward"


@register
class SpatialBatchnormForward(_BatchnormForwardBase):
    id = "05-batchnorm/spatial_batchnorm_forward"
    spatial = True
    fn_name = "spatial_batchnorm_forward"


# ---------------------------------------------------------------------------------------
# Backward passes: the grader builds the cache of the contract
# ---------------------------------------------------------------------------------------

def _ln_cache(x: np.ndarray, gamma: np.ndarray, eps: float) -> dict[str, Any]:
    xt = _t(x)
    var, mu = torch.var_mean(xt, dim=1, keepdim=True, unbiased=False)
    x_hat = F.layer_norm(xt, (x.shape[1],), eps=eps)
    return {"x": x, "x_hat": x_hat.numpy(), "mu": mu.numpy(), "var": var.numpy(), "eps": eps, "gamma": gamma}


def _gn_cache(x: np.ndarray, gamma: np.ndarray, G: int, eps: float) -> dict[str, Any]:
    xt = _t(x)
    N = x.shape[0]
    var, mu = torch.var_mean(xt.reshape(N, G, -1), dim=2, unbiased=False)
    x_hat = F.group_norm(xt, G, eps=eps)
    return {"x": x, "x_hat": x_hat.numpy(), "mu": mu.numpy(), "var": var.numpy(), "eps": eps, "gamma": gamma, "G": G}


class _BackwardBase(Check):
    fn_name: str = ""
    kind: str = "bn"  # "bn", "ln" or "gn"

    def _cases(self, visible: bool) -> list[dict[str, Any]]:
        if self.kind == "gn":
            shapes = [((2, 6, 2, 2), 3)] if visible else [((2, 6, 2, 2), 3), ((3, 4, 3, 2), 2), ((2, 6, 1, 3), 1),
                                                           ((2, 4, 2, 3), 4)]
        elif self.kind == "ln":
            shapes = [((4, 5), None)] if visible else [((4, 5), None), ((7, 3), None), ((1, 6), None), ((3, 2), None)]
        else:
            shapes = [((6, 4), None)] if visible else [((6, 4), None), ((10, 3), None), ((2, 5), None), ((3, 1), None)]
        cases = []
        for i, (shape, G) in enumerate(shapes):
            rng = np.random.default_rng(500 + i)
            C = shape[1]
            x = 3.0 + rng.uniform(0.5, 2.0, [1, C] + [1] * (len(shape) - 2)) * rng.standard_normal(shape)
            gamma = rng.uniform(0.5, 2.0, C) * rng.choice([-1.0, 1.0], C)
            beta = rng.normal(0.0, 1.0, C)
            dout = rng.standard_normal(shape)
            eps = (1e-5, 1e-2, 1e-5, 0.3)[i]
            cases.append(dict(x=x, gamma=gamma, beta=beta, dout=dout, eps=eps, G=G))
        return cases

    def _cache(self, case: dict[str, Any]) -> dict[str, Any]:
        if self.kind == "ln":
            return _ln_cache(case["x"], case["gamma"], case["eps"])
        if self.kind == "gn":
            return _gn_cache(case["x"], case["gamma"], case["G"], case["eps"])
        return {**_bn_cache_oracle(case["x"], case["eps"]), "eps": case["eps"], "gamma": case["gamma"]}

    def inputs(self, *, visible: bool = False) -> Data:
        # x, gamma, beta, dout, eps and G of every case: all the judge reads but the answers
        return {"cases": self._cases(visible)}

    #: cache entries the grader computes (not copies of inputs): compared within rounding, since the
    #: kernel's and the grader's torch may round differently (threads); the others exactly
    _COMPUTED = frozenset({"x_hat", "mu", "var"})

    def _dout_and_cache_unchanged(self, case: dict[str, Any]) -> bool:
        """Are dout and every entry of the cache the grader gave as they were, after the call?"""
        dout_after = _real_array(self, _field(self, case, "dout_after", "dout after the call"), "dout after the call")
        if not np.array_equal(dout_after, case["dout"]):
            return False
        after = _dict(self, case, "cache_after", "the cache after the call")
        for key, given in self._cache(case).items():
            value = _field(self, after, key, f"cache['{key}'] after the call")
            if value is None:  # the probe's record of an entry deleted or replaced by a non-number
                return False
            value = _real_array(self, value, f"cache['{key}'] after the call")
            given = np.asarray(given, dtype=np.float64)
            if value.shape != given.shape:
                return False
            same = (np.allclose(value, given, rtol=1e-12, atol=1e-15) if key in self._COMPUTED
                    else np.array_equal(value, given))
            if not same:
                return False
        return True

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        results = []
        for case in self._cases(visible):
            cache = self._cache(case)
            given = copy.deepcopy(cache)
            dout = case["dout"].copy()
            out = _call(self, obj, dout, given, what=self.fn_name)
            dx, dgamma, dbeta = _pair_or_triple(self, out, ("dx", "dgamma", "dbeta"), self.fn_name)
            C = case["x"].shape[1]
            results.append({**case, "dx": _array(self, dx, "dx", case["x"].shape),
                            "dgamma": _array(self, dgamma, "dgamma", (C,)),
                            "dbeta": _array(self, dbeta, "dbeta", (C,)),
                            # dout and the cache as they are after the call: the judge compares them
                            "dout_after": dout.copy(),
                            "cache_after": {k: _snapshot(given.get(k)) for k in cache}})
        return {"cases": results}

    def judge(self, data: Data) -> int:
        n = 0
        for case in data["cases"]:
            x, eps, G = case["x"], case["eps"], case["G"]
            if self.kind == "ln":
                fn = _ln_fn(eps)
            elif self.kind == "gn":
                fn = _gn_fn(G, eps)
            else:
                fn = _bn_fn(eps)
            dx, dgamma, dbeta = _grads(fn, x, case["gamma"], case["beta"], case["dout"])
            where = f"(x of shape {tuple(x.shape)}, eps={eps:g}" + (f", G={G}" if G else "") + ")"
            expect(self, self._dout_and_cache_unchanged(case), f"dout and the cache must not be modified {where}",
                   expected="unchanged", actual="modified in place", hint="compute into new arrays")
            C = x.shape[1]
            got = {"dx": _answer(self, case, "dx", x.shape, "dx"), "dgamma": _answer(self, case, "dgamma", (C,), "dgamma"),
                   "dbeta": _answer(self, case, "dbeta", (C,), "dbeta")}
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
            n += 4
        return n


@register
class BatchnormBackward(_BackwardBase):
    id = "05-batchnorm/batchnorm_backward"
    fn_name = "batchnorm_backward"


@register
class BatchnormBackwardAlt(_BackwardBase):
    id = "05-batchnorm/batchnorm_backward_alt"
    fn_name = "batchnorm_backward_alt"


@register
class LayernormBackward(_BackwardBase):
    id = "05-batchnorm/layernorm_backward"
    fn_name = "layernorm_backward"
    kind = "ln"


@register
class GroupnormBackward(_BackwardBase):
    id = "05-batchnorm/groupnorm_backward"
    fn_name = "groupnorm_backward"
    kind = "gn"


# ---------------------------------------------------------------------------------------
# Layer norm and group norm forward
# ---------------------------------------------------------------------------------------

class _NormForwardBase(Check):
    fn_name: str = ""
    kind: str = "ln"

    def _cases(self, visible: bool) -> list[dict[str, Any]]:
        if self.kind == "ln":
            specs = [((4, 6), None, 1e-5)] if visible else [((4, 6), None, 1e-5), ((1, 5), None, 1e-5),
                                                           ((9, 3), None, 0.2), ((5, 8), None, 1e-3)]
        else:
            specs = [((2, 6, 2, 2), 3, 1e-5)] if visible else [((2, 6, 2, 2), 3, 1e-5), ((1, 8, 3, 2), 4, 1e-5),
                                                               ((3, 4, 2, 2), 1, 0.2), ((2, 4, 1, 3), 4, 1e-3),
                                                               ((2, 6, 3, 3), 2, 1e-5)]
        cases = []
        for i, (shape, G, eps) in enumerate(specs):
            rng = np.random.default_rng(900 + i)
            C = shape[1]
            # rows with different offsets and scales, and features with different offsets
            x = rng.normal(0, 3, [shape[0]] + [1] * (len(shape) - 1)) + rng.normal(0, 2, [1, C] + [1] * (len(shape) - 2)) \
                + rng.uniform(0.5, 3.0, [shape[0]] + [1] * (len(shape) - 1)) * rng.standard_normal(shape)
            gamma = rng.uniform(0.5, 2.0, C) * rng.choice([-1.0, 1.0], C)
            beta = rng.normal(0.0, 1.0, C)
            cases.append(dict(x=x, gamma=gamma, beta=beta, eps=eps, G=G))
        return cases

    def inputs(self, *, visible: bool = False) -> Data:
        # x, gamma, beta, eps and G of every case: all the judge reads but the answers
        return {"cases": self._cases(visible)}

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        results = []
        for case in self._cases(visible):
            x, gamma, beta, eps, G = case["x"], case["gamma"], case["beta"], case["eps"], case["G"]
            xc, gc, bc = x.copy(), gamma.copy(), beta.copy()
            N, C = x.shape[:2]
            if self.kind == "ln":
                out = _call(self, obj, xc, gc, bc, {"eps": eps}, what=self.fn_name)
                shapes = {"x": x.shape, "x_hat": x.shape, "mu": (N, 1), "var": (N, 1), "gamma": (C,)}
            else:
                out = _call(self, obj, xc, gc, bc, G, {"eps": eps}, what=self.fn_name)
                shapes = {"x": x.shape, "x_hat": x.shape, "mu": (N, G), "var": (N, G), "gamma": (C,)}
            out, cache = _pair_or_triple(self, out, ("out", "cache"), self.fn_name)
            out = _array(self, out, "out", x.shape)
            cache_data = _cache_data(self, cache, self.fn_name, shapes)
            if self.kind == "gn":
                if "G" not in cache:
                    raise self.fail(f"the cache returned by {self.fn_name} lacks the key 'G'", expected="cache['G'] = G",
                                    actual=sorted(map(str, cache)), hint="store the number of groups too")
                cache_data["G"] = float(as_float_array(self, cache["G"], "cache['G']").reshape(-1)[0])
            # the inputs as they are after the call: the judge compares them with its own
            results.append({**case, "out": out, "cache": cache_data,
                            "x_after": xc.copy(), "gamma_after": gc.copy(), "beta_after": bc.copy()})
        return {"cases": results}

    def judge(self, data: Data) -> int:
        n = 0
        for case in data["cases"]:
            x, gamma, beta, eps, G = case["x"], case["gamma"], case["beta"], case["eps"], case["G"]
            where = f"(x of shape {tuple(x.shape)}, eps={eps:g}" + (f", G={G}" if G else "") + ")"
            expect(self, _unchanged(self, case, {"x": x, "gamma": gamma, "beta": beta}),
                   f"x, gamma and beta must not be modified {where}",
                   expected="unchanged", actual="modified in place", hint="compute into new arrays")
            N, C = x.shape[:2]
            groups = (N, 1) if self.kind == "ln" else (N, G)
            out = _answer(self, case, "out", x.shape, "out")
            cache = _cache_answer(self, case, {"x": x.shape, "x_hat": x.shape, "mu": groups, "var": groups,
                                               "gamma": (C,)}, where)
            if self.kind == "gn":
                cache["G"] = _number(self, case["cache"], "G", f"cache['G'] {where}")
            if self.kind == "ln":
                ref = _ln_fn(eps)(_t(x), _t(gamma), _t(beta)).numpy()
                ref_cache = _ln_cache(x, gamma, eps)
                hint = ("normalise each ROW (example) over its D features, axis=1 with keepdims, with the biased "
                        "variance: (x - mu) / sqrt(var + eps); then gamma * x_hat + beta")
            else:
                ref = _gn_fn(G, eps)(_t(x), _t(gamma), _t(beta)).numpy()
                ref_cache = _gn_cache(x, gamma, G, eps)
                hint = ("reshape to (N, G, C // G, H, W): each group is C // G CONSECUTIVE channels; take mean and "
                        "biased variance over axes (2, 3, 4); then scale and shift per CHANNEL with gamma, beta of shape (C,)")
            expect_close(self, out, ref, f"out {where}", rtol=1e-6, atol=1e-8, hint=hint)
            for key in ("x", "mu", "var", "x_hat"):
                expect_close(self, cache[key], ref_cache[key], f"cache['{key}'] {where}", rtol=1e-7, atol=1e-9,
                             hint="the cache holds exactly what the docstring lists, with those shapes")
            expect_close(self, cache["gamma"], gamma, f"cache['gamma'] {where}", rtol=0, atol=0)
            expect_close(self, cache["eps"], eps, f"cache['eps'] {where}", rtol=0, atol=0)
            n += 8
            if self.kind == "gn":
                expect_close(self, cache["G"], G, f"cache['G'] {where}", rtol=0, atol=0)
                n += 1
        return n


@register
class LayernormForward(_NormForwardBase):
    id = "05-batchnorm/layernorm_forward"
    fn_name = "layernorm_forward"


@register
class GroupnormForward(_NormForwardBase):
    id = "05-batchnorm/groupnorm_forward"
    fn_name = "groupnorm_forward"
    kind = "gn"


# ---------------------------------------------------------------------------------------
# The BatchNorm1d module: train / eval switches
# ---------------------------------------------------------------------------------------

_MODULE_PLANS = [
    # (D, N, momentum, eps, ops): "f" forward, "e" eval(), "t" train()
    (4, 8, 0.1, 1e-5, "fftefftfe"),
]
_MODULE_PLANS_HIDDEN = _MODULE_PLANS + [
    (3, 4, 0.5, 1e-3, "ffefftfffefef"),
    (5, 2, 0.3, 1e-5, "fteefftf"),   # train() while already training, eval() twice
    (2, 16, None, None, "ffef"),      # default eps and momentum
]


def _module_inputs(visible: bool) -> list[dict[str, Any]]:
    """Every run as the probe reports it, without the answers: the constructor's arguments, the
    gamma and beta set on the module, and one step per operation (``"f"`` forward, ``"e"`` eval(),
    ``"t"`` train()), with its batch ``x`` for a forward pass."""
    runs = []
    for i, (D, N, momentum, eps, ops) in enumerate(_MODULE_PLANS if visible else _MODULE_PLANS_HIDDEN):
        rng = np.random.default_rng(40 + i)
        gamma, beta = rng.uniform(0.5, 2.0, D) * rng.choice([-1.0, 1.0], D), rng.normal(0.0, 1.0, D)
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
    id = "05-batchnorm/BatchNorm1d"

    def inputs(self, *, visible: bool = False) -> Data:
        return {"runs": _module_inputs(visible)}

    def _attr(self, m: Any, name: str, shape: tuple[int, ...]) -> np.ndarray:
        if not hasattr(m, name):
            raise self.fail(f"a BatchNorm1d instance must have the attribute `{name}`",
                            expected=f"an array of shape {shape}", actual="no such attribute",
                            hint=f"set self.{name} in __init__")
        return _array(self, getattr(m, name), f"the attribute {name}", shape).copy()

    def probe(self, obj: Any, *, visible: bool = False) -> Data:
        runs = []
        for run in _module_inputs(visible):
            D, momentum, eps, gamma, beta = run["D"], run["momentum"], run["eps"], run["gamma"], run["beta"]
            kwargs = {} if momentum is None else {"eps": eps, "momentum": momentum}
            m = _call(self, obj, D, what=f"BatchNorm1d({D}{', ' if kwargs else ''}"
                      + ", ".join(f"{k}={v}" for k, v in kwargs.items()) + ")", **kwargs)
            for meth in ("forward", "train", "eval"):
                if not callable(getattr(m, meth, None)):
                    raise self.fail(f"a BatchNorm1d instance must have a method {meth}()", expected=f"m.{meth}",
                                    actual=f"{type(m).__name__} without {meth}", hint="define it in the class body")
            init = {k: self._attr(m, k, (D,)) for k in ("gamma", "beta", "running_mean", "running_var")}
            init["training"] = bool(getattr(m, "training", None) is True)
            m.gamma, m.beta = gamma.copy(), beta.copy()
            steps = []
            for given in run["steps"]:
                op = given["op"]
                step: dict[str, Any] = {"op": op}
                if op == "f":
                    x = given["x"]
                    xc = x.copy()
                    out = _call(self, m.forward, xc, what="forward(x)")
                    # x as it is after the call: the judge compares it with its own
                    step.update(x=x, out=_array(self, out, "forward(x)", x.shape), x_after=xc.copy())
                else:
                    _call(self, m.eval if op == "e" else m.train, what="eval()" if op == "e" else "train()")
                    step["training"] = bool(getattr(m, "training", None) is True)
                step["running_mean"] = self._attr(m, "running_mean", (D,))
                step["running_var"] = self._attr(m, "running_var", (D,))
                steps.append(step)
            runs.append({"D": D, "momentum": momentum, "eps": eps, "init": init, "gamma": gamma, "beta": beta,
                         "steps": steps})
        return {"runs": runs}

    def judge(self, data: Data) -> int:
        n = 0
        for run in data["runs"]:
            D = run["D"]
            kwargs = {} if run["momentum"] is None else {"eps": run["eps"], "momentum": run["momentum"]}
            ref = torch.nn.BatchNorm1d(D, dtype=_T, **kwargs)
            label = f"BatchNorm1d({D}" + "".join(f", {k}={v}" for k, v in kwargs.items()) + ")"
            init = _dict(self, run, "init", f"the state of a new {label}")
            for name, value in (("gamma", ref.weight), ("beta", ref.bias), ("running_mean", ref.running_mean),
                                ("running_var", ref.running_var)):
                expect_close(self, _answer(self, init, name, (D,), f"the attribute {name}"), value.detach().numpy(),
                             f"{name} right after {label}", rtol=0, atol=0,
                             hint="as in PyTorch: gamma ones, beta zeros, running_mean zeros, running_var ones")
            training = _flag(self, init, "training", f"self.training of a new {label}")
            expect(self, training, f"a new {label} must be in training mode (self.training is True)",
                   expected=True, actual=training, hint="set self.training = True in __init__")
            n += 5
            with torch.no_grad():
                ref.weight.copy_(_t(run["gamma"]))
                ref.bias.copy_(_t(run["beta"]))
            done = []
            for step in run["steps"]:
                op = step["op"]
                done.append({"f": "forward", "e": "eval()", "t": "train()"}[op])
                where = f"({label}, after {' -> '.join(done)})"
                if op == "f":
                    with torch.no_grad():
                        out_ref = ref(_t(step["x"])).numpy()
                    expect(self, _unchanged(self, step, {"x": step["x"]}), f"forward must not modify x {where}",
                           expected="x unchanged", actual="x modified in place", hint="compute into new arrays")
                    out = _answer(self, step, "out", step["x"].shape, f"forward(x) {where}")
                    expect_close(self, out, out_ref, f"forward(x) in {'training' if ref.training else 'eval'} "
                                 f"mode {where}", rtol=1e-6, atol=1e-8,
                                 hint=("training mode: batch mean and biased batch variance; "
                                       if ref.training else "eval mode: the running averages; ")
                                 + "then gamma * x_hat + beta with the CURRENT self.gamma and self.beta")
                    n += 2
                else:
                    ref.train(op == "t")
                    training = _flag(self, step, "training", f"self.training {where}")
                    expect(self, training == ref.training, f"self.training {where}", expected=ref.training,
                           actual=training, hint="train() sets self.training = True, eval() sets it False")
                    n += 1
                hint = ("update the running averages only in training mode, with "
                        "running = (1 - momentum) * running + momentum * batch_stat and the UNBIASED variance N/(N-1)")
                running_mean = _answer(self, step, "running_mean", (D,), f"the attribute running_mean {where}")
                running_var = _answer(self, step, "running_var", (D,), f"the attribute running_var {where}")
                expect_close(self, running_mean, ref.running_mean.numpy(), f"running_mean {where}",
                             rtol=1e-7, atol=1e-9, hint=hint)
                expect_close(self, running_var, ref.running_var.numpy(), f"running_var {where}",
                             rtol=1e-7, atol=1e-9, hint=hint)
                n += 2
        return n
