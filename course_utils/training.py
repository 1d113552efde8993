"""A plain mini-batch training loop, and the history it records.

:func:`train` is deliberately the textbook loop (shuffle, forward, loss, backward, step),
so the notebooks can swap the optimiser or the loss and compare curves; it is not a
framework. Data is a pair ``(X, y)`` of NumPy arrays or tensors with ``X`` of shape
(N, ...) and ``y`` of shape (N,) (integer class labels) or (N, ...) (real targets).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import torch
from torch import Tensor
from torch.nn import Parameter
from tqdm.auto import tqdm

__all__ = ["History", "train", "evaluate"]

ArrayLike = Tensor | np.ndarray
Data = tuple[ArrayLike, ArrayLike]
LossFn = Callable[[Tensor, Tensor], Tensor]
OptimizerFactory = Callable[[Iterable[Parameter]], torch.optim.Optimizer]
SchedulerFactory = Callable[[torch.optim.Optimizer], Any]


class Stopper(Protocol):
    """What ``train(..., early_stopping=...)`` calls once per epoch."""

    def step(self, val_loss: float, model: torch.nn.Module) -> bool: ...


_OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop")
_METRICS = {"loss": "min", "acc": "max", "val_loss": "min", "val_acc": "max"}


@dataclass
class History:
    """What :func:`train` recorded. Epoch lists have one entry per completed epoch.

    Attributes:
        loss: mean training loss over each epoch's mini-batches (weighted by batch size).
        acc: training accuracy over each epoch; NaN when targets are not class labels.
        val_loss: validation loss after each epoch; empty without validation data.
        val_acc: validation accuracy after each epoch; empty without validation data.
        steps: training loss of every mini-batch, length K (number of steps).
    """

    loss: list[float] = field(default_factory=list)
    acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    steps: list[float] = field(default_factory=list)

    def best_epoch(self, metric: str = "val_loss") -> int:
        """Index (0-based) of the best epoch: lowest for a loss, highest for an accuracy.

        NaN entries are skipped. Raises ValueError for an unknown metric or one that was
        never recorded.
        """
        if metric not in _METRICS:
            raise ValueError(f"metric must be one of {sorted(_METRICS)}, got {metric!r}")
        values = np.asarray(getattr(self, metric), dtype=np.float64)
        if values.size == 0 or np.all(np.isnan(values)):
            hint = "; pass val_data to train()" if metric.startswith("val_") else ""
            raise ValueError(f"no {metric} values were recorded{hint}")
        pick = np.nanargmin if _METRICS[metric] == "min" else np.nanargmax
        return int(pick(values))


def _check_positive_int(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value!r}")


def _model_device_dtype(model: torch.nn.Module) -> tuple[torch.device, torch.dtype]:
    for p in model.parameters():
        return p.device, p.dtype
    return torch.device("cpu"), torch.get_default_dtype()


def _as_tensors(data: Any, dtype: torch.dtype, name: str) -> tuple[Tensor, Tensor]:
    # Floating inputs/targets take the model's dtype (so float64 NumPy data meets a float32
    # model); integer targets become int64, the class-label dtype cross-entropy expects.
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(f"{name} must be a pair (X, y), got {type(data).__name__}")
    X, y = (torch.as_tensor(np.ascontiguousarray(a)) if isinstance(a, np.ndarray) else a
            for a in data)
    if not isinstance(X, Tensor) or not isinstance(y, Tensor):
        raise TypeError(f"{name} must hold NumPy arrays or tensors")
    if len(X) != len(y):
        raise ValueError(f"{name}: X and y must have the same length, got {len(X)} and {len(y)}")
    if len(X) == 0:
        raise ValueError(f"{name} is empty")
    if X.is_floating_point():
        X = X.to(dtype)
    if y.is_floating_point():
        y = y.to(dtype)
    elif y.dtype != torch.bool:
        y = y.long()
    return X, y


def _is_class_labels(y: Tensor) -> bool:
    return not y.is_floating_point() and not y.is_complex() and y.dtype != torch.bool


def _n_correct(out: Tensor, y: Tensor) -> int:
    # (N, C) scores -> argmax; a single logit per example, (N,) or (N, 1), -> sign.
    if out.ndim >= 2 and out.shape[1] > 1:
        pred = out.argmax(dim=1)
    else:
        pred = (out.reshape(len(out)) > 0).long()
    return int((pred == y.reshape(pred.shape)).sum())


def _default_loss(out: Tensor, y: Tensor) -> Tensor:
    return torch.nn.functional.cross_entropy(out, y)


def _make_optimizer(
    model: torch.nn.Module,
    optimizer: str | OptimizerFactory,
    lr: float,
    momentum: float,
    weight_decay: float,
) -> torch.optim.Optimizer:
    params = model.parameters()
    if callable(optimizer):
        if momentum != 0.0 or weight_decay != 0.0:
            raise ValueError(
                "momentum and weight_decay only apply to a named optimizer; with a factory, "
                "set them inside it, e.g. lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)"
            )
        return optimizer(params)
    name = optimizer.lower() if isinstance(optimizer, str) else optimizer
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name in ("adam", "adamw"):
        if momentum != 0.0:
            raise ValueError(
                f"momentum={momentum} does not apply to {name}; its momentum is betas[0]. "
                "Pass a factory such as lambda p: torch.optim.Adam(p, betas=(0.8, 0.999))"
            )
        cls = torch.optim.Adam if name == "adam" else torch.optim.AdamW
        return cls(params, lr=lr, weight_decay=weight_decay)
    raise ValueError(
        f"optimizer must be one of {_OPTIMIZERS} or a callable params -> Optimizer, "
        f"got {optimizer!r}"
    )


def train(
    model: torch.nn.Module,
    data: Data,
    *,
    epochs: int,
    lr: float = 1e-2,
    batch_size: int = 64,
    optimizer: str | OptimizerFactory = "sgd",
    momentum: float = 0.0,
    weight_decay: float = 0.0,
    loss_fn: LossFn | None = None,
    val_data: Data | None = None,
    early_stopping: Stopper | None = None,
    scheduler: SchedulerFactory | None = None,
    seed: int = 0,
    progress: bool = True,
    device: torch.device | None = None,
) -> History:
    """Train ``model`` in place with mini-batches and return the recorded :class:`History`.

    Each epoch visits the N examples in a fresh random order drawn from a
    ``torch.Generator`` seeded with ``seed`` (so two calls with the same seed and the same
    initial model see the same batches); the last batch may be smaller.
    If a loss becomes NaN or infinite, training records it, warns and stops.

    Args:
        model: maps a batch (B, ...) of inputs to outputs, e.g. (B, C) class scores.
        data: ``(X, y)`` with ``X`` (N, ...) and ``y`` (N,) int class labels or (N, ...)
            real targets; NumPy arrays or tensors. Floating arrays are cast to the
            model's dtype, integer labels to int64.
        epochs: number of passes over the data.
        lr: learning rate of a named optimizer (ignored by a factory).
        batch_size: examples per step, B.
        optimizer: ``"sgd"``, ``"adam"``, ``"adamw"``, ``"rmsprop"``, or a callable
            ``params -> torch.optim.Optimizer`` (then ``lr`` is ignored and ``momentum``
            and ``weight_decay`` must stay 0).
        momentum: momentum of SGD / RMSprop.
        weight_decay: L2 penalty coefficient passed to the optimizer.
        loss_fn: ``loss_fn(out, y) -> scalar`` mean loss over the batch; default
            :func:`torch.nn.functional.cross_entropy` (``out`` (B, C), ``y`` (B,) int).
        val_data: optional ``(X_val, y_val)``, evaluated after every epoch.
        early_stopping: optional object with ``.step(val_loss, model) -> bool``, called
            after each epoch's validation with that epoch's validation loss (a float)
            and the model; when it returns True, training stops after that epoch.
            Needs ``val_data``. ``train`` restores nothing: the model keeps the last
            epoch's weights, so call e.g. ``stopper.restore(model)`` afterwards.
        scheduler: optional callable ``optimizer -> scheduler`` (e.g.
            ``lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, f)``); the scheduler's
            ``step()`` is called after every optimiser step, so its ``t`` counts steps,
            not epochs.
        seed: seed of the shuffling.
        progress: show a tqdm bar over epochs with the latest metrics.
        device: where to train; the model is moved there. Default: the model's device.

    Returns:
        A :class:`History`. Accuracy is argmax accuracy (sign of the logit for a single
        output) when ``y`` holds integer class labels, NaN otherwise.
    """
    _check_positive_int("epochs", epochs)
    _check_positive_int("batch_size", batch_size)
    if not lr > 0:
        raise ValueError(f"Invalid learning rate: {lr}; it must be positive")
    if not momentum >= 0:
        raise ValueError(f"Invalid momentum value: {momentum}; it must be >= 0")
    if not weight_decay >= 0:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}; it must be >= 0")
    if next(model.parameters(), None) is None:
        raise ValueError("model has no parameters to train")
    if early_stopping is not None:
        if val_data is None:
            raise ValueError("early_stopping needs val_data: it is called with each "
                             "epoch's validation loss; pass val_data=(X_val, y_val)")
        if not callable(getattr(early_stopping, "step", None)):
            raise TypeError("early_stopping must have a method step(val_loss, model) -> "
                            f"bool, got {type(early_stopping).__name__}")

    if device is not None:
        model.to(device)
    device, dtype = _model_device_dtype(model)
    X, y = _as_tensors(data, dtype, "data")
    # Converted once here so a malformed val_data fails before any training is done.
    val = None if val_data is None else _as_tensors(val_data, dtype, "val_data")
    loss_fn = _default_loss if loss_fn is None else loss_fn
    classify = _is_class_labels(y)
    opt = _make_optimizer(model, optimizer, lr, momentum, weight_decay)
    sched = None if scheduler is None else scheduler(opt)
    if scheduler is not None and not callable(getattr(sched, "step", None)):
        raise TypeError("scheduler must be a callable optimizer -> scheduler with a step() method, "
                        f"got one that returned {type(sched).__name__}")
    gen = torch.Generator().manual_seed(seed)
    n = len(X)

    history = History()
    model.train()
    bar = tqdm(range(epochs), desc="train", unit="epoch", disable=not progress)
    try:
        for epoch in bar:
            total_loss, correct, seen = 0.0, 0, 0
            diverged = stop = False
            for idx in torch.randperm(n, generator=gen).split(int(batch_size)):
                xb, yb = X[idx].to(device), y[idx].to(device)
                out = model(xb)
                loss = loss_fn(out, yb)
                value = float(loss.item())
                history.steps.append(value)
                total_loss += value * len(idx)
                seen += len(idx)
                if classify:
                    correct += _n_correct(out.detach(), yb)
                if not math.isfinite(value):
                    diverged = True
                    break
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                if sched is not None:
                    sched.step()

            history.loss.append(total_loss / seen)
            history.acc.append(correct / seen if classify else math.nan)
            postfix = {"loss": history.loss[-1], "acc": history.acc[-1]}
            if val is not None:
                vl, va = evaluate(model, val, loss_fn=loss_fn,
                                  batch_size=max(512, batch_size))
                history.val_loss.append(vl)
                history.val_acc.append(va)
                postfix.update(val_loss=vl, val_acc=va)
                if early_stopping is not None:
                    stop = bool(early_stopping.step(vl, model))
            bar.set_postfix({k: f"{v:.4g}" for k, v in postfix.items()})
            if diverged:
                warnings.warn(
                    f"loss became {history.steps[-1]} at epoch {epoch}, step "
                    f"{len(history.steps) - 1}; stopped training. Try a smaller lr "
                    f"(got {lr}) or check the data for NaNs.",
                    RuntimeWarning,
                    stacklevel=2,
                )
                break
            if stop:
                break
    finally:
        bar.close()
    return history


def evaluate(
    model: torch.nn.Module,
    data: Data,
    *,
    loss_fn: LossFn | None = None,
    batch_size: int = 512,
) -> tuple[float, float]:
    """Mean loss and accuracy of ``model`` on ``data``, in eval mode without gradients.

    The model's train/eval mode is restored afterwards.

    Args:
        model: maps (B, ...) inputs to outputs, e.g. (B, C) class scores.
        data: ``(X, y)``, ``X`` (N, ...), ``y`` (N,) int class labels or (N, ...) targets.
        loss_fn: ``loss_fn(out, y) -> scalar`` batch-mean loss; default cross-entropy.
        batch_size: examples per forward pass (affects memory only).

    Returns:
        ``(loss, acc)``: the loss averaged over the N examples, and the accuracy
        (NaN when ``y`` is not integer class labels).
    """
    _check_positive_int("batch_size", batch_size)
    device, dtype = _model_device_dtype(model)
    X, y = _as_tensors(data, dtype, "data")
    loss_fn = _default_loss if loss_fn is None else loss_fn
    classify = _is_class_labels(y)
    was_training = model.training
    model.eval()
    total_loss, correct = 0.0, 0
    try:
        with torch.no_grad():
            for start in range(0, len(X), int(batch_size)):
                xb = X[start:start + batch_size].to(device)
                yb = y[start:start + batch_size].to(device)
                out = model(xb)
                total_loss += float(loss_fn(out, yb)) * len(xb)
                if classify:
                    correct += _n_correct(out, yb)
    finally:
        model.train(was_training)
    n = len(X)
    return total_loss / n, (correct / n if classify else math.nan)
