"""A sandbox per submission: the kernel that runs a student's code, and the limits around it.

Every submission's kernel starts in a scratch folder of its own, inside bubblewrap (``bwrap``)
when it is available:

* **no network**: a network namespace of its own, with nothing in it but loopback. The kernel
  talks to the grader over Unix sockets (ZeroMQ ``ipc``) in its scratch folder;
* **one writable place**: the scratch folder (the kernel's working directory, ``HOME`` and
  ``/tmp``). The system (``/usr``, ``/etc``), Python, the virtual environment and the course's
  two packages (``grader``, ``course_utils``) are mounted read-only; nothing else exists in it:
  not the course folder, so no ``solutions/``, gradebook, hidden tests or other submissions;
* **limits set from outside**: per-process limits on address space, CPU seconds, processes
  (threads included) and file size are set before the kernel starts; the grader's watchdog sums
  the resident memory of every process in the sandbox and kills it above ``Limits.memory``, and
  kills it when the notebook's wall-time limit is reached;
* **nothing survives**: the sandbox has a PID namespace of its own; killing it when grading ends
  kills every process started in it. When the grader runs as root, the kernel also runs as a
  user id of its own (so the process limit counts its processes only), and any process left
  with that id is killed at the end.

Where bubblewrap is missing or cannot create namespaces, grading still runs, without the
sandbox: :func:`status` says once what protection is lost (see :data:`LOST`).
"""

from __future__ import annotations

import functools
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Limits", "Status", "status", "Scratch", "kernel_argv", "processes_under", "kill_tree",
           "parse_size", "LOST", "INSTALL_HINT"]

GiB = 1024**3

INSTALL_HINT = ("install bubblewrap (Debian/Ubuntu: `sudo apt-get install bubblewrap`; Fedora: "
                "`sudo dnf install bubblewrap`) and make sure unprivileged user namespaces are enabled")

#: what is lost when grading runs without bubblewrap
LOST = ("submissions run WITHOUT a sandbox, with your user's rights: a submission can read the "
        "solutions, hidden tests and gradebook files, change other students' files and use the "
        "network. Memory, CPU-time, process and wall-time limits still apply, scores are still "
        "judged outside the kernel, and processes a submission leaves in its session are killed.")


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Set from the command line (``python -m grader autograde --help``)."""

    #: resident memory of all the sandbox's processes together, in bytes (watchdog); each process
    #: may also map at most ``memory + 2 GiB`` of address space (torch alone maps about 1 GiB)
    memory: int = 2 * GiB
    #: seconds for the whole notebook, from kernel start to the last cell
    wall: float = 600.0
    #: CPU seconds per process (a kernel using both cores spends two per wall second)
    cpu: int = 1200
    #: processes and threads at once (torch starts one thread per core); set only where the
    #: sandbox has a user of its own, see kernel_argv
    processes: int = 256
    #: largest file it may write, in bytes
    file_size: int = GiB
    #: output kept per cell (stream text, images, ...), in bytes; the rest is dropped with a note
    output: int = 1_000_000

    @property
    def address_space(self) -> int:
        return self.memory + 2 * GiB


def parse_size(text: str) -> int:
    """'2GiB', '512M', '1.5G', '100000' -> bytes; a ValueError naming the accepted forms otherwise."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([kKmMgGtT]?)(i?[bB])?\s*", str(text))
    if not m:
        raise ValueError(f"{text!r} is not a size; write e.g. 2GiB, 512MiB or a number of bytes")
    scale = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}[m.group(2).lower()]
    return int(float(m.group(1)) * scale)


@dataclass(frozen=True)
class Status:
    """Whether submissions run in bubblewrap here, and if not, why."""

    sandboxed: bool
    reason: str = ""
    #: a separate user id is used for each sandbox (the grader runs as root)
    own_uid: bool = False

    def warning(self) -> str:
        return "" if self.sandboxed else f"WARNING: {self.reason}; {INSTALL_HINT}. Until then, {LOST}"


