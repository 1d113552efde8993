"""Tests for course_utils.bridge: NumPy layers, optimizers and penalties inside torch."""

import importlib

import numpy as np
import pytest
import torch
from torch.autograd import gradcheck
from torch.func import functional_call

import course_utils
from course_utils.bridge import NumpyLayer, NumpyOptimizer, numpy_penalty, student_or_reference
from course_utils.data import make_blobs
from course_utils.training import train

# --- NumPy pairs, penalties and rules, written as a student would -------------------------


def tanh_forward(x):
    out = np.tanh(x)
    return out, out


def tanh_backward(dout, cache):
    return dout * (1 - cache**2)


def affine_forward(x, W, b):
    return x @ W + b, (x, W)


def affine_backward(dout, cache):
    x, W = cache
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def dropout_forward(x, p, *, train, rng):
    if not train:
        return x, None
    mask = (rng.random(x.shape) >= p) / (1 - p)
    return x * mask, mask


def dropout_backward(dout, cache):
    return dout if cache is None else dout * cache


def weight_penalty(params, *, l2=0.0, l1=0.0):
    value, grads = 0.0, {}
    for name, W in params.items():
        on = W.ndim >= 2
        value += on * (l2 / 2 * np.sum(W**2) + l1 * np.sum(np.abs(W)))
        grads[name] = on * (l2 * W + l1 * np.sign(W))
    return float(value), grads


def sgd_rule(param, grad, state, *, lr, momentum=0.0, dampening=0.0, weight_decay=0.0):
    g = grad + weight_decay * param
    if momentum:
        if "momentum_buffer" in state:
            buf = state["momentum_buffer"]
            state["momentum_buffer"] = momentum * buf + (1 - dampening) * g
        else:
            state["momentum_buffer"] = g.copy()
        g = state["momentum_buffer"]
    return param - lr * g


