"""Checks of 07-optimizers: momentum and Nesterov, AdaGrad, RMSProp, Adam and AdamW, learning-rate
schedules and gradient clipping.

One module per exercise, named after its grade id, and ``shared.py`` for the driver that replays an
update rule and ``torch.optim`` side by side; ``grader.checks`` imports them all.
"""
