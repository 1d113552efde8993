"""Buggy and correct answers to 06-regularization/EarlyStopping (self-contained: see tests/variants/__init__.py)."""

from __future__ import annotations

import copy
import math

import numpy as np
import torch

from .. import buggy, correct

ES = "06-regularization/EarlyStopping"


@buggy(ES, "saves model.state_dict() without a copy: the saved tensors change with the model", demo=True,
       classes=(8,))
class EarlyStopping:
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.epoch, self.count = None, None, -1, 0
        self.best_state = None

    def step(self, val_loss, model):
        self.epoch += 1
        if self.best_loss is None or val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.count = val_loss, self.epoch, 0
            self.best_state = model.state_dict()
        else:
            self.count += 1
        return self.count >= self.patience

    def restore(self, model):
        model.load_state_dict(self.best_state)


@buggy(ES, "keeps a reference to the model instead of a copy of its weights", classes=(8,))
class EarlyStopping:  # noqa: F811
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.epoch, self.count = None, None, -1, 0

    def step(self, val_loss, model):
        self.epoch += 1
        if self.best_loss is None or val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.count = val_loss, self.epoch, 0
            self.best_model = model
        else:
            self.count += 1
        return self.count >= self.patience

    def restore(self, model):
        model.load_state_dict(self.best_model.state_dict())


@buggy(ES, "a shallow dict(model.state_dict()) copy", classes=(8,))
class EarlyStopping:  # noqa: F811
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.epoch, self.count = None, None, -1, 0

    def step(self, val_loss, model):
        self.epoch += 1
        if self.best_loss is None or val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.count = val_loss, self.epoch, 0
            self.best_state = dict(model.state_dict())
        else:
            self.count += 1
        return self.count >= self.patience

    def restore(self, model):
        model.load_state_dict(self.best_state)


@buggy(ES, "restore assigns the saved tensors as the parameters' data: later steps change the saved copy",
       classes=(8,))
class EarlyStopping:  # noqa: F811
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.epoch, self.count = None, None, -1, 0

    def step(self, val_loss, model):
        self.epoch += 1
        if self.best_loss is None or val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.count = val_loss, self.epoch, 0
            self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            self.count += 1
        return self.count >= self.patience

    def restore(self, model):
        for name, t in [*model.named_parameters(), *model.named_buffers()]:
            t.data = self.best_state[name]


@buggy(ES, "a tie counts as an improvement: <= instead of <", classes=(7,))
class EarlyStopping:  # noqa: F811
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.epoch, self.count = None, None, -1, 0

    def step(self, val_loss, model):
        self.epoch += 1
        if self.best_loss is None or val_loss <= self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.count = val_loss, self.epoch, 0
            self.best_state = copy.deepcopy(model.state_dict())
        else:
            self.count += 1
        return self.count >= self.patience

    def restore(self, model):
        model.load_state_dict(self.best_state)


@buggy(ES, "patience off by one: stops when count > patience", classes=(7,))
class EarlyStopping:  # noqa: F811
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.epoch, self.count = None, None, -1, 0

    def step(self, val_loss, model):
        self.epoch += 1
        if self.best_loss is None or val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.count = val_loss, self.epoch, 0
            self.best_state = copy.deepcopy(model.state_dict())
        else:
            self.count += 1
        return self.count > self.patience

    def restore(self, model):
        model.load_state_dict(self.best_state)


@buggy(ES, "min_delta ignored", classes=(7,))
class EarlyStopping:  # noqa: F811
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.epoch, self.count = None, None, -1, 0

    def step(self, val_loss, model):
        self.epoch += 1
        if self.best_loss is None or val_loss < self.best_loss:
            self.best_loss, self.best_epoch, self.count = val_loss, self.epoch, 0
            self.best_state = copy.deepcopy(model.state_dict())
        else:
            self.count += 1
        return self.count >= self.patience

    def restore(self, model):
        model.load_state_dict(self.best_state)


@buggy(ES, "NaN counted as an improvement: the test is written as 'no improvement if loss >= best - delta'",
       classes=(7,))
class EarlyStopping:  # noqa: F811
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.epoch, self.count = None, None, -1, 0

    def step(self, val_loss, model):
        self.epoch += 1
        if self.best_loss is not None and val_loss >= self.best_loss - self.min_delta:
            self.count += 1
        else:
            self.best_loss, self.best_epoch, self.count = val_loss, self.epoch, 0
            self.best_state = copy.deepcopy(model.state_dict())
        return self.count >= self.patience

    def restore(self, model):
        model.load_state_dict(self.best_state)


@buggy(ES, "best_loss follows every lower loss, not only the improvements", classes=(0,))
class EarlyStopping:  # noqa: F811
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.epoch, self.count = None, None, -1, 0

    def step(self, val_loss, model):
        self.epoch += 1
        if self.best_loss is None or val_loss < self.best_loss - self.min_delta:
            self.best_epoch, self.count = self.epoch, 0
            self.best_state = copy.deepcopy(model.state_dict())
        else:
            self.count += 1
        self.best_loss = val_loss if self.best_loss is None else min(self.best_loss, val_loss)
        return self.count >= self.patience

    def restore(self, model):
        model.load_state_dict(self.best_state)


@buggy(ES, "best_loss starts at inf and the first call is compared with it (a first loss of inf never improves)",
       classes=(7,))