def adam_rule(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    b1, b2 = betas
    if not state:
        state.update(step=0, exp_avg=np.zeros_like(param), exp_avg_sq=np.zeros_like(param))
    g = grad + weight_decay * param
    state["step"] += 1
    t = state["step"]
    state["exp_avg"] = b1 * state["exp_avg"] + (1 - b1) * g
    state["exp_avg_sq"] = b2 * state["exp_avg_sq"] + (1 - b2) * g * g
    m_hat = state["exp_avg"] / (1 - b1**t)
    v_hat = state["exp_avg_sq"] / (1 - b2**t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps)


def _x(*shape, seed=0, requires_grad=True):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(*shape, generator=gen, dtype=torch.float64)
    return x.requires_grad_(requires_grad)


def _affine(d=4, h=3, seed=0):
    rng = np.random.default_rng(seed)
    return NumpyLayer(affine_forward, affine_backward,
                      params={"W": rng.standard_normal((d, h)), "b": rng.standard_normal(h)})


# --- NumpyLayer ----------------------------------------------------------------------------


def test_tanh_layer_passes_gradcheck():
    """Does a correct elementwise pair give autograd the gradient centred differences see?"""
    layer = NumpyLayer(tanh_forward, tanh_backward)
    assert gradcheck(layer, (_x(5, 3),), eps=1e-6, atol=1e-8)
    x = _x(5, 3)
    assert torch.allclose(layer(x), torch.tanh(x), rtol=0, atol=1e-15)


def test_affine_layer_gradcheck_covers_its_parameters():
    """Are W and b nn.Parameters in order, and are dx, dW, db right for gradcheck?"""
    layer = _affine()
    assert [n for n, _ in layer.named_parameters()] == ["W", "b"]
    assert layer.W.dtype == torch.float64 and layer.W.shape == (4, 3)
    W, b = (p.detach().clone().requires_grad_() for p in (layer.W, layer.b))

    def f(x, W, b):
        return functional_call(layer, {"W": W, "b": b}, (x,))

    assert gradcheck(f, (_x(6, 4), W, b), eps=1e-6, atol=1e-8)


def test_wrong_backward_is_caught_by_gradcheck():
    """Does a backward with a missing factor fail gradcheck (so the test can fail)?"""
    layer = NumpyLayer(tanh_forward, lambda dout, cache: dout * (1 - cache))
    assert not gradcheck(layer, (_x(4, 2),), eps=1e-6, atol=1e-8, raise_exception=False)


def test_dropout_with_a_fixed_mask_passes_gradcheck():
    """With a generator re-seeded at each call (one mask), is dropout's backward right?"""
    fwd = lambda x, *, p, train: dropout_forward(  # noqa: E731
        x, p, train=train, rng=np.random.default_rng(0))
    layer = NumpyLayer(fwd, dropout_backward, train_arg="train", p=0.3)
    assert gradcheck(layer, (_x(8, 5),), eps=1e-6, atol=1e-8)


def test_shared_generator_draws_a_new_mask_and_backward_uses_it():
    """With one rng option, do calls draw fresh masks, and is dx = mask / (1 - p)?"""
    rng = np.random.default_rng(0)
    layer = NumpyLayer(dropout_forward, dropout_backward, train_arg="train", p=0.5, rng=rng)
    x = _x(20, 10)
    out1, out2 = layer(x), layer(x)
    assert not torch.equal(out1 == 0, out2 == 0)
    assert layer.options["rng"] is rng
    out1.sum().backward()
    assert torch.equal(x.grad, (out1 != 0).double() / 0.5)


def test_train_and_eval_reach_the_pair():
    """Does layer.eval() pass train=False (identity) and layer.train() train=True?"""
    seen = []

    def fwd(x, *, train):
        seen.append(train)
        return (x * 2 if train else x), None

    layer = NumpyLayer(fwd, lambda dout, cache: dout, train_arg="train")
    x = _x(3, 2)
    assert torch.equal(layer(x), 2 * x)
    model = torch.nn.Sequential(layer).eval()
    assert torch.equal(model(x), x)
    assert seen == [True, False]


def test_input_without_grad_still_trains_the_parameters():
    """When x does not require grad, do W and b get gradients and x none?"""
    layer = _affine()
    x = _x(6, 4, requires_grad=False)
    layer(x).square().sum().backward()
    assert x.grad is None
    out_grad = 2 * (x @ layer.W + layer.b).detach()
    assert torch.allclose(layer.W.grad, x.T @ out_grad, atol=1e-12)
    assert torch.allclose(layer.b.grad, out_grad.sum(0), atol=1e-12)


def test_dtype_and_device_follow_the_input():
    """Does a float32 input give a float32 output and gradient, though NumPy used float64?"""
    layer = NumpyLayer(lambda x: (x.astype(np.float64) * 3, None), lambda d, c: d * 3.0)
    x = torch.ones(2, 3, requires_grad=True)
    out = layer(x)
    assert out.dtype == torch.float32 and out.device == x.device
    out.sum().backward()
    assert x.grad.dtype == torch.float32 and torch.equal(x.grad, torch.full((2, 3), 3.0))


@pytest.mark.parametrize("fwd, bwd, params, match", [
    (lambda x: np.tanh(x), tanh_backward, None, r"<lambda> must return a pair \(out, cache\)"),
    (tanh_forward, lambda d, c: (d, d), None, r"returned 2 gradient\(s\), expected 1: \(dx\)"),
    (affine_forward, lambda d, c: c[0], {"W": np.ones((4, 3)), "b": np.ones(3)},
     r"returned 1 gradient\(s\), expected 3: \(dx, dW, db\)"),
    (tanh_forward, lambda d, c: d[:, :1], None, r"dx returned by .* shape \(5, 1\), expected"),
    (affine_forward, lambda d, c: (d @ c[1].T, c[1].T, d.sum(0)),
     {"W": np.ones((4, 3)), "b": np.ones(3)}, r"dW returned by .*\(3, 4\), expected \(4, 3\)"),
])
def test_malformed_pairs_are_explained(fwd, bwd, params, match):
    """Are a forward without a cache, a wrong gradient count and a wrong shape clear errors?"""
    layer = NumpyLayer(fwd, bwd, params=params)
    with pytest.raises((TypeError, ValueError), match=match):
        layer(_x(5, 4)).sum().backward()


def test_model_of_numpy_layers_learns_with_train():
    """Does a model of NumPy layers (and dropout) train with course_utils.train?"""
    X, y = make_blobs(300, centers=3, std=0.6, seed=0)
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        _affine(d=2, h=16), NumpyLayer(tanh_forward, tanh_backward),
        NumpyLayer(dropout_forward, dropout_backward, train_arg="train", p=0.1,
                   rng=np.random.default_rng(0)),
        torch.nn.Linear(16, 3).double())
    h = train(model, (X, y), epochs=5, lr=0.1, val_data=(X, y), progress=False)
    assert h.val_acc[-1] > 0.95 and h.loss[-1] < h.loss[0]


