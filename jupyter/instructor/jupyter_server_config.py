"""`make formgrader`: JupyterLab for instructors, at the course root.

The formgrader links to solutions/, notebooks/, submitted/ and the rest relative to the server's
root, so the root is the course root (the folder `make formgrader` starts the server in, the
default), where it also reads nbgrader_config.py. The assignment and course lists need an
exchange directory, which this course has none of: they are off here and, through
labconfig/page_config.json, in JupyterLab's menus.
"""

c = get_config()  # noqa: F821  (provided by traitlets when it loads this file)

c.ServerApp.jpserver_extensions = {
    "nbgrader.server_extensions.formgrader": True,
    "nbgrader.server_extensions.validate_assignment": True,
    "nbgrader.server_extensions.assignment_list": False,
    "nbgrader.server_extensions.course_list": False,
}
