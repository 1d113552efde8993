"""Variants of 01-sgd, one module per exercise."""
