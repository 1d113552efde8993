"""The probe side: calling student code and reading what it returns, in :meth:`Check.answer`.

These run in the student's kernel when autograding. They turn a student's return value into
plain data (float64 arrays, floats) or fail with a message that names the call and says what to
return. What they validate here a judge validates again from the data (see
:mod:`grader.checks.judging`): nothing checked in the kernel is taken on trust.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .base import Check, expect_shape

__all__ = [
    "call",
    "raised",
    "functions",
    "returned",
    "expect_not_none",
    "as_float_array",
    "student_array",
    "student_number",
    "expect_kind",
]


def call(check: Check, fn: Any, *args: Any, what: str, reraise: tuple[type[Exception], ...] = (),
         **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)``; any error but NotImplementedError (an unfilled stub) and those in
    ``reraise`` (which the caller reports itself) becomes a failure naming ``what`` was called and
    the error. The error stays its cause, so that the student is shown the lines of their code
    that raised it (:mod:`grader.checks._student_view`)."""
    try:
        return fn(*args, **kwargs)
    except (NotImplementedError, *reraise):
        raise
    except FloatingPointError as err:  # only where a property set NumPy's errstate to raise
        raise check.fail(f"{what} overflowed or divided by zero ({err})", expected="no floating-point error",
                         actual=f"FloatingPointError: {err}",
                         hint="np.where and masks compute both branches on every element: an exp that overflows "
                              "in the branch thrown away counts; use a form that never exponentiates a large "
                              "positive number") from err
    except Exception as err:  # a crash in student code is a failed property, not a grader crash
        raise check.fail(f"{what} raised {type(err).__name__}: {err}", expected="a return value",
                         actual=f"{type(err).__name__}: {err}",
                         hint="run the call yourself in the notebook and read the traceback") from err


def raised(fn: Any, *args: Any, **kwargs: Any) -> str:
    """What ``fn(*args, **kwargs)`` did, for a call that must raise: ``"ValueError"``, another
    exception's name and message, or ``"returned"``. NotImplementedError propagates."""
    try:
        fn(*args, **kwargs)
    except NotImplementedError:
        raise
    except ValueError:
        return "ValueError"
    except Exception as err:
        return f"{type(err).__name__}: {err}"
    return "returned"


def functions(check: Check, obj: Any, names: tuple[str, ...]) -> dict[str, Callable[..., Any]]:
    """The student's functions by name, from the tuple named after the exercise that the grade
    cell passes (a mapping by name, or an object with a ``functions`` tuple, is accepted too)."""
    order = ", ".join(names)
    if isinstance(obj, Mapping):
        fns = [obj.get(n) for n in names]
    elif isinstance(obj, (tuple, list)):
        fns = list(obj)
    elif isinstance(getattr(obj, "functions", None), (tuple, list)):
        fns = list(obj.functions)
    else:
        raise check.fail(f"this exercise needs its functions as a tuple ({order})",
                         expected=f"a tuple of {len(names)} functions", actual=type(obj).__name__,
                         hint=f"run the grade cell as given: it passes ({order})")
    if len(fns) != len(names) or not all(callable(f) for f in fns):
        raise check.fail(f"this exercise needs a tuple of {len(names)} functions ({order})",
                         expected=order, actual=f"{len(fns)} object(s): {[type(f).__name__ for f in fns]}",
                         hint="run the grade cell as given")
    return dict(zip(names, fns))


def returned(check: Check, out: Any, names: tuple[str, ...], fn_name: str) -> tuple[Any, ...]:
    """The items of a returned tuple ``(names...)``, or a failure saying what ``fn_name`` must return."""
    what = f"({', '.join(names)})"
    expect_not_none(check, out, what)
    if not isinstance(out, (tuple, list)) or len(out) != len(names):
        got = type(out).__name__ + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else "")
        raise check.fail(f"{fn_name} must return a tuple {what}", expected=f"a tuple of {len(names)}: {what}",
                         actual=got, hint=f"end {fn_name} with `return {', '.join(names)}`")
    return tuple(out)


def expect_not_none(check: Check, value: Any, what: str) -> None:
    """Fail with a hint about a missing ``return`` when ``value`` is None."""
    if value is None:
        raise check.fail(f"the function returned None instead of {what}", expected=what, actual=None,
                         hint="did you forget the `return` statement?")


def as_float_array(check: Check, value: Any, what: str) -> np.ndarray:
    """A student's return value as a float64 array, or a failure saying it must be numbers.

    Accepts NumPy arrays, torch tensors (detached, moved to the CPU), lists and numbers.
    """
    if hasattr(value, "detach") and callable(value.detach):
        value = value.detach().cpu().numpy()
    try:
        out = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise check.fail(f"{what} must be numbers", expected="an array or a number",
                         actual=f"{type(value).__name__} ({err})",
                         hint="return a NumPy array, a torch tensor or a float") from None
    return out


def student_array(check: Check, value: Any, what: str, shape: tuple[int, ...] | None = None, *,
                  kind: str | None = "", hint: str = "") -> np.ndarray:
    """A returned array (not None, numbers, of exactly ``shape`` unless it is None) as float64.

    ``kind``: the type the statement documents, ``"ndarray"`` (a NumPy array, not a list or a
    tensor) or ``"tensor"`` (a torch tensor); by default the check's ``returns``; None accepts
    either, and lists (for values the statement leaves open)."""
    expect_not_none(check, value, what)
    expect_kind(check, value, what, getattr(check, "returns", None) if kind == "" else kind)
    a = as_float_array(check, value, what)
    if shape is not None:
        expect_shape(check, a, shape, what, hint=hint)
    return a


_KINDS = {"ndarray": "a NumPy array", "tensor": "a torch tensor"}


def expect_kind(check: Check, value: Any, what: str, kind: str | None) -> None:
    """Fail unless ``value`` is of the documented ``kind`` (see :func:`student_array`)."""
    if kind is None:
        return
    import torch

    ok = isinstance(value, np.ndarray) if kind == "ndarray" else isinstance(value, torch.Tensor)
    if not ok:
        fix = ("np.asarray(...) on a list; .numpy() on a tensor" if kind == "ndarray"
               else "torch.as_tensor(...), or keep the computation in torch")
        raise check.fail(f"{what} must be {_KINDS[kind]}, as documented", expected=_KINDS[kind],
                         actual=f"a {type(value).__module__}.{type(value).__name__}", hint=f"return {_KINDS[kind]}: {fix}")


def student_number(check: Check, value: Any, what: str, *, prop: str = "", hint: str = "") -> float:
    """A returned number (a Python or NumPy float or int; not a bool, not an array or tensor, even
    with one element: the statements document a float) as a float.

    ``prop`` replaces the failure's "{what} must be one number" where the exercise says more.
    """
    expect_not_none(check, value, what)
    a = as_float_array(check, value, what)
    if a.size != 1:
        raise check.fail(prop or f"{what} must be one number", expected="a float",
                         actual=f"an array of shape {a.shape}", hint=hint)
    if not isinstance(value, (int, float, np.integer, np.floating)) or isinstance(value, (bool, np.bool_)):
        kind = f"a {type(value).__module__}.{type(value).__name__} of shape {a.shape}"
        raise check.fail(f"{what} must be a float, not an array or a tensor holding one", expected="a float",
                         actual=kind, hint="return float(value), or value.item() for a tensor or an array")
    return float(value)
