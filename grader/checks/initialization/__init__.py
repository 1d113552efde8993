"""Checks of 04-initialization: symmetry, fans, Xavier uniform / normal, Kaiming normal.

One module per exercise, named after its grade id, and ``shared.py`` for what they share;
``grader.checks`` imports them all.
"""
