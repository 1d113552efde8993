"""The classes of hole of issue 12: every buggy variant names its classes, every exercise says which apply,
and every applicable class is exercised by at least one buggy variant (tests/variants/classes.py).

Fast and in-process: it imports the variant registry, runs no check and starts no kernel. The known gaps
are strict xfails, so closing one (adding a buggy variant tagged with its class) fails the run until the
gap is removed from :data:`KNOWN_GAPS`.
"""

from __future__ import annotations

import pytest

from grader import catalog
from tests.variants import load_all
from tests.variants.classes import APPLIES, CLASS_10, applicable, report, tagged

VARIANTS = load_all()
BUGGY = [v for vs in VARIANTS.values() for v in vs if v.kind == "buggy"]

#: (exercise, class, why the class applies): applicable classes that no buggy variant exercises yet
KNOWN_GAPS: set[tuple[str, int, str]] = set()
_GAPS = {(ex, k): why for ex, k, why in KNOWN_GAPS}


def _applicable_params() -> list:
    params = []
    for ex_id in sorted(APPLIES):
        for k in applicable(ex_id):
            marks = ()
            if (ex_id, k) in _GAPS:
                marks = pytest.mark.xfail(strict=True, reason=f"gap: {_GAPS[ex_id, k]}")
            params.append(pytest.param(ex_id, k, marks=marks, id=f"{ex_id}-{k}"))
    return params


@pytest.mark.parametrize("variant", BUGGY, ids=lambda v: f"{v.exercise_id}: {v.description[:60]}")
def test_every_buggy_variant_names_its_classes(variant):
    assert variant.hole_classes, "tag it with classes=(...) (0 for an ordinary mistake) or a '[n]' prefix"
    assert all(isinstance(k, int) and 0 <= k <= 10 for k in variant.hole_classes), variant.hole_classes
    assert not (0 in variant.hole_classes and len(variant.hole_classes) > 1), "0 means none of the ten"


def test_correct_variants_name_no_classes():
    assert not [v for vs in VARIANTS.values() for v in vs if v.kind == "correct" and v.classes]


def test_every_exercise_says_which_classes_apply():
    exercises = {ex.id for ex in catalog.exercises()}
    assert exercises == set(APPLIES), "APPLIES must have one entry per exercise of the catalog"
    for ex_id, table in APPLIES.items():
        assert sorted(table) == list(range(1, 10)), f"{ex_id}: classes 1-9, each applying or not"
        assert all(isinstance(why, str) for why in table.values())
    assert "test_properties" in CLASS_10


def test_known_gaps_are_applicable():
    assert len(_GAPS) == len(KNOWN_GAPS), "one reason per gap"
    assert not [(ex, k) for ex, k in _GAPS if ex not in APPLIES or k not in applicable(ex)]


@pytest.mark.parametrize(("exercise_id", "k"), _applicable_params())
def test_every_applicable_class_has_a_buggy_variant(exercise_id, k):
    assert tagged(exercise_id, k), f"no buggy variant of {exercise_id} is tagged with class {k}"


def test_report_lists_the_gaps():
    text = report()
    assert "Applicable but no variant" in text
    for ex_id, k in _GAPS:
        assert f"- {ex_id}: {k} " in text
