"""Checks of 06-regularization: weight penalties, max-norm, SGD with L2 or decoupled weight decay,
dropout and early stopping.

One module per exercise, named after its grade id; ``grader.checks`` imports them all.
"""