class EarlyStopping:  # noqa: F811
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.epoch, self.count = math.inf, 0, -1, 0
        self.best_state = None

    def step(self, val_loss, model):
        self.epoch += 1
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.count = val_loss, self.epoch, 0
            self.best_state = copy.deepcopy(model.state_dict())
        else:
            self.count += 1
        return self.count >= self.patience

    def restore(self, model):
        if self.best_state is not None:
            model.load_state_dict(self.best_state)


@buggy(ES, "saves and restores the parameters only: BatchNorm's running statistics are not restored", classes=(7,))
class EarlyStopping:  # noqa: F811
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.epoch, self.count = None, None, -1, 0

    def step(self, val_loss, model):
        self.epoch += 1
        if self.best_loss is None or val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.count = val_loss, self.epoch, 0
            self.best_params = {n: p.detach().clone() for n, p in model.named_parameters()}
        else:
            self.count += 1
        return self.count >= self.patience

    def restore(self, model):
        model.load_state_dict(self.best_params, strict=False)


@buggy(ES, "step returns None instead of False while training goes on", classes=(9,))
class EarlyStopping:  # noqa: F811
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.epoch, self.count = None, None, -1, 0

    def step(self, val_loss, model):
        self.epoch += 1
        if self.best_loss is None or val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.count = val_loss, self.epoch, 0
            self.best_state = copy.deepcopy(model.state_dict())
        else:
            self.count += 1
        if self.count >= self.patience:
            return True

    def restore(self, model):
        model.load_state_dict(self.best_state)


@correct(ES, "reference solution")
class EarlyStopping:  # noqa: F811
    """Stop training when the validation loss has not improved for `patience` epochs.

    An epoch improves when val_loss < best_loss - min_delta (the first epoch always
    does; a NaN loss never does); on an improvement a copy of the model's state_dict
    (every tensor cloned) is saved and the count of epochs without improvement is reset.

    Args:
        patience: int >= 1, the number of epochs in a row without improvement after
            which step returns True.
        min_delta: float >= 0, how much a loss must beat best_loss by to count.

    Attributes:
        best_epoch: int, 0-based index of the best call of step.
        best_loss: float, the validation loss of that call.
    """

    def __init__(self, patience, min_delta=0.0):
        ### BEGIN SOLUTION
        self.patience = patience
        self.min_delta = min_delta
        self.best_loss = None
        self.best_epoch = None
        self.best_state = None
        self.epoch = -1
        self.bad_epochs = 0
        ### END SOLUTION

    def step(self, val_loss, model):
        """Record one epoch's validation loss; return True when training should stop."""
        ### BEGIN SOLUTION
        self.epoch += 1
        if self.best_loss is None or val_loss < self.best_loss - self.min_delta:
            self.best_loss = float(val_loss)
            self.best_epoch = self.epoch
            # a copy: model.state_dict() alone shares the model's tensors
            self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            self.bad_epochs = 0
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience
        ### END SOLUTION

    def restore(self, model):
        """Load the weights saved at the best epoch into model."""
        ### BEGIN SOLUTION
        model.load_state_dict(self.best_state)
        ### END SOLUTION


@correct(ES, "a history of losses, cloned tensors, restore by copy_ into the model's own tensors")
class EarlyStopping:  # noqa: F811
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.losses = []

    def step(self, val_loss, model):
        self.losses.append(val_loss)
        e = len(self.losses) - 1
        if e == 0 or val_loss < self.best_loss - self.min_delta:
            self.best_epoch, self.best_loss = e, val_loss
            self.saved = {k: v.detach().clone() for k, v in model.state_dict().items()}
        return e - self.best_epoch >= self.patience

    def restore(self, model):
        with torch.no_grad():
            for k, v in model.state_dict().items():
                v.copy_(self.saved[k])


@correct(ES, "deep copy of the whole model, numpy losses, not-improved counter as a bool test")
class EarlyStopping:  # noqa: F811
    def __init__(self, patience, min_delta=0.0):
        self.patience = int(patience)
        self.min_delta = float(min_delta)
        self.calls = 0
        self.since_best = 0

    def step(self, val_loss, model):
        import copy

        loss = np.float64(val_loss)
        first = self.calls == 0
        if first or bool(np.less(loss, self.best_loss - self.min_delta)):
            self.best_loss, self.best_epoch = loss, self.calls
            self.snapshot = copy.deepcopy(model)
            self.since_best = 0
        else:
            self.since_best += 1
        self.calls += 1
        return bool(self.since_best >= self.patience)

    def restore(self, model):
        model.load_state_dict(self.snapshot.state_dict())


@buggy(ES, "[9] step returns a NumPy bool (np.int64(count) >= patience), not a bool")
class EarlyStopping:  # noqa: F811
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.count, self.epoch, self.saved = math.inf, -1, 0, -1, None

    def step(self, val_loss, model):
        self.epoch += 1
        if self.epoch == 0 or val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.count = float(val_loss), self.epoch, 0
            self.saved = copy.deepcopy(model.state_dict())
        else:
            self.count += 1
        return np.int64(self.count) >= self.patience

    def restore(self, model):
        model.load_state_dict(self.saved)


@buggy(ES, "[7] the first call detected as best_loss == inf: after a first inf, an inf tie and a NaN improve")
class EarlyStopping:  # noqa: F811
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.count, self.epoch, self.saved = math.inf, -1, 0, -1, None

    def step(self, val_loss, model):
        self.epoch += 1
        if self.best_loss == math.inf or val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.count = float(val_loss), self.epoch, 0
            self.saved = copy.deepcopy(model.state_dict())
        else:
            self.count += 1
        return self.count >= self.patience

    def restore(self, model):
        model.load_state_dict(self.saved)


