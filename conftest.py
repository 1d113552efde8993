"""Root pytest configuration: keep each notebook's cells together under pytest-xdist.

nbval runs a notebook's cells as separate test items that share one kernel, in order.
Under `pytest -n`, items of one notebook must stay in one worker: each notebook gets its
own xdist group (`--dist loadgroup`, as `make test` runs it).
"""

import re

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        if path.endswith(".ipynb"):
            # xdist appends "@<group>" to node ids: keep the name free of '/', '.' and '::'
            item.add_marker(pytest.mark.xdist_group("nbval_" + re.sub(r"\W", "_", path)))
