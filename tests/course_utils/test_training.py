"""Tests for course_utils.training."""

import math

import numpy as np
import pytest
import torch

from course_utils.data import make_blobs
from course_utils.training import History, evaluate, train


@pytest.fixture
def blobs():
    """Three well-separated blobs, (300, 2) float64 and (300,) int64."""
    return make_blobs(300, centers=3, std=0.6, seed=0)


def _linear(seed=0, d=2, c=3):
    torch.manual_seed(seed)
    return torch.nn.Linear(d, c)


def test_linear_model_learns_separable_blobs(blobs):
    """Does a linear classifier reach > 95% accuracy on separable blobs in 5 epochs?"""
    history = train(_linear(), blobs, epochs=5, lr=0.1, batch_size=32, progress=False)
    assert history.acc[-1] > 0.95
    assert history.loss[-1] < history.loss[0]


def test_history_has_one_entry_per_epoch_and_step(blobs):
    """Are epoch lists length `epochs`, steps length epochs * ceil(N / B), val filled?"""
    X, y = blobs
    h = train(_linear(), (X[:250], y[:250]), epochs=3, batch_size=64,
              val_data=(X[250:], y[250:]), progress=False)
    assert len(h.loss) == len(h.acc) == len(h.val_loss) == len(h.val_acc) == 3
    assert len(h.steps) == 3 * math.ceil(250 / 64)
    h2 = train(_linear(), blobs, epochs=2, progress=False)
    assert h2.val_loss == [] and h2.val_acc == []


def test_training_is_repeatable_for_a_seed(blobs):
    """Do the same seed and initial model give the same per-step losses?"""
    a = train(_linear(), blobs, epochs=2, seed=1, progress=False).steps
    b = train(_linear(), blobs, epochs=2, seed=1, progress=False).steps
    c = train(_linear(), blobs, epochs=2, seed=2, progress=False).steps
    assert a == b and a != c


def test_training_stops_early_on_nan_loss(blobs):
    """With a huge lr, does train warn, record the non-finite loss and stop early?"""
    with pytest.warns(RuntimeWarning, match="smaller lr"):
        h = train(_linear(), blobs, epochs=50, lr=1e38, progress=False)
    assert len(h.loss) < 50
    assert not math.isfinite(h.steps[-1])
    assert len(h.loss) == len(h.acc)


def test_regression_targets_give_nan_accuracy():
    """With real-valued targets and MSE, is accuracy NaN and the loss decreasing?"""
    torch.manual_seed(0)
    X = torch.randn(200, 3)
    y = X @ torch.tensor([[1.0], [-2.0], [0.5]])
    model = torch.nn.Linear(3, 1)
    h = train(model, (X, y), epochs=20, lr=0.05, loss_fn=torch.nn.functional.mse_loss,
              progress=False)
    assert all(math.isnan(a) for a in h.acc)
    assert h.loss[-1] < 0.01 * h.loss[0]


@pytest.mark.parametrize("optimizer", ["adam", "adamw", "rmsprop",
                                       lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)])
def test_other_optimizers_also_learn(blobs, optimizer):
    """Do the named optimizers and an optimizer factory all train the model?"""
    h = train(_linear(), blobs, epochs=5, lr=0.05, optimizer=optimizer, progress=False)
    assert h.acc[-1] > 0.9


def test_weight_decay_shrinks_weights(blobs):
    """Does weight_decay give smaller weights than no decay?"""
    plain, decayed = _linear(), _linear()
    train(plain, blobs, epochs=5, lr=0.1, progress=False)
    train(decayed, blobs, epochs=5, lr=0.1, weight_decay=0.5, progress=False)
    assert decayed.weight.norm() < plain.weight.norm()


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"epochs": 0}, ValueError, "epochs"),
    ({"epochs": 1, "batch_size": 0}, ValueError, "batch_size"),
    ({"epochs": 1, "lr": -1.0}, ValueError, "learning rate"),
    ({"epochs": 1, "optimizer": "lbfgs"}, ValueError, "sgd"),
    ({"epochs": 1, "optimizer": "adam", "momentum": 0.9}, ValueError, "betas"),
    ({"epochs": 1, "optimizer": lambda p: torch.optim.SGD(p, lr=0.1), "momentum": 0.9},
     ValueError, "factory"),
])
def test_train_rejects_bad_arguments(blobs, kwargs, exc, match):
    """Are invalid options rejected up front with a message naming them?"""
    with pytest.raises(exc, match=match):
        train(_linear(), blobs, progress=False, **kwargs)


