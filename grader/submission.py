"""Reading what a student submitted, without following links.

Students control what lands in ``submitted/<student>/<assignment>/`` (archives unpacked by
``zip_collect``, shared file systems), and the grader reads it with the instructor's rights. So
every submitted file is read through file descriptors: each folder below ``submitted/`` is
opened with ``O_NOFOLLOW | O_DIRECTORY`` relative to its parent, each file with ``O_NOFOLLOW``,
and a file counts only when ``fstat`` of the opened descriptor says it is a regular file of
bounded size. A symbolic link -- the notebook, the student's folder or the assignment folder --
is refused with a reason, whatever it points to (the instructor's solution, another student's
notebook, a file outside the course); so is a named pipe, a device or a folder in its place.
The notebook is read once, and its bytes are handed on (:class:`Submitted`); nothing re-opens
the path.

Hard links are not refused: a hard link is the file itself, and making one needs the rights to
read that file already (``fs.protected_hardlinks``), so it gives a student nothing a copy would
not. ``submitted/`` itself is the instructor's and may be a link.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .sandbox import Limits, format_size

__all__ = ["Submitted", "read_submission", "stage_submission", "format_size", "DEFAULT_MAX_NOTEBOOK"]

#: largest notebook file read, in bytes, where no limit is given (``Limits.notebook``, ``--max-notebook``)
DEFAULT_MAX_NOTEBOOK = Limits.notebook

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_FILE = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


@dataclass(frozen=True)
class Submitted:
    """A student's notebook as read once from ``submitted/``: its bytes, or why there are none."""

    student: str
    assignment: str
    #: the notebook file's bytes (None when it could not be read safely)
    data: bytes | None
    #: why the submission cannot be graded ('' when ``data`` is there)
    problem: str = ""


class _Refused(Exception):
    """A reason, for the outcome table, why a submitted path was not read."""


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISREG, "a file")):
        if test(mode):
            return name
    return "not a regular file"


def _link_target(name: str, dir_fd: int) -> str:
    try:
        target = os.readlink(name, dir_fd=dir_fd)
    except OSError:
        return ""
    return f" (to {target[:120]!r})" if target else ""


def _open_dir(name: str, dir_fd: int, shown: str) -> int:
    """Open the folder ``name`` in ``dir_fd`` without following a link; _Refused says why not."""
    if not name or name in (".", "..") or "/" in name or "\0" in name:
        raise _Refused(f"{shown!r} is not a folder name")
    try:
        info = os.lstat(name, dir_fd=dir_fd)
    except FileNotFoundError:
        raise _Refused(f"no folder {shown}/") from None
    except OSError as err:
        raise _Refused(f"{shown}/ cannot be read ({err.strerror})") from None
    if stat.S_ISLNK(info.st_mode):
        raise _Refused(f"{shown} is a symbolic link{_link_target(name, dir_fd)}, not a folder of the student's "
                       "own; links are not followed: the files must be in the folder itself")
    if not stat.S_ISDIR(info.st_mode):
        raise _Refused(f"{shown} is {_kind(info.st_mode)}, not a folder")
    try:
        return os.open(name, _DIR, dir_fd=dir_fd)
    except OSError as err:  # replaced between the lstat and the open
        raise _Refused(f"{shown}/ cannot be opened ({err.strerror})") from None


