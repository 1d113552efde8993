"""nbgrader configuration for this course; `python -m grader` uses the same settings.

Stock `nbgrader generate_assignment 01-sgd` and `nbgrader autograde 01-sgd` work from
this folder. The settings themselves live in grader/config.py.
"""

from grader.config import apply

c = get_config()  # noqa: F821  (provided by traitlets when it loads this file)
apply(c)
