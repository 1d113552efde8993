"""A sandbox per submission: the kernel that runs a student's code, and the limits around it.

Every submission's kernel starts in a scratch folder of its own, inside bubblewrap (``bwrap``)
when it is available:

* **no network**: a network namespace of its own, with nothing in it but loopback. The kernel
  talks to the grader over Unix sockets (ZeroMQ ``ipc``) in its scratch folder;
* **one writable place, of bounded size**: ``/tmp``, a tmpfs of ``Limits.disk`` bytes made by
  bubblewrap (``--size``), holds the kernel's working directory and ``HOME`` (``/tmp/home``), its
  sockets and the evidence files; a write past its size fails (no space left), whatever the
  number of files. Everything else is read-only -- the sandbox's root and ``/dev`` are remounted
  read-only -- and holds only the system (``/usr``, ``/etc``), Python, the virtual environment
  and the course's two packages (``grader``, ``course_utils``): not the course folder, so no
  ``solutions/``, gradebook, hidden tests or other submissions;
* **the grader reaches in, the kernel never reaches out**: the tmpfs exists only in the
  sandbox's mount namespace. Once the kernel starts, the grader opens the sandbox's root
  (``/proc/<pid>/root`` of its first process, checked to be that tmpfs) and keeps descriptors on
  ``/tmp`` and ``/tmp/home``; it connects to the kernel's sockets through links in its own,
  private folder that point into that descriptor, and reads evidence and writes the notebook
  copy with ``openat`` and ``O_NOFOLLOW`` below it. The kernel sees none of the grader's
  folders: its connection file and matplotlib's font list are single read-only files in
  ``/run/grader``;
* **limits set from outside**: per-process limits on address space, CPU seconds, processes
  (threads included) and file size are set before the kernel starts; the grader's watchdog sums
  the resident memory of every process in the sandbox and the files in its tmpfs (they are held
  in memory) and kills it above ``Limits.memory``, and kills it when the notebook's wall-time
  limit is reached;
* **nothing survives**: the sandbox has a PID namespace of its own; killing it when grading ends
  kills every process started in it. When the grader runs as root, the kernel also runs as a
  user id of its own (so the process limit counts its processes only), and any process left
  with that id is killed at the end.

Where bubblewrap is missing or cannot create namespaces, grading still runs, without the
sandbox: :func:`status` says once what protection is lost (see :data:`LOST`). The scratch folder
is then an ordinary folder: the file-size limit caps each file at ``Limits.disk``, and the
watchdog stops the kernel once the folder holds more than that (checked every second, so a fast
writer can go past it by what it writes in a second).
"""

from __future__ import annotations

import functools
import os
import re
import secrets
import shutil
import signal
import subprocess
import stat
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Limits", "Status", "status", "Scratch", "kernel_argv", "processes_under", "kill_tree",
           "parse_size", "format_size", "LOST", "INSTALL_HINT"]

GiB = 1024**3
MiB = 1024**2

#: inside the sandbox: the tmpfs (the one writable place), the kernel's HOME and working folder in
#: it, the prefix of its sockets (``/tmp/kernel-<port>``), and the read-only files from the grader
SANDBOX_TMP = "/tmp"
SANDBOX_HOME = "/tmp/home"
SANDBOX_IPC = "/tmp/kernel"
SANDBOX_RUN = "/run/grader"

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
    #: bytes it may write in all (working folder, HOME and /tmp together): the size of its tmpfs.
    #: The files are held in memory, so they count toward ``memory`` too
    disk: int = GiB
    #: largest submitted notebook file, in bytes: a larger one is refused before it is read
    notebook: int = 50 * MiB
    #: largest single kernel message the grader takes in, in bytes (ZeroMQ's ``MAXMSGSIZE`` on
    #: every socket of the grader's side; never below twice ``output``): a larger one is refused
    #: before it is read. ipykernel sends a fast loop's prints as one message, so keep it well
    #: above what a print loop writes in a fifth of a second
    message: int = 64 * MiB

    @property
    def address_space(self) -> int:
        return self.memory + 2 * GiB

    @property
    def max_message(self) -> int:
        """The message size limit in force: ``message``, or twice ``output`` if that is larger."""
        return max(self.message, 2 * self.output)