def test_train_rejects_mismatched_data():
    """Is X and y of different lengths a ValueError giving both lengths?"""
    with pytest.raises(ValueError, match="10 and 9"):
        train(_linear(), (np.zeros((10, 2)), np.zeros(9, dtype=int)), epochs=1,
              progress=False)


def test_progress_bar_can_be_switched_off(blobs, capsys):
    """Does progress=False print nothing, and progress=True draw a bar?"""
    train(_linear(), blobs, epochs=1, progress=False)
    assert capsys.readouterr().err == ""
    train(_linear(), blobs, epochs=1, progress=True)
    assert "loss=" in capsys.readouterr().err


def test_evaluate_returns_loss_and_accuracy_of_a_known_model():
    """On a hand-built classifier, are loss and accuracy the expected values?"""
    model = torch.nn.Linear(1, 2, bias=False)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[-1.0], [1.0]]))  # predicts class 1 iff x > 0
    X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    y = np.array([0, 0, 1, 0])
    loss, acc = evaluate(model, (X, y), batch_size=3)
    assert acc == pytest.approx(0.75)
    logits = torch.tensor(X, dtype=torch.float32) @ model.weight.T
    expected = torch.nn.functional.cross_entropy(logits, torch.tensor(y)).item()
    assert loss == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("mode", [True, False])
def test_evaluate_restores_train_eval_mode(blobs, mode):
    """Is the model left in the train/eval mode it was in, while eval mode is used inside?"""
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Dropout(p=0.9))
    model.train(mode)
    seen = []
    model.register_forward_hook(lambda m, i, o: seen.append(m.training))
    evaluate(model, blobs)
    assert model.training is mode and model[1].training is mode
    assert seen and not any(seen)


def test_evaluate_single_logit_uses_sign():
    """For one output per example and 0/1 labels, is accuracy the sign agreement?"""
    model = torch.nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        model.weight.fill_(1.0)
    X = torch.tensor([[-1.0], [2.0], [3.0]])
    y = torch.tensor([0, 1, 0])
    bce = lambda out, t: torch.nn.functional.binary_cross_entropy_with_logits(  # noqa: E731
        out.squeeze(1), t.float())
    assert evaluate(model, (X, y), loss_fn=bce)[1] == pytest.approx(2 / 3)


def test_best_epoch_picks_min_loss_and_max_accuracy():
    """Does best_epoch take the argmin for losses, argmax for accuracies, skipping NaN?"""
    h = History(loss=[3.0, 1.0, 2.0], acc=[0.1, 0.5, 0.4],
                val_loss=[2.0, float("nan"), 1.5], val_acc=[0.2, 0.9, 0.3])
    assert h.best_epoch() == 2
    assert h.best_epoch("loss") == 1
    assert h.best_epoch("val_acc") == 1


def test_best_epoch_errors_are_explained():
    """Are an unknown metric and a missing validation history ValueErrors with hints?"""
    h = History(loss=[1.0], acc=[0.5])
    with pytest.raises(ValueError, match="val_data"):
        h.best_epoch()
    with pytest.raises(ValueError, match="metric"):
        h.best_epoch("accuracy")


def test_malformed_val_data_fails_before_training(blobs):
    """Is a bad val_data reported by name before any epoch runs?"""
    model = _linear()
    before = model.weight.detach().clone()
    with pytest.raises(ValueError, match="val_data"):
        train(model, blobs, epochs=1, val_data=(np.zeros((5, 2)), np.zeros(4, dtype=int)),
              progress=False)
    assert torch.equal(model.weight, before)


