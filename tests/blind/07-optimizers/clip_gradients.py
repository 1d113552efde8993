import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "07-optimizers/clip_gradients"


def _value_ok(grads, clip_value):
    for g in grads:
        if g is not None:
            np.clip(g, -clip_value, clip_value, out=g)


def _total(grads, p):
    gs = [np.asarray(g, dtype=float).ravel() for g in grads if g is not None]
    if not gs:
        return 0.0
    v = np.concatenate(gs)
    if p == math.inf:
        return float(np.max(np.abs(v))) if v.size else 0.0
    return float(np.sum(np.abs(v) ** p) ** (1.0 / p))


def _norm_ok(grads, max_norm, norm_type=2.0):
    total = _total(grads, norm_type)
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for g in grads:
            if g is not None:
                g *= coef
    return total




def _reg(desc, cv, cn, kind="buggy"):
    (buggy if kind == "buggy" else correct)(ID, desc)((cv, cn))


def _v_items(grads, clip_value):
    for i, g in enumerate(grads):
        if g is not None:
            grads[i] = np.clip(g, -clip_value, clip_value)


def _n_perarray(grads, max_norm, norm_type=2.0):
    total = _total(grads, norm_type)
    for g in grads:
        if g is not None:
            n = _total([g], norm_type)
            c = max_norm / (n + 1e-6)
            if c < 1:
                g *= c
    return total


def _n_no_eps(grads, max_norm, norm_type=2.0):
    total = _total(grads, norm_type)
    if total > max_norm:
        for g in grads:
            if g is not None:
                g *= max_norm / total
    return total


def _n_after(grads, max_norm, norm_type=2.0):
    _norm_ok(grads, max_norm, norm_type)
    return _total(grads, norm_type)


def _n_inf_as_sum(grads, max_norm, norm_type=2.0):
    p = 2.0 if norm_type == math.inf else norm_type
    total = _total(grads, p)
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for g in grads:
            if g is not None:
                g *= coef
    return total


def _n_always_scale(grads, max_norm, norm_type=2.0):
    total = _total(grads, norm_type)
    coef = min(1.0, max_norm / (total + 1e-6))
    for g in grads:
        if g is not None:
            g *= coef
    return total


def _n_0d_skip(grads, max_norm, norm_type=2.0):
    total = _total(grads, norm_type)
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for g in grads:
            if g is not None and g.ndim > 0:
                g *= coef
    return total


def _n_returns_np(grads, max_norm, norm_type=2.0):
    gs = [g.ravel() for g in grads if g is not None]
    v = np.concatenate(gs) if gs else np.zeros(0)
    total = np.linalg.norm(v, ord=norm_type) if v.size else np.float64(0.0)
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for g in grads:
            if g is not None:
                g *= coef
    return total


def _n_f32(grads, max_norm, norm_type=2.0):
    gs = [np.asarray(g, dtype=np.float32).ravel() for g in grads if g is not None]
    if not gs:
        return 0.0
    v = np.concatenate(gs)
    total = float(np.max(np.abs(v))) if norm_type == math.inf else float(np.sum(np.abs(v) ** norm_type) ** (1 / norm_type))
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for g in grads:
            if g is not None:
                g *= coef
    return total


def _n_le(grads, max_norm, norm_type=2.0):
    total = _total(grads, norm_type)
    coef = max_norm / (total + 1e-6)
    if coef <= 1:
        for g in grads:
            if g is not None:
                g *= coef
    return total


def _v_strict_where(grads, clip_value):
    for g in grads:
        if g is not None:
            g[...] = np.where(np.abs(g) > clip_value, np.sign(g) * clip_value, g)


def _v_0d_skip(grads, clip_value):
    for g in grads:
        if g is not None and g.ndim:
            np.clip(g, -clip_value, clip_value, out=g)


def _n_torch(grads, max_norm, norm_type=2.0):
    ps = []
    for g in grads:
        if g is None:
            continue
        p = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
        p.grad = torch.from_numpy(g)
        ps.append(p)
    if not ps:
        return 0.0
    return float(torch.nn.utils.clip_grad_norm_(ps, max_norm, norm_type=norm_type))


def _n_default(grads, max_norm, norm_type=1.0):
    return _norm_ok(grads, max_norm, norm_type)


_reg("[8] clip_grad_value replaces the list items (grads[i] = np.clip(...)): caller's arrays unchanged", _v_items, _norm_ok)
_reg("[7] clip_grad_norm clips each array by its own norm", _value_ok, _n_perarray)
_reg("[7] clip_grad_norm without the 1e-6 (scale max_norm / total when total > max_norm)", _value_ok, _n_no_eps)
_reg("[7] returns the total norm after clipping", _value_ok, _n_after)
_reg("[7] norm_type=inf treated as 2", _value_ok, _n_inf_as_sum)
_reg("always multiplies by min(1, coef): unclipped arrays multiplied by 1.0, bit for bit unchanged", _value_ok, _n_always_scale, kind="correct")
_reg("[6,8] 0-d arrays skipped by clip_grad_norm (g.ndim > 0)", _value_ok, _n_0d_skip)
_reg("[6,8] 0-d arrays skipped by clip_grad_value", _v_0d_skip, _norm_ok)
_reg("total from np.linalg.norm of the concatenation (returns np.float64, a float subclass)", _value_ok, _n_returns_np, kind="correct")
_reg("[1] total norm computed in float32", _value_ok, _n_f32)
_reg("coef <= 1 also scales at coef exactly 1 (multiplying by 1.0 changes nothing)", _value_ok, _n_le, kind="correct")
_reg("[7] default norm_type=1.0", _value_ok, _n_default)
_reg("clip by value with np.where written back through g[...]", _v_strict_where, _norm_ok, kind="correct")
_reg("clip by norm through torch.nn.utils.clip_grad_norm_ on tensors sharing memory", _value_ok, _n_torch, kind="correct")


def _n_sum_of_norms(grads, max_norm, norm_type=2.0):
    total = float(sum(_total([g], norm_type) for g in grads if g is not None))
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for g in grads:
            if g is not None:
                g *= coef
    return total


def _n_rebind(grads, max_norm, norm_type=2.0):
    total = _total(grads, norm_type)
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for g in grads:
            if g is not None:
                g = g * coef
    return total


def _n_nan_zero(grads, max_norm, norm_type=2.0):
    total = _total(grads, norm_type)
    for g in grads:
        if g is not None:
            g *= min(1.0, max_norm / total) if total else np.nan
    return total


def _v_int_clip(grads, clip_value):
    for g in grads:
        if g is not None:
            g[...] = np.clip(g, -int(clip_value), int(clip_value)) if clip_value >= 1 else np.clip(g, -clip_value, clip_value)


_reg("[7] total = sum of the per-array norms (not the p-norm of them)", _value_ok, _n_sum_of_norms)
_reg("[8] g = g * coef rebinds the loop variable: nothing clipped in place", _value_ok, _n_rebind)
_reg("[7] all-zero gradients: 0 * nan (scale max_norm / total with a 0-total guard that returns nan)", _value_ok, _n_nan_zero)
_reg("[9] clip value truncated to int when >= 1", _v_int_clip, _norm_ok)
