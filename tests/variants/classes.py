"""Which classes of hole of issue 12 apply to which exercise, and which buggy variants exercise them.

The classes (a check must close every one that applies to its exercise):

1. statistics on inputs with a large mean (one-pass variance), integer/uint8 images;
2. overflow and lost precision (an overflowing branch of np.where, naive sigmoid, log for log1p);
3. the ``rng`` argument: draws from the given generator and only from it;
4. independence, not only marginals (jointly across examples, coordinates, calls; shuffles);
5. the law, not the moments (goodness of fit against a law with the same mean and variance);
6. shapes where conventions differ (non-square, odd/even sizes, N = 1, D = 1, channel position, axes);
7. every sentence of the statement exercised (defaults, options, boundaries, costs, invalid options);
8. state and aliasing (caches, backward twice, views, shared buffers, the caller's input modified);
9. types and return contracts (float, int, ndarray not list, tensor where tensor, returns the module);
10. the full (hidden) check contains the visible one.

``APPLIES[exercise][k]`` is ``""`` when class ``k`` (1-9) applies to the exercise, otherwise a short reason
why it does not; it is read from the statement ("What the test checks" and the exercise cell of
``solutions/<notebook>/<notebook>.ipynb``) and the check, not from the variants that happen to exist.
Class 10 applies to every exercise and holds by construction (:data:`CLASS_10`). A buggy variant names
its classes with ``@buggy(..., classes=(...))`` or a leading "[n,m]" in its description
(:attr:`tests.variants.Variant.hole_classes`), 0 for an ordinary mistake in the formula.

``python -m tests.variants.classes`` prints a markdown report: per exercise, every applicable class with
the buggy variants tagged with it, then the gaps (applicable, no variant). tests/test_hole_classes.py
keeps the registry and this table consistent.
"""

from __future__ import annotations

from collections.abc import Iterator

from . import Variant, load_all

__all__ = ["CLASSES", "CLASS_10", "APPLIES", "applicable", "tagged", "gaps", "report", "main"]

#: short names of the classes, 0 for an ordinary mistake
CLASSES: dict[int, str] = {
    0: "ordinary mistake in the formula or algorithm",
    1: "statistics on large-mean / integer inputs",
    2: "overflow and lost precision",
    3: "the rng argument",
    4: "independence, not only marginals",
    5: "the law, not the moments",
    6: "shapes where conventions differ",
    7: "every sentence of the statement",
    8: "state and aliasing",
    9: "types and return contracts",
    10: "the hidden check contains the visible one",
}

#: class 10 is not tagged per exercise: it holds for all of them by construction
CLASS_10 = ("applies to every exercise; established by tests/test_properties.py::"
            "test_every_visible_case_is_in_the_hidden_run (the hidden run holds every visible case)")

_NO_STATS = "no statistics over inputs"
_NO_OVERFLOW = "no exp, log or cancelling closed form"
_NO_RNG = "no rng argument: deterministic"
_NO_RNG_INDEP = "deterministic: no random draws"
_NO_RNG_LAW = "deterministic: no law to fit"
_BN_NO_OVERFLOW = "no exp or log; the precision of the variance on large means is class 1"
_ELEMENTWISE = "elementwise: no axis or shape convention"
_INIT_NO_ALIAS = "only a shape comes in and a fresh array goes out: nothing to alias or modify"