def test_repr_names_the_functions_and_options():
    """Does the layer's repr show the NumPy functions, parameters and options?"""
    text = repr(NumpyLayer(dropout_forward, dropout_backward, train_arg="train", p=0.5))
    assert "forward=dropout_forward" in text and "backward=dropout_backward" in text
    assert "p=0.5" in text and "train_arg='train'" in text
    assert "params=(W, b)" in repr(_affine())


# --- NumpyOptimizer ------------------------------------------------------------------------

SHAPES = [(), (3,), (2, 3), (2, 2, 3), (2, 1, 2, 3)]
RULES = {
    "sgd": (sgd_rule, torch.optim.SGD, {"momentum": 0.9, "dampening": 0.1}),
    "adam": (adam_rule, torch.optim.Adam, {"betas": (0.8, 0.99), "eps": 1e-6}),
}
SCHEDULERS = {
    "none": None,
    "lambda": lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 1 / (1 + 0.1 * t)),
    "cosine": lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=20),
}


def _groups(params):
    return [{"params": params[:2], "lr": 0.1},
            {"params": params[2:], "lr": 0.03, "weight_decay": 0.2}]


@pytest.mark.parametrize("scheduler", SCHEDULERS)
@pytest.mark.parametrize("rule_name", RULES)
def test_numpy_rule_matches_torch_optim_buffer_by_buffer(rule_name, scheduler):
    """Over 50 steps, two groups, 0-d..4-d params, a sometimes-None grad and an lr
    scheduler, do parameters and state buffers equal torch.optim's after every step?"""
    rule, torch_cls, hyper = RULES[rule_name]
    gen = torch.Generator().manual_seed(1)
    init = [torch.randn(s, generator=gen, dtype=torch.float64) for s in SHAPES]
    ours = [t.clone().requires_grad_() for t in init]
    theirs = [t.clone().requires_grad_() for t in init]
    opt_ours = NumpyOptimizer(_groups(ours), rule, weight_decay=0.0, **hyper)
    opt_theirs = torch_cls(_groups(theirs), weight_decay=0.0, **hyper)
    make_scheduler = SCHEDULERS[scheduler]
    schedulers = [make_scheduler(o) for o in (opt_ours, opt_theirs)] if make_scheduler else []
    for step in range(50):
        for i, (a, b) in enumerate(zip(ours, theirs)):
            g = None if i == 3 and step % 3 else torch.randn(a.shape, generator=gen,
                                                            dtype=torch.float64)
            a.grad, b.grad = g, (None if g is None else g.clone())
        opt_ours.step()
        opt_theirs.step()
        for s in schedulers:
            s.step()
        for i, (a, b) in enumerate(zip(ours, theirs)):
            torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12, msg=f"param {i}")
            state, expected = opt_ours.state[a], opt_theirs.state[b]
            assert set(state) == set(expected)
            for key, value in state.items():
                np.testing.assert_allclose(value, np.asarray(expected[key]), rtol=1e-12,
                                           atol=1e-12, err_msg=f"{key} of param {i}")
        assert [g["lr"] for g in opt_ours.param_groups] == \
               [g["lr"] for g in opt_theirs.param_groups]


def test_rule_is_not_called_for_a_none_gradient():
    """Is a parameter without a gradient skipped, its state left as it was?"""
    calls = []

    def rule(param, grad, state, *, lr):
        calls.append(param.shape)
        state["n"] = state.get("n", 0) + 1
        return param - lr * grad

    a, b = torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)
    opt = NumpyOptimizer([a, b], rule, lr=0.5)
    a.grad = torch.ones(2)
    opt.step()
    opt.step()
    assert calls == [(2,), (2,)] and opt.state[a] == {"n": 2} and b not in opt.state
    assert torch.equal(a.detach(), torch.full((2,), -1.0))
    assert torch.equal(b.detach(), torch.zeros(3))


