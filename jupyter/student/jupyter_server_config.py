"""`make lab`: JupyterLab for students, on notebooks/.

`make lab` starts the server in the course root (so that Validate reads its nbgrader_config.py)
and this file serves notebooks/ from there. Of nbgrader's server extensions only Validate's
stays on: the formgrader is the instructor's (`make formgrader`), and the assignment and course
lists need an exchange directory, which this course has none of. labconfig/page_config.json
takes their menus, panels and buttons out of JupyterLab.
"""

c = get_config()  # noqa: F821  (provided by traitlets when it loads this file)

c.ServerApp.root_dir = "notebooks"  # relative to the folder the server starts in
c.ServerApp.jpserver_extensions = {
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.assignment_list": False,
    "nbgrader.server_extensions.course_list": False,
    "nbgrader.server_extensions.validate_assignment": True,
}
