"""The evidence path: probe data as untrusted bytes, judged in the grader's process.

``grader.evidence`` turns what a kernel wrote into a verdict; ``grader.execute.probe_calls``
reads which checks a test cell asks for; ``grader.autograde.repair`` takes back the metadata a
submission forged. Real checks and real variants, no kernel (the corpus in test_attacks.py
covers the kernel side).
"""

from __future__ import annotations

import io
import zipfile

import nbformat
import numpy as np
import pytest

from grader import catalog, evidence
from grader.autograde import repair
from grader.checks import REGISTRY, get, probe
from grader.evidence import BadEvidence, decode, encode, verdict
from grader.execute import ProbeCall, probe_calls
from tests.variants import load_all

from .conftest import ROOT

VARIANTS = load_all()
CHECKED = [ex.id for ex in catalog.exercises() if ex.id in REGISTRY]


def _blob(exercise_id: str, obj, visible: bool) -> bytes:
    try:
        return encode({"ok": True, "data": probe(exercise_id, obj, visible=visible)})
    except Exception as err:
        return encode({"ok": False, "error": f"{type(err).__name__}: {err}", "ename": type(err).__name__})


@pytest.mark.parametrize("exercise_id", CHECKED)
def test_verdicts_from_bytes_match_judging_in_process(exercise_id):
    """Through encode -> decode -> verdict, does a correct variant pass and the typical mistake fail?
    (test_checks.py runs every variant in process; here one of each kind crosses the bytes path.)"""
    some = [next(v for v in VARIANTS[exercise_id] if v.kind == "correct"),
            next(v for v in VARIANTS[exercise_id] if v.demo)]
    for v in some:
        result = verdict(exercise_id, _blob(exercise_id, v.obj, False), visible=False)
        assert result.passed == (v.kind == "correct"), f"{exercise_id} | {v}: {result.message}"
        if result.passed:
            assert result.message.startswith(f"passed: {exercise_id} (all tests, ")


def test_codec_round_trips_every_plain_type():
    """Do numbers, strings, None, tuples, nested dicts, arrays of every dtype and numpy scalars survive?"""
    data = {"i": 3, "big": 2**70, "f": 1.5, "nan": float("nan"), "inf": float("-inf"), "c": 1 + 2j, "s": "x",
            "n": None, "b": True, "t": (1, [2, (3,)]), "d": {"__dict__": 1, "a": {}},
            "arrays": [np.arange(6, dtype=np.int16).reshape(2, 3), np.array([True, False]), np.zeros((0, 4)),
                       np.array([1 + 1j], dtype=np.complex64)], "scalar": np.float32(2.5)}
    back = decode(encode(data))
    assert back["t"] == (1, [2, (3,)]) and back["d"] == {"__dict__": 1, "a": {}} and back["big"] == 2**70
    assert np.isnan(back["nan"]) and back["inf"] == float("-inf") and back["c"] == 1 + 2j
    for a, b in zip(data["arrays"], back["arrays"]):
        assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
    assert type(back["scalar"]) is np.float32 and back["scalar"] == np.float32(2.5)


@pytest.mark.parametrize("blob, why", [
    (b"", "not readable"),
    (b"PK\x03\x04 not really a zip", "not readable"),
    (b"\x80\x04\x95 a pickle", "not readable"),
])
def test_garbage_is_refused(blob, why):
    with pytest.raises(BadEvidence, match=why):
        decode(blob)


def _npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def test_pickled_objects_unknown_tags_and_entries_are_refused():
    """Could bytes from a kernel smuggle a pickle, or values encode() never writes?"""
    meta = np.frombuffer(b'{"__array__": 0}', dtype=np.uint8)
    with pytest.raises(BadEvidence):
        decode(_npz(__meta__=meta, a0=np.array([object()], dtype=object)))
    for bad in (b'{"__eval__": "1+1"}', b'{"__array__": 5}', b'{"a": 1, "b": 2}'):
        with pytest.raises(BadEvidence):
            decode(_npz(__meta__=np.frombuffer(bad, dtype=np.uint8)))
    with pytest.raises(BadEvidence, match="unexpected entry"):
        decode(_npz(__meta__=np.frombuffer(b"1", dtype=np.uint8), extra=np.zeros(1)))
    with pytest.raises(BadEvidence, match="no description"):
        decode(_npz(a0=np.zeros(1)))