def _read_only_roots() -> list[str]:
    """Host folders the kernel needs, mounted read-only: Python, the venv, the course packages."""
    import course_utils

    import grader

    roots = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix), sys.prefix,
             os.path.dirname(os.path.realpath(grader.__file__)),
             os.path.dirname(os.path.realpath(course_utils.__file__))}
    # the interpreter the venv links to (pyenv, conda, /usr/local ...) and its real location
    for exe in (sys.executable, os.path.realpath(sys.executable)):
        roots.add(os.path.dirname(os.path.dirname(exe)))
    system = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
    out = []
    for root in sorted(roots, key=len):
        if any(root == s or root.startswith(s + "/") for s in system):
            continue
        if any(root == r or root.startswith(r + "/") for r in out):
            continue
        out.append(root)
    return out


def _system_args() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = f"/{name}"
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    args += ["--ro-bind", "/etc", "/etc", "--proc", "/proc", "--dev", "/dev"]
    return args


def _parents(path: str) -> list[str]:
    parts = Path(path).parts[1:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


def _bind_args(scratch: str) -> list[str]:
    """Read-only roots and the writable scratch, each at its own path; parent folders world-readable."""
    # /tmp first: the scratch folder may itself lie under the host's /tmp
    args: list[str] = ["--bind", os.path.join(scratch, "tmp"), "/tmp"]
    made: set[str] = {"/tmp"}
    system = {"/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/dev"}
    for target, mode in [*((r, "--ro-bind") for r in _read_only_roots()), (scratch, "--bind")]:
        for parent in _parents(target):
            if parent not in made and parent not in system:
                args += ["--perms", "0755", "--dir", parent]
                made.add(parent)
        args += [mode, target, target]
    return args


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _namespace_args() -> list[str]:
    """As root, no user namespace (the kernel drops to a user id of its own instead, so that the
    process limit applies); otherwise a user namespace, where the process limit counts the
    sandbox's own processes."""
    common = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
              "--die-with-parent", "--new-session"]
    return common if _is_root() else ["--unshare-user", *common]


@functools.cache
def status() -> Status:
    """Can this machine run a kernel in bubblewrap? Tried once per process with a real sandbox."""
    if sys.platform != "linux":
        return Status(False, f"bubblewrap needs Linux (this is {sys.platform})")
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return Status(False, "bubblewrap (bwrap) is not installed")
    scratch = tempfile.mkdtemp(prefix="grader-sbx-probe-")
    try:
        os.mkdir(os.path.join(scratch, "tmp"))
        cmd = [bwrap, *_namespace_args(), *_system_args(), *_bind_args(scratch), "--chdir", scratch,
               "--", sys.executable, "-I", "-S", "-c", "print('ok')"]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as err:
            return Status(False, f"bubblewrap could not start a sandbox ({err})")
        if done.returncode != 0 or done.stdout.strip() != "ok":
            why = (done.stderr.strip().splitlines() or ["no message"])[-1]
            return Status(False, f"bubblewrap is installed but cannot create a sandbox here ({why})")
        return Status(True, own_uid=_is_root())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


#: runs first inside the sandbox: drop to the sandbox's user id (as root), set the limits, start the kernel
_LAUNCH = r"""
import ctypes, os, resource, sys
uid, aspace, cpu, nproc, fsize = (int(v) for v in sys.argv[1:6])
if uid >= 0:
    os.setgroups([]); os.setgid(uid); os.setuid(uid)
try:
    ctypes.CDLL(None, use_errno=True).prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
except Exception:
    pass
for what, value in ((resource.RLIMIT_AS, aspace), (resource.RLIMIT_CPU, cpu), (resource.RLIMIT_NPROC, nproc),
                    (resource.RLIMIT_FSIZE, fsize), (resource.RLIMIT_CORE, 0)):
    if value >= 0:  # -1: leave that limit as it is
        resource.setrlimit(what, (value, value))
# inside a PID namespace the kernel's parent is pid 1, which ipykernel would take for an orphan;
# "1" turns its parent poller off (the sandbox dies with the grader anyway: bwrap --die-with-parent)
os.environ["JPY_PARENT_PID"] = "1"
os.execv(sys.argv[7], sys.argv[7:])
"""


