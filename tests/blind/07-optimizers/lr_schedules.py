import math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "07-optimizers/lr_schedules"


def step_decay(t, base_lr, *, step_size, gamma=0.1):
    return float(base_lr * gamma ** (t // step_size))


def exponential_decay(t, base_lr, *, gamma):
    return float(base_lr * gamma ** t)


def inverse_time_decay(t, base_lr, *, decay):
    return float(base_lr / (1 + decay * t))


def sqrt_decay(t, base_lr, *, total_steps):
    return float(base_lr * math.sqrt(1 - min(t, total_steps) / total_steps))


def cosine_restarts(t, base_lr, *, T_0, T_mult=1, eta_min=0.0):
    if T_mult == 1:
        Ti, Tc = T_0, t % T_0
    else:
        n = int(math.log(t / T_0 * (T_mult - 1) + 1, T_mult))
        start = T_0 * (T_mult ** n - 1) // (T_mult - 1)
        Ti, Tc = T_0 * T_mult ** n, t - start
        if Tc >= Ti:   # float log rounding
            Tc -= Ti; Ti *= T_mult
        if Tc < 0:
            Ti //= T_mult; Tc += Ti
    return float(eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * Tc / Ti)) / 2)


def linear_warmup(t, base_lr, *, warmup_steps, start_factor=0.1):
    return float(base_lr * (start_factor + (1 - start_factor) * min(t, warmup_steps) / warmup_steps))


OK = dict(step_decay=step_decay, exponential_decay=exponential_decay, inverse_time_decay=inverse_time_decay,
          sqrt_decay=sqrt_decay, cosine_restarts=cosine_restarts, linear_warmup=linear_warmup)
ORDER = list(OK)


def _with(**over):
    d = dict(OK, **over)
    return tuple(d[k] for k in ORDER)


def _cos_loop(t, base_lr, *, T_0, T_mult=1, eta_min=0.0):
    Ti, Tc = T_0, t
    while Tc >= Ti:
        Tc -= Ti
        Ti *= T_mult
    return float(eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * Tc / Ti)) / 2)


def _step_off(t, base_lr, *, step_size, gamma=0.1):
    return float(base_lr * gamma ** ((t + 1) // step_size))


def _exp_np32(t, base_lr, *, gamma):
    return float(np.float32(base_lr) * np.float32(gamma) ** t)


def _sqrt_noclamp(t, base_lr, *, total_steps):
    return float(base_lr * math.sqrt(max(0.0, 1 - t / total_steps)))


def _sqrt_nan(t, base_lr, *, total_steps):
    return float(base_lr * np.sqrt(1 - t / total_steps)) if t <= total_steps else 0.0


def _cos_tmult_ignored(t, base_lr, *, T_0, T_mult=1, eta_min=0.0):
    return _cos_loop(t, base_lr, T_0=T_0, T_mult=1, eta_min=eta_min)


def _cos_period_plus1(t, base_lr, *, T_0, T_mult=1, eta_min=0.0):
    # SGDR period of T_i + 1 steps, reaching eta_min at its last step
    Ti, Tc = T_0, t
    while Tc > Ti:
        Tc -= Ti + 1
        Ti *= T_mult
    return float(eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * Tc / Ti)) / 2)


def _cos_no_eta_min_scale(t, base_lr, *, T_0, T_mult=1, eta_min=0.0):
    Ti, Tc = T_0, t
    while Tc >= Ti:
        Tc -= Ti
        Ti *= T_mult
    return float(eta_min + base_lr * (1 + math.cos(math.pi * Tc / Ti)) / 2)


def _warm_noclamp(t, base_lr, *, warmup_steps, start_factor=0.1):
    f = start_factor + (1 - start_factor) * t / warmup_steps
    return float(base_lr * min(f, 1.0))


def _warm_div_wm1(t, base_lr, *, warmup_steps, start_factor=0.1):
    W = max(warmup_steps - 1, 1)
    return float(base_lr * (start_factor + (1 - start_factor) * min(t, W) / W))


