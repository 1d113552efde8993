"""02-preprocessing/random_crop_flip: random crop with zero padding, and a horizontal flip.

Oracle: every output is located as a window of the zero-padded input (or its mirror image);
exact binomial bands for the count of every offset (equally likely) and for the flip frequency;
flipping twice gives the input back.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..base import Case, Check, Data, expect, expect_close, register
from ..judging import answer_array, remembered, unchanged
from ..probing import call, student_array
from ..properties import Independent, RngArgument
from ..stats import P_FALSE_REJECT, binomial_band

__all__ = ["RandomCropFlip"]


def _input(seed: int, n: int, c: int, h: int, w: int) -> np.ndarray:
    # distinct values in [1, 2): every window of the zero-padded image is unique
    return np.random.default_rng(seed).uniform(1.0, 2.0, (n, c, h, w))


def _calls(visible: bool) -> list[dict[str, Any]]:
    """x, size, padding, p and the seed of the rng passed in, for every call."""
    # (input seed, N, C, H, W, size, padding, p, number of calls)
    plan = [(30, 100, 2, 5, 6, 6, 2, 0.3, 6)] if visible else [
        (30, 100, 2, 5, 6, 6, 2, 0.3, 20),
        (31, 60, 1, 4, 4, 3, 1, 0.5, 10),
        (32, 10, 3, 4, 4, 4, 0, 0.0, 2),
        (33, 7, 2, 6, 5, 3, 0, 1.0, 2),
    ]
    return [{"kind": "crop", "x": _input(seed + 1000 * k, n, c, h, w), "size": size, "padding": padding, "p": p,
             "seed": [seed, k]}
            for seed, n, c, h, w, size, padding, p, n_calls in plan for k in range(n_calls)]


@register
class RandomCropFlip(Check):
    """every output image is located in the zero-padded input: it must be a `size` × `size`
    window, unchanged or mirrored left-right (an upside-down flip or another padding is named in
    the message); over thousands of crops, every offset occurs about equally often (an exact
    binomial test per offset; an offset that never occurs is reported), each image of a batch
    gets its own offset, and the share of flipped images matches `p` (an exact binomial test);
    with `p = 1` and no cropping, applying the function twice gives the input back; `x` is not
    modified; and, hidden, with nothing to crop or flip the output is still a new array, not `x`
    or a view of it."""

    id = "02-preprocessing/random_crop_flip"
    randomized = True

    def cases(self, *, visible: bool) -> list[Data]:
        # the last cases: flipping is an involution (p = 1, no cropping, applied twice); with nothing to
        # crop or flip the output is still a new array (hidden)
        return _calls(visible) + [{"kind": "involution", "x": _input(34, 5, 3, 4, 4)}] + (
            [] if visible else [{"kind": "identity", "x": _input(35, 3, 2, 4, 5)}])

    def answer(self, obj: Any, case: Data) -> Data:
        x = case["x"]
        if case["kind"] == "involution":
            got = call(self, obj, x.copy(), size=4, padding=0, p=1.0, rng=np.random.default_rng(1),
                       what="random_crop_flip(x, size=H, padding=0, p=1)")
            once = student_array(self, got, "random_crop_flip(x, size=H, padding=0, p=1)", x.shape)
            got = call(self, obj, once.copy(), size=4, padding=0, p=1.0, rng=np.random.default_rng(2),
                       what="random_crop_flip applied twice")
            return {"once": once, "twice": student_array(self, got, "random_crop_flip applied twice", x.shape)}
        if case["kind"] == "identity":  # H = 4 < W = 5: size=4 crops the width, padding=0, p=0
            x = x[..., :4].copy()
            what = "random_crop_flip(x, size=H=W, padding=0, p=0)"
            got = call(self, obj, x, size=4, padding=0, p=0.0, rng=np.random.default_rng(3), what=what)
            x += 10.0  # the caller reuses its array after the call
            return {"y": student_array(self, got, what, x.shape)}
        size, padding, p = case["size"], case["padding"], case["p"]
        what = f"random_crop_flip(x, size={size}, padding={padding}, p={p})"
        got = call(self, obj, x, size=size, padding=padding, p=p, rng=np.random.default_rng(case["seed"]), what=what)
        y = student_array(self, got, what, (*x.shape[:2], size, size),
                          hint="the output is a batch of size x size crops: (N, C, size, size)")
        return {"y": y, "x_after": x}

    properties = (
        RngArgument(y=(16, 2, 4, 4)),
        Independent(("top", "flip"), ("left", "flip"), ("flip", "flip_other"), ("top", "top_other"),
                    what="Over 3000 calls on a batch of two 4 × 4 images (size 3, padding 1, p = 0.5), the row "
                         "offset, the column offset and the flip of an image are independent of each other, "
                         "and of the other image's (chi-square tests of independence), as separate draws are.",
                    hint="draw the offsets and the flips of every image separately from rng (rng.integers for "
                         "the offsets, rng.random(N) < p for the flips)", draws=3000),
    )

    def draws(self, obj: Any, rng: np.random.Generator, n_draws: int, params: Data) -> Data:
        """For Independent: per call on two images, each image's offsets and flip, located in the input."""
        x = _input(35, 2, 1, 4, 4)
        what = "random_crop_flip(x, size=3, padding=1, p=0.5, rng=rng)"
        ys = np.stack([student_array(self, call(self, obj, x.copy(), size=3, padding=1, p=0.5, rng=rng, what=what),
                                     what, (2, 1, 3, 3)) for _ in range(n_draws)])          # (n, 2, 1, 3, 3)
        rows, cols, flipped, found = self._locate(np.repeat(x[None], n_draws, 0).reshape(-1, 1, 4, 4),
                                                  ys.reshape(-1, 1, 3, 3), 3, 1)
        if not found.all():
            raise self.fail("every output image must be a window of the zero-padded input, or its mirror image",
                            expected="3 x 3 windows of the padded 4 x 4 images", actual="an image found nowhere",
                            hint="pad with zeros, then crop size x size, then maybe flip the width axis")
        rows, cols, flipped = (a.reshape(n_draws, 2).astype(np.float64) for a in (rows, cols, flipped))
        return {"top": rows[:, 0], "left": cols[:, 0], "flip": flipped[:, 0], "flip_other": flipped[:, 1],
                "top_other": rows[:, 1]}

    def with_rng(self, obj: Any, rng: np.random.Generator) -> Data:
        """Sixteen 2 x 6 x 5 images cropped to 4 x 4 with padding 1 and p = 0.5 (for RngArgument)."""
        x = np.arange(16 * 2 * 6 * 5, dtype=np.float64).reshape(16, 2, 6, 5)
        what = "random_crop_flip(x, size=4, padding=1, p=0.5, rng=rng)"
        return {"y": student_array(self, call(self, obj, x, size=4, padding=1, p=0.5, rng=rng, what=what), what,
                                   (16, 2, 4, 4))}

    def _locate(self, x: np.ndarray, y: np.ndarray, s: int, pad: int,
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(row offset, column offset, flipped, found) per image; -1 where no window matches."""
        P = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
        win = np.lib.stride_tricks.sliding_window_view(P, (s, s), axis=(2, 3))  # (N, C, R, Q, s, s)
        tol = 1e-6
        d_plain = np.abs(win - y[:, :, None, None]).max(axis=(1, 4, 5))              # (N, R, Q)
        d_flip = np.abs(win - y[:, :, None, None, :, ::-1]).max(axis=(1, 4, 5))
        n, R, Q = d_plain.shape
        flat_p, flat_f = d_plain.reshape(n, -1), d_flip.reshape(n, -1)
        ip, iff = flat_p.argmin(axis=1), flat_f.argmin(axis=1)
        hit_p = flat_p[np.arange(n), ip] <= tol
        hit_f = flat_f[np.arange(n), iff] <= tol
        flipped = ~hit_p & hit_f
        idx = np.where(hit_p, ip, iff)
        found = hit_p | hit_f
        return np.where(found, idx // Q, -1), np.where(found, idx % Q, -1), flipped, found

    @remembered
    def _judge_call(self, call_: Data, answer: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every output located in its input: (rows, columns, flipped) per image."""
        x, size, pad = call_["x"], call_["size"], call_["padding"]
        where = f"(x {x.shape}, size={size}, padding={pad}, p={call_['p']})"
        y = answer_array(self, answer, "y", (*x.shape[:2], size, size), f"random_crop_flip(x, size={size}, ...)")
        expect(self, unchanged(self, answer, "x_after", x, "x after the call"), f"x must not be modified {where}",
               expected=x, actual=answer["x_after"], hint="build the output in a new array")
        rows, cols, flipped, found = self._locate(x, y, size, pad)
        if not found.all():
            i = int(np.argmin(found))
            xi, yi = x[i], y[i]
            vflip = any(np.allclose(yi[:, ::-1], xi[:, a:a + yi.shape[1], b:b + yi.shape[2]])
                        for a in range(xi.shape[1] - yi.shape[1] + 1) for b in range(xi.shape[2] - yi.shape[2] + 1))
            hint = ("this is an UPSIDE-DOWN flip: flip the last axis (width), not the height"
                    if vflip else "pad every side with `padding` zeros (np.pad), then take y = padded[:, i:i+size, "
                                  "j:j+size] unchanged or mirrored left-right; crop each image separately")
            raise self.fail(f"every output must be a size x size window of the zero-padded image, "
                            f"possibly mirrored left-right {where}", expected="a window of the padded input",
                            actual=f"image {i} matches no window", hint=hint)
        return rows, cols, flipped

    def judge_cases(self, cases: list[Case]) -> int:
        """Statistics per group of calls with the same options. A correct answer fails them with
        probability at most P_FALSE_REJECT / 3 per group and property (union bound): the flip count
        and the count of every offset lie in exact binomial bands, and a batch of B images all with
        one offset has probability (R Q)^-(B - 1), checked only where that is below the share."""
        n_props = 0
        groups: dict[tuple, list] = {}
        for case, answer in cases:
            if case["kind"] == "crop":
                key = (case["x"].shape[1:], case["size"], case["padding"], case["p"])
                groups.setdefault(key, []).append(self._judge_call(case, answer))
                n_props += 2
        p_each = P_FALSE_REJECT / (3 * max(1, len(groups)))
        for (shape, size, pad, p), results in groups.items():
            n_props += self._judge_group(shape, size, pad, p, results, p_each)
        for case, answer in cases:
            if case["kind"] == "identity":
                x = case["x"][..., :4]
                y = answer_array(self, answer, "y", x.shape, "random_crop_flip(x, size=H=W, padding=0, p=0)")
                aliased = np.allclose(y, x + 10.0, rtol=0, atol=1e-6)
                expect_close(self, y, x, "the output is a new array: with size=H=W, padding=0, p=0 it equals x, and "
                             "stays so when the caller changes x afterwards", rtol=0, atol=1e-6,
                             hint=("the output is x itself or a view of it, so the caller's later change to x "
                                   "changed it too: build the output in a new array even when nothing is cropped"
                                   if aliased else "with nothing to crop or flip, return a copy of x"))
                n_props += 1
            if case["kind"] == "involution":
                x = case["x"]
                once = answer_array(self, answer, "once", x.shape, "random_crop_flip(x, size=H, padding=0, p=1)")
                twice = answer_array(self, answer, "twice", x.shape, "random_crop_flip applied twice")
                expect_close(self, once, x[..., ::-1], "with size=H, padding=0, p=1 the output is the mirror image",
                             rtol=0, atol=1e-6, hint="a horizontal flip reverses the last axis (width)")
                expect_close(self, twice, x, "flipping twice must give the input back (an involution)",
                             rtol=0, atol=1e-6, hint="reverse the width axis only")
                n_props += 2
        return n_props

    def _judge_group(self, shape: tuple, size: int, pad: int, p: float, results: list, p_each: float) -> int:
        rows = np.concatenate([r for r, _, _ in results])
        cols = np.concatenate([c for _, c, _ in results])
        flips = np.concatenate([f for _, _, f in results])
        m = len(rows)
        R, Q = shape[1] + 2 * pad - size + 1, shape[2] + 2 * pad - size + 1
        where = f"(image {shape[1]}x{shape[2]}, size={size}, padding={pad}, p={p}, {m} images)"
        # flip frequency: two-sided binomial test
        k = int(flips.sum())
        lo, hi = binomial_band(m, p, p_each)
        expect(self, lo <= k <= hi, f"each image must be flipped with probability p {where}",
               expected=f"about {p * m:.0f} flipped (between {lo:.0f} and {hi:.0f})", actual=f"{k} flipped",
               hint="flip when rng.random() < p, independently for every image")
        if R * Q == 1 or m < 25 * R * Q:
            return 1
        # a batch of B images with one offset: probability (R Q)^-(B - 1) for a correct answer
        for r, c, _ in results:
            if float(R * Q) ** -(len(r) - 1) <= p_each / len(results):
                expect(self, len(set(zip(r.tolist(), c.tolist()))) > 1,
                       f"every image of a batch needs its own random offset {where}",
                       expected="different offsets within a batch", actual="one offset for the whole batch",
                       hint="draw the offsets inside the loop over images (or draw N of them at once)")
        # the count of each offset is Binomial(m, 1/(R Q)) for a correct answer: an exact two-sided band
        # per offset, P_FALSE_REJECT / 3 per group split over the R Q offsets
        counts = np.bincount(rows * Q + cols, minlength=R * Q)
        lo, hi = binomial_band(m, 1 / (R * Q), p_each / (R * Q))
        if lo >= 1:  # a never-used offset is outside the band too: this names the likely mistake at no cost
            never = [(int(i // Q), int(i % Q)) for i in np.flatnonzero(counts == 0)]
            expect(self, not never, f"every offset (i, j) in 0..{R - 1} x 0..{Q - 1} must be reachable {where}",
                   expected=f"about {m / (R * Q):.0f} crops at each offset", actual=f"never used: {never}",
                   hint="rng.integers(0, n) excludes n: the largest offset is H + 2*padding - size, "
                        "so draw rng.integers(0, H + 2*padding - size + 1)")
        bad = np.flatnonzero((counts < lo) | (counts > hi))
        if bad.size:
            i = int(bad[0])
            raise self.fail(f"offsets must be uniform over all positions (offset ({i // Q}, {i % Q}) used "
                            f"{int(counts[i])} times, outside [{lo:.0f}, {hi:.0f}]) {where}",
                            expected=f"about {m / (R * Q):.0f} per offset (between {lo:.0f} and {hi:.0f})",
                            actual=f"counts {counts.reshape(R, Q).tolist()}",
                            hint="draw the row and the column offsets independently and uniformly")
        return 4