def test_float32_parameters_stay_float32_and_match_torch():
    """Does a float32 parameter keep its dtype and follow torch.optim.SGD within float32?"""
    a = torch.randn(4, 3, generator=torch.Generator().manual_seed(0), requires_grad=True)
    b = a.detach().clone().requires_grad_()
    ours, theirs = NumpyOptimizer([a], sgd_rule, lr=0.1, momentum=0.9), torch.optim.SGD(
        [b], lr=0.1, momentum=0.9)
    for _ in range(10):
        a.grad, b.grad = a.detach() ** 2, b.detach() ** 2
        ours.step()
        theirs.step()
    assert a.dtype == torch.float32
    torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_state_dict_round_trip_resumes_the_same_trajectory():
    """After load_state_dict into a fresh optimizer, do both continue identically?"""
    a = torch.linspace(-1, 1, 6, dtype=torch.float64).reshape(2, 3).requires_grad_()
    opt = NumpyOptimizer([a], adam_rule, lr=0.1)
    for _ in range(3):
        a.grad = a.detach() ** 3
        opt.step()
    b = a.detach().clone().requires_grad_()
    resumed = NumpyOptimizer([b], adam_rule, lr=0.5)
    resumed.load_state_dict(opt.state_dict())
    assert resumed.param_groups[0]["lr"] == 0.1 and resumed.state[b]["step"] == 3
    assert resumed.state[b]["exp_avg"] is not opt.state[a]["exp_avg"]
    for _ in range(3):
        a.grad, b.grad = a.detach() ** 3, b.detach() ** 3
        opt.step()
        resumed.step()
    assert torch.equal(a, b)


def test_step_calls_the_closure_and_returns_its_loss():
    """Does step(closure) evaluate the closure with gradients and return its loss?"""
    w = torch.tensor([3.0], requires_grad=True)
    opt = NumpyOptimizer([w], sgd_rule, lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w**2).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 9.0
    assert w.item() == pytest.approx(1.5)


@pytest.mark.parametrize("groups, defaults, match", [
    ([{"params": None, "lr": 0.1, "nesterov": True}], {}, "nesterov, which the rule"),
    ([{"params": None}], {}, r"missing a required argument: 'lr'"),
])
def test_hyperparameters_the_rule_does_not_take_are_refused(groups, defaults, match):
    """Are a group key the rule does not accept, and a missing required one, TypeErrors?"""
    for g in groups:
        g["params"] = [torch.zeros(2, requires_grad=True)]
    with pytest.raises(TypeError, match=match):
        NumpyOptimizer(groups, sgd_rule, **defaults)


def test_rule_with_kwargs_accepts_any_hyperparameter():
    """Does a rule taking **kwargs receive every group entry but torch's own keys?"""
    seen = {}

    def rule(param, grad, state, **hyper):
        seen.update(hyper)
        return param - hyper["lr"] * grad

    w = torch.zeros(2, requires_grad=True)
    opt = NumpyOptimizer([("w", w)], rule, lr=1.0, anything="goes")  # param_names too
    torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 0.5)
    w.grad = torch.ones(2)
    opt.step()
    assert seen == {"lr": 0.5, "anything": "goes"}


@pytest.mark.parametrize("result, exc, match", [
    (lambda p: p[:1], ValueError, r"shape \(1,\) for a parameter of shape \(2,\)"),
    (lambda p: torch.as_tensor(p), TypeError, "NumPy array, got Tensor"),
    (lambda p: list(p), TypeError, "NumPy array, got list"),
])
def test_malformed_rule_results_are_explained(result, exc, match):
    """Is a new parameter of the wrong shape or type a clear error?"""
    w = torch.zeros(2, requires_grad=True)
    opt = NumpyOptimizer([w], lambda param, grad, state, *, lr: result(param), lr=0.1)
    w.grad = torch.ones(2)
    with pytest.raises(exc, match=match):
        opt.step()


def test_train_with_numpy_optimizer_gives_torchs_history():
    """Does train() with NumpyOptimizer(sgd_rule) record the History torch.optim.SGD does?"""
    X, y = make_blobs(200, centers=3, std=0.8, seed=0)
    histories = []
    for factory in (lambda p: NumpyOptimizer(p, sgd_rule, lr=0.1, momentum=0.9),
                    lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)):
        torch.manual_seed(0)
        model = torch.nn.Linear(2, 3).double()
        histories.append(train(model, (X[:150], y[:150]), epochs=3, batch_size=32,
                               optimizer=factory, val_data=(X[150:], y[150:]), progress=False))
    ours, theirs = histories
    for field in ("loss", "acc", "val_loss", "val_acc", "steps"):
        assert getattr(ours, field) == pytest.approx(getattr(theirs, field), rel=1e-10)


# --- numpy_penalty -------------------------------------------------------------------------


def _mlp():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Tanh(),
                               torch.nn.Linear(5, 3)).double()