def _read_file(name: str, dir_fd: int, shown: str, max_bytes: int, *, what: str) -> bytes:
    """The bytes of the regular file ``name`` in ``dir_fd``, read without following a link."""
    try:
        fd = os.open(name, _FILE, dir_fd=dir_fd)
    except OSError as err:
        if err.errno in (errno.ELOOP, errno.EMLINK):  # O_NOFOLLOW on a link
            raise _Refused(f"{shown} is a symbolic link{_link_target(name, dir_fd)}, not a file; links are not "
                           f"followed: submit the {what} itself") from None
        if err.errno == errno.ENOENT:
            raise _Refused(f"no file {shown}") from None
        raise _Refused(f"{shown} cannot be read ({err.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _Refused(f"{shown} is {_kind(info.st_mode)}, not a regular file")
        if info.st_size > max_bytes:
            raise _Refused(f"{shown} is {format_size(info.st_size)}, over the limit of {format_size(max_bytes)} "
                           f"for a {what} (--max-notebook); it was not read")
        chunks, size = [], 0
        while size <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:  # it grew while being read
            raise _Refused(f"{shown} is over the limit of {format_size(max_bytes)} for a {what} (--max-notebook)")
        return b"".join(chunks)
    except OSError as err:
        raise _Refused(f"{shown} cannot be read ({err.strerror})") from None
    finally:
        os.close(fd)


def _open_assignment(submitted: Path, student: str, assignment: str) -> int:
    """A descriptor of ``submitted/<student>/<assignment>/``, reached without following links."""
    top = os.open(str(submitted), os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        folder = _open_dir(student, top, f"submitted/{student}")
    finally:
        os.close(top)
    try:
        return _open_dir(assignment, folder, f"submitted/{student}/{assignment}")
    finally:
        os.close(folder)


def read_submission(submitted: Path, student: str, assignment: str, *,
                    max_bytes: int = DEFAULT_MAX_NOTEBOOK) -> Submitted:
    """Read ``submitted/<student>/<assignment>/<assignment>.ipynb`` once, without following links.

    Refused, with the reason in ``problem``: a link anywhere below ``submitted/`` (the student's
    folder, the assignment folder, the notebook), anything but a regular file, a file larger
    than ``max_bytes`` (checked with ``fstat`` before a byte is read), a missing notebook (the
    reason lists the notebooks that are there).
    """
    name = f"{assignment}.ipynb"
    try:
        fd = _open_assignment(Path(submitted), student, assignment)
    except _Refused as why:
        return Submitted(student, assignment, None, str(why))
    except OSError as err:
        return Submitted(student, assignment, None, f"submitted/ cannot be read ({err.strerror})")
    try:
        try:
            os.lstat(name, dir_fd=fd)
        except FileNotFoundError:
            found = sorted(e.name for e in os.scandir(fd) if e.name.endswith(".ipynb"))
            return Submitted(student, assignment, None,
                             f"missing {name} (found: {', '.join(found) or 'no notebook'}); "
                             f"the notebook must keep the name {name}")
        return Submitted(student, assignment, _read_file(name, fd, name, max_bytes, what="notebook"))
    except _Refused as why:
        return Submitted(student, assignment, None, str(why))
    except OSError as err:
        return Submitted(student, assignment, None, f"{name} cannot be read ({err.strerror})")
    finally:
        os.close(fd)


def stage_submission(submitted: Path, student: str, assignment: str, dest: Path, *, notebook: str,
                     ignore: list[str] | tuple[str, ...] = (), max_bytes: int = DEFAULT_MAX_NOTEBOOK,
                     max_files: int = 1000) -> list[str]:
    """Copy the student's folder into ``dest`` for nbgrader to record from; notes on what was left out.

    nbgrader's Autograde reads the submission folder itself: it parses every notebook and copies
    every other file (``shutil.copy``, which follows links) into ``autograded/``, from where
    feedback is published. It is therefore given this copy instead: ``notebook`` (the text that
    was graded) as ``<assignment>.ipynb``, and the student's other regular files (``timestamp.txt``,
    data files), read without following links. Links, pipes and devices, files over ``max_bytes``,
    other notebooks (nbgrader would not copy them either) and files past ``max_files`` are left
    out; each gets a note.
    """
    notes: list[str] = []
    dest.mkdir(parents=True, exist_ok=True)
    (dest / f"{assignment}.ipynb").write_text(notebook, encoding="utf-8")
    try:
        top = _open_assignment(Path(submitted), student, assignment)
    except (_Refused, OSError) as why:
        return [f"its other files were not copied to autograded/: {why}"]
    copied = 0

    def walk(dir_fd: int, out: Path, rel: str, depth: int) -> None:
        nonlocal copied
        for entry in sorted(os.scandir(dir_fd), key=lambda e: e.name):
            name, shown = entry.name, f"{rel}{entry.name}"
            if any(fnmatch.fnmatch(name, pattern) for pattern in ignore):
                continue
            if not rel and name == f"{assignment}.ipynb":
                continue
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                continue
            if stat.S_ISLNK(mode):
                notes.append(f"{shown} was not copied to autograded/: it is a symbolic link"
                             f"{_link_target(name, dir_fd)}")
                continue
            if stat.S_ISDIR(mode):
                if depth >= 8:
                    notes.append(f"{shown}/ was not copied to autograded/: folders nested too deep")
                    continue
                try:
                    sub = _open_dir(name, dir_fd, shown)
                except _Refused as why:
                    notes.append(f"{shown}/ was not copied to autograded/: {why}")
                    continue
                try:
                    (out / name).mkdir(exist_ok=True)
                    walk(sub, out / name, f"{shown}/", depth + 1)
                finally:
                    os.close(sub)
                continue
            if name.endswith(".ipynb"):
                continue  # nbgrader copies no notebook but the graded one
            if copied >= max_files:
                notes.append(f"{shown} and the files after it were not copied to autograded/: more than "
                             f"{max_files} files")
                return
            try:
                data = _read_file(name, dir_fd, shown, max_bytes, what="file")
            except _Refused as why:
                notes.append(f"not copied to autograded/: {why}")
                continue
            (out / name).write_bytes(data)
            copied += 1

    try:
        walk(top, dest, "", 0)
    finally:
        os.close(top)
    return notes
