"""06-regularization/dropout: inverted dropout, forward and backward, in training and in eval mode.

Oracle: statistics, never one particular mask. In training every output entry must be 0 or x/(1 - p)
(p the drop probability, as torch.nn.Dropout's p), the number of zeros must fall in the exact
binomial band of Binomial(n, p) (so E[out] = x), and the backward pass must multiply dout by the
forward's mask and scale; p = 0 and p = 1 are closed forms; eval mode is the identity and draws
nothing. The properties add the law of the count of zeros (chi-square against the binomial) and the
independence of the mask across entries of a row, across the batch and across calls.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats as st

from ..base import Case, Check, Data, expect, expect_close, register
from ..judging import answer_array, answer_dict, answer_list, answer_number, unchanged
from ..probing import call, functions, returned, student_array
from ..properties import Independent, Interleaved, Law, RngArgument
from ..stats import P_FALSE_REJECT, binomial_band

__all__ = ["Dropout", "NAMES"]

NAMES = ("dropout_forward", "dropout_backward")

#: (shape, p, train, calls): the statistical cases have 0 < p < 1, p != 0.5 where the two
#: conventions (drop / keep probability) would agree on the count
_VISIBLE = [((40, 50), 0.2, True, 2), ((3, 4), 0.5, False, 1), ((5, 6), 0.0, True, 1), ((4, 5), 1.0, True, 1)]
_HIDDEN = _VISIBLE + [
    ((25, 40), 0.75, True, 3), ((8, 3, 5, 5), 0.5, True, 2), ((3000,), 0.1, True, 2), ((1, 7), 0.3, True, 1),
    ((2, 3, 4, 4), 0.9, False, 1), ((6,), 1.0, False, 1), ((7, 3), 0.0, False, 1), ((3, 2, 2, 2), 1.0, True, 2),
    ((40, 50), 0.3, True, 1, "relu"),  # half the entries 0: there only the backward pass shows the mask
]

#: the statistical cases' count of zeros is banded only where n is large enough for a band to mean something
_BANDED = 200


def _nonzero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Entries away from 0 (|x| in [0.5, 3], random signs), so that an output 0 is a dropped entry."""
    return rng.uniform(0.5, 3.0, shape) * rng.choice([-1.0, 1.0], shape)


def _equal_masks(n: int, p: float) -> float:
    """P(two independent masks of n entries are equal)."""
    return (p * p + (1 - p) ** 2) ** n


