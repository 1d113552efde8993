"""02-preprocessing/cutmix: pasted boxes and mixed labels, counted pixel by pixel.

Oracle: pixels encode (image, channel, row, column), so the judge counts exactly which pixels came
from which image; the label weight must equal the pasted area. Box sizes, positions and partners
must vary, with thresholds computed from the exact law of the box for every usual way of drawing
it (``_cutmix_bounds``).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from scipy import stats

from ..base import Case, Check, Data, expect, register
from ..judging import answer_array, remembered, unchanged
from ..probing import call, returned, student_array
from ..properties import Law, RngArgument
from ..stats import P_FALSE_REJECT, all_equal_bound

__all__ = ["Cutmix", "BASE_IMG", "BASE_CH", "BASE_ROW"]

BASE_IMG, BASE_CH, BASE_ROW = 1_000_000, 10_000, 100


def _input(n: int, c: int, h: int, w: int) -> np.ndarray:
    """Pixel value encodes (image, channel, row, column) exactly."""
    i, ch, r, col = np.meshgrid(np.arange(n), np.arange(c), np.arange(h), np.arange(w), indexing="ij")
    return (i * BASE_IMG + ch * BASE_CH + r * BASE_ROW + col + 1).astype(np.float64)


def _calls(visible: bool) -> list[dict[str, Any]]:
    """x, y, alpha and the seed of the rng passed in, for every call."""
    # (N, C, H, W, K, alpha, calls); a plan needs enough calls for its statistics to run (_cutmix_bounds)
    plan = [(8, 2, 8, 8, 8, 1.0, 50)] if visible else [
        (8, 2, 8, 8, 8, 1.0, 50), (16, 3, 6, 10, 16, 1.0, 50), (12, 1, 9, 7, 5, 0.5, 60)]
    calls = []
    for n, c, h, w, k, alpha, n_calls in plan:
        x = _input(n, c, h, w)
        for j in range(n_calls):
            labels = np.arange(n) % k if k == n else np.random.default_rng([n, j]).integers(k, size=n)
            y = np.eye(k)[labels]
            if k != n:  # soft labels too
                y = 0.8 * y + 0.2 * np.random.default_rng([n, j, 1]).dirichlet(np.ones(k), size=n)
            calls.append({"x": x, "y": y, "alpha": alpha, "seed": [n, j]})
    return calls


# How a correct answer may turn lambda ~ Beta(alpha, alpha) into a box. The side of the box along an axis
# of D pixels is int(D sqrt(1 - lambda)), its even part 2 (s // 2) (the usual `c - s // 2 : c + s // 2`),
# or round(D sqrt(1 - lambda)); the box is centred on a uniform pixel c (from c - s // 2 or from
# c - (s - 1) // 2) and clipped to the image, or placed uniformly inside it. The row and the column of
# the centre are independent, one box may serve the whole batch or each image may get its own, and the
# partner is a uniform random permutation, independent of the box. The statistical properties of the
# cutmix judge are bounded for EVERY one of these conventions at once (_cutmix_bounds).
_CUT_SIDES = ("int", "even", "round")
_CUT_PLACES = ("centre", "centre_right", "inside")


def _cut_side(d: int, v: float, rule: str) -> int:
    s = int(np.floor(d * v + (0.5 if rule == "round" else 0.0)))
    return 2 * (s // 2) if rule == "even" else s


def _cut_extent(d: int, s: int, place: str) -> dict[tuple[int, int], float]:
    """Law of the clipped extent (start, stop) of a box side of ``s`` pixels along an axis of ``d``."""
    law: dict[tuple[int, int], float] = {}
    if place == "inside":
        s = min(s, d)
        for a in range(d - s + 1):
            law[(a, a + s)] = law.get((a, a + s), 0.0) + 1.0 / (d - s + 1)
        return law
    for c in range(d):
        a = c - (s // 2 if place == "centre" else (s - 1) // 2)
        lo, hi = min(max(a, 0), d), min(max(a + s, 0), d)
        key = (lo, hi) if hi > lo else (0, 0)
        law[key] = law.get(key, 0.0) + 1.0 / d
    return law


@functools.lru_cache(maxsize=64)
def _cut_laws(h: int, w: int, alpha: float) -> tuple[dict, ...]:
    """For every convention above, the exact law of one box: {(r0, r1, c0, c1) or None (empty): probability}.

    The sides depend on lambda only through v = sqrt(1 - lambda), and only change where D v crosses an
    integer or a half-integer: between two such points the sides are fixed, and the probability of the
    interval comes from the Beta CDF.
    """
    cuts = {0.0, 1.0} | {b for d in (h, w) for k in range(d + 1) for b in (k / d, (k - 0.5) / d) if 0 < b < 1}
    cuts = np.array(sorted(cuts))
    a_s, b_s = cuts[:-1], cuts[1:]
    beta = stats.beta(alpha, alpha)
    probs = beta.cdf(1 - a_s * a_s) - beta.cdf(1 - b_s * b_s)      # P(a <= sqrt(1 - lambda) < b), per interval
    laws = []
    for rule in _CUT_SIDES:
        for place in _CUT_PLACES:
            law: dict = {}
            for a, b, prob in zip(a_s.tolist(), b_s.tolist(), probs.tolist()):
                v = (a + b) / 2
                rows, cols = _cut_extent(h, _cut_side(h, v, rule), place), _cut_extent(w, _cut_side(w, v, rule), place)
                for (r0, r1), pr in rows.items():
                    for (c0, c1), pc in cols.items():
                        key = (r0, r1, c0, c1) if r1 > r0 and c1 > c0 else None
                        law[key] = law.get(key, 0.0) + prob * pr * pc
            laws.append(law)
    return tuple(laws)


@functools.lru_cache(maxsize=16)
def _box_law(h: int, w: int, alpha: float) -> tuple[list, np.ndarray]:
    """The statement's law of the box shown in a call on three images: (the boxes, then None for no box
    shown; their probabilities). No box shows when the permutation is the identity (1/6) or the box is
    empty; sides int(D sqrt(1 - lam)), extent c - s // 2 to c + s // 2, clipped: _cut_laws' "even", "centre"."""
    law = _cut_laws(h, w, alpha)[_CUT_SIDES.index("even") * len(_CUT_PLACES) + _CUT_PLACES.index("centre")]
    boxes = sorted(b for b in law if b is not None)
    moved = 5.0 / 6.0
    probs = [moved * law[b] for b in boxes] + [1.0 / 6.0 + moved * law.get(None, 0.0)]
    return [*boxes, None], np.asarray(probs)