APPLIES: dict[str, dict[int, str]] = {
    "01-sgd/backtracking_line_search": {
        1: _NO_STATS, 2: "compares f values only; no exp or log of its own", 3: _NO_RNG,
        4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "x only passes through f and grad_f; t is a scalar",
        7: "", 8: "", 9: "",
    },
    "01-sgd/logistic_loss_and_grad": {
        1: "a mean loss, no variance (float32 precision is class 2)", 2: "", 3: _NO_RNG,
        4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "",
        7: "no options, defaults or boundaries beyond the extreme logits (2) and shapes (6)", 8: "", 9: "",
    },
    "01-sgd/minibatch_indices": {
        1: _NO_STATS, 2: "integer indices only", 3: "", 4: "",
        5: "the law of a shuffle is its joint law over orders: class 4 (chi-square over the 24 orders)",
        6: "", 7: "", 8: "no array argument and no state", 9: "",
    },
    "01-sgd/stochastic_gradient": {
        1: _NO_STATS, 2: "returns grad_fn's value: no arithmetic of its own", 3: "", 4: "", 5: "",
        6: "", 7: "", 8: "",
        9: "returns grad_fn's own value: no type of its own",
    },
    "02-preprocessing/cutmix": {
        1: "no statistics over the images (the label weight is a pixel count)",
        2: "no exp or log; sqrt(1 - lam) of a lam in [0, 1]", 3: "", 4: "", 5: "", 6: "", 7: "", 8: "",
        9: "",
    },
    "02-preprocessing/fit_standardizer": {
        1: "", 2: "no exp or log; the precision of the variance on large means is class 1", 3: _NO_RNG,
        4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "", 7: "", 8: "", 9: "",
    },
    "02-preprocessing/fit_whitening": {
        1: "", 2: "no exp or log; the precision of the covariance on large means is class 1", 3: _NO_RNG,
        4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "", 7: "", 8: "", 9: "",
    },
    "02-preprocessing/normalize_images": {
        1: "", 2: "no exp or log; the precision of the variance on large means is class 1", 3: _NO_RNG,
        4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "", 7: "", 8: "", 9: "",
    },
    "02-preprocessing/pca_color_augment": {
        1: "no statistics over the images (eigvals and eigvecs are given)", 2: _NO_OVERFLOW, 3: "", 4: "",
        5: "", 6: "", 7: "", 8: "", 9: "",
    },
    "02-preprocessing/random_crop_flip": {
        1: "no statistics over the images", 2: "copies pixels: no arithmetic", 3: "", 4: "", 5: "", 6: "",
        7: "", 8: "", 9: "",
    },
    "02-preprocessing/tta_predict": {
        1: "no statistics over the inputs (a mean over views of the model's outputs)", 2: "", 3: _NO_RNG,
        4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "", 7: "", 8: "", 9: "",
    },
    "03-activations/collapse_linear": {
        1: _NO_STATS, 2: "matrix products only", 3: _NO_RNG, 4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "",
        7: "", 8: "", 9: "",
    },
    "03-activations/dead_relu_fraction": {
        1: "counts signs, no mean or variance of the values", 2: "compares signs only", 3: _NO_RNG,
        4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "", 7: "", 8: "", 9: "",
    },
    "03-activations/maxout": {
        1: _NO_STATS, 2: "linear pieces and a max: no exp or log", 3: _NO_RNG, 4: _NO_RNG_INDEP,
        5: _NO_RNG_LAW, 6: "", 7: "", 8: "", 9: "",
    },
    "03-activations/prelu_elu": {
        1: _NO_STATS, 2: "", 3: _NO_RNG, 4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "", 7: "", 8: "", 9: "",
    },
    "03-activations/relu_leaky_relu": {
        1: _NO_STATS, 2: "piecewise linear: nothing overflows or cancels", 3: _NO_RNG, 4: _NO_RNG_INDEP,
        5: _NO_RNG_LAW, 6: _ELEMENTWISE, 7: "", 8: "", 9: "",
    },
    "03-activations/sigmoid_tanh": {
        1: _NO_STATS, 2: "", 3: _NO_RNG, 4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: _ELEMENTWISE,
        7: "no options or defaults; the extreme and tiny inputs are class 2", 8: "", 9: "",
    },
    "04-initialization/compute_fans": {
        1: _NO_STATS, 2: "integer products", 3: _NO_RNG, 4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "", 7: "",
        8: "a shape tuple in, two ints out: nothing to alias or modify", 9: "",
    },
    "04-initialization/kaiming_normal": {
        1: "no input data: only a shape", 2: "a square root of a positive fan", 3: "", 4: "", 5: "", 6: "",
        7: "", 8: _INIT_NO_ALIAS, 9: "",
    },
    "04-initialization/unit_symmetry_gap": {
        1: "a max-abs distance, no mean or variance", 2: "differences and a max: no exp or log", 3: _NO_RNG,
        4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "", 7: "", 8: "", 9: "",
    },
    "04-initialization/xavier_normal": {
        1: "no input data: only a shape", 2: "a square root of a positive fan", 3: "", 4: "", 5: "", 6: "",
        7: "", 8: _INIT_NO_ALIAS, 9: "",
    },
    "04-initialization/xavier_uniform": {
        1: "no input data: only a shape", 2: "a square root of a positive fan", 3: "", 4: "", 5: "", 6: "",
        7: "", 8: _INIT_NO_ALIAS, 9: "",
    },
    "05-batchnorm/BatchNorm1d": {
        1: "", 2: _BN_NO_OVERFLOW, 3: _NO_RNG, 4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "", 7: "", 8: "", 9: "",
    },
    "05-batchnorm/batchnorm_backward": {
        1: "", 2: _BN_NO_OVERFLOW, 3: _NO_RNG, 4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "", 7: "", 8: "", 9: "",
    },
    "05-batchnorm/batchnorm_backward_alt": {
        1: "", 2: _BN_NO_OVERFLOW, 3: _NO_RNG, 4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "", 7: "", 8: "", 9: "",
    },
    "05-batchnorm/batchnorm_forward": {
        1: "", 2: _BN_NO_OVERFLOW, 3: _NO_RNG, 4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "", 7: "", 8: "", 9: "",
    },
    "05-batchnorm/groupnorm_backward": {
        1: "", 2: _BN_NO_OVERFLOW, 3: _NO_RNG, 4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "", 7: "", 8: "", 9: "",
    },
    "05-batchnorm/groupnorm_forward": {
        1: "", 2: _BN_NO_OVERFLOW, 3: _NO_RNG, 4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "", 7: "", 8: "", 9: "",
    },
    "05-batchnorm/layernorm_backward": {
        1: "", 2: _BN_NO_OVERFLOW, 3: _NO_RNG, 4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "", 7: "", 8: "", 9: "",
    },
    "05-batchnorm/layernorm_forward": {
        1: "", 2: _BN_NO_OVERFLOW, 3: _NO_RNG, 4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "", 7: "", 8: "", 9: "",
    },
    "05-batchnorm/spatial_batchnorm_forward": {
        1: "", 2: _BN_NO_OVERFLOW, 3: _NO_RNG, 4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "", 7: "", 8: "", 9: "",
    },
    # --- 06-regularization and 07-optimizers ---
    "06-regularization/weight_penalty": {
        1: _NO_STATS, 2: "sums of squares and absolute values: nothing overflows or cancels", 3: _NO_RNG,
        4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "", 7: "", 8: "", 9: "",
    },
    "06-regularization/max_norm": {
        1: _NO_STATS, 2: "a norm and one division per unit: nothing overflows or cancels at these scales",
        3: _NO_RNG, 4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "", 7: "", 8: "", 9: "",
    },
    "06-regularization/sgd_weight_decay": {
        1: "an update rule: no statistics over its inputs",
        2: "no exp or log; sums and products of the inputs (the closed form is compared to 1e-12: class 7)",
        3: _NO_RNG, 4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "", 7: "", 8: "", 9: "",
    },
    "06-regularization/dropout": {
        1: "no statistics over the inputs (the statistics are of the mask)",
        2: "no exp or log; the division by 1 - p at p = 1 is class 7", 3: "", 4: "", 5: "", 6: "", 7: "", 8: "",
        9: "",
    },
    "06-regularization/EarlyStopping": {
        1: "no statistics over inputs (compares validation losses)",
        2: "compares losses only: no exp, log or closed form (inf and NaN losses are class 7)", 3: _NO_RNG,
        4: _NO_RNG_INDEP, 5: _NO_RNG_LAW,
        6: "scalar losses and a model's state_dict: no axis or shape convention", 7: "", 8: "", 9: "",
    },
    "07-optimizers/momentum": {
        1: "update rules: no statistics over their inputs",
        2: "no exp or log; sums and products of the inputs",
        3: _NO_RNG, 4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "", 7: "", 8: "", 9: "",
    },
    "07-optimizers/adagrad": {
        1: "no statistics over inputs: a running sum of given gradients, compared with torch from non-zero states",
        2: "", 3: _NO_RNG, 4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "", 7: "", 8: "", 9: "",
    },
    "07-optimizers/rmsprop": {
        1: "no statistics over inputs: moving averages of given gradients, compared with torch from non-zero states",
        2: "", 3: _NO_RNG, 4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "", 7: "", 8: "", 9: "",
    },
    "07-optimizers/adam": {
        1: "no statistics over inputs: moving averages of given gradients, compared with torch from non-zero states",
        2: "", 3: _NO_RNG, 4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "", 7: "", 8: "", 9: "",
    },
    "07-optimizers/lr_schedules": {
        1: "no input data: a step index and hyperparameters", 2: "powers and a cosine of bounded arguments: "
        "nothing overflows or cancels (gamma ** t underflowing to 0 is torch's value too)",
        3: _NO_RNG, 4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "scalars in, a scalar out: no shapes or axes",
        7: "", 8: "", 9: "",
    },
    "07-optimizers/clip_gradients": {
        1: "a norm, no mean or variance of the inputs",
        2: "sums of powers and one division, as torch computes them (the all-zero total, 0 / 0, is class 7)",
        3: _NO_RNG, 4: _NO_RNG_INDEP, 5: _NO_RNG_LAW, 6: "", 7: "", 8: "", 9: "",
    },
    # --- end of 06-07 ---
}


