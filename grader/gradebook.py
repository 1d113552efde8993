"""Gradebook writes that several graders can make at once (a shared PostgreSQL gradebook).

nbgrader's ``Gradebook.update_or_create_student`` and ``update_or_create_submission`` look a
row up and insert it when it is missing, in two steps. Two graders recording the same new
student at the same moment both miss the row and both insert it; the second insert violates the
unique key, nbgrader raises ``InvalidEntry``, and that grader records nothing for the student
(its table says "not graded"). By then the row exists -- the other grader committed it, which is
why the insert failed -- so doing the same again finds the row and updates it.

:func:`install` wraps those methods, and ``check_course`` (the same race on the course row of a
new gradebook), to try once more when the first try failed, without logging that first failure
(a conflict is expected). :func:`grader.config.apply` calls it, so ``python -m grader`` and stock
nbgrader commands run from the course folder both get it. SQLite lets one writer in at a time,
so there it never triggers.
"""

from __future__ import annotations

import functools
import logging

__all__ = ["install", "RETRIED"]

#: the nbgrader.api.Gradebook methods that look a row up, then insert it
RETRIED = ("check_course", "update_or_create_student", "update_or_create_submission")


def _drop(record: logging.LogRecord) -> bool:
    return False


def _retry_after_conflict(method):
    from nbgrader.api import InvalidEntry

    # where nbgrader logs the traceback of each failed write ("Rolling back session ...")
    log = logging.getLogger("tornado.application")

    @functools.wraps(method)
    def retrying(self, *args, **kwargs):
        log.addFilter(_drop)  # a conflict on the first try is expected: no traceback for it
        try:
            return method(self, *args, **kwargs)
        except InvalidEntry:
            pass  # nbgrader rolled its session back; a row another writer committed is visible now
        finally:
            log.removeFilter(_drop)
        # once more, logged: an error that was not a conflict fails again, the same way
        return method(self, *args, **kwargs)

    retrying._retries_conflicts = True
    return retrying


def install() -> None:
    """Make the methods in :data:`RETRIED` try once more after a failed write (idempotent)."""
    from nbgrader.api import Gradebook

    for name in RETRIED:
        method = getattr(Gradebook, name)
        if not getattr(method, "_retries_conflicts", False):
            setattr(Gradebook, name, _retry_after_conflict(method))
