"""Evidence: how a probe's data leaves a student's kernel, and how the grader judges it.

When autograding, a grade cell's source never runs in the student's kernel. For each
``run(exercise, obj, visible=...)`` in it, the grader sends the kernel one *probe request*::

    __import__("grader.evidence", fromlist=["export"]).export(
        "01-sgd/minibatch_indices", lambda: minibatch_indices, visible=True, path=".../ab12.npz")

:func:`export` runs the probe on the grader's inputs and writes plain data (or the error it
raised) to ``path`` in the sandbox's scratch folder. The grader then reads that file as untrusted
bytes (:func:`decode`: no pickle, sizes checked before anything is unpacked), checks that it
holds the grader's own inputs (:func:`grader.checks.base.bind_inputs`) and runs the judge in
its own process (:func:`verdict`). A test scores only when that verdict says passed: nothing
the kernel prints, patches or forges can make a failing check pass, and a missing or
unreadable file is a failure.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["encode", "decode", "export", "verdict", "Verdict", "BadEvidence", "MAX_BYTES", "request"]

#: largest evidence file the grader reads, packed and unpacked
MAX_BYTES = 512 * 1024**2
_MAX_ARRAYS = 100_000
_MAX_DEPTH = 64


class BadEvidence(ValueError):
    """An evidence file that is missing, too large or not in the expected format."""


def _pack(value: Any, arrays: list[np.ndarray], depth: int = 0) -> Any:
    if depth > _MAX_DEPTH:
        raise BadEvidence("probe data nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value if abs(value) < 2**53 else {"__int__": str(value)}
    if isinstance(value, float):
        return value if np.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, complex):
        return {"__complex__": [_pack(value.real, arrays), _pack(value.imag, arrays)]}
    if isinstance(value, (np.ndarray, np.generic)):
        arr = np.asarray(value)
        if arr.dtype.hasobject:
            raise BadEvidence("probe data holds an object array")
        arrays.append(arr)
        return {"__array__" if isinstance(value, np.ndarray) else "__scalar__": len(arrays) - 1}
    if isinstance(value, tuple):
        return {"__tuple__": [_pack(v, arrays, depth + 1) for v in value]}
    if isinstance(value, list):
        return [_pack(v, arrays, depth + 1) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise BadEvidence("probe data has a dict with non-string keys")
        return {"__dict__": [[k, _pack(v, arrays, depth + 1)] for k, v in value.items()]}
    raise BadEvidence(f"probe data holds a {type(value).__name__}, which is not plain data")


def encode(payload: Any) -> bytes:
    """Plain data (see :func:`grader.checks.is_plain`) as an uncompressed .npz archive."""
    arrays: list[np.ndarray] = []
    meta = json.dumps(_pack(payload, arrays))
    buf = io.BytesIO()
    np.savez(buf, __meta__=np.frombuffer(meta.encode("utf-8"), dtype=np.uint8),
             **{f"a{i}": a for i, a in enumerate(arrays)})
    return buf.getvalue()


def _unpack(value: Any, arrays: dict[int, np.ndarray], depth: int = 0) -> Any:
    if depth > _MAX_DEPTH:
        raise BadEvidence("nested too deeply")
    if value is None or isinstance(value, (bool, str, int, float)):
        return value
    if isinstance(value, list):
        return [_unpack(v, arrays, depth + 1) for v in value]
    if isinstance(value, dict) and len(value) == 1:
        (tag, inner), = value.items()
        if tag == "__dict__" and isinstance(inner, list):
            out = {}
            for item in inner:
                if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
                    raise BadEvidence("a malformed dict")
                out[item[0]] = _unpack(item[1], arrays, depth + 1)
            return out
        if tag == "__tuple__" and isinstance(inner, list):
            return tuple(_unpack(v, arrays, depth + 1) for v in inner)
        if tag in ("__array__", "__scalar__") and isinstance(inner, int) and inner in arrays:
            arr = arrays[inner]
            return arr if tag == "__array__" else arr[()]
        if tag == "__float__" and inner in ("nan", "inf", "-inf"):
            return float(inner)
        if tag == "__int__" and isinstance(inner, str) and len(inner) < 10_000:
            return int(inner)
        if tag == "__complex__" and isinstance(inner, list) and len(inner) == 2:
            return complex(*(_unpack(v, arrays, depth + 1) for v in inner))
    raise BadEvidence("an unknown value in the data")


def decode(blob: bytes) -> Any:
    """Untrusted bytes from a kernel back to plain data; :class:`BadEvidence` on anything odd.

    Sizes are checked from the archive's directory before anything is unpacked, arrays are read
    with ``allow_pickle=False``, and only the tags :func:`encode` writes are understood.
    """
    if len(blob) > MAX_BYTES:
        raise BadEvidence(f"the evidence file is larger than {MAX_BYTES} bytes")
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as zf:
            infos = zf.infolist()
            if len(infos) > _MAX_ARRAYS or sum(i.file_size for i in infos) > MAX_BYTES:
                raise BadEvidence("the evidence file unpacks to too much data")
        with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
            names = set(npz.files)
            if "__meta__" not in names:
                raise BadEvidence("the evidence file has no description")
            meta = json.loads(npz["__meta__"].tobytes().decode("utf-8"))
            arrays = {}
            for name in names - {"__meta__"}:
                if not (name[:1] == "a" and name[1:].isdigit()):
                    raise BadEvidence(f"unexpected entry {name!r}")
                arrays[int(name[1:])] = npz[name]
    except BadEvidence:
        raise
    except Exception as err:  # zip, npy and json errors of every kind
        raise BadEvidence(f"the evidence file is not readable ({type(err).__name__}: {err})") from None
    return _unpack(meta, arrays)


def export(exercise_id: str, get_obj: Any, *, visible: bool, path: str) -> None:
    """In the kernel: probe ``get_obj()`` for ``exercise_id``, write the data or the error to ``path``.

    The error (the student's exception, or a CheckFailure the probe raised) is re-raised after
    writing, so the cell shows it as the student would see it in JupyterLab.
    """
    from grader.checks import probe

    error: BaseException | None = None
    try:
        payload = {"ok": True, "data": probe(exercise_id, get_obj(), visible=visible)}
    except Exception as err:
        error = err
        payload = {"ok": False, "error": f"{type(err).__name__}: {err}"[:5000], "ename": type(err).__name__}
    try:
        blob = encode(payload)
    except BadEvidence as err:
        blob = encode({"ok": False, "error": f"BadEvidence: {err}", "ename": "BadEvidence"})
    tmp = f"{path}.part"
    with open(tmp, "wb") as f:
        f.write(blob)
    os.replace(tmp, path)
    if error is not None:
        raise error


def request(exercise_id: str, obj_expr: str, *, visible: bool, path: str) -> str:
    """The code a grader sends a kernel for one ``run(...)`` of a grade cell."""
    return (f'__import__("grader.evidence", fromlist=["export"]).export({exercise_id!r}, '
            f"lambda: ({obj_expr}), visible={bool(visible)!r}, path={path!r})")


@dataclass(frozen=True)
class Verdict:
    """The grader's judgement of one probe, made in the grader's process."""

    passed: bool
    #: one line for the student: "passed: ..." or the failure's type and message
    message: str
    ename: str = ""
    properties: int = 0


def verdict(exercise_id: str, blob: bytes | None, *, visible: bool) -> Verdict:
    """Judge the evidence ``blob`` a kernel wrote for ``exercise_id`` (None: it wrote none)."""
    from grader.checks import get
    from grader.checks.base import CheckFailure, bind_inputs

    kind = "visible tests" if visible else "all tests"
    if blob is None:
        return Verdict(False, f"{exercise_id}: the check did not run, so it cannot pass "
                              "(no result came back from the kernel; did a cell before it stop the "
                              "kernel, or was the test cell changed?)", "CheckDidNotRun")
    try:
        payload = decode(blob)
        if not isinstance(payload, dict) or not isinstance(payload.get("ok"), bool):
            raise BadEvidence("the evidence file has no verdict field")
    except BadEvidence as err:
        return Verdict(False, f"{exercise_id}: the check's result could not be read ({err})", "BadEvidence")
    if not payload["ok"]:
        ename = str(payload.get("ename") or "Error")[:100]
        text = str(payload.get("error") or ename)
        prefix = f"{ename}: "
        return Verdict(False, text[len(prefix):] if text.startswith(prefix) else text, ename)
    check = get(exercise_id)
    try:
        bind_inputs(check, payload.get("data"), visible=visible)
        n = check.judge(payload["data"])
    except CheckFailure as err:
        return Verdict(False, str(err), type(err).__name__)
    except Exception as err:  # forged data a judge cannot even read
        return Verdict(False, f"{exercise_id}: the check's data is malformed ({type(err).__name__}: {err})"[:2000],
                       "BadEvidence")
    return Verdict(True, f"passed: {exercise_id} ({kind}, {n} properties)", properties=int(n or 0))
