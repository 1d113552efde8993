"""Checks of 02-preprocessing: standardisation, whitening, image normalisation, augmentation, TTA.

One module per exercise, named after its grade id; ``grader.checks`` imports them all. Nothing
depends on one random stream: answers may use the ``rng`` passed in, ``np.random``, ``random`` or
``torch``.
"""
