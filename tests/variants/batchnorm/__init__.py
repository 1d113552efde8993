"""Variants of 05-batchnorm, one module per exercise."""