#: What the box-position property looks at, per box (r0, r1, c0, c1): a constant one means a fixed box.
_CUT_POSITION = {
    "top row": lambda b: b[0], "bottom row": lambda b: b[1], "middle row": lambda b: (b[0] + b[1]) // 2,
    "left column": lambda b: b[2], "right column": lambda b: b[3], "middle column": lambda b: (b[2] + b[3]) // 2,
}


@functools.lru_cache(maxsize=64)
def _cutmix_bounds(n: int, h: int, w: int, alpha: float, m: int, share: float) -> dict[str, Any]:
    """How often a correct answer fails each statistical property over ``m`` calls on a batch of ``n``
    images of ``h`` x ``w`` pixels: upper bounds, the worst case over every convention of ``_cut_laws``.

    Image 0 shows its box (and its partner) in a call when the box is not empty and perm[0] != 0; this
    happens with probability >= u = (1 - 1/n) min P(box not empty), independently from call to call,
    whatever the other images do. Every property fails only if image 0's boxes fail it, so:

    * ``large``: some box must cover at least ``large_pixels`` pixels, the largest number for which a
      correct answer fails with probability (1 - (1 - 1/n) min P(box >= large_pixels))^m <= ``share``
      (0: not even a non-empty box is likely enough).
    * ``size`` / ``position`` / ``pairing``: the box sizes, each coordinate of _CUT_POSITION, the
      partners of an image are not all the same; bounded by stats.all_equal_bound with rho the largest
      probability of one value given a non-empty box (for a partner: 1 / (n - 1)).
    """
    laws = _cut_laws(h, w, alpha)
    nonempty = [1.0 - law.get(None, 0.0) for law in laws]
    u = (1.0 - 1.0 / n) * min(nonempty)

    def rho(f) -> float:
        worst = 0.0
        for law, ne in zip(laws, nonempty):
            if ne <= 0:  # never a box: u = 0, and every bound is 1 anyway
                return 1.0
            mass: dict = {}
            for box, p in law.items():
                if box is not None:
                    mass[f(box)] = mass.get(f(box), 0.0) + p
            worst = max(worst, max(mass.values()) / ne)
        return worst

    at_least = np.ones(h * w + 2)                                   # min over laws of P(box >= k pixels)
    for law in laws:
        pmf = np.zeros(h * w + 2)
        for box, p in law.items():
            if box is not None:
                pmf[(box[1] - box[0]) * (box[3] - box[2])] += p
        at_least = np.minimum(at_least, np.cumsum(pmf[::-1])[::-1])
    p_fail = (1.0 - (1.0 - 1.0 / n) * at_least) ** m
    ok = np.flatnonzero(p_fail[1:] <= share) + 1
    return {
        "large_pixels": int(ok.max()) if ok.size else 0,
        "size": all_equal_bound(m, u, rho(lambda b: (b[1] - b[0], b[3] - b[2]))),
        "position": sum(all_equal_bound(m, u, rho(f)) for f in _CUT_POSITION.values()),
        "pairing": all_equal_bound(m, u, 1.0 / (n - 1)) if n > 1 else 1.0,
    }