def test_an_archive_that_unpacks_to_too_much_is_refused_before_unpacking(monkeypatch):
    """Is a small file that inflates past the limit (a zip bomb) refused from its directory alone?"""
    monkeypatch.setattr(evidence, "MAX_BYTES", 100_000)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("__meta__.npy", b"\0" * 1_000_000)
    assert len(buf.getvalue()) < 100_000
    with pytest.raises(BadEvidence, match="too much"):
        decode(buf.getvalue())


def test_no_evidence_unreadable_evidence_and_forged_failures_all_fail():
    """Does a check fail when the kernel wrote nothing, garbage, or data the judge cannot read?"""
    ex = "01-sgd/minibatch_indices"
    assert not verdict(ex, None, visible=False).passed
    assert verdict(ex, None, visible=False).ename == "CheckDidNotRun"
    assert not verdict(ex, b"junk", visible=False).passed
    assert not verdict(ex, encode({"ok": "yes", "data": {}}), visible=False).passed
    assert not verdict(ex, encode({"ok": True}), visible=False).passed
    inputs_only = encode({"ok": True, "data": get(ex).inputs(visible=False)})
    assert not verdict(ex, inputs_only, visible=False).passed
    failed = verdict(ex, encode({"ok": False, "error": "NotImplementedError: do it", "ename": "NotImplementedError"}),
                     visible=False)
    assert not failed.passed and failed.ename == "NotImplementedError" and failed.message == "do it"


def test_every_test_cell_of_every_solution_is_a_list_of_run_calls():
    """Can the autograder replace every test cell of the course by probe requests?"""
    from grader.nb import grade_cells

    n = 0
    for path in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        for cell in grade_cells(nbformat.read(str(path), as_version=4)):
            calls = probe_calls(cell.source)
            assert [c.visible for c in calls] == [True, False], (path.name, cell.source)
            assert all(c.exercise in REGISTRY for c in calls)
            n += 1
    assert n == len(CHECKED)


def test_test_calls_reads_runs_and_refuses_anything_else():
    src = 'from grader.checks import run\nrun("a/b", f, visible=True)\n### BEGIN HIDDEN TESTS\nrun("a/b", mod.f)\n'
    assert probe_calls(src) == [ProbeCall("a/b", "f", True), ProbeCall("a/b", "mod.f", False)]
    for bad in ('run("a/b", f)\nassert f(1) == 2', 'print(1)', 'run(name, f)', 'run("a/b", f, visible=v)',
                'x = run("a/b", f)'):
        with pytest.raises(ValueError, match="only run"):
            probe_calls(bad)


def test_repair_restores_released_metadata_and_drops_forged_claims():
    """Copies, unknown ids and changed metadata: only the released notebook's cells stay graded."""
    released = {"t1": {"grade": True, "solution": False, "locked": True, "points": 2, "grade_id": "t1",
                       "schema_version": 3},
                "s1": {"grade": False, "solution": True, "locked": False, "grade_id": "s1", "schema_version": 3}}
    cells = [nbformat.v4.new_code_cell("x") for _ in range(5)]
    cells[0].metadata["nbgrader"] = {**released["t1"], "points": 100, "grade": False}
    cells[1].metadata["nbgrader"] = dict(released["t1"])
    cells[2].metadata["nbgrader"] = {"grade": True, "grade_id": "bonus", "points": 50}
    cells[3].metadata["nbgrader"] = dict(released["s1"])
    cells[4].metadata["nbgrader"] = "not a dict"
    nb = nbformat.v4.new_notebook(cells=cells)
    notes = repair(nb, released)
    assert nb.cells[0].metadata["nbgrader"] == released["t1"]
    assert "nbgrader" not in nb.cells[1].metadata and "nbgrader" not in nb.cells[2].metadata
    assert nb.cells[3].metadata["nbgrader"] == released["s1"]
    assert "nbgrader" not in nb.cells[4].metadata
    assert any("second copy of cell 't1'" in n for n in notes) and any("'bonus'" in n for n in notes)
