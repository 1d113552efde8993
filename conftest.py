"""Root pytest configuration: keep each notebook's cells together under pytest-xdist.

nbval runs a notebook's cells as separate test items that share one kernel, in order.
Under `pytest -n`, items of one notebook must stay in one worker: each notebook gets its
own xdist group (`--dist loadgroup`, as `make test` runs it).
"""

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.split("::", 1)[0].endswith(".ipynb"):
            item.add_marker(pytest.mark.xdist_group(f"nbval-{item.nodeid.split('::', 1)[0]}"))
