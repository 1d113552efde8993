"""Variants of 02-preprocessing, one module per exercise."""
