"""Variants of 03-activations, one module per exercise."""