def test_numpy_penalty_value_and_gradient_equal_autograd():
    """Do numpy_penalty's value and p.grad equal autograd of the same penalty in torch?"""
    ours, ref = _mlp(), _mlp()
    x, y = _x(7, 4, requires_grad=False), torch.tensor([0, 1, 2, 0, 1, 2, 0])
    ce = torch.nn.functional.cross_entropy
    loss = ce(ours(x), y) + numpy_penalty(weight_penalty, ours, l2=1e-2, l1=3e-3)
    penalty = sum(1e-2 / 2 * (p**2).sum() + 3e-3 * p.abs().sum()
                  for p in ref.parameters() if p.ndim >= 2)
    expected = ce(ref(x), y) + penalty
    loss.backward()
    expected.backward()
    assert loss.dtype == torch.float64
    assert loss.item() == pytest.approx(expected.item(), rel=1e-12)
    for (name, p), q in zip(ours.named_parameters(), ref.parameters()):
        torch.testing.assert_close(p.grad, q.grad, rtol=1e-12, atol=1e-14, msg=name)


def test_numpy_penalty_trains_through_train():
    """Does a loss_fn adding numpy_penalty give the History of the torch penalty?"""
    X, y = make_blobs(120, centers=3, seed=1)
    ce = torch.nn.functional.cross_entropy
    penalties = {"numpy": lambda m: numpy_penalty(weight_penalty, m, l2=0.1),
                 "torch": lambda m: 0.05 * (m.weight**2).sum()}
    steps = {}
    for name, penalty in penalties.items():
        torch.manual_seed(2)
        model = torch.nn.Linear(2, 3).double()
        loss_fn = lambda out, t, m=model, pen=penalty: ce(out, t) + pen(m)  # noqa: E731
        steps[name] = train(model, (X, y), epochs=3, lr=0.1, loss_fn=loss_fn,
                            progress=False).steps
    assert steps["numpy"] == pytest.approx(steps["torch"], rel=1e-10)


def test_numpy_penalty_sees_frozen_parameters_but_does_not_train_them():
    """Is a parameter with requires_grad=False passed to the penalty, left without grad?"""
    model = _mlp()
    model[0].weight.requires_grad_(False)
    seen = []

    def penalty(params, *, l2):
        seen.append(sorted(params))
        return weight_penalty(params, l2=l2)

    numpy_penalty(penalty, model, l2=1.0).backward()
    assert seen == [sorted(n for n, _ in model.named_parameters())]
    assert model[0].weight.grad is None
    torch.testing.assert_close(model[2].weight.grad, model[2].weight.detach())


@pytest.mark.parametrize("fn, match", [
    (lambda params: 0.0, r"must return a pair \(value, grads\)"),
    (lambda params: (0.0, {"0.weight": params["0.weight"]}), "one entry per parameter"),
    (lambda params: (0.0, {n: np.zeros(1) for n in params}), r"grads\['0.weight'\] .*shape"),
])
def test_malformed_penalties_are_explained(fn, match):
    """Are a missing pair, missing keys and wrong shapes clear errors?"""
    with pytest.raises((TypeError, ValueError), match=match):
        numpy_penalty(fn, _mlp())


# --- student_or_reference ------------------------------------------------------------------


def _not_done():
    raise NotImplementedError


def test_student_result_is_used_when_done(capsys):
    """Is the student's result returned, the reference not called, nothing printed?"""
    assert student_or_reference("adam", lambda: 1, _not_done) == 1
    assert capsys.readouterr().out == ""


def test_stub_falls_back_with_one_line(capsys):
    """Does a NotImplementedError print exactly one line and return the reference?"""
    assert student_or_reference("adam", _not_done, lambda: 2) == 2
    assert capsys.readouterr().out == (
        "adam is not done yet: this cell uses PyTorch's reference instead.\n")
    student_or_reference("dropout", _not_done, lambda: 2, what="torch.nn.Dropout")
    assert capsys.readouterr().out == (
        "dropout is not done yet: this cell uses torch.nn.Dropout instead.\n")


def test_other_errors_are_not_hidden(capsys):
    """Does any other exception propagate, without falling back or printing?"""
    def wrong():
        raise ValueError("shapes do not match")

    with pytest.raises(ValueError, match="shapes do not match"):
        student_or_reference("adam", wrong, lambda: pytest.fail("reference was called"))
    assert capsys.readouterr().out == ""


def test_bridge_names_are_exported_by_the_package():
    """Does `course_utils.<name>` give each of bridge's public names?"""
    bridge = importlib.import_module("course_utils.bridge")
    for name in bridge.__all__:
        assert getattr(course_utils, name) is getattr(bridge, name)
