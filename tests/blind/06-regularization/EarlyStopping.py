import copy, math, random
import numpy as np
import torch
from tests.variants import buggy, correct

ID = "06-regularization/EarlyStopping"


@buggy(ID, "[8] saves model.state_dict() (references, not copies)")
class EarlyStopping:
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.count, self.epoch, self.saved = math.inf, -1, 0, -1, None

    def step(self, val_loss, model):
        self.epoch += 1
        if self.epoch == 0 or val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.count = float(val_loss), self.epoch, 0
            self.saved = model.state_dict()
        else:
            self.count += 1
        return self.count >= self.patience

    def restore(self, model):
        model.load_state_dict(self.saved)


@buggy(ID, "[8] dict(state_dict()) shallow copy: tensors still shared")
class EarlyStopping:
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.count, self.epoch, self.saved = math.inf, -1, 0, -1, None

    def step(self, val_loss, model):
        self.epoch += 1
        if self.epoch == 0 or val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.count = float(val_loss), self.epoch, 0
            self.saved = dict(model.state_dict())
        else:
            self.count += 1
        return self.count >= self.patience

    def restore(self, model):
        model.load_state_dict(self.saved)


@buggy(ID, "[8] saves only parameters (named_parameters clones), BatchNorm buffers not saved; restore with strict=False")
class EarlyStopping:
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.count, self.epoch, self.saved = math.inf, -1, 0, -1, None

    def step(self, val_loss, model):
        self.epoch += 1
        if self.epoch == 0 or val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.count = float(val_loss), self.epoch, 0
            self.saved = {k: p.detach().clone() for k, p in model.named_parameters()}
        else:
            self.count += 1
        return self.count >= self.patience

    def restore(self, model):
        model.load_state_dict(self.saved, strict=False)


@buggy(ID, "[7] first call compared with inf: an inf first loss is not an improvement (best_epoch stays -1 / 0?)")
class EarlyStopping:
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.count, self.epoch, self.saved = math.inf, 0, 0, -1, None

    def step(self, val_loss, model):
        self.epoch += 1
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.count = float(val_loss), self.epoch, 0
            self.saved = copy.deepcopy(model.state_dict())
        else:
            self.count += 1
        return self.count >= self.patience

    def restore(self, model):
        model.load_state_dict(self.saved)


@buggy(ID, "[7] NaN counted as improvement: written as not (val_loss >= best - min_delta)")
class EarlyStopping:
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.count, self.epoch, self.saved = math.inf, -1, 0, -1, None

    def step(self, val_loss, model):
        self.epoch += 1
        if self.epoch == 0 or not (val_loss >= self.best_loss - self.min_delta):
            self.best_loss, self.best_epoch, self.count = float(val_loss), self.epoch, 0
            self.saved = copy.deepcopy(model.state_dict())
        else:
            self.count += 1
        return self.count >= self.patience

    def restore(self, model):
        model.load_state_dict(self.saved)


@buggy(ID, "[7] patience off by one (count > patience)")
class EarlyStopping:
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
        return self.count > self.patience

    def restore(self, model):
        model.load_state_dict(self.saved)




@buggy(ID, "[7] min_delta applied relative (val < best * (1 - min_delta))")
class EarlyStopping:
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.count, self.epoch, self.saved = math.inf, -1, 0, -1, None

    def step(self, val_loss, model):
        self.epoch += 1
        if self.epoch == 0 or val_loss < self.best_loss * (1 - self.min_delta):
            self.best_loss, self.best_epoch, self.count = float(val_loss), self.epoch, 0
            self.saved = copy.deepcopy(model.state_dict())
        else:
            self.count += 1
        return self.count >= self.patience

    def restore(self, model):
        model.load_state_dict(self.saved)


@buggy(ID, "[8] restore loads the saved dict and then keeps aliasing: later in-place steps change the saved copy")
class EarlyStopping:
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
        return self.count >= self.patience

    def restore(self, model):
        for k, v in model.state_dict().items():
            pass
        # assigns the saved tensors as the parameters' .data: the model now shares memory with the copy
        for name, p in model.named_parameters():
            p.data = self.saved[name]
        for name, b in model.named_buffers():
            b.data = self.saved[name]




@correct(ID, "clones every tensor of state_dict, counts epochs from a list of losses")
class EarlyStopping:
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.losses, self.best_epoch, self.best_loss, self.wait, self._w = [], None, None, 0, None

    def step(self, val_loss, model):
        self.losses.append(val_loss)
        first = len(self.losses) == 1
        if first or (val_loss < self.best_loss - self.min_delta):
            self.best_epoch, self.best_loss, self.wait = len(self.losses) - 1, float(val_loss), 0
            self._w = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            self.wait += 1
        return bool(self.wait >= self.patience)

    def restore(self, model):
        model.load_state_dict(self._w)


@correct(ID, "copy.deepcopy, improvement test written with a NaN-safe negation-free form")
class EarlyStopping:
    def __init__(self, patience, min_delta=0.0):
        self.patience = patience
        self.min_delta = min_delta
        self.calls = 0
        self.bad = 0
        self.best_epoch = 0
        self.best_loss = float("nan")
        self.snapshot = None

    def step(self, val_loss, model):
        t = self.calls
        self.calls += 1
        if t == 0 or (self.best_loss - self.min_delta) > val_loss:
            self.best_epoch, self.best_loss, self.bad = t, float(val_loss), 0
            self.snapshot = copy.deepcopy(model.state_dict())
            return False if self.patience > 0 else True
        self.bad += 1
        return self.bad >= self.patience

    def restore(self, model):
        model.load_state_dict(self.snapshot)


@buggy(ID, "[8] first call saves model.state_dict() by reference (deepcopy only on later improvements)")
class EarlyStopping:
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.count, self.epoch, self.saved = math.inf, -1, 0, -1, None

    def step(self, val_loss, model):
        self.epoch += 1
        if self.epoch == 0:
            self.best_loss, self.best_epoch, self.count = float(val_loss), 0, 0
            self.saved = model.state_dict()
        elif val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.count = float(val_loss), self.epoch, 0
            self.saved = copy.deepcopy(model.state_dict())
        else:
            self.count += 1
        return self.count >= self.patience

    def restore(self, model):
        model.load_state_dict(self.saved)


@buggy(ID, "[9] best_epoch counted 1-based (epoch number as printed in a training log)")
class EarlyStopping:
    def __init__(self, patience, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.count, self.epoch, self.saved = math.inf, 0, 0, 0, None

    def step(self, val_loss, model):
        self.epoch += 1
        if self.epoch == 1 or val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.count = float(val_loss), self.epoch, 0
            self.saved = copy.deepcopy(model.state_dict())
        else:
            self.count += 1
        return self.count >= self.patience

    def restore(self, model):
        model.load_state_dict(self.saved)
