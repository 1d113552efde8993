"""Checks of 03-activations: collapsing linear layers, activation functions, dead ReLUs.

One module per exercise, named after its grade id, and ``shared.py`` for what they share;
``grader.checks`` imports them all. The activation exercises are groups of functions, which the
notebook collects in a tuple named after the exercise and the grade cell passes.
"""