def _warm_default(t, base_lr, *, warmup_steps, start_factor=0.0):
    return linear_warmup(t, base_lr, warmup_steps=warmup_steps, start_factor=start_factor)


_cache = {}


def _exp_cached(t, base_lr, *, gamma):
    # memoised recurrence: lr_t = lr_{t-1} * gamma (state between calls)
    key = (base_lr, gamma)
    last_t, last = _cache.get(key, (0, base_lr))
    if t < last_t:
        last_t, last = 0, base_lr
    while last_t < t:
        last *= gamma
        last_t += 1
    _cache[key] = (last_t, last)
    return float(last)


def _inv_int(t, base_lr, *, decay):
    return base_lr / (1 + decay * t) if decay else base_lr


buggy(ID, "[7] step_decay drops one step early ((t + 1) // step_size)")(_with(step_decay=_step_off))
buggy(ID, "[1] exponential decay in float32")(_with(exponential_decay=_exp_np32))
correct(ID, "sqrt_decay written as sqrt(max(0, 1 - t/T))")(_with(sqrt_decay=_sqrt_noclamp))
buggy(ID, "[7] cosine_restarts ignores T_mult")(_with(cosine_restarts=_cos_tmult_ignored))
buggy(ID, "[7] cosine_restarts with periods of T_i + 1 steps (reaches eta_min)")(_with(cosine_restarts=_cos_period_plus1))
buggy(ID, "[7] cosine_restarts: amplitude base_lr instead of base_lr - eta_min")(_with(cosine_restarts=_cos_no_eta_min_scale))
buggy(ID, "[7] linear_warmup reaches base_lr after warmup_steps - 1 steps")(_with(linear_warmup=_warm_div_wm1))
buggy(ID, "[7] linear_warmup default start_factor=0.0")(_with(linear_warmup=_warm_default))
correct(ID, "exponential_decay memoising a recurrence lr *= gamma (restarts from 0 for a smaller t, so the same value whatever the order)")(_with(exponential_decay=_exp_cached))
buggy(ID, "[9] inverse_time_decay returns base_lr itself, not float(...), when decay == 0 (an int if base_lr is an int)")(_with(inverse_time_decay=_inv_int))

correct(ID, "closed forms, cosine period found with a logarithm")(_with())
correct(ID, "cosine period found by a loop; warm-up clamped with min(f, 1)")(_with(cosine_restarts=_cos_loop,
                                                                                   linear_warmup=_warm_noclamp))


def _cos_log_unguarded(t, base_lr, *, T_0, T_mult=1, eta_min=0.0):
    if T_mult == 1:
        Ti, Tc = T_0, t % T_0
    else:
        n = int(math.log(t / T_0 * (T_mult - 1) + 1, T_mult))
        Ti, Tc = T_0 * T_mult ** n, t - T_0 * (T_mult ** n - 1) // (T_mult - 1)
    return float(eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * Tc / Ti)) / 2)


def _cos_float_mod(t, base_lr, *, T_0, T_mult=1, eta_min=0.0):
    # epoch-fraction style: T_cur as a float from math.fmod / log, as torch's epoch argument path
    if T_mult == 1:
        Tc, Ti = math.fmod(t, T_0), T_0
    else:
        n = math.floor(math.log(t / T_0 * (T_mult - 1) + 1) / math.log(T_mult))
        Tc = t - T_0 * (T_mult ** n - 1) / (T_mult - 1)
        Ti = T_0 * T_mult ** n
    return float(eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * Tc / Ti)) / 2)


buggy(ID, "[2] cosine_restarts: period index from int(math.log(..., T_mult)) without guarding float rounding at period boundaries")(_with(cosine_restarts=_cos_log_unguarded))
buggy(ID, "[2] cosine_restarts: period index from log(x)/log(T_mult) with floor (rounding at boundaries)")(_with(cosine_restarts=_cos_float_mod))
