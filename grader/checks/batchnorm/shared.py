"""What the checks of 05-batchnorm share: PyTorch oracles in float64 and the cache contract.

The caches that backward passes receive follow the contract stated in the notebook: a dict with
``x``, ``x_hat``, ``mu``, ``var``, ``eps``, ``gamma`` (and ``G`` for group norm), so that a
backward pass is graded on its own, whatever the student's forward pass does. A forward pass's
cache is read on the probe side by :func:`cache_record` and on the judge side by
:func:`cache_answer`. Nothing here is random at grading time: no check of 05 is ``randomized``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ..base import Check
from ..judging import answer_array, answer_dict, answer_number, unchanged
from ..probing import as_float_array, student_array

__all__ = [
    "t",
    "torch_batch_norm",
    "bn_cache",
    "ln_cache",
    "gn_cache",
    "bn_fn",
    "ln_fn",
    "gn_fn",
    "grads",
    "array",
    "cache_record",
    "cache_answer",
    "snapshot",
    "all_unchanged",
]


def t(a: np.ndarray) -> torch.Tensor:
    """``a`` as a float64 tensor."""
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64)


# ---------------------------------------------------------------------------------------
# Oracles (PyTorch, float64)
# ---------------------------------------------------------------------------------------

def torch_batch_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, running_mean: np.ndarray,
                     running_var: np.ndarray, *, training: bool, momentum: float, eps: float,
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(out, new running_mean, new running_var) of F.batch_norm on (N, C) or (N, C, H, W)."""
    rm, rv = t(running_mean), t(running_var)
    out = F.batch_norm(t(x), rm, rv, t(gamma), t(beta), training=training, momentum=momentum, eps=eps)
    return out.numpy(), rm.numpy(), rv.numpy()


def bn_cache(x: np.ndarray, eps: float) -> dict[str, np.ndarray]:
    """x, x_hat, mu and the biased var of batch norm over every axis but 1 (no eps, gamma)."""
    xt = t(x)
    dims = [0] + list(range(2, xt.dim()))
    var, mu = torch.var_mean(xt, dim=dims, unbiased=False)
    x_hat = F.batch_norm(xt, None, None, training=True, eps=eps)
    return {"x": x, "x_hat": x_hat.numpy(), "mu": mu.numpy(), "var": var.numpy()}


def ln_cache(x: np.ndarray, gamma: np.ndarray, eps: float) -> dict[str, Any]:
    """The layer-norm cache of the contract: mu and var of shape (N, 1)."""
    xt = t(x)
    var, mu = torch.var_mean(xt, dim=1, keepdim=True, unbiased=False)
    x_hat = F.layer_norm(xt, (x.shape[1],), eps=eps)
    return {"x": x, "x_hat": x_hat.numpy(), "mu": mu.numpy(), "var": var.numpy(), "eps": eps, "gamma": gamma}


def gn_cache(x: np.ndarray, gamma: np.ndarray, G: int, eps: float) -> dict[str, Any]:
    """The group-norm cache of the contract: mu and var of shape (N, G)."""
    xt = t(x)
    N = x.shape[0]
    var, mu = torch.var_mean(xt.reshape(N, G, -1), dim=2, unbiased=False)
    x_hat = F.group_norm(xt, G, eps=eps)
    return {"x": x, "x_hat": x_hat.numpy(), "mu": mu.numpy(), "var": var.numpy(), "eps": eps, "gamma": gamma, "G": G}


def bn_fn(eps: float) -> Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]:
    return lambda x, g, b: F.batch_norm(x, None, None, g, b, training=True, eps=eps)


def ln_fn(eps: float) -> Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]:
    return lambda x, g, b: F.layer_norm(x, (x.shape[-1],), g, b, eps)


def gn_fn(G: int, eps: float) -> Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]:
    return lambda x, g, b: F.group_norm(x, G, g, b, eps)


def grads(fn: Any, x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, dout: np.ndarray,
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dx, dgamma, dbeta) of sum(fn(x, gamma, beta) * dout) by autograd in float64."""
    xt, gt, bt = (t(a).requires_grad_(True) for a in (x, gamma, beta))
    out = fn(xt, gt, bt)
    out.backward(t(dout))
    return xt.grad.numpy(), gt.grad.numpy(), bt.grad.numpy()


# ---------------------------------------------------------------------------------------
# The probe side: a returned array, a returned cache
# ---------------------------------------------------------------------------------------

def array(check: Check, value: Any, what: str, shape: tuple[int, ...]) -> np.ndarray:
    """A returned array of exactly ``shape``, as float64 (None: "did you forget to compute it?")."""
    if value is None:
        raise check.fail(f"{what} is None", expected=f"an array of shape {shape}", actual=None,
                         hint="did you forget to compute or return it?")
    return student_array(check, value, what, shape)


def cache_record(check: Check, cache: Any, fn_name: str, shapes: dict[str, tuple[int, ...]]) -> dict[str, Any]:
    """The contract keys of a returned cache, as plain data: arrays of ``shapes`` and the number eps."""
    if not isinstance(cache, dict):
        raise check.fail(f"the cache returned by {fn_name} (training mode) must be a dict",
                         expected=f"dict with keys {sorted(shapes) + ['eps']}", actual=type(cache).__name__,
                         hint="the backward pass of the grader receives the cache described in the docstring")
    missing = [k for k in list(shapes) + ["eps"] if k not in cache]
    if missing:
        raise check.fail(f"the cache returned by {fn_name} lacks keys {missing}",
                         expected=sorted(list(shapes) + ["eps"]), actual=sorted(map(str, cache)),
                         hint="store exactly the entries listed in the docstring")
    data = {k: array(check, cache[k], f"cache['{k}']", s) for k, s in shapes.items()}
    data["eps"] = float(as_float_array(check, cache["eps"], "cache['eps']").reshape(-1)[0])
    return data


def snapshot(value: Any) -> np.ndarray | None:
    """A float64 copy of one cache entry after a backward call; None when it is missing or no
    longer numbers (the judge then sees it as modified)."""
    if value is None:
        return None
    try:
        return np.array(value, dtype=np.float64)
    except Exception:  # noqa: BLE001 - anything the student put there
        return None


# ---------------------------------------------------------------------------------------
# The judge side: a recorded cache, the inputs after the call
# ---------------------------------------------------------------------------------------

def cache_answer(check: Check, record: Any, shapes: dict[str, tuple[int, ...]], where: str) -> dict[str, Any]:
    """The contract keys of a recorded cache (arrays of ``shapes``, and the number eps)."""
    cache = answer_dict(check, record, "cache", f"the returned cache {where}")
    data: dict[str, Any] = {k: answer_array(check, cache, k, s, f"cache['{k}']") for k, s in shapes.items()}
    data["eps"] = answer_number(check, cache, "eps", f"cache['eps'] {where}")
    return data


def all_unchanged(check: Check, record: Any, inputs: dict[str, np.ndarray]) -> bool:
    """True when every input array, as the probe recorded it after the call (``<name>_after``),
    equals the grader's input: the judge compares, rather than trusting a flag from the kernel."""
    return all([unchanged(check, record, f"{name}_after", before, f"{name} after the call")
                for name, before in inputs.items()])

