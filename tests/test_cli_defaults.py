"""The command line takes its defaults from the Python API, so that it grades as the API does."""

from __future__ import annotations

from grader.cli import _limits, _size, build_parser
from grader.sandbox import Limits, parse_size


def test_autograde_limits_default_to_the_apis():
    """Does `autograde` without limit options grade with ``Limits()``, as `make course` does? The
    limits enter the resume fingerprint: any difference would regrade every student."""
    args = build_parser().parse_args(["autograde", "01-sgd"])
    assert _limits(args) == Limits()


def test_sizes_are_shown_as_parse_size_reads_them():
    """Is every size the help shows read back as the same number of bytes?"""
    for n in (2 * 1024**3, 512 * 1024**2, 1_000_000, 1, 3 * 1024):
        assert parse_size(_size(n)) == n
    assert _size(2 * 1024**3) == "2GiB"
