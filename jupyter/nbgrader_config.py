"""nbgrader settings for JupyterLab's Validate button, under both `make lab` and `make formgrader`.

The course's own settings come from the folder the server starts in (the course root's
nbgrader_config.py, which nbgrader's Validate handler reads from there); this file, found
through JUPYTER_CONFIG_PATH, adds what only Validate needs.
"""

c = get_config()  # noqa: F821  (provided by traitlets when it loads this file)

# Validate runs the notebook the way the grader does: cells tagged `skip-grading` (figures,
# long demonstrations; see grader/skip.py) are not run, so Validate takes seconds instead of
# the minutes of a full run. Scoped to the Validator (traitlets' parent.child sections), so
# stock `nbgrader autograde` and nbval are unaffected.
c.Validator.Execute.skip_cells_with_tag = "skip-grading"
