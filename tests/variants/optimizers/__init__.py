"""Variants of 07-optimizers, one module per exercise."""
