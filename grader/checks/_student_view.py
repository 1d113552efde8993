"""What a student sees when a check fails in their notebook: their own code and the check's
message, and nothing of the grader's frames.

IPython renders an exception with its ``_render_traceback_()`` when it has one (and so do
nbgrader's Validate and the feedback, which show the traceback IPython stored). :func:`shorten`
gives the exception leaving :func:`grader.checks.run` such a method:

- a :class:`~grader.checks.base.CheckFailure` (a wrong answer) shows its message only: the
  property, expected and actual values, and the hint;
- when the student's code raised, the check reports it as a failure naming the call and the
  error (:func:`grader.checks.probing.call`), and the frames of that code (their function and
  what it called in the notebook: no grader frame, no library internals) come first;
- any other exception from the student's code (a stub's NotImplementedError, say) shows those
  frames, the exception, and which check was calling it.

Plain strings, no colours: the same text reads well in JupyterLab, in Validate's dialog and in
the feedback HTML.
"""

from __future__ import annotations

import functools
import os
import sysconfig
import traceback
from types import TracebackType

__all__ = ["shorten", "student_frames", "describe_mismatch"]

_GRADER = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@functools.cache
def _not_theirs() -> tuple[str, ...]:
    """The folders whose frames are not the student's: the grader, the course's helpers, the
    standard library and installed packages."""
    import importlib.util

    folders = {_GRADER, *(sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib"))}
    spec = importlib.util.find_spec("course_utils")
    if spec is not None and spec.origin:
        folders.add(os.path.dirname(spec.origin))
    return tuple(os.path.realpath(p) + os.sep for p in folders)


def student_frames(tb: TracebackType | None) -> list[traceback.FrameSummary]:
    """The frames of ``tb`` that run the student's code: notebook cells and their own files."""
    return [f for f in traceback.extract_tb(tb)
            if not os.path.realpath(f.filename).startswith(_not_theirs()) and not f.filename.startswith("<frozen")]


def _their_traceback(err: BaseException) -> list[str]:
    """The frames of the student's code that ``err`` passed through, as IPython would print them."""
    frames = student_frames(err.__traceback__)
    if not frames:
        return []
    return ["Traceback of your code (most recent call last):",
            *(text.rstrip("\n") for text in traceback.format_list(frames))]


def _lines(err: BaseException, exercise_id: str) -> list[str]:
    from .base import CheckFailure

    out = []
    if isinstance(err, CheckFailure):
        # a failure the student's code caused by raising (see probing.call) shows where it raised
        cause = err.__cause__
        if cause is not None and not isinstance(cause, CheckFailure):
            out += _their_traceback(cause)
        return out + [f"{type(err).__name__}: {err}"]
    out += _their_traceback(err)
    text = str(err)
    out.append(f"{type(err).__name__}: {text}" if text else type(err).__name__)
    if isinstance(err, NotImplementedError):
        out.append(f"Not done yet: {exercise_id} (write its body where it says YOUR CODE HERE)")
    else:
        out.append(f"(raised by your code while the check {exercise_id} was calling it)")
    return out


def shorten(err: BaseException, exercise_id: str) -> BaseException:
    """Give ``err`` a ``_render_traceback_`` that shows the student what matters; returns ``err``."""
    lines = _lines(err, exercise_id)
    try:
        err._render_traceback_ = lambda: list(lines)  # type: ignore[attr-defined]
    except (AttributeError, TypeError):  # an exception type without instance attributes
        pass
    return err


#: ratios of actual to expected that name a mistake a student makes, with the words for it
_FACTORS = {-1.0: "exactly the negative of the expected values: is a sign flipped?",
            2.0: "exactly 2 times too large: is a 1/2 missing, or a term counted twice?",
            0.5: "exactly half the expected values: is there an extra 1/2?"}


def describe_mismatch(actual, expected, *, rtol: float, atol: float, sizes: tuple[int, ...] = ()) -> str:
    """How far ``actual`` is from ``expected``, in a student's words: the worst entry, its values,
    the relative error, and a clean factor when every entry is off by the same one (exactly N
    times, 2, -1, 1/2), naming the sizes in ``sizes`` it equals (the batch size, say)."""
    import numpy as np

    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    finite = np.isfinite(e) & np.isfinite(a)
    excess = np.where(finite, np.abs(a - e) - (atol + rtol * np.abs(e)), -np.inf)
    worst = np.unravel_index(int(np.argmax(excess)), e.shape) if e.ndim else ()
    got, want = float(a[worst]), float(e[worst])
    where = f" at index {tuple(int(i) for i in worst)}" if e.ndim else ""
    rel = abs(got - want) / abs(want) if want != 0 else float("inf")
    off = (f"off by {rel:.3g}x its size" if rel >= 10 else f"off by {rel:.2%}" if rel >= 1e-4
           else f"off by {rel:.2g} relative" if np.isfinite(rel) else "where 0 was expected")
    # enough digits that the two values differ where they do (-1e-08 vs -1.0000000050e-08)
    digits = 6 if not np.isfinite(rel) or rel >= 1e-5 else min(17, 2 + int(np.ceil(-np.log10(max(rel, 1e-17)))))
    text = (f"your value{where} is {got:.{digits}g}, expected {want:.{digits}g} "
            f"({off}; the tolerance is {rtol:g} relative + {atol:g})")
    nonzero = finite & (np.abs(e) > max(atol, 1e-12))
    if nonzero.sum() >= 2 or (nonzero.sum() == 1 and a.size == 1):
        ratios = a[nonzero] / e[nonzero]
        ratio = float(np.median(ratios))
        if ratio != 0 and np.all(np.abs(ratios - ratio) <= 1e-6 * abs(ratio)) and abs(ratio - 1) > 1e-6:
            named = next((words for r, words in _FACTORS.items() if abs(ratio - r) <= 1e-6 * abs(r)), "")
            for k in sorted(set(int(s) for s in sizes if s > 2)):
                if abs(ratio - k) <= 1e-6 * k:
                    named = (f"exactly {k} times too large, and {k} is one of the sizes here: is a 1/{k} "
                             "missing (a sum where a mean is wanted)?")
                elif abs(ratio - 1 / k) <= 1e-6 / k:
                    named = (f"exactly {k} times too small, and {k} is one of the sizes here: is there an "
                             f"extra 1/{k} (a mean where a sum is wanted)?")
            if not named:
                near = round(ratio)
                if near not in (0, 1) and abs(ratio - near) <= 1e-6 * abs(ratio):
                    named = f"exactly {near} times the expected values: is a factor of {near} missing or extra?"
                elif abs(ratio) < 1 and round(1 / ratio) not in (0, 1) and abs(1 / ratio - round(1 / ratio)) <= 1e-6 / abs(ratio):
                    named = f"exactly 1/{round(1 / ratio)} of the expected values: is a factor of {round(1 / ratio)} missing?"
            if named:
                text += f". Every entry is {named}"
    return text