class _StopAt:
    """A stopper returning True at its `stop_at`-th call, recording what it was given."""

    def __init__(self, stop_at):
        self.stop_at, self.losses, self.models, self.weights = stop_at, [], [], []

    def step(self, val_loss, model):
        self.losses.append(val_loss)
        self.models.append(model)
        self.weights.append(model.weight.detach().clone())
        return len(self.losses) == self.stop_at


def test_early_stopping_stops_after_the_epoch_it_returns_true(blobs):
    """Is step(val_loss, model) called once per epoch with that epoch's validation loss,
    training stopped right after the call returning True, and nothing restored?"""
    X, y = blobs
    model, stopper = _linear(), _StopAt(3)
    h = train(model, (X[:250], y[:250]), epochs=10, val_data=(X[250:], y[250:]),
              early_stopping=stopper, progress=False)
    assert len(h.loss) == len(h.val_loss) == 3
    assert stopper.losses == h.val_loss and all(type(v) is float for v in stopper.losses)
    assert all(m is model for m in stopper.models)
    assert torch.equal(model.weight, stopper.weights[-1])


def test_early_stopping_that_never_fires_runs_every_epoch(blobs):
    """Does a stopper returning False (or None) let all epochs run?"""
    X, y = blobs
    stopper = _StopAt(0)
    h = train(_linear(), blobs, epochs=4, val_data=(X[:50], y[:50]), early_stopping=stopper,
              progress=False)
    assert len(h.loss) == len(stopper.losses) == 4


def test_early_stopping_needs_val_data_and_a_step_method(blobs):
    """Is early_stopping without val_data a ValueError saying so, and an object without
    step a TypeError, both before any training?"""
    model = _linear()
    before = model.weight.detach().clone()
    with pytest.raises(ValueError, match="early_stopping needs val_data"):
        train(model, blobs, epochs=1, early_stopping=_StopAt(1), progress=False)
    with pytest.raises(TypeError, match=r"step\(val_loss, model\)"):
        train(model, blobs, epochs=1, val_data=blobs, early_stopping=object(), progress=False)
    assert torch.equal(model.weight, before)


def test_scheduler_steps_after_every_optimiser_step(blobs):
    """Does train call the scheduler's step() once per optimiser step, so that a LambdaLR sees the step
    count: the same parameters as a hand-written loop that sets each step's learning rate itself?"""
    X, y = blobs
    schedule = lambda t: 1.0 / (1.0 + 0.1 * t)  # noqa: E731
    model = _linear()
    lrs = []

    def factory(opt):
        sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule)
        step = sched.step

        def recorded():
            step()
            lrs.append(opt.param_groups[0]["lr"])
        sched.step = recorded
        return sched

    train(model, blobs, epochs=2, lr=0.5, batch_size=100, scheduler=factory, progress=False)
    assert lrs == pytest.approx([0.5 * schedule(t) for t in range(1, 7)])

    by_hand = _linear()
    opt = torch.optim.SGD(by_hand.parameters(), lr=0.5)
    gen = torch.Generator().manual_seed(0)
    Xt, yt = torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y)
    t = 0
    for _ in range(2):
        for idx in torch.randperm(len(Xt), generator=gen).split(100):
            opt.param_groups[0]["lr"] = 0.5 * schedule(t)
            opt.zero_grad()
            torch.nn.functional.cross_entropy(by_hand(Xt[idx]), yt[idx]).backward()
            opt.step()
            t += 1
    assert torch.allclose(model.weight, by_hand.weight, atol=1e-6)


def test_scheduler_must_build_something_with_step(blobs):
    """Is a scheduler factory that returns something without step() a TypeError before training?"""
    model = _linear()
    before = model.weight.detach().clone()
    with pytest.raises(TypeError, match="scheduler must be a callable optimizer -> scheduler"):
        train(model, blobs, epochs=1, scheduler=lambda opt: None, progress=False)
    assert torch.equal(model.weight, before)