@register
class Cutmix(Check):
    r"""every pixel value encodes the image, channel, row and column it came from, so the test knows
    exactly which pixels were pasted: pasted pixels must come from one partner image, from the same
    position and channel, and form one rectangle in all channels; each label row must equal
    $(1-a)\,y_i + a\,y_j$ with $a$ the counted share of pasted pixels (using the sampled $\lambda$ or
    the unclipped box size fails whenever the box was clipped); partners are distinct (a
    permutation); over many calls the area, the box and the pairing vary; `x` and `y` are not
    modified."""

    id = "02-preprocessing/cutmix"
    randomized = True

    def cases(self, *, visible: bool) -> list[Data]:
        return _calls(visible)

    def answer(self, obj: Any, case: Data) -> Data:
        x, y, alpha = case["x"], case["y"], case["alpha"]
        out = call(self, obj, x, y, alpha=alpha, rng=np.random.default_rng(case["seed"]),
                   what=f"cutmix(x, y, alpha={alpha})")
        xm, ym = returned(self, out, ("x_mixed", "y_mixed"), "cutmix")
        # x and y: the caller's arrays after the call, compared with the inputs by the judge
        return {"xm": student_array(self, xm, "x_mixed", x.shape, hint="x_mixed has the shape of x"),
                "ym": student_array(self, ym, "y_mixed", y.shape, hint="y_mixed has the shape of y, (N, K)"),
                "x_after": x, "y_after": y}

    properties = (
        RngArgument(xm=(8, 1, 8, 8), ym=(8, 4)),
        Law("box", "Over 2000 calls on 7 × 5 images with alpha = 2 and 2000 on 9 × 6 images with alpha = 0.4, "
                   "the pasted box follows exactly the law "
                   "the statement gives (one lam ~ Beta(alpha, alpha) per call, sides int(H √(1 − lam)) and "
                   "int(W √(1 − lam)), one centre uniform over all H × W pixels, rows and columns "
                   "c ∓ side // 2, clipped): a chi-square test over every possible clipped box, which a uniform "
                   "lam, a centre kept inside the image or drawn once for both axes, round() for int(), or "
                   "H used for W all fail; and within one call every image gets the same box.",
            pmf=lambda p: _box_law(p["H"], p["W"], p["alpha"])[1], params=({"H": 7, "W": 5, "alpha": 2.0}, {"H": 9, "W": 6, "alpha": 0.4}),
            draws=2000, hint="follow the statement's recipe line by line: lam = rng.beta(alpha, alpha), "
                             "cy = rng.integers(H), cx = rng.integers(W), one box for the whole batch"),
    )

    def draws(self, obj: Any, rng: np.random.Generator, n_draws: int, params: Data) -> Data:
        """For Law: per call on three images, the index of the box shown in the law's list (see _box_law)."""
        h, w, alpha = params["H"], params["W"], params["alpha"]
        boxes, _ = _box_law(h, w, alpha)
        index = {box: k for k, box in enumerate(boxes)}
        x, y = _input(3, 1, h, w), np.eye(3)
        own = np.arange(3)[:, None, None]
        codes = np.empty(n_draws)
        what = f"cutmix(x, y, alpha={alpha}, rng=rng)"
        for t in range(n_draws):
            xm, _ = returned(self, call(self, obj, x.copy(), y.copy(), alpha=alpha, rng=rng, what=what),
                             ("x_mixed", "y_mixed"), "cutmix")
            pasted = (np.rint(student_array(self, xm, "x_mixed", x.shape)[:, 0]).astype(np.int64) - 1) // BASE_IMG != own
            rows, cols = pasted.any(axis=2), pasted.any(axis=1)   # (3, H), (3, W): the bounding box per image
            shown = {(int(r.argmax()), h - int(r[::-1].argmax()), int(c.argmax()), w - int(c[::-1].argmax()))
                     for r, c in zip(rows, cols) if r.any()}
            if len(shown) > 1:
                raise self.fail(f"one call draws ONE box for the whole batch (x of shape {x.shape})",
                                expected="the same box in every image of the batch",
                                actual=f"{len(shown)} different boxes: {sorted(shown)}",
                                hint="draw lam and the centre once per call, outside any loop over the images")
            codes[t] = index.get(shown.pop() if shown else None, len(boxes))
        return {"box": codes}

    def with_rng(self, obj: Any, rng: np.random.Generator) -> Data:
        """Eight 1 x 8 x 8 images, four classes, alpha = 1 (for RngArgument)."""
        x = np.arange(8 * 64, dtype=np.float64).reshape(8, 1, 8, 8)
        y = np.eye(4)[np.arange(8) % 4]
        xm, ym = returned(self, call(self, obj, x, y, alpha=1.0, rng=rng, what="cutmix(x, y, alpha=1.0, rng=rng)"),
                          ("x_mixed", "y_mixed"), "cutmix")
        return {"xm": student_array(self, xm, "x_mixed", x.shape), "ym": student_array(self, ym, "y_mixed", y.shape)}

    def judge_cases(self, cases: list[Case]) -> int:
        plans: dict[tuple, list] = {}     # (x.shape, alpha) -> per call, the boxes shown: (image, partner, box)
        for case, answer in cases:
            plans.setdefault((case["x"].shape, float(case["alpha"])), []).append(self._judge_call(case, answer))
        return 7 * len(cases) + self._judge_randomness(plans)

    @remembered
    def _judge_call(self, case: Data, answer: Any) -> list[tuple[int, int, tuple[int, int, int, int]]]:
        """The pasted pixels of one call, counted; returns the boxes shown: (image, partner, box)."""
        x, y, alpha = case["x"], case["y"], case["alpha"]
        xm = answer_array(self, answer, "xm", x.shape, "x_mixed")
        ym = answer_array(self, answer, "ym", y.shape, "y_mixed")
        n, c, h, w = x.shape
        where = f"(x {x.shape}, alpha={alpha})"
        same = (unchanged(self, answer, "x_after", x, "x after the call")
                & unchanged(self, answer, "y_after", y, "y after the call"))
        expect(self, same, f"x and y must not be modified {where}", expected="inputs unchanged",
               actual="changed", hint="copy x before pasting the box: x_mixed = x.copy()")
        v = np.rint(xm).astype(np.int64) - 1
        ok_int = np.allclose(xm, v + 1, atol=1e-6)
        src, pos = v // BASE_IMG, v % BASE_IMG
        own_pos = (x.astype(np.int64) - 1) % BASE_IMG
        expect(self, ok_int and bool(np.all((src >= 0) & (src < n))),
               f"every pixel of x_mixed must be a pixel copied from one of the input images {where}",
               expected="pixels copied unchanged", actual="blended or new values",
               hint="CutMix pastes pixels; it does not blend them (that is mixup)")
        expect(self, bool(np.all(pos == own_pos)),
               f"pasted pixels must come from the SAME position (and channel) of the partner image {where}",
               expected="x_mixed[i, :, r0:r1, c0:c1] = x[j, :, r0:r1, c0:c1]", actual="shifted pixels",
               hint="use the same box coordinates in the source and the destination")
        shown = []
        wants, areas, partner, counts = np.array(y, dtype=np.float64), np.zeros(n), np.arange(n), [0] * n
        for i in range(n):
            foreign = src[i] != i                                     # (C, H, W)
            expect(self, bool(np.all(foreign == foreign[:1])), f"the box must cover all channels alike {where}",
                   expected="the same box in every channel", actual=f"image {i} differs between channels")
            f2 = foreign[0]
            cnt = int(f2.sum())
            a = cnt / (h * w)
            if cnt:
                js = np.unique(src[i][foreign])
                expect(self, len(js) == 1, f"each image gets its box from ONE partner image {where}",
                       expected="one partner", actual=f"image {i} has pixels from images {js.tolist()}")
                j = int(js[0])
                rr, cc = np.nonzero(f2)
                r0, r1, c0, c1 = int(rr.min()), int(rr.max()) + 1, int(cc.min()), int(cc.max()) + 1
                expect(self, bool(f2[r0:r1, c0:c1].all()) and cnt == (r1 - r0) * (c1 - c0),
                       f"the pasted region must be one axis-aligned rectangle {where}",
                       expected="a filled rectangle", actual=f"image {i}: {cnt} pixels in a {r1 - r0}x{c1 - c0} bounding box")
                shown.append((i, j, (r0, r1, c0, c1)))
                wants[i], areas[i], partner[i] = (1 - a) * y[i] + a * y[j], a, j
            counts[i] = cnt
        bad = np.flatnonzero(~np.isclose(ym, wants, rtol=1e-6, atol=1e-9).all(axis=1))
        if bad.size:
            i = int(bad[0])
            hint = "the label weight is the ACTUAL pasted area after clipping the box to the image: " \
                   "y_mixed = (1 - area / (H W)) y[i] + area / (H W) y[j]"
            a, j = areas[i], partner[i]
            if counts[i] and np.allclose(ym[i], a * y[i] + (1 - a) * y[j], rtol=1e-6, atol=1e-9):
                hint = "the weights are swapped: the partner's label gets the share of the pasted area"
            raise self.fail(f"y_mixed[i] must mix the labels in proportion to the pixels each image "
                            f"contributes (image {i}: {counts[i]} of {h * w} pixels from its partner) {where}",
                            expected=wants[i], actual=ym[i], hint=hint)
        partners = [j for _, j, _ in shown]
        expect(self, len(partners) == len(set(partners)),
               f"partners must be a random permutation of the batch (no image used twice as a source) {where}",
               expected="distinct partners", actual=f"partners {partners}",
               hint="x[perm] with perm = rng.permutation(N)")
        return shown

    def _judge_randomness(self, plans: dict[tuple, list]) -> int:
        """Box sizes, positions and partners must vary. Each property gets P_FALSE_REJECT / 4 per plan (calls
        on one input shape and alpha), and is checked only where its bound for a correct answer
        (_cutmix_bounds, computed from the inputs alone) is within that share."""
        share = P_FALSE_REJECT / (4 * max(1, len(plans)))
        n_props = 0
        for ((n, _, h, w), alpha), calls in plans.items():
            bound = _cutmix_bounds(n, h, w, alpha, len(calls), share)
            boxes = [box for shown in calls for _, _, box in shown]
            where = f"(x of shape ({n}, C, {h}, {w}), alpha={alpha}, {len(calls)} calls)"
            pixels = [(r1 - r0) * (c1 - c0) for r0, r1, c0, c1 in boxes]
            if bound["large_pixels"]:
                need = bound["large_pixels"]
                expect(self, max(pixels, default=0) >= need,
                       "the pasted area must be random (lambda ~ Beta(alpha, alpha)) and sometimes large " + where,
                       expected=f"some box of at least {need} of the {h * w} pixels ({need / (h * w):.0%})",
                       actual=f"the largest box has {max(pixels, default=0)} pixels",
                       hint="cut_h = int(H * sqrt(1 - lam)), cut_w = int(W * sqrt(1 - lam)) with lam ~ Beta(alpha, alpha)")
                n_props += 1
            if bound["size"] <= share:
                sizes = sorted({(r1 - r0, c1 - c0) for r0, r1, c0, c1 in boxes})
                expect(self, len(sizes) > 1, "the box size must be random: draw lam ~ Beta(alpha, alpha) on every "
                                             "call " + where,
                       expected="boxes of different sizes", actual=f"every box is {sizes[0] if sizes else 'empty'}",
                       hint="lam = rng.beta(alpha, alpha); cut_h = int(H * sqrt(1 - lam)), cut_w = int(W * sqrt(1 - lam))")
                n_props += 1
            if bound["position"] <= share:
                for name, f in _CUT_POSITION.items():
                    values = {f(box) for box in boxes}
                    expect(self, len(values) > 1, f"the box position must be random {where}",
                           expected="boxes in many places",
                           actual=f"the {name} of every box is {min(values)}" if values else "no box",
                           hint="draw the box centre uniformly over the image: cy = rng.integers(H), cx = rng.integers(W)")
                n_props += 1
            if bound["pairing"] <= share:
                seen: dict[int, set] = {}
                for shown in calls:
                    for i, j, _ in shown:
                        seen.setdefault(i, set()).add(j)
                expect(self, any(len(js) > 1 for js in seen.values()), f"the pairing must be random {where}",
                       expected="different permutations", actual="every image always gets the same partner",
                       hint="draw a new permutation on every call")
                n_props += 1
        return n_props