def parse_size(text: str) -> int:
    """'2GiB', '512M', '1.5G', '100000' -> bytes; a ValueError naming the accepted forms otherwise."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([kKmMgGtT]?)(i?[bB])?\s*", str(text))
    if not m:
        raise ValueError(f"{text!r} is not a size; write e.g. 2GiB, 512MiB or a number of bytes")
    scale = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}[m.group(2).lower()]
    return int(float(m.group(1)) * scale)


def format_size(n: int) -> str:
    """52428800 -> '50 MiB'; 1536 -> '1.5 KiB'."""
    for unit, scale in (("GiB", GiB), ("MiB", MiB), ("KiB", 1024)):
        if n >= scale:
            value = n / scale
            return f"{value:.1f} {unit}".replace(".0 ", " ") if value < 10 else f"{value:.0f} {unit}"
    return f"{n} bytes"


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


def _mount_args(run: str, disk: int) -> list[str]:
    """The tmpfs (``/tmp``, ``disk`` bytes), the grader's read-only files at ``/run/grader`` (from
    the host folder ``run``), the read-only roots, each at its own path (parent folders
    world-readable); then the sandbox's root and ``/dev`` remounted read-only."""
    # the tmpfs first: a read-only root may itself lie under /tmp
    args: list[str] = ["--perms", "01777", "--size", str(int(disk)), "--tmpfs", SANDBOX_TMP,
                       "--perms", "0755", "--dir", "/run", "--ro-bind", run, SANDBOX_RUN]
    made: set[str] = {SANDBOX_TMP, "/run", SANDBOX_RUN}
    system = {"/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/dev"}
    for target in _read_only_roots():
        for parent in _parents(target):
            if parent not in made and parent not in system:
                args += ["--perms", "0755", "--dir", parent]
                made.add(parent)
        args += ["--ro-bind", target, target]
    return [*args, "--remount-ro", "/", "--remount-ro", "/dev"]


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
        os.mkdir(os.path.join(scratch, "run"))
        # the kernels' own mounts: a bubblewrap without --size (before 0.5) fails here
        cmd = [bwrap, *_namespace_args(), *_system_args(), *_mount_args(os.path.join(scratch, "run"), 16 * MiB),
               "--chdir", SANDBOX_TMP, "--", sys.executable, "-I", "-S", "-c", "print('ok')"]
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


#: runs first inside the sandbox: drop to the sandbox's user id (as root), make HOME (in the sandbox:
#: in its tmpfs, with matplotlib's font list copied in), set the limits, start the kernel
_LAUNCH = r"""
import ctypes, os, resource, shutil, sys
uid, aspace, cpu, nproc, fsize = (int(v) for v in sys.argv[1:6])
home, fonts = sys.argv[6:8]
if uid >= 0:
    os.setgroups([]); os.setgid(uid); os.setuid(uid)
if home:
    for sub in ("tmp", ".config/matplotlib", ".ipython"):
        os.makedirs(os.path.join(home, sub), mode=0o700, exist_ok=True)
    for name in (os.listdir(fonts) if fonts else []):
        if name.startswith("fontlist-"):
            shutil.copyfile(os.path.join(fonts, name), os.path.join(home, ".config/matplotlib", name))
    os.chdir(home)
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
os.execv(sys.argv[9], sys.argv[9:])
"""


_O_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_PATH", 0) | os.O_CLOEXEC


