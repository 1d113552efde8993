# Two commands set everything up (see README): `make course` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

# Plots render off-screen; the debugger's frozen-modules warning stays out of kernels' stderr.
export MPLBACKEND := Agg
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: venv course test lab bench release clean

venv: $(STAMP)

$(STAMP): requirements.txt constraints.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (ipykernel)" >/dev/null
	touch $@

## course: release notebooks, autograde the demo submissions, print scores, write grades.csv,
##         feedback/<student>/<assignment>/*.html and score_distribution.png
course: $(STAMP)
	$(PY) -m grader course

## test: the whole test suite (unit, checks against buggy versions, nbval, end to end)
test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadgroup

## lab: JupyterLab on the student notebooks
lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

## release: regenerate notebooks/ from solutions/
release: $(STAMP)
	$(PY) -m grader release

## bench: seconds per solution notebook, to autograde 20 copies of the demo solution, and stock
##        nbgrader against this grader (1 and 2 jobs) on 40 copies of the 01-sgd solution
bench: $(STAMP)
	$(PY) benchmarks/bench.py

clean:
	rm -rf submitted autograded feedback gradebook.db grades.csv score_distribution.png