def applicable(exercise_id: str) -> list[int]:
    """The classes 1-9 that apply to the exercise (class 10 applies to all: :data:`CLASS_10`)."""
    return [k for k, why in sorted(APPLIES[exercise_id].items()) if not why]


def tagged(exercise_id: str, k: int) -> list[Variant]:
    """The buggy variants of the exercise tagged with class ``k``."""
    return [v for v in load_all().get(exercise_id, []) if v.kind == "buggy" and k in v.hole_classes]


def gaps() -> Iterator[tuple[str, int]]:
    """(exercise, class) for every applicable class without a buggy variant tagged with it."""
    for ex_id in sorted(APPLIES):
        for k in applicable(ex_id):
            if not tagged(ex_id, k):
                yield ex_id, k


def _short(text: str, n: int = 70) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


def report() -> str:
    """The markdown report of ``python -m tests.variants.classes``."""
    out = ["# Classes of hole (issue 12) per exercise", "", f"Class 10: {CLASS_10}.", ""]
    for ex_id in sorted(APPLIES):
        out += [f"## {ex_id}", ""]
        for k in applicable(ex_id):
            vs = tagged(ex_id, k)
            out.append(f"- **{k}** {CLASSES[k]}: {len(vs)} variant{'s' if len(vs) != 1 else ''}")
            out += [f"  - {_short(v.description)}" for v in vs]
        ordinary = tagged(ex_id, 0)
        if ordinary:
            out.append(f"- (0 ordinary mistakes: {len(ordinary)})")
        out.append("")
    missing = list(gaps())
    out += [f"## Applicable but no variant ({len(missing)})", ""]
    out += [f"- {ex_id}: {k} {CLASSES[k]}" for ex_id, k in missing] or ["- none"]
    odd = [(v, k) for ex_id in sorted(APPLIES) for v in load_all().get(ex_id, []) if v.kind == "buggy"
           for k in v.hole_classes if 1 <= k <= 9 and APPLIES[ex_id][k]]
    out += ["", f"## Tagged with a class said not to apply ({len(odd)})", ""]
    out += [f"- {v.exercise_id}: {k} ({APPLIES[v.exercise_id][k]}): {_short(v.description)}"
            for v, k in odd] or ["- none"]
    return "\n".join(out) + "\n"


def main() -> None:
    print(report(), end="")


if __name__ == "__main__":
    main()