@register
class Dropout(Check):
    r"""in training mode with drop probabilities $p$ = 0.1, 0.2, 0.3, 0.5, 0.75 on 1-d, 2-d and 4-d
    inputs with no zero entry, and one with half its entries 0 (as after a ReLU, where only the
    gradient shows whether an entry was kept): that every output is either 0 or $x/(1-p)$ (inverted dropout; a
    survivor scaled by $1/p$ is the keep-probability convention, and torch's `p` is the *drop*
    probability), that the number of zeros of each call on 200 entries or more lies in the exact band of
    Binomial($n$, $p$) (so that E[out] = x; the bands together reject a correct answer with
    probability below $10^{-9}$), that two calls with one `rng` draw different masks, and that the
    backward pass gives `dout` times the same mask and scale; $p = 0$ (the identity) and $p = 1$
    (zeros, no NaN, a zero gradient); in eval mode (`train=False`) that the output is `x` and the
    gradient `dout`, with nothing drawn from `rng`; and that `x` and `dout` are not modified."""

    id = "06-regularization/dropout"
    randomized = True

    def cases(self, *, visible: bool) -> list[Data]:
        out = []
        for i, (shape, p, train, calls, *relu) in enumerate(_VISIBLE if visible else _HIDDEN):
            rng = np.random.default_rng(600 + i)
            x = _nonzero(rng, shape)
            if relu:
                x[rng.random(shape) < 0.5] = 0.0
            out.append({"x": x, "dout": rng.standard_normal(shape), "p": p, "train": train,
                        "seed": 700 + i, "calls": calls})
        return out

    # -- the probe ----------------------------------------------------------------------------

    def _forward(self, obj: Any, x: np.ndarray, p: float, train: bool, rng: Any) -> tuple[np.ndarray, Any]:
        fns = functions(self, obj, NAMES)
        what = f"dropout_forward(x of shape {x.shape}, p={p}, train={train}, rng=rng)"
        out, cache = returned(self, call(self, fns["dropout_forward"], x, p, train=train, rng=rng, what=what),
                              ("out", "cache"), "dropout_forward")
        return student_array(self, out, "out", x.shape), cache

    def _backward(self, obj: Any, dout: np.ndarray, cache: Any) -> np.ndarray:
        fns = functions(self, obj, NAMES)
        dx = call(self, fns["dropout_backward"], dout, cache, what="dropout_backward(dout, cache)")
        return student_array(self, dx, "dx", dout.shape)

    def answer(self, obj: Any, case: Data) -> Data:
        x, dout, rng = case["x"], case["dout"], np.random.default_rng(case["seed"])
        calls = []
        for _ in range(case["calls"]):
            out, cache = self._forward(obj, x, case["p"], case["train"], rng)
            calls.append({"out": out.copy(), "dx": self._backward(obj, dout, cache)})
        answer = {"calls": calls, "x_after": x, "dout_after": dout}
        if not case["train"]:
            answer["next_draw"] = float(rng.random())  # what rng gives after the calls: nothing drawn before
        return answer

    # -- properties' adapters --------------------------------------------------------------------

    properties = (
        RngArgument(outs=(2, 10, 20)),
        Interleaved(outputs=("out",), grads=("dx",)),
        Law("zeros", "Over 1000 calls on 20 entries with $p = 0.3$, the number of zeros follows the binomial "
                     "law Binomial(20, 0.3) (a chi-square test of fit: a mask with exactly round(p·n) zeros, "
                     "e.g. from a permutation, has the right mean and fails).",
            pmf=lambda q: st.binom.pmf(np.arange(q["n"] + 1), q["n"], q["p"]),
            params=({"n": 20, "p": 0.3},), draws=1000,
            hint="zero each entry independently: keep = rng.random(x.shape) >= p (not a fixed number of zeros)"),
        Independent(("a", "right"), ("a", "below"), ("a", "again"),
                    what="Over 1000 pairs of calls on a 2 × 2 input with $p = 0.5$, whether entry (0, 0) is "
                         "dropped is independent (chi-square tests) of entry (0, 1) (one coin per row fails), "
                         "of entry (1, 0) (a mask shared across the batch fails) and of entry (0, 0) in the "
                         "next call (a mask reused between calls fails).",
            params=({"p": 0.5},), draws=1000,
            hint="draw one coin per entry, for the whole shape of x, at every call: rng.random(x.shape)"),
    )

    def with_rng(self, obj: Any, rng: np.random.Generator) -> Data:
        """Two training calls on a 10 x 20 input of ones, p = 0.5, from one generator (for RngArgument)."""
        x = np.ones((10, 20))
        return {"outs": np.stack([self._forward(obj, x, 0.5, True, rng)[0] for _ in range(2)])}

    def forward(self, obj: Any, case: Data) -> tuple[Data, Any]:
        out, cache = self._forward(obj, case["x"], case["p"], True, np.random.default_rng(case["seed"]))
        return {"out": out}, cache

    def backward(self, obj: Any, case: Data, cache: Any) -> Data:
        return {"dx": self._backward(obj, case["dout"], cache)}

    def interleaved_pairs(self) -> list[tuple[Data, Data]]:
        cases = self.cases(visible=True)
        a = {"x": cases[0]["x"][:6, :8], "dout": cases[0]["dout"][:6, :8], "p": 0.5, "seed": 31}
        b = {"x": cases[0]["x"][6:12, :8], "dout": cases[0]["dout"][6:12, :8], "p": 0.3, "seed": 32}  # same shape
        return [(a, b)]

    def _dropped(self, fwd: Any, obj: Any, x: np.ndarray, p: float, rng: Any) -> np.ndarray:
        """Where one training call zeroed x: a fast path for the many calls of draws, the full probe otherwise."""
        try:
            out = fwd(x, p, train=True, rng=rng)[0]
        except Exception:  # noqa: BLE001 - any trouble: the full probe says what went wrong
            out = None
        if not (type(out) is np.ndarray and out.shape == x.shape and out.dtype.kind == "f"):
            out = self._forward(obj, x, p, True, rng)[0]
        return out == 0

    def draws(self, obj: Any, rng: np.random.Generator, n: int, params: Data) -> Data:
        p = params["p"]
        fwd = functions(self, obj, NAMES)["dropout_forward"]
        if "n" in params:  # Law: the number of zeros per call
            x = np.ones(params["n"])
            return {"zeros": np.array([float(np.sum(self._dropped(fwd, obj, x, p, rng))) for _ in range(n)])}
        x, got = np.ones((2, 2)), {"a": np.zeros(n), "right": np.zeros(n), "below": np.zeros(n), "again": np.zeros(n)}
        for j in range(n):
            first, second = (self._dropped(fwd, obj, x, p, rng) for _ in range(2))
            got["a"][j], got["right"][j], got["below"][j], got["again"][j] = first[0, 0], first[0, 1], first[1, 0], \
                second[0, 0]
        return got

    # -- the judge -------------------------------------------------------------------------------

    def judge_cases(self, cases: list[Case]) -> int:
        stat = [(c, a) for c, a in cases if c["train"] and 0 < c["p"] < 1]
        banded = sum(c["calls"] for c, _ in stat if c["x"].size >= _BANDED)
        equal = sum((c["calls"] - 1) * _equal_masks(c["x"].size, c["p"]) for c, _ in stat if c["x"].size >= _BANDED)
        assert equal < P_FALSE_REJECT / 10, "the mask-distinctness test would spend the budget"
        alpha = (P_FALSE_REJECT - equal) / max(1, banded)
        return sum(self._judge(case, answer, alpha) for case, answer in cases)

    def _judge(self, case: Data, answer: Any, alpha: float) -> int:
        x, dout, p, train = case["x"], case["dout"], case["p"], case["train"]
        where = f"(x of shape {x.shape}, p={p}, train={train})"
        for key, before, what in (("x_after", x, "x"), ("dout_after", dout, "dout")):
            expect(self, unchanged(self, answer, key, before, f"{what} after the call"),
                   f"{what} must not be modified {where}", expected=f"{what} unchanged", actual=f"{what} was changed",
                   hint="compute x * mask / (1 - p) into a new array; do not write into x or dout (x *= ...)")
        calls = answer_list(self, answer, "calls", case["calls"], "the calls recorded")
        outs, dxs = [], []
        for rec in calls:
            outs.append(answer_array(self, rec, "out", x.shape, "out"))
            dxs.append(answer_array(self, rec, "dx", x.shape, "dx"))
        for out, dx in zip(outs, dxs):
            for arr, what in ((out, "out"), (dx, "dx")):
                expect(self, bool(np.isfinite(arr).all()), f"{what} must be finite {where}",
                       expected="finite values", actual=f"{int((~np.isfinite(arr)).sum())} NaN or inf entries",
                       hint="at p = 1 every entry is dropped: return zeros without dividing 0 by 1 - p = 0")
        if not train:
            return self._judge_eval(case, answer, outs, dxs, where)
        if p == 0 or p == 1:
            scale, hint = (1.0, "p = 0 drops nothing: out = x") if p == 0 else (0.0, "p = 1 drops every entry")
            for out, dx in zip(outs, dxs):
                expect_close(self, out, scale * x, f"out at p = {p:g} {where}", rtol=1e-12, atol=0.0, hint=hint)
                expect_close(self, dx, scale * dout, f"dx at p = {p:g} {where}", rtol=1e-12, atol=0.0, hint=hint)
            return 2
        n, scale, zero_x = x.size, 1.0 / (1.0 - p), x == 0
        for out, dx in zip(outs, dxs):
            # an entry with x = 0 is 0 whether kept or not: its gradient says which
            kept = (out != 0) | (zero_x & (dx != 0))
            self._judge_values(x, out, out != 0, p, where)
            expect_close(self, dx, np.where(kept, dout * scale, 0.0), f"dx {where}", rtol=1e-10, atol=0.0,
                         hint="dx = dout * mask / (1 - p) with the forward's mask: keep the mask (and p) in the cache"
                         + ("; the survivors' gradient is scaled by 1/(1 - p) too"
                            if np.allclose(dx[kept], dout[kept]) else ""))
            if n >= _BANDED:
                from_out = bool(zero_x.any() and not (dx[zero_x] != 0).any())
                self._judge_count(n, int(n - kept.sum()), p, alpha, where, hint=(
                    "backward must use the mask drawn in the forward pass, not out != 0: an entry with x = 0 that "
                    "was kept passes its gradient dout / (1 - p)") if from_out else "")
        if n >= _BANDED and len(outs) > 1:
            masks = {(o != 0).tobytes() for o in outs}
            expect(self, len(masks) == len(outs), f"two calls with one rng must draw different masks {where}",
                   expected=f"{len(outs)} different masks", actual=f"{len(masks)} distinct mask(s)",
                   hint="draw a new mask from rng at every call; do not reseed or cache the mask")
        return 4

    def _judge_eval(self, case: Data, answer: Any, outs: list, dxs: list, where: str) -> int:
        x, dout = case["x"], case["dout"]
        for out, dx in zip(outs, dxs):
            expect_close(self, out, x, f"out in eval mode {where}", rtol=1e-15, atol=0.0,
                         hint="with train=False inverted dropout is the identity: no mask and no (1 - p) factor "
                              "(the scaling was done in training)")
            expect_close(self, dx, dout, f"dx in eval mode {where}", rtol=1e-15, atol=0.0,
                         hint="in eval mode the gradient passes through unchanged: dx = dout")
        drawn = answer_number(self, answer, "next_draw", "the next number rng draws after the calls")
        expect(self, drawn == float(np.random.default_rng(case["seed"]).random()),
               f"eval mode must draw nothing from rng {where}", expected="rng untouched by the call",
               actual="rng was drawn from", hint="with train=False return x before drawing a mask")
        return 3

    def _judge_values(self, x: np.ndarray, out: np.ndarray, kept: np.ndarray, p: float, where: str) -> None:
        ok = np.allclose(out[kept], x[kept] / (1.0 - p), rtol=1e-10, atol=0.0)
        if ok:
            return
        if np.allclose(out[kept], x[kept] / p, rtol=1e-10, atol=0.0):
            hint = ("survivors are scaled by 1/p: p is the DROP probability (torch.nn.Dropout's p), the keep "
                    "probability is 1 - p; scale by 1/(1 - p)")
        elif np.allclose(out[kept], x[kept], rtol=1e-10, atol=0.0):
            hint = "inverted dropout scales the survivors by 1/(1 - p) in training, so that E[out] = x"
        else:
            hint = "each output is 0 (dropped) or x / (1 - p) (kept)"
        i = int(np.flatnonzero(~np.isclose(out[kept], x[kept] / (1.0 - p), rtol=1e-10, atol=0.0))[0])
        raise self.fail(f"every output must be 0 or x / (1 - p) {where}",
                        expected=f"{x[kept][i] / (1 - p):.6g} (x = {x[kept][i]:.6g}, 1/(1 - p) = {1 / (1 - p):.6g})",
                        actual=f"{out[kept][i]:.6g}", hint=hint)

    def _judge_count(self, n: int, zeros: int, p: float, alpha: float, where: str, hint: str = "") -> None:
        lo, hi = binomial_band(n, p, alpha)
        if lo <= zeros <= hi:
            return
        klo, khi = binomial_band(n, 1.0 - p, alpha)
        hint = hint or ("the fraction dropped is near 1 - p: p is the DROP probability (torch.nn.Dropout's p), so an entry "
                "is zeroed when rng.random() < p" if klo <= zeros <= khi
                else "zero each entry independently with probability p: mask = rng.random(x.shape) >= p")
        raise self.fail(f"the number of dropped entries must be Binomial(n, p): {zeros} of {n} zeros is outside "
                        f"[{lo:.0f}, {hi:.0f}] (false-alarm probability {alpha:.0e}) {where}",
                        expected=f"about {p * n:.0f} zeros (a fraction p = {p:g})",
                        actual=f"{zeros} zeros (a fraction {zeros / n:.3f})", hint=hint)
