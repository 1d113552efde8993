"""Variants of 04-initialization, one module per exercise."""
