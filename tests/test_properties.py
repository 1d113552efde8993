"""The property layer (grader/checks/properties/): declared properties add their cases, are
answered and judged by the layer, and each property rejects the mistakes it names.

Each property is tested here on a small check of its own, with honest and buggy functions
written for it; tests/test_checks.py runs it on every exercise that declares it."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest
import torch

from grader.checks import REGISTRY, CheckFailure, statement
from grader.checks.base import PROPERTY_KEY, Case, Check, Data, InputMismatch, bind_inputs
from grader.checks.probing import call, student_array
from grader.checks.properties import RngArgument


class Shuffle(Check):
    """shuffles a vector."""

    id = "00-test/shuffle"
    properties = (RngArgument(order=(30,)),)

    def cases(self, *, visible: bool) -> list[Data]:
        return [{"n": 5}]

    def answer(self, obj: Any, case: Data) -> Any:
        return {"n_after": case["n"]}

    def judge_case(self, case: Data, answer: Any) -> int:
        return 1

    def with_rng(self, obj: Any, rng: np.random.Generator) -> Data:
        return {"order": student_array(self, call(self, obj, 30, rng=rng, what="shuffle(30, rng=rng)"), "the order", (30,))}



CHECK = Shuffle()


def honest(n, *, rng):
    return rng.permutation(n)


def honest_torch(n, *, rng):
    g = torch.Generator().manual_seed(int(rng.integers(2**62)))
    return torch.randperm(n, generator=g).numpy()


def uses_numpy_global(n, *, rng):
    return np.random.permutation(n)


def uses_torch_global(n, *, rng):
    return torch.randperm(n).numpy()


def uses_python_random(n, *, rng):
    order = list(range(n))
    random.shuffle(order)
    return np.array(order)


def reseeds_inside(n, *, rng):
    return np.random.default_rng(0).permutation(n)


def mixes_rng_and_global(n, *, rng):
    order = rng.permutation(n)
    return order[::-1] if np.random.random() < 0.5 else order


def seeds_global_from_rng(n, *, rng):
    np.random.seed(int(rng.integers(2**31)))
    return np.random.permutation(n)


def _judged(fn) -> int:
    return CHECK.judge(CHECK.probe(fn))


@pytest.mark.parametrize("fn", [honest, honest_torch])
def test_a_function_that_draws_from_rng_only_passes(fn):
    assert _judged(fn) == 1 + 3


@pytest.mark.parametrize("fn, words", [
    (uses_numpy_global, "np.random's global state"),
    (uses_torch_global, "torch's global generator"),
    (uses_python_random, "Python's random module"),
    (seeds_global_from_rng, "np.random's global state"),
    (reseeds_inside, "different rng seeds must give different results"),
])
def test_each_other_source_of_randomness_is_named(fn, words):
    with pytest.raises(CheckFailure) as failed:
        _judged(fn)
    assert words in str(failed.value), str(failed.value)


def test_a_draw_from_the_global_state_that_leaves_it_as_it_was_is_still_caught():
    """Saving and restoring the global state hides the draw from the state test; the outputs under
    two global seeds then differ."""
    def restores(n, *, rng):
        state = np.random.get_state()
        order = np.random.permutation(n)
        np.random.set_state(state)
        return order

    with pytest.raises(CheckFailure, match="must not depend on the global random state"):
        _judged(restores)


def test_mixing_rng_and_a_global_draw_is_caught():
    with pytest.raises(CheckFailure, match="np.random's global state"):
        _judged(mixes_rng_and_global)


def test_the_probe_leaves_the_notebooks_global_states_as_they_were():
    np.random.seed(3)
    random.seed(3)
    torch.manual_seed(3)
    before = np.random.get_state()[1].copy(), random.getstate(), torch.random.get_rng_state().clone()
    CHECK.probe(uses_numpy_global)
    assert np.array_equal(np.random.get_state()[1], before[0])
    assert random.getstate() == before[1]
    assert torch.equal(torch.random.get_rng_state(), before[2])


def test_property_cases_follow_the_checks_own_and_are_bound_like_them():
    cases = CHECK.all_cases(visible=True)
    assert cases[0] == {"n": 5} and cases[1][PROPERTY_KEY] == "rng"
    assert CHECK.all_cases(visible=False)[1:] == cases[1:], "the hidden check contains the visible one"
    data = CHECK.probe(honest, visible=True)
    bind_inputs(CHECK, data, visible=True)
    data["cases"][1]["inputs"]["rng_seeds"] = [11, 11]
    with pytest.raises(InputMismatch):
        bind_inputs(CHECK, data, visible=True)


def test_forged_global_states_are_refused():
    data = CHECK.probe(honest)
    data["cases"][1]["answer"]["runs"][0]["states"]["numpy"] = np.zeros(3)
    with pytest.raises(CheckFailure, match="has the wrong shape"):
        CHECK.judge(data)


def test_the_notebook_statement_ends_with_each_declared_propertys_sentence():
    declaring = [i for i, c in REGISTRY.items() if any(isinstance(p, RngArgument) for p in c.properties)]
    assert len(declaring) == 9, declaring
    for exercise_id in declaring:
        assert RngArgument().sentence() in statement(exercise_id)
    for exercise_id, check in REGISTRY.items():  # every declared property's sentence, in order, at the end
        text = statement(exercise_id)
        tail = " ".join(p.sentence() for p in check.properties)
        assert text.endswith(tail), exercise_id


# ---------------------------------------------------------------------------------------
# The properties of classes 1, 2, 4, 5, 7, 8 and 9, each on an exercise that declares it
# ---------------------------------------------------------------------------------------

from grader.checks import run  # noqa: E402
from grader.checks.properties import Interleaved, LargeMean, Law, NoOverflow  # noqa: E402


def _fails(exercise: str, obj: Any, *words: str) -> str:
    with pytest.raises(CheckFailure) as err:
        run(exercise, obj)
    text = str(err.value)
    assert all(w in text for w in words), text
    return text


def _standardizer(var):
    def fit_standardizer(X_train):
        mu = X_train.mean(axis=0)
        sigma = np.sqrt(var(X_train, mu))
        sigma = np.where(sigma == 0, 1.0, sigma)
        return lambda X: (X - mu) / sigma
    return fit_standardizer


def test_large_mean_rejects_the_one_pass_variance_and_accepts_two_passes():
    """LargeMean: E[x^2] - E[x]^2 fails on its cases only (the check's own pass), two passes pass."""
    assert any(isinstance(p, LargeMean) for p in REGISTRY["02-preprocessing/fit_standardizer"].properties)
    one_pass = _standardizer(lambda X, mu: np.maximum((X * X).mean(axis=0) - mu * mu, 0.0))
    two_pass = _standardizer(lambda X, mu: ((X - mu) ** 2).mean(axis=0))
    run("02-preprocessing/fit_standardizer", two_pass)
    check = REGISTRY["02-preprocessing/fit_standardizer"]
    check.judge_cases([Case(c, check.answer(one_pass, c)) for c in check.cases(visible=False)])  # own cases pass
    _fails("02-preprocessing/fit_standardizer", one_pass, "on inputs with a large mean")


def _logistic(sigmoid):
    def logistic_loss_and_grad(w, X, y):
        z = X @ w
        return float(np.mean(np.logaddexp(0.0, z) - y * z)), X.T @ (sigmoid(z) - y) / len(y)
    return logistic_loss_and_grad


def test_no_overflow_traps_an_overflow_whose_value_is_right():
    """NoOverflow: 1 / (1 + exp(-z)) gives the right values (1 / inf = 0) but overflows: rejected, named."""
    assert any(isinstance(p, NoOverflow) for p in REGISTRY["01-sgd/logistic_loss_and_grad"].properties)
    run("01-sgd/logistic_loss_and_grad", _logistic(lambda z: np.exp(-np.logaddexp(0.0, -z))))
    with np.errstate(over="ignore"):
        _fails("01-sgd/logistic_loss_and_grad", _logistic(lambda z: 1.0 / (1.0 + np.exp(-z))), "overflow")


def test_no_overflow_judges_tiny_values_relatively():
    """NoOverflow: ELU as alpha (exp(x) - 1) keeps an absolute error of 1e-17 near 0: relative 1e-9, rejected."""
    import tests.variants as tv

    good = next(v for v in tv.load_all()["03-activations/prelu_elu"] if v.kind == "correct").obj
    good = tuple(getattr(good, "functions", good))
    prelu_forward, prelu_backward, _, elu_backward = good

    def elu_forward(x, alpha=1.0):
        return np.where(x > 0, x, alpha * (np.exp(np.minimum(x, 0.0)) - 1.0)), good[2](x, alpha)[1]

    run("03-activations/prelu_elu", good)
    _fails("03-activations/prelu_elu", (prelu_forward, prelu_backward, elu_forward, elu_backward),
           "relative tolerance")


def test_interleaved_catches_a_backward_that_edits_its_cache():
    """Interleaved: a backward that writes into its cache gives another answer the second time."""
    assert any(isinstance(p, Interleaved) for p in REGISTRY["03-activations/relu_leaky_relu"].properties)
    import tests.variants as tv

    good = next(v for v in tv.load_all()["03-activations/relu_leaky_relu"] if v.kind == "correct").obj
    good = tuple(getattr(good, "functions", good))
    relu_forward, _, leaky_forward, leaky_backward = good

    def relu_forward_own(x):
        return np.maximum(x, 0.0), np.array(x, dtype=np.float64)

    def relu_backward_edits(dout, cache):
        mask = cache > 0
        cache[...] = 0.0   # "frees" the cache: the second backward sees all zeros
        return dout * mask

    run("03-activations/relu_leaky_relu", good)
    _fails("03-activations/relu_leaky_relu", (relu_forward_own, relu_backward_edits, leaky_forward, leaky_backward),
           "backward run twice on one cache")


def test_law_sees_a_biased_shuffle_that_positions_alone_miss():
    """Law over whole orders: the naive swap shuffle (each position with any other) passes the
    position counts of the check's own cases but not the chi-square test over the 24 orders."""
    assert any(isinstance(p, Law) for p in REGISTRY["01-sgd/minibatch_indices"].properties)

    def naive(n, batch_size, *, rng):
        order = np.arange(n)
        for i in range(n):
            j = int(rng.integers(n))
            order[i], order[j] = order[j], order[i]
        return [order[s:s + batch_size] for s in range(0, n, batch_size)]

    def fisher_yates(n, batch_size, *, rng):
        order = np.arange(n)
        for i in range(n - 1, 0, -1):
            j = int(rng.integers(i + 1))
            order[i], order[j] = order[j], order[i]
        return [order[s:s + batch_size] for s in range(0, n, batch_size)]

    run("01-sgd/minibatch_indices", fisher_yates)
    _fails("01-sgd/minibatch_indices", naive, "order does not follow its law")


def test_a_documented_float_is_not_an_array_or_a_tensor():
    """The return contract: a loss of shape (1,) or a 0-d tensor is refused, with the fix named."""
    ok = _logistic(lambda z: np.exp(-np.logaddexp(0.0, -z)))

    def keepdims(w, X, y):
        loss, dw = ok(w, X, y)
        return np.array([loss]), dw

    def tensor(w, X, y):
        loss, dw = ok(w, X, y)
        return torch.tensor(loss), dw

    _fails("01-sgd/logistic_loss_and_grad", tensor, "must be a float", "item()")
    _fails("01-sgd/logistic_loss_and_grad", keepdims, "must be a float")


def test_every_visible_case_is_in_the_hidden_run():
    """Class 10 by construction: the hidden run holds every visible case (property cases included),
    so an answer the visible tests reject never passes the full check."""
    from grader.checks.base import _mismatch

    for exercise, check in REGISTRY.items():
        hidden = check.all_cases(visible=False)
        for i, case in enumerate(check.all_cases(visible=True)):
            assert any(_mismatch(case, h, "") == "" for h in hidden if h.keys() == case.keys()), \
                f"{exercise}: visible case {i} is not in the hidden run"


def test_statistical_properties_stay_within_their_budget():
    """Every check's Law / Independent cases together spend at most P_FALSE_REJECT (stats.P_PROPERTY each)."""
    from grader.checks.stats import P_FALSE_REJECT, P_PROPERTY

    for exercise, check in REGISTRY.items():
        n = sum(len(p.cases(check, visible=False)) * p.tests for p in check.properties
                if p.name in ("law", "independent"))
        assert n * P_PROPERTY <= P_FALSE_REJECT, exercise


def test_defaults_compare_a_call_without_the_option_with_the_documented_value():
    """Defaults: layer norm without 'eps' in its parameter dict must behave as with eps = 1e-5."""
    from grader.checks.properties import Defaults

    assert any(isinstance(p, Defaults) for p in REGISTRY["05-batchnorm/layernorm_forward"].properties)

    def layernorm(default):
        def layernorm_forward(x, gamma, beta, ln_param):
            eps = ln_param.get("eps", default)
            mu = x.mean(axis=1, keepdims=True)
            var = ((x - mu) ** 2).mean(axis=1, keepdims=True)
            xhat = (x - mu) / np.sqrt(var + eps)
            return gamma * xhat + beta, {"x": x, "x_hat": xhat, "mu": mu, "var": var, "gamma": gamma,
                                         "beta": beta, "eps": eps}
        return layernorm_forward

    check = REGISTRY["05-batchnorm/layernorm_forward"]
    prop = next(p for p in check.properties if isinstance(p, Defaults))
    cases = [Case(c, prop.answer(check, layernorm(1e-5), c)) for c in prop.cases(check, visible=False)]
    assert prop.judge_cases(check, cases) == 1
    cases = [Case(c, prop.answer(check, layernorm(1e-8), c)) for c in prop.cases(check, visible=False)]
    with pytest.raises(CheckFailure, match="the default of eps must be 1e-05"):
        prop.judge_cases(check, cases)