class Scratch:
    """The one writable folder of a submission: its notebook copy, HOME, /tmp and kernel sockets."""

    def __init__(self, *, uid: int | None = None) -> None:
        self.path = tempfile.mkdtemp(prefix="grader-sbx-")
        os.chmod(self.path, 0o700 if uid is None else 0o755)
        self.uid = uid
        for sub in ("tmp", ".config/matplotlib", ".ipython"):
            os.makedirs(os.path.join(self.path, sub), exist_ok=True)
        _copy_font_cache(os.path.join(self.path, ".config/matplotlib"))
        if uid is not None:
            for folder, dirs, files in os.walk(self.path):
                os.chown(folder, uid, uid)
                for name in files:
                    os.chown(os.path.join(folder, name), uid, uid)

    def write(self, name: str, text: str) -> str:
        path = os.path.join(self.path, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        if self.uid is not None:
            os.chown(path, self.uid, self.uid)
        return path

    def env(self) -> dict[str, str]:
        return {
            "PATH": os.pathsep.join([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]),
            "HOME": self.path,
            "TMPDIR": "/tmp",
            "MPLCONFIGDIR": os.path.join(self.path, ".config/matplotlib"),
            "IPYTHONDIR": os.path.join(self.path, ".ipython"),
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            "LANG": "C.UTF-8",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            "NBGRADER_EXECUTION": "autograde",
        }

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _copy_font_cache(into: str) -> None:
    """matplotlib's font list, so that each kernel does not rebuild it (seconds per kernel)."""
    try:
        import matplotlib

        cache = Path(matplotlib.get_cachedir())
        for f in cache.glob("fontlist-*.json"):
            shutil.copy(f, into)
    except Exception:
        pass


def new_uid() -> int:
    """A user id no account uses, one per sandbox (root only): 0x10000000 + 24 random bits."""
    return 0x10000000 + secrets.randbits(24)


def kernel_argv(scratch: Scratch, limits: Limits, *, sandboxed: bool) -> list[str]:
    """The command that starts a kernel for ``scratch`` (``{connection_file}`` left for jupyter)."""
    kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
              "--HistoryManager.hist_file=:memory:"]
    uid = scratch.uid if scratch.uid is not None else -1
    # the process limit counts every process of the kernel's user: only set it where that user
    # is the sandbox's alone (a user id of its own as root, or bwrap's user namespace); without
    # a sandbox it would count all of your own processes and could stop the kernel's threads
    own_user = scratch.uid is not None or (sandboxed and not _is_root())
    nproc = limits.processes if own_user else -1
    launch = [sys.executable, "-I", "-S", "-c", _LAUNCH, str(uid), str(limits.address_space), str(int(limits.cpu)),
              str(nproc), str(limits.file_size), "--", *kernel]
    if not sandboxed:
        return launch
    return [shutil.which("bwrap") or "bwrap", *_namespace_args(), *_system_args(), *_bind_args(scratch.path),
            "--chdir", scratch.path, "--", *launch]


def processes_under(pid: int) -> list[int]:
    """``pid`` and all its descendants now alive (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(b")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        if p in out:
            continue
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def resident_bytes(pids: list[int]) -> int:
    """Memory used by ``pids`` together (processes that are gone count 0).

    Proportional set size (Pss) where the kernel reports it: pages shared after a fork count
    once in all, not once per process, so forked workers are not counted many times over.
    """
    page = os.sysconf("SC_PAGE_SIZE")
    total = 0
    for p in set(pids):
        try:
            with open(f"/proc/{p}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
            continue
        except (OSError, IndexError, ValueError):
            pass
        try:
            with open(f"/proc/{p}/statm", "rb") as f:
                total += int(f.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            pass
    return total


def processes_of_uid(uid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    out.append(int(entry))
            except OSError:
                pass
    return out


def kill_tree(pid: int | None, *, uid: int | None = None) -> None:
    """Kill ``pid``, its process group, its descendants and (as root) every process of ``uid``."""
    targets: list[int] = []
    if pid:
        targets = processes_under(pid)
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
    if uid is not None:
        targets += processes_of_uid(uid)
    for p in targets:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
