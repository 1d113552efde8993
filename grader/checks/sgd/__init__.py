"""Checks of 01-sgd: line search, stochastic gradient, mini-batches, logistic regression.

One module per exercise, named after its grade id; ``grader.checks`` imports them all.
"""
