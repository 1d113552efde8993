"""Checks of 05-batchnorm: batch, spatial, layer and group normalisation, and a module.

One module per exercise, named after its grade id (``BatchNorm1d``: ``batchnorm1d.py``), and
``shared.py`` for the oracles and the cache contract; ``grader.checks`` imports them all. Checks
of the same computation on another normalisation are subclasses (spatial batch norm of batch
norm, group norm of layer norm, every backward of batch norm's).
"""
