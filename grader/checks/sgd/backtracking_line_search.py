"""01-sgd/backtracking_line_search: the Armijo condition re-evaluated on the grader's own functions.

Oracle: the grader's test functions (quadratics, Rosenbrock, log-sum-exp, a 1-D quartic), which
the judge evaluates again from the ``kind`` and ``params`` of each case, and on quadratics the
closed form of the largest Armijo step, ``t_max = 2 (1 - c) ||g||^2 / (g^T A g)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..base import Check, Data, expect, expect_close, register
from ..judging import answer_number, unchanged
from ..probing import call, student_number

__all__ = ["BacktrackingLineSearch", "objective"]


def objective(kind: str, params: dict[str, Any], x: np.ndarray) -> tuple[float, np.ndarray]:
    """Value and gradient of the grader's test function ``kind`` at ``x`` (shape (D,))."""
    x = np.asarray(x, dtype=np.float64)
    if kind == "quadratic":  # f = 1/2 x^T A x + b^T x
        A, b = params["A"], params["b"]
        return float(0.5 * x @ A @ x + b @ x), A @ x + b
    if kind == "rosenbrock":  # f = sum_i s (x_{i+1} - x_i^2)^2 + (a - x_i)^2
        a, s = params["a"], params["s"]
        u, v = x[:-1], x[1:]
        r = v - u**2
        f = float(np.sum(s * r**2 + (a - u) ** 2))
        g = np.zeros_like(x)
        g[:-1] += -4.0 * s * r * u - 2.0 * (a - u)
        g[1:] += 2.0 * s * r
        return f, g
    if kind == "logsumexp":  # f = log sum_k exp(M x + c)_k + mu/2 ||x||^2
        M, c, mu = params["M"], params["c"], params["mu"]
        z = M @ x + c
        zmax = np.max(z)
        e = np.exp(z - zmax)
        f = float(zmax + np.log(np.sum(e)) + 0.5 * mu * x @ x)
        return f, M.T @ (e / np.sum(e)) + mu * x
    if kind == "quartic1d":  # f = x^4 - 3 x^2 + x, non-convex, D = 1
        (t,) = x
        return float(t**4 - 3.0 * t**2 + t), np.array([4.0 * t**3 - 6.0 * t + 1.0])
    raise ValueError(f"unknown test function {kind!r}")


def _quadratic(rng: np.random.Generator, dim: int, *, L: float, cond: float) -> dict[str, np.ndarray]:
    """A random SPD quadratic with largest eigenvalue ``L`` and condition number ``cond``."""
    Q, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
    eig = L * np.geomspace(1.0 / cond, 1.0, dim)
    return {"A": (Q * eig) @ Q.T, "b": rng.standard_normal(dim)}


def _cases(visible: bool) -> list[dict[str, Any]]:
    """(function, point, options) for each call; the first four make the visible subset."""
    rng = np.random.default_rng(20240101)
    cases = [
        dict(kind="quadratic", params=_quadratic(rng, 2, L=10.0, cond=10.0), x=np.array([1.0, -2.0]),
             lr0=1.0, beta=0.5, c=1e-4, max_iter=50),
        dict(kind="quartic1d", params={}, x=np.array([1.7]), lr0=1.0, beta=0.5, c=1e-4, max_iter=50),
        dict(kind="quadratic", params=_quadratic(rng, 3, L=4.0, cond=30.0), x=rng.standard_normal(3),
             lr0=10.0, beta=0.8, c=0.5, max_iter=50),
        # lr0 small enough that it satisfies Armijo at once (k = 0)
        dict(kind="rosenbrock", params={"a": 1.0, "s": 100.0}, x=np.array([0.3, 0.2, -0.4]),
             lr0=1e-4, beta=0.5, c=1e-4, max_iter=50),
    ]
    if visible:
        return cases
    cases += [
        dict(kind="quadratic", params=_quadratic(rng, 5, L=50.0, cond=1e3), x=rng.standard_normal(5),
             lr0=1.0, beta=0.5, c=0.3, max_iter=50),
        # small L: lr0 itself satisfies Armijo (k = 0)
        dict(kind="quadratic", params=_quadratic(rng, 10, L=0.2, cond=1e4), x=rng.standard_normal(10),
             lr0=1.0, beta=0.5, c=1e-4, max_iter=50),
        dict(kind="quadratic", params=_quadratic(rng, 4, L=7.0, cond=5.0), x=rng.standard_normal(4),
             lr0=2.0, beta=0.9, c=0.8, max_iter=100),
        dict(kind="rosenbrock", params={"a": 1.0, "s": 100.0}, x=np.array([-1.2, 1.0]),
             lr0=1.0, beta=0.5, c=1e-4, max_iter=50),
        dict(kind="rosenbrock", params={"a": 1.0, "s": 10.0}, x=rng.uniform(-1.5, 1.5, 6),
             lr0=0.1, beta=0.3, c=0.1, max_iter=50),
        dict(kind="logsumexp", params={"M": rng.standard_normal((7, 4)), "c": rng.standard_normal(7), "mu": 0.1},
             x=rng.standard_normal(4), lr0=3.0, beta=0.7, c=0.4, max_iter=50),
        dict(kind="quartic1d", params={}, x=np.array([-2.0]), lr0=2.0, beta=0.9, c=0.9, max_iter=60),
        dict(kind="quartic1d", params={}, x=np.array([0.4]), lr0=1.0, beta=0.5, c=0.25, max_iter=50),
        # Armijo holds with equality at lr0 (t_max = 2 (1 - c) = 1.5, every number exact in binary):
        # "<=" accepts lr0, a strict "<" backtracks once
        dict(kind="quadratic", params={"A": np.eye(2), "b": np.zeros(2)}, x=np.array([1.0, 0.0]),
             lr0=1.5, beta=0.5, c=0.25, max_iter=50),
        # no k <= max_iter satisfies Armijo: the answer is lr0 * beta**max_iter
        dict(kind="quadratic", params=_quadratic(rng, 2, L=1e6, cond=2.0), x=np.array([1.0, 1.0]),
             lr0=1.0, beta=0.5, c=1e-4, max_iter=5),
    ]
    return cases


