"""Variants of 06-regularization, one module per exercise."""
