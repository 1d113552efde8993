# Two commands set everything up (see README): `make course` and `make test`.
# Another Python 3.11 than `python3`: make PYTHON=/path/to/python3.11 test
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

# Plots render off-screen; the debugger's frozen-modules warning stays out of kernels' stderr.
export MPLBACKEND := Agg
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: venv system course test lab formgrader git-filter bench release clean

# System packages (Debian/Ubuntu names), the one place they are installed. Each is found by the
# program it provides; what is missing is installed with apt-get (with sudo when not root), or
# make stops at once with the command to run.
#   bubblewrap  `bwrap`, the sandbox each submission is graded in (make course, make test)
#   postgresql  `initdb`, `pg_ctl`: the throwaway PostgreSQL server of tests/test_postgres.py
#   chromium    `chromium`: the headless browser tests/test_browser.py drives JupyterLab with
#               (through playwright, which downloads no browser of its own)
COURSE_PACKAGES := bubblewrap
TEST_PACKAGES   := $(COURSE_PACKAGES) postgresql chromium

define install_system_packages
@have() { case "$$1" in \
	  bubblewrap) command -v bwrap ;; \
	  postgresql) command -v initdb || ls /usr/lib/postgresql/*/bin/initdb ;; \
	  chromium) command -v chromium ;; \
	  *) command -v "$$1" ;; esac >/dev/null 2>&1; }; \
	missing=""; for p in $(1); do have "$$p" || missing="$$missing $$p"; done; \
	[ -z "$$missing" ] && exit 0; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "make: install these system packages first, then run make again:$$missing"; exit 1; fi; \
	if [ "$$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else \
	  echo "make: these system packages are missing; as root run: apt-get install -y$$missing"; exit 1; fi; \
	echo "installing system packages:$$missing"; \
	{ $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq$$missing >/dev/null; } \
	  || { echo "make: could not install$$missing; run: sudo apt-get install$$missing"; exit 1; }; \
	for p in $$missing; do have "$$p" || { echo "make: $$p was installed but its programs are not found"; exit 1; }; done
endef

## system: the system packages make test needs (installed when missing)
system:
	$(call install_system_packages,$(TEST_PACKAGES))

venv: $(STAMP)

$(STAMP): requirements.txt constraints.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || { \
	  echo "make: this course needs Python 3.11, and '$(PYTHON)' is $$($(PYTHON) --version 2>&1 || echo missing);" \
	       "give another one: make PYTHON=/path/to/python3.11 $(MAKECMDGOALS)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (ipykernel)" >/dev/null
	@$(MAKE) --no-print-directory git-filter
	touch $@

## git-filter: strip outputs and execution counts from notebooks as git stages them (nbstripout's
##             filter in .git/config, named by .gitattributes); your files keep theirs. Set up by
##             every target that builds .venv. Cell ids are kept (nbstripout would renumber them)
##             and so is language_info's name, the only key the committed notebooks have. The
##             path is relative: git runs the filter at the top of the working tree, so each
##             checkout or worktree (they share .git/config) strips with its own .venv.
NBSTRIPOUT_EXTRA_KEYS := $(addprefix metadata.language_info.,codemirror_mode file_extension mimetype \
                           nbconvert_exporter pygments_lexer version)
git-filter:
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
	  git config filter.nbstripout.clean '$(PY) -m nbstripout --keep-id' && \
	  git config filter.nbstripout.smudge cat && \
	  git config filter.nbstripout.extrakeys '$(NBSTRIPOUT_EXTRA_KEYS)'; fi

## course: release notebooks, autograde the demo submissions, print scores, write grades.csv,
##         feedback/<student>/<assignment>/*.html and score_distribution.png
course:
	$(call install_system_packages,$(COURSE_PACKAGES))
	@$(MAKE) --no-print-directory $(STAMP)
	$(PY) -m grader course

## test: the whole test suite (unit, checks against buggy versions, nbval, end to end); two
##       workers with one torch thread each, so that they do not fight over the two cores
test: system
	@$(MAKE) --no-print-directory $(STAMP)
	OMP_NUM_THREADS=1 $(PY) -m pytest -n 2 --dist loadgroup --durations=30

## lab: JupyterLab for students on notebooks/, with nbgrader's Validate button and no other
##      nbgrader menu (settings: jupyter/student/)
lab: $(STAMP)
	$(call jupyterlab,student)

## formgrader: JupyterLab for instructors at the course root, with nbgrader's formgrader
##             (Nbgrader > Formgrader; settings: jupyter/instructor/)
formgrader: $(STAMP)
	$(call jupyterlab,instructor)

# JupyterLab for a role: jupyter/<role>/ (root folder, nbgrader's server extensions and menus)
# and jupyter/ (Validate) come first on JUPYTER_CONFIG_PATH. It starts in the course folder,
# where Validate and the formgrader read nbgrader_config.py. MPLBACKEND (Agg, for the off-screen
# runs above) is not passed on, so that kernels draw figures inline. COURSE and LAB_OPTIONS are
# for tests/test_browser.py: a copy of the course; a port, a token, --no-browser.
COURSE      ?= $(CURDIR)
LAB_OPTIONS ?=
jupyterlab = cd "$(COURSE)" && env -u MPLBACKEND \
	JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter/$(1):$(CURDIR)/jupyter$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
	"$(CURDIR)/$(VENV)/bin/jupyter" lab $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_OPTIONS)

## release: regenerate notebooks/ from solutions/
release: $(STAMP)
	$(PY) -m grader release

## bench: seconds per solution notebook, to autograde 20 copies of the demo solution, and stock
##        nbgrader against this grader (1 and 2 jobs) on 40 copies of the 01-sgd solution
bench: $(STAMP)
	$(PY) benchmarks/bench.py

clean:
	rm -rf submitted autograded feedback gradebook.db grades.csv score_distribution.png