def _armijo_gap(case: Data, t: float) -> tuple[float, float]:
    """(f(x - t g) - (f(x) - c t ||g||^2), tolerance for rounding). Armijo holds iff gap <= 0."""
    fx, g = objective(case["kind"], case["params"], case["x"])
    f_new, _ = objective(case["kind"], case["params"], case["x"] - t * g)
    rhs = fx - case["c"] * t * float(g @ g)
    tol = 1e-10 * max(1.0, abs(fx), abs(f_new))
    return f_new - rhs, tol


@register
class BacktrackingLineSearch(Check):
    r"""on the grader's own functions (quadratics, Rosenbrock, log-sum-exp, a 1-D quartic), that
    the returned $t$ is of the form $\text{lr0}\cdot\beta^k$ with $k \le$ `max_iter`, satisfies
    Armijo, and is the *first* such step (every step before it must fail Armijo); on quadratics,
    the result is compared with the closed form of the largest Armijo step, also where Armijo holds
    with equality; the fallback when no step qualifies; that `grad_f` is evaluated once and `f` once per trial
    step plus once at $x$; that `t` is
    a float; and that `x` is left unchanged."""

    id = "01-sgd/backtracking_line_search"

    def cases(self, *, visible: bool) -> list[Data]:
        return _cases(visible)

    def answer(self, obj: Any, case: Data) -> Data:
        kind, params = case["kind"], case["params"]

        f_calls = []

        def f(x):
            f_calls.append(1)
            return objective(kind, params, x)[0]

        grad_calls = []

        def grad_f(x):
            grad_calls.append(1)
            return objective(kind, params, x)[1]

        x = case["x"]
        t = call(self, obj, f, grad_f, x, lr0=case["lr0"], beta=case["beta"], c=case["c"],
                 max_iter=case["max_iter"], what="backtracking_line_search(f, grad_f, x, ...)")
        t = student_number(self, t, "the step size t",
                           prop="backtracking_line_search must return one number, the step size t",
                           hint="return t itself, not x - t * g or the list of tried steps")
        return {"t": t, "x_after": x, "grad_calls": len(grad_calls), "f_calls": len(f_calls)}

    def judge_case(self, case: Data, answer: Any) -> int:
        t = answer_number(self, answer, "t", "the step size t")
        lr0, beta, c, max_iter = case["lr0"], case["beta"], case["c"], case["max_iter"]
        where = (f"on the {case['kind']} test function in {len(case['x'])}-D with "
                 f"lr0={lr0:g}, beta={beta:g}, c={c:g}, max_iter={max_iter}")
        expect(self, unchanged(self, answer, "x_after", case["x"], "x after the call"),
               "x must not be modified", expected=case["x"], actual=answer["x_after"],
               hint="compute x - t * g into a new array; `x -= t * g` changes the caller's x")
        expect(self, np.isfinite(t) and t > 0, f"t must be a positive finite number ({where})",
               expected="t > 0", actual=t)
        expect(self, t <= lr0 * (1 + 1e-12), f"t must not exceed lr0: backtracking only shrinks ({where})",
               expected=f"t <= {lr0:g}", actual=t, hint="start at t = lr0 and multiply by beta < 1")
        k = int(round(np.log(t / lr0) / np.log(beta)))
        on_grid = 0 <= k <= max_iter and abs(t - lr0 * beta**k) <= 1e-9 * t
        expect(self, on_grid, f"t must be lr0 * beta**k for an integer k in 0..max_iter ({where})",
               expected=f"one of {lr0:g}, {lr0 * beta:g}, {lr0 * beta**2:g}, ...", actual=t,
               hint="shrink t only by multiplying it by beta, once per failed test")
        for j in range(k):
            gap, tol = _armijo_gap(case, lr0 * beta**j)
            expect(self, gap > -tol,
                   f"t must be the FIRST step in lr0, lr0*beta, lr0*beta^2, ... that satisfies Armijo ({where})",
                   expected=lr0 * beta**j, actual=t,
                   hint=("Armijo already holds at t/beta: you backtracked one step too far"
                         if j == k - 1 else "test t = lr0 first, then stop at the first step that passes"))
        gap, tol = _armijo_gap(case, t)
        expect(self, gap <= tol or k == max_iter,
               f"the Armijo condition f(x - t g) <= f(x) - c t ||g||^2 must hold at the returned t ({where})",
               expected="f(x - t g) - (f(x) - c t ||g||^2) <= 0", actual=gap,
               hint="check the sign of the c-term and that it uses the SQUARED norm of the gradient")
        calls = answer_number(self, answer, "grad_calls", "the number of calls of grad_f")
        expect(self, calls == 1, f"grad_f must be evaluated once, at x ({where})", expected=1, actual=int(calls),
               hint="g = grad_f(x) does not change while t shrinks: compute it once, before the loop")
        # the documented price: f(x) once, then one evaluation per trial step t = lr0, ..., lr0 beta^k; when no
        # step qualifies, the last trial's value is not needed to return lr0 beta^max_iter
        f_calls = answer_number(self, answer, "f_calls", "the number of calls of f")
        allowed = (k + 2,) if k < max_iter else (k + 1, k + 2)
        expect(self, f_calls in allowed,
               f"f must be evaluated once at x and once per trial step ({where}): {k + 1} trial step(s), "
               f"so {' or '.join(map(str, allowed))} calls",
               expected=" or ".join(map(str, allowed)), actual=int(f_calls),
               hint=("f(x) does not change while t shrinks: compute it once, before the loop"
                     if f_calls > k + 2 else "evaluate f(x - t g) for every trial step, and f(x) once"))
        n = 7
        if case["kind"] == "quadratic":
            n += self._judge_quadratic(case, t, where)
        return n

    def _judge_quadratic(self, case: Data, t: float, where: str) -> int:
        """Closed forms: on f = 1/2 x^T A x + b^T x, Armijo holds iff t <= 2 (1 - c) ||g||^2 / g^T A g."""
        lr0, beta, c, max_iter = case["lr0"], case["beta"], case["c"], case["max_iter"]
        A = case["params"]["A"]
        g = A @ case["x"] + case["params"]["b"]
        t_max = 2.0 * (1.0 - c) * float(g @ g) / float(g @ A @ g)
        k_star = min(max_iter, max(0, int(np.ceil(np.log(t_max / lr0) / np.log(beta) - 1e-9))))
        expect_close(self, t, lr0 * beta**k_star,
                     f"t on a quadratic, where Armijo holds exactly for t <= 2(1-c)||g||^2/(g^T A g) = {t_max:.6g} ({where})",
                     rtol=1e-9, atol=0.0, hint="the answer is lr0 * beta**k for the smallest such k")
        # L = largest eigenvalue: Armijo holds for every t <= 2 (1 - c) / L, so backtracking
        # stops before t falls below beta * 2 (1 - c) / L.
        L = float(np.linalg.eigvalsh(A)[-1])
        bound = beta * 2.0 * (1.0 - c) / L
        expect(self, t == lr0 or t > bound or k_star == max_iter,
               f"with L-Lipschitz gradients t must exceed beta * 2(1-c)/L = {bound:.6g} ({where})",
               expected=f"t > {bound:.6g}", actual=t, hint="you shrink t after Armijo already holds")
        return 2
