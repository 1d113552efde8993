"""Buggy and correct answers to 07-optimizers/lr_schedules (self-contained: see tests/variants/__init__.py).

Each variant is a class holding the six functions (``functions``); a buggy one gets one or two of
them wrong, the others right.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from .. import buggy, correct

LR = "07-optimizers/lr_schedules"


@buggy(LR, "cosine_restarts: the cycle is t // T_0, so the periods of T_mult = 2 are wrong",
       demo=True, classes=(7,))
class lr_schedules:
    global step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup

    def step_decay(t, base_lr, *, step_size, gamma=0.1):
        return base_lr * gamma ** (t // step_size)

    def exponential_decay(t, base_lr, *, gamma):
        return base_lr * gamma ** t

    def inverse_time_decay(t, base_lr, *, decay):
        return base_lr / (1 + decay * t)

    def sqrt_decay(t, base_lr, *, total_steps):
        return base_lr * math.sqrt(1 - min(t, total_steps) / total_steps)

    def cosine_restarts(t, base_lr, *, T_0, T_mult=1, eta_min=0.0):
        cycle = t // T_0
        T_i = T_0 * T_mult ** cycle
        T_cur = t % T_i
        return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * T_cur / T_i)) / 2

    def linear_warmup(t, base_lr, *, warmup_steps, start_factor=0.1):
        return base_lr * (start_factor + (1 - start_factor) * min(t, warmup_steps) / warmup_steps)

    functions = (step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup)


@buggy(LR, "cosine_restarts ignores eta_min: base_lr * (1 + cos) / 2", classes=(7,))
class lr_schedules:  # noqa: F811
    global step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup
    def step_decay(t, base_lr, *, step_size, gamma=0.1):
        return base_lr * gamma ** (t // step_size)
    def exponential_decay(t, base_lr, *, gamma):
        return base_lr * gamma ** t
    def inverse_time_decay(t, base_lr, *, decay):
        return base_lr / (1 + decay * t)
    def sqrt_decay(t, base_lr, *, total_steps):
        return base_lr * math.sqrt(1 - min(t, total_steps) / total_steps)
    def cosine_restarts(t, base_lr, *, T_0, T_mult=1, eta_min=0.0):
        T_i = T_0
        while t >= T_i:
            t, T_i = t - T_i, T_i * T_mult
        return base_lr * (1 + math.cos(math.pi * t / T_i)) / 2
    def linear_warmup(t, base_lr, *, warmup_steps, start_factor=0.1):
        return base_lr * (start_factor + (1 - start_factor) * min(t, warmup_steps) / warmup_steps)
    functions = (step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup)


@buggy(LR, "step_decay with float division t / step_size: a smooth decay, not a staircase", classes=(0,))
class lr_schedules:  # noqa: F811
    global step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup

    def step_decay(t, base_lr, *, step_size, gamma=0.1):
        return base_lr * gamma ** (t / step_size)
    def exponential_decay(t, base_lr, *, gamma):
        return base_lr * gamma ** t
    def inverse_time_decay(t, base_lr, *, decay):
        return base_lr / (1 + decay * t)
    def sqrt_decay(t, base_lr, *, total_steps):
        return base_lr * math.sqrt(1 - min(t, total_steps) / total_steps)
    def cosine_restarts(t, base_lr, *, T_0, T_mult=1, eta_min=0.0):
        T_i = T_0
        while t >= T_i:
            t, T_i = t - T_i, T_i * T_mult
        return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / T_i)) / 2
    def linear_warmup(t, base_lr, *, warmup_steps, start_factor=0.1):
        return base_lr * (start_factor + (1 - start_factor) * min(t, warmup_steps) / warmup_steps)
    functions = (step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup)


@buggy(LR, "step_decay one step late: (t - 1) // step_size, the decays at step_size + 1, ...", classes=(7,))
class lr_schedules:  # noqa: F811
    global step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup

    def step_decay(t, base_lr, *, step_size, gamma=0.1):
        return base_lr * gamma ** max(0, (t - 1) // step_size)
    def exponential_decay(t, base_lr, *, gamma):
        return base_lr * gamma ** t
    def inverse_time_decay(t, base_lr, *, decay):
        return base_lr / (1 + decay * t)
    def sqrt_decay(t, base_lr, *, total_steps):
        return base_lr * math.sqrt(1 - min(t, total_steps) / total_steps)
    def cosine_restarts(t, base_lr, *, T_0, T_mult=1, eta_min=0.0):
        T_i = T_0
        while t >= T_i:
            t, T_i = t - T_i, T_i * T_mult
        return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / T_i)) / 2
    def linear_warmup(t, base_lr, *, warmup_steps, start_factor=0.1):
        return base_lr * (start_factor + (1 - start_factor) * min(t, warmup_steps) / warmup_steps)
    functions = (step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup)


@buggy(LR, "exponential and 1/t decay count t from 1: gamma ** (t + 1), 1 + decay * (t + 1)", classes=(7,))
class lr_schedules:  # noqa: F811
    global step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup
    def step_decay(t, base_lr, *, step_size, gamma=0.1):
        return base_lr * gamma ** (t // step_size)
    def exponential_decay(t, base_lr, *, gamma):
        step = t + 1
        return base_lr * gamma ** step
    def inverse_time_decay(t, base_lr, *, decay):
        step = t + 1
        return base_lr / (1 + decay * step)
    def sqrt_decay(t, base_lr, *, total_steps):
        return base_lr * math.sqrt(1 - min(t, total_steps) / total_steps)
    def cosine_restarts(t, base_lr, *, T_0, T_mult=1, eta_min=0.0):
        T_i = T_0
        while t >= T_i:
            t, T_i = t - T_i, T_i * T_mult
        return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / T_i)) / 2
    def linear_warmup(t, base_lr, *, warmup_steps, start_factor=0.1):
        return base_lr * (start_factor + (1 - start_factor) * min(t, warmup_steps) / warmup_steps)
    functions = (step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup)


@buggy(LR, "sqrt_decay with np.sqrt(1 - t / T): NaN past total_steps instead of 0", classes=(7,))
class lr_schedules:  # noqa: F811
    global step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup
    def step_decay(t, base_lr, *, step_size, gamma=0.1):
        return base_lr * gamma ** (t // step_size)
    def exponential_decay(t, base_lr, *, gamma):
        return base_lr * gamma ** t
    def inverse_time_decay(t, base_lr, *, decay):
        return base_lr / (1 + decay * t)
    def sqrt_decay(t, base_lr, *, total_steps):
        with np.errstate(invalid="ignore"):
            return float(base_lr * np.sqrt(1 - t / total_steps))
    def cosine_restarts(t, base_lr, *, T_0, T_mult=1, eta_min=0.0):
        T_i = T_0
        while t >= T_i:
            t, T_i = t - T_i, T_i * T_mult
        return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / T_i)) / 2
    def linear_warmup(t, base_lr, *, warmup_steps, start_factor=0.1):
        return base_lr * (start_factor + (1 - start_factor) * min(t, warmup_steps) / warmup_steps)
    functions = (step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup)


@buggy(LR, "sqrt_decay as 1 - sqrt(t / T)", classes=(0,))
class lr_schedules:  # noqa: F811
    global step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup
    def step_decay(t, base_lr, *, step_size, gamma=0.1):
        return base_lr * gamma ** (t // step_size)
    def exponential_decay(t, base_lr, *, gamma):
        return base_lr * gamma ** t
    def inverse_time_decay(t, base_lr, *, decay):
        return base_lr / (1 + decay * t)
    def sqrt_decay(t, base_lr, *, total_steps):
        return base_lr * (1 - math.sqrt(min(t, total_steps) / total_steps))
    def cosine_restarts(t, base_lr, *, T_0, T_mult=1, eta_min=0.0):
        T_i = T_0
        while t >= T_i:
            t, T_i = t - T_i, T_i * T_mult
        return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / T_i)) / 2
    def linear_warmup(t, base_lr, *, warmup_steps, start_factor=0.1):
        return base_lr * (start_factor + (1 - start_factor) * min(t, warmup_steps) / warmup_steps)
    functions = (step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup)


@buggy(LR, "linear_warmup without the clamp: the rate keeps growing past warmup_steps", classes=(7,))
class lr_schedules:  # noqa: F811
    global step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup
    def step_decay(t, base_lr, *, step_size, gamma=0.1):
        return base_lr * gamma ** (t // step_size)
    def exponential_decay(t, base_lr, *, gamma):
        return base_lr * gamma ** t
    def inverse_time_decay(t, base_lr, *, decay):
        return base_lr / (1 + decay * t)
    def sqrt_decay(t, base_lr, *, total_steps):
        return base_lr * math.sqrt(1 - min(t, total_steps) / total_steps)
    def cosine_restarts(t, base_lr, *, T_0, T_mult=1, eta_min=0.0):
        T_i = T_0
        while t >= T_i:
            t, T_i = t - T_i, T_i * T_mult
        return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / T_i)) / 2
    def linear_warmup(t, base_lr, *, warmup_steps, start_factor=0.1):
        return base_lr * (start_factor + (1 - start_factor) * t / warmup_steps)
    functions = (step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup)


@buggy(LR, "linear_warmup from 0: start_factor ignored", classes=(7,))
class lr_schedules:  # noqa: F811
    global step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup
    def step_decay(t, base_lr, *, step_size, gamma=0.1):
        return base_lr * gamma ** (t // step_size)
    def exponential_decay(t, base_lr, *, gamma):
        return base_lr * gamma ** t
    def inverse_time_decay(t, base_lr, *, decay):
        return base_lr / (1 + decay * t)
    def sqrt_decay(t, base_lr, *, total_steps):
        return base_lr * math.sqrt(1 - min(t, total_steps) / total_steps)
    def cosine_restarts(t, base_lr, *, T_0, T_mult=1, eta_min=0.0):
        T_i = T_0
        while t >= T_i:
            t, T_i = t - T_i, T_i * T_mult
        return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / T_i)) / 2
    def linear_warmup(t, base_lr, *, warmup_steps, start_factor=0.1):
        return base_lr * min(t, warmup_steps) / warmup_steps
    functions = (step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup)


@buggy(LR, "linear_warmup with integer division min(t, W) // W: a jump at W instead of a ramp", classes=(0,))
class lr_schedules:  # noqa: F811
    global step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup
    def step_decay(t, base_lr, *, step_size, gamma=0.1):
        return base_lr * gamma ** (t // step_size)
    def exponential_decay(t, base_lr, *, gamma):
        return base_lr * gamma ** t
    def inverse_time_decay(t, base_lr, *, decay):
        return base_lr / (1 + decay * t)
    def sqrt_decay(t, base_lr, *, total_steps):
        return base_lr * math.sqrt(1 - min(t, total_steps) / total_steps)
    def cosine_restarts(t, base_lr, *, T_0, T_mult=1, eta_min=0.0):
        T_i = T_0
        while t >= T_i:
            t, T_i = t - T_i, T_i * T_mult
        return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / T_i)) / 2
    def linear_warmup(t, base_lr, *, warmup_steps, start_factor=0.1):
        return base_lr * (start_factor + (1 - start_factor) * (min(t, warmup_steps) // warmup_steps))
    functions = (step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup)


@buggy(LR, "sqrt_decay returns the int 0 from total_steps on", classes=(9,))
class lr_schedules:  # noqa: F811
    global step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup
    def step_decay(t, base_lr, *, step_size, gamma=0.1):
        return base_lr * gamma ** (t // step_size)
    def exponential_decay(t, base_lr, *, gamma):
        return base_lr * gamma ** t
    def inverse_time_decay(t, base_lr, *, decay):
        return base_lr / (1 + decay * t)
    def sqrt_decay(t, base_lr, *, total_steps):
        if t >= total_steps:
            return 0
        return base_lr * math.sqrt(1 - t / total_steps)
    def cosine_restarts(t, base_lr, *, T_0, T_mult=1, eta_min=0.0):
        T_i = T_0
        while t >= T_i:
            t, T_i = t - T_i, T_i * T_mult
        return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / T_i)) / 2
    def linear_warmup(t, base_lr, *, warmup_steps, start_factor=0.1):
        return base_lr * (start_factor + (1 - start_factor) * min(t, warmup_steps) / warmup_steps)
    functions = (step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup)


@buggy(LR, "exponential_decay in torch's chained form: remembers the last rate and multiplies it by gamma",
       classes=(8,))
class lr_schedules:  # noqa: F811
    global step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup
    def step_decay(t, base_lr, *, step_size, gamma=0.1):
        return base_lr * gamma ** (t // step_size)
    def exponential_decay(t, base_lr, *, gamma, _last={}):
        lr = base_lr if t == 0 or base_lr not in _last else _last[base_lr] * gamma
        _last[base_lr] = lr
        return lr
    def inverse_time_decay(t, base_lr, *, decay):
        return base_lr / (1 + decay * t)
    def sqrt_decay(t, base_lr, *, total_steps):
        return base_lr * math.sqrt(1 - min(t, total_steps) / total_steps)
    def cosine_restarts(t, base_lr, *, T_0, T_mult=1, eta_min=0.0):
        T_i = T_0
        while t >= T_i:
            t, T_i = t - T_i, T_i * T_mult
        return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / T_i)) / 2
    def linear_warmup(t, base_lr, *, warmup_steps, start_factor=0.1):
        return base_lr * (start_factor + (1 - start_factor) * min(t, warmup_steps) / warmup_steps)
    functions = (step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup)


@buggy(LR, "cosine_restarts computed with torch.cos: returns a 0-d tensor, not a float", classes=(9,))
class lr_schedules:  # noqa: F811
    global step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup
    def step_decay(t, base_lr, *, step_size, gamma=0.1):
        return base_lr * gamma ** (t // step_size)
    def exponential_decay(t, base_lr, *, gamma):
        return base_lr * gamma ** t
    def inverse_time_decay(t, base_lr, *, decay):
        return base_lr / (1 + decay * t)
    def sqrt_decay(t, base_lr, *, total_steps):
        return base_lr * math.sqrt(1 - min(t, total_steps) / total_steps)
    def cosine_restarts(t, base_lr, *, T_0, T_mult=1, eta_min=0.0):
        T_i = T_0
        while t >= T_i:
            t, T_i = t - T_i, T_i * T_mult
        phase = torch.tensor(math.pi * t / T_i, dtype=torch.float64)
        return eta_min + (base_lr - eta_min) * (1 + torch.cos(phase)) / 2
    def linear_warmup(t, base_lr, *, warmup_steps, start_factor=0.1):
        return base_lr * (start_factor + (1 - start_factor) * min(t, warmup_steps) / warmup_steps)
    functions = (step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup)


@correct(LR, "reference solution")
class lr_schedules:  # noqa: F811
    global step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup

    def step_decay(t, base_lr, *, step_size, gamma=0.1):
        return float(base_lr * gamma ** (t // step_size))

    def exponential_decay(t, base_lr, *, gamma):
        return float(base_lr * gamma ** t)

    def inverse_time_decay(t, base_lr, *, decay):
        return float(base_lr / (1.0 + decay * t))

    def sqrt_decay(t, base_lr, *, total_steps):
        return float(base_lr * math.sqrt(1.0 - min(t, total_steps) / total_steps))

    def cosine_restarts(t, base_lr, *, T_0, T_mult=1, eta_min=0.0):
        T_cur, T_i = t, T_0
        while T_cur >= T_i:  # skip the finished periods
            T_cur -= T_i
            T_i *= T_mult
        return float(eta_min + (base_lr - eta_min) * (1.0 + math.cos(math.pi * T_cur / T_i)) / 2.0)

    def linear_warmup(t, base_lr, *, warmup_steps, start_factor=0.1):
        progress = min(t, warmup_steps) / warmup_steps
        return float(base_lr * (start_factor + (1.0 - start_factor) * progress))

    functions = (step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup)


@correct(LR, "chained products recomputed from t = 0, np.clip, restarts from a closed-form cycle index")
class lr_schedules:  # noqa: F811
    global step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup

    def step_decay(t, base_lr, *, step_size, gamma=0.1):
        lr = base_lr
        for _ in range(math.floor(t / step_size)):
            lr *= gamma
        return lr
    def exponential_decay(t, base_lr, *, gamma):
        return float(base_lr * np.power(gamma, t))
    def inverse_time_decay(t, base_lr, *, decay):
        return base_lr * (1 + decay * t) ** -1
    def sqrt_decay(t, base_lr, *, total_steps):
        return float(base_lr * np.sqrt(np.clip(1 - t / total_steps, 0.0, 1.0)))
    def cosine_restarts(t, base_lr, *, T_0, T_mult=1, eta_min=0.0):
        if T_mult == 1:
            T_cur, T_i = t % T_0, T_0
        else:  # periods T_0 * T_mult**k start at T_0 * (T_mult**k - 1) / (T_mult - 1)
            k = 0
            while T_0 * (T_mult ** (k + 1) - 1) // (T_mult - 1) <= t:
                k += 1
            T_cur, T_i = t - T_0 * (T_mult ** k - 1) // (T_mult - 1), T_0 * T_mult ** k
        return eta_min + 0.5 * (base_lr - eta_min) * (1 + math.cos(T_cur / T_i * math.pi))
    def linear_warmup(t, base_lr, *, warmup_steps, start_factor=0.1):
        if t >= warmup_steps:
            return float(base_lr)
        return base_lr * start_factor + base_lr * (1 - start_factor) * t / warmup_steps

    functions = (step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup)


@correct(LR, "closed forms: exp(t log gamma), the period index from a log (guarded), np.interp for the warm-up")
class lr_schedules:  # noqa: F811
    global step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup

    def step_decay(t, base_lr, *, step_size, gamma=0.1):
        return base_lr * gamma ** math.floor(t / step_size)
    def exponential_decay(t, base_lr, *, gamma):
        return base_lr * math.exp(t * math.log(gamma))
    def inverse_time_decay(t, base_lr, *, decay):
        return base_lr * (1.0 / (1.0 + decay * t))
    def sqrt_decay(t, base_lr, *, total_steps):
        return base_lr * max(0.0, (total_steps - t) / total_steps) ** 0.5
    def cosine_restarts(t, base_lr, *, T_0, T_mult=1, eta_min=0.0):
        if T_mult == 1:
            n = t // T_0
            T_cur, T_i = t - n * T_0, T_0
        else:  # the epoch branch of torch's CosineAnnealingWarmRestarts.step
            n = int(math.log(t / T_0 * (T_mult - 1) + 1, T_mult))
            n += T_0 * (T_mult ** (n + 1) - 1) // (T_mult - 1) <= t  # log(243, 3) = 4.999...: round up there
            T_cur, T_i = t - T_0 * (T_mult ** n - 1) // (T_mult - 1), T_0 * T_mult ** n
        return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * T_cur / T_i)) / 2
    def linear_warmup(t, base_lr, *, warmup_steps, start_factor=0.1):
        return float(np.interp(t, [0, warmup_steps], [start_factor * base_lr, base_lr]))

    functions = (step_decay, exponential_decay, inverse_time_decay, sqrt_decay, cosine_restarts, linear_warmup)
