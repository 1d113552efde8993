"""Run the blind variants of one exercise against its check, from the repository root:

    .venv/bin/python tests/blind/run.py 01-sgd/minibatch_indices
"""
import importlib.util
import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
import numpy as np  # noqa: E402

from grader.checks import CheckFailure, run  # noqa: E402
import tests.variants as tv  # noqa: E402

exercise = sys.argv[1]
path = Path(__file__).resolve().parent / f"{exercise}.py"
before = {k: list(v) for k, v in tv.VARIANTS.items()}
spec = importlib.util.spec_from_file_location("blind_" + exercise.replace("/", "_").replace("-", "_"), path)
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
mine = [v for v in tv.VARIANTS.get(exercise, []) if v.filename == str(path)]


def verdict(obj, visible):
    try:
        run(exercise, obj, visible=visible)
        return "PASS"
    except CheckFailure as err:
        return "rejected: " + str(err).splitlines()[0][:160]
    except AssertionError as err:
        return "rejected(assert): " + str(err).splitlines()[0][:160] if str(err) else "rejected(assert)"
    except Exception as err:  # the check crashed instead of failing
        return f"CRASH {type(err).__name__}: {str(err)[:160]}"


import io, contextlib  # noqa: E402
for v in mine:
    with contextlib.redirect_stdout(io.StringIO()):
        vis = verdict(v.obj, True)
        hid = verdict(v.obj, False)
    flag = ""
    if v.kind == "buggy" and hid == "PASS":
        flag = "  <== HOLE"
    if v.kind == "correct" and hid != "PASS":
        flag = "  <== FALSE REJECTION"
    print(f"{v.kind:7} | {v.description} | visible: {vis} | hidden: {hid}{flag}")