class Scratch:
    """The one writable place of a submission: its notebook copy, HOME, /tmp, kernel sockets, evidence.

    ``path`` is a folder on the host, the grader's. Without a sandbox it is also the kernel's
    folder (``home``). In a sandbox it holds only what the grader keeps for itself (the
    connection file, the links to the kernel's sockets) and ``run/``, mounted read-only at
    ``/run/grader``; the kernel's writable place is its tmpfs, reached with :meth:`attach`.
    """

    def __init__(self, *, uid: int | None = None, sandboxed: bool = False) -> None:
        self.path = tempfile.mkdtemp(prefix="grader-sbx-")
        self.uid = uid
        self.sandboxed = sandboxed
        #: descriptors of the sandbox's /tmp and /tmp/home (sandboxed, once attached)
        self._tmp: int | None = None
        self._home: int | None = None
        if sandboxed:
            os.chmod(self.path, 0o700)  # the kernel never sees this folder
            run = os.path.join(self.path, "run")
            os.mkdir(run)
            os.chmod(run, 0o755)
            _copy_font_cache(run)
            #: the kernel's HOME and working folder, as the kernel sees it
            self.home = SANDBOX_HOME
            return
        self.home = self.path
        os.chmod(self.path, 0o700 if uid is None else 0o755)
        for sub in ("tmp", ".config/matplotlib", ".ipython"):
            os.makedirs(os.path.join(self.path, sub), exist_ok=True)
        _copy_font_cache(os.path.join(self.path, ".config/matplotlib"))
        if uid is not None:
            for folder, dirs, files in os.walk(self.path):
                os.chown(folder, uid, uid)
                for name in files:
                    os.chown(os.path.join(folder, name), uid, uid)

    def connection_file(self, info: dict, host_file: str) -> str:
        """The connection file the kernel reads (the host's ``host_file`` without a sandbox; in one,
        a copy in ``run/`` whose sockets are at ``/tmp/kernel-<port>`` in the sandbox)."""
        if not self.sandboxed:
            if self.uid is not None:
                os.chown(host_file, self.uid, self.uid)
            return host_file
        from jupyter_client.connect import write_connection_file

        keep = ("shell_port", "iopub_port", "stdin_port", "hb_port", "control_port", "key", "transport",
                "signature_scheme", "kernel_name")
        path = os.path.join(self.path, "run", "kernel.json")
        write_connection_file(path, ip=SANDBOX_IPC, **{k: info[k] for k in keep if k in info})
        if self.uid is not None:  # the kernel runs as the sandbox's own user, and must read it
            os.chown(path, self.uid, self.uid)
        return f"{SANDBOX_RUN}/kernel.json"

    def attach(self, pid: int, *, disk: int, ip: str, ports: list[int], timeout: float = 60.0) -> None:
        """Reach the sandbox started by process ``pid`` (bubblewrap): keep a descriptor of its tmpfs,
        and link ``<ip>-<port>`` here to the kernel's socket there, for each port.

        The sandbox's root is read from ``/proc/<pid>/root`` of a process bubblewrap started in it
        (it forks the command only once the mounts are made), and accepted only when its /tmp is a
        file system of ``disk`` bytes other than the host's; before any student code runs.
        """
        if not self.sandboxed or self._tmp is not None:
            return
        deadline = time.monotonic() + timeout
        want = -(-int(disk) // os.sysconf("SC_PAGE_SIZE")) * os.sysconf("SC_PAGE_SIZE")
        host_tmp = os.stat("/").st_dev
        while self._tmp is None:
            if time.monotonic() > deadline:
                raise RuntimeError("the sandbox did not start (no tmpfs of its own appeared)")
            for p in processes_under(pid)[1:]:
                try:
                    root = os.open(f"/proc/{p}/root", _O_DIR & ~os.O_NOFOLLOW)
                except OSError:
                    continue
                try:
                    tmp = os.open("tmp", _O_DIR, dir_fd=root)
                except OSError:
                    continue
                finally:
                    os.close(root)
                info, fs = os.fstat(tmp), os.fstatvfs(tmp)
                if info.st_dev != host_tmp and fs.f_blocks * fs.f_frsize == want:
                    self._tmp = tmp
                    break
                os.close(tmp)
            else:
                time.sleep(0.01)
        name = os.path.basename(SANDBOX_IPC)
        for port in ports:
            os.symlink(f"/proc/self/fd/{self._tmp}/{name}-{port}", f"{ip}-{port}")

    def _home_fd(self) -> int:
        """A descriptor of the kernel's HOME in the sandbox (opened once, before student code runs)."""
        if self._home is None:
            if self._tmp is None:
                raise RuntimeError("the sandbox's scratch space is not attached")
            self._home = os.open(os.path.basename(SANDBOX_HOME), _O_DIR, dir_fd=self._tmp)
        return self._home

    def write(self, name: str, text: str) -> str:
        """Write ``name`` in the kernel's HOME (never through a link); its path as the kernel sees it."""
        if self.sandboxed:
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644,
                         dir_fd=self._home_fd())
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                if self.uid is not None:
                    os.fchown(f.fileno(), self.uid, self.uid)
                f.write(text)
            return os.path.join(self.home, name)
        path = os.path.join(self.path, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        if self.uid is not None:
            os.chown(path, self.uid, self.uid)
        return path

    def take(self, name: str, max_bytes: int) -> bytes | None:
        """The file ``name`` the kernel wrote in its HOME, then removed; None if there is none.

        The kernel owns the folder, so the file is opened without following a symlink and must be
        a regular file of at most ``max_bytes``: a link to a host file is never read.
        """
        dir_fd = self._home_fd() if self.sandboxed else None
        where = name if self.sandboxed else os.path.join(self.path, name)
        try:
            fd = os.open(where, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
        except OSError:
            fd = None
        try:
            if fd is None:
                return None
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
                return None
            with os.fdopen(fd, "rb") as f:
                fd = None
                return f.read(max_bytes + 1)
        except OSError:
            return None
        finally:
            if fd is not None:
                os.close(fd)
            try:
                os.unlink(where, dir_fd=dir_fd)
            except OSError:
                pass

    def used(self) -> int:
        """Bytes the submission's files take now: its tmpfs in a sandbox, the folder's size without."""
        if self.sandboxed:
            if self._tmp is None:
                return 0
            fs = os.fstatvfs(self._tmp)
            return (fs.f_blocks - fs.f_bfree) * fs.f_frsize
        return _folder_bytes(self.path)

    def full(self, disk: int) -> bool:
        """Has it no room left (less than a page free in the sandbox's tmpfs; over ``disk`` without)?"""
        if self.sandboxed:
            if self._tmp is None:
                return False
            fs = os.fstatvfs(self._tmp)
            return fs.f_bavail * fs.f_frsize < 64 * 1024
        return self.used() > disk

    def env(self) -> dict[str, str]:
        home = self.home
        return {
            "PATH": os.pathsep.join([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]),
            "HOME": home,
            # without a sandbox, temporary files stay in the scratch folder too (and count there)
            "TMPDIR": SANDBOX_TMP if self.sandboxed else os.path.join(self.path, "tmp"),
            "MPLCONFIGDIR": os.path.join(home, ".config/matplotlib"),
            "IPYTHONDIR": os.path.join(home, ".ipython"),
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            "LANG": "C.UTF-8",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            "NBGRADER_EXECUTION": "autograde",
        }

    def remove(self) -> None:
        """Let go of the sandbox's tmpfs (its memory is freed once the sandbox is gone) and remove the folder."""
        for fd in (self._home, self._tmp):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._home = self._tmp = None
        shutil.rmtree(self.path, ignore_errors=True)


def _folder_bytes(path: str) -> int:
    """Disk space the files under ``path`` take (allocated blocks), not following links."""
    total = 0
    todo = [path]
    while todo:
        try:
            entries = os.scandir(todo.pop())
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    info = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                if stat.S_ISDIR(info.st_mode):
                    todo.append(entry.path)
                else:
                    total += getattr(info, "st_blocks", 0) * 512 or info.st_size
    return total


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
    """The command that starts a kernel for ``scratch`` (without a sandbox, ``{connection_file}``
    is left for jupyter; in one, the kernel reads its copy at ``/run/grader/kernel.json``)."""
    connection = f"{SANDBOX_RUN}/kernel.json" if sandboxed else "{connection_file}"
    kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", connection,
              "--HistoryManager.hist_file=:memory:"]
    uid = scratch.uid if scratch.uid is not None else -1
    # the process limit counts every process of the kernel's user: only set it where that user
    # is the sandbox's alone (a user id of its own as root, or bwrap's user namespace); without
    # a sandbox it would count all of your own processes and could stop the kernel's threads
    own_user = scratch.uid is not None or (sandboxed and not _is_root())
    nproc = limits.processes if own_user else -1
    # without a sandbox no file may be larger than the whole scratch space either
    fsize = limits.file_size if sandboxed else min(limits.file_size, limits.disk)
    home, fonts = (SANDBOX_HOME, SANDBOX_RUN) if sandboxed else ("", "")
    launch = [sys.executable, "-I", "-S", "-c", _LAUNCH, str(uid), str(limits.address_space), str(int(limits.cpu)),
              str(nproc), str(fsize), home, fonts, "--", *kernel]
    if not sandboxed:
        return launch
    return [shutil.which("bwrap") or "bwrap", *_namespace_args(), *_system_args(),
            *_mount_args(os.path.join(scratch.path, "run"), limits.disk), "--chdir", SANDBOX_TMP, "--", *launch]


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
