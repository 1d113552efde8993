"""Executing one sanitized submission: the expensive part of grading, and the only part that runs
in parallel (a process pool, or a Dask task on a cluster).

:func:`execute` is a pure function of its arguments: a notebook that nbgrader's sanitize steps
have already cleaned (outputs cleared, ids deduplicated, kernelspec and locked cells restored
from the gradebook), the sources of the assignment's test cells as the gradebook has them, and
the settings. It touches no gradebook and no course folder, and returns the executed notebook
as JSON, so a cluster worker needs nothing but the course's Python environment.

Ordered steps of one call:

1. take the kernel this worker started ahead of time (or start one now): fresh, in a sandbox of
   its own (:mod:`grader.sandbox`), with only modules imported -- no student code ever ran in it;
2. start the *next* kernel in the background, so the next call does not wait for a start and the
   torch import (kernels are never reused across submissions: student code leaves state);
3. drop the cells tagged ``skip-grading`` (figures, long demonstrations);
4. run the other cells top to bottom, as nbgrader's Execute does (errors allowed, a per-cell
   timeout), except the **test cells**: their source (with its hidden tests) never goes to the
   kernel. For each ``run(exercise, obj, visible=...)`` in a test cell, the kernel gets a probe
   request and hands back plain data, which is judged here (:mod:`grader.evidence`). The test
   cell's outputs are written by the grader from those verdicts: a test that did not run, or
   whose evidence is missing or forged, fails;
5. a watchdog kills the sandbox above the memory limit (its processes and the files in its tmpfs),
   and the notebook stops at the wall-time limit; outputs above the per-cell limit are dropped
   with a note, a write past the scratch space's size fails (the note says it filled up), and a
   single kernel message over ``Limits.message`` is refused by the grader's sockets before it is
   read (ZeroMQ's ``MAXMSGSIZE``: the connection drops, the channel gets a new socket, the
   message is lost, and a note says so);
6. put the skipped cells back, unexecuted, so feedback shows the whole notebook; kill every
   process of the sandbox and remove its scratch folder.
"""

from __future__ import annotations

import ast
import asyncio
import atexit
import json
import os
import re
import socket
import threading
import time
from dataclasses import dataclass, field

import nbformat
from nbformat import NotebookNode

from . import evidence, sandbox
from .sandbox import Limits
from .skip import is_skipped

__all__ = ["Executed", "execute", "shutdown_prestarted", "probe_calls", "ProbeCall"]

#: run silently in each kernel before it is handed a submission: the imports every notebook's
#: first cell pays for (modules only: no name is defined in the student's namespace)
WARMUP = """
import importlib as _il
for _m in ("numpy", "scipy.optimize", "torch", "matplotlib.pyplot", "course_utils.seeding",
           "course_utils.data", "course_utils.gradcheck", "course_utils.training",
           "course_utils.plotting", "grader.checks", "grader.evidence"):
    try:
        _il.import_module(_m)
    except ImportError:
        pass
del _il, _m
"""

_ERROR_ON_TIMEOUT = {
    "ename": "CellTimeoutError",
    "evalue": "",
    "traceback": ["\x1b[0;31mCellTimeoutError\x1b[0m: No reply from kernel before timeout"],
}

_HIDDEN_RE = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class ProbeCall:
    """One ``run(exercise, obj, visible=...)`` of a test cell."""

    exercise: str
    obj: str
    visible: bool


def probe_calls(source: str) -> list[ProbeCall]:
    """The ``run(...)`` calls of a test cell's source, in order; ValueError on anything else.

    Test cells may hold only ``run("<exercise>", <expression>, visible=<bool>)`` statements (and
    the import of ``run``): the autograder replaces each by a probe request, so other code
    would never run.
    """
    tree = ast.parse(source)
    calls = []
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            continue
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        ok = (isinstance(call, ast.Call) and (getattr(call.func, "id", None) == "run"
                                              or getattr(call.func, "attr", None) == "run")
              and len(call.args) == 2 and isinstance(call.args[0], ast.Constant)
              and isinstance(call.args[0].value, str)
              and all(k.arg == "visible" and isinstance(k.value, ast.Constant) for k in call.keywords))
        if not ok:
            raise ValueError(f"a test cell may hold only run(\"<exercise>\", <object>, visible=...) calls; "
                             f"found: {ast.get_source_segment(source, stmt)!r}")
        visible = bool(call.keywords[0].value.value) if call.keywords else False
        calls.append(ProbeCall(call.args[0].value, ast.get_source_segment(source, call.args[1]), visible))
    return calls


@dataclass(frozen=True)
class Executed:
    """What executing one submission produced; plain data, so it crosses process and network."""

    #: the executed notebook (nbformat 4 JSON), skipped cells included unexecuted; '' on a fault
    notebook: str
    #: wall seconds of the whole call, and of them, seconds spent waiting for a kernel
    seconds: float
    kernel_wait: float
    skipped_cells: int = 0
    #: why the notebook could not be executed ('' when it was)
    error: str = ""
    host: str = ""
    #: what the instructor should know: limits reached, a kernel that died, outputs cut
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: whether the kernel ran in bubblewrap
    sandboxed: bool = False
    #: the user id the kernel ran as, when the sandbox had one of its own (the grader runs as root)
    sandbox_uid: int | None = None


class _Worker:
    """One event loop in a daemon thread per process: every kernel of this process is started,
    driven and shut down on it, and the next kernel warms up there while the current one runs."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="grader-kernels", daemon=True)
        self.thread.start()
        self.next: dict[tuple, _Kernel] = {}

    def run(self, coro, timeout: float | None = None):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)


_WORKER: _Worker | None = None
_WORKER_LOCK = threading.Lock()


def _worker() -> _Worker:
    global _WORKER
    with _WORKER_LOCK:
        if _WORKER is None:
            _WORKER = _Worker()
            atexit.register(shutdown_prestarted)
            try:  # multiprocessing children skip atexit; their finalizers do run
                from multiprocessing import util

                util.Finalize(None, shutdown_prestarted, exitpriority=10)
            except Exception:  # pragma: no cover
                pass
        return _WORKER


class _Kernel:
    """A kernel being started (``task``) in a scratch folder and sandbox of its own."""

    def __init__(self, limits: Limits, sandboxed: bool) -> None:
        self.km = None
        self.limits = limits
        self.sandboxed = sandboxed
        own_uid = sandboxed and sandbox.status().own_uid
        self.scratch = sandbox.Scratch(uid=sandbox.new_uid() if own_uid else None, sandboxed=sandboxed)
        self.pid: int | None = None
        self.context = None
        self.task = asyncio.ensure_future(self._start())

    async def _start(self):
        import zmq
        import zmq.asyncio
        from jupyter_client.kernelspec import KernelSpec

        scratch = self.scratch
        # every socket of the grader's side (the manager's, every client's) is made from this
        # context, which refuses a message over the limit before it is read
        self.context = zmq.asyncio.Context()
        self.context.setsockopt(zmq.MAXMSGSIZE, int(self.limits.max_message))
        manager, client = _manager_classes()
        km = self.km = manager(transport="ipc", ip=os.path.join(scratch.path, "kernel"),
                               connection_file=os.path.join(scratch.path, "kernel.json"), context=self.context,
                               client_factory=client)
        km._kernel_spec = KernelSpec(argv=sandbox.kernel_argv(scratch, self.limits, sandboxed=self.sandboxed),
                                     display_name="Python 3 (grader sandbox)", language="python",
                                     # a signal to bwrap would not reach the kernel inside the sandbox
                                     interrupt_mode="message", metadata={})
        km.write_connection_file()
        info = km.get_connection_info()
        scratch.connection_file(info, km.connection_file)
        await km.start_kernel(cwd=scratch.path, env=scratch.env())
        self.pid = getattr(getattr(km, "provisioner", None), "pid", None)
        if scratch.sandboxed:
            ports = [info[f"{c}_port"] for c in ("shell", "iopub", "stdin", "hb", "control")]
            await asyncio.to_thread(scratch.attach, self.pid, disk=self.limits.disk, ip=km.ip, ports=ports)
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=120)
            await kc.execute_interactive(WARMUP, silent=True, store_history=False, timeout=300)
        finally:
            kc.stop_channels()
        return km

    async def stop(self) -> None:
        """Kill every process of the sandbox and remove its folder; safe to call more than once."""
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        self.kill()
        from jupyter_core.utils import ensure_async

        try:
            if self.km is not None and self.km.has_kernel:
                await ensure_async(self.km.shutdown_kernel(now=True))
        except Exception:
            pass
        self.kill()
        self.scratch.remove()
        if self.context is not None:
            self.context.destroy(linger=0)
            self.context = None

    def kill(self) -> None:
        sandbox.kill_tree(self.pid, uid=self.scratch.uid)


def _manager_classes():
    """jupyter_client's kernel manager and client, with every client made from the manager's
    (capped) ZeroMQ context, and each client socket watched for a dropped connection: how a
    refused message shows (``watched``, a list the caller sets on the manager, gets
    ``(client, channel, socket, monitor)`` for each socket)."""
    import zmq
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.channels import AsyncZMQSocketChannel
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import Type

    class RenewableChannel(AsyncZMQSocketChannel):
        """A channel whose socket may be replaced while a read waits: it looks at ``socket``
        again every 0.2 s, so a read goes on with the new socket."""

        async def get_msg(self, timeout=None):
            from queue import Empty

            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                sock = self.socket
                left = 0.2 if deadline is None else max(0.0, min(0.2, deadline - time.monotonic()))
                if await sock.poll(int(left * 1000)) and sock is self.socket:
                    _, smsg = self.session.feed_identities(await sock.recv_multipart())
                    return self.session.deserialize(smsg)
                if deadline is not None and time.monotonic() >= deadline:
                    raise Empty

    class WatchedClient(AsyncKernelClient):
        shell_channel_class = Type(RenewableChannel)
        iopub_channel_class = Type(RenewableChannel)
        stdin_channel_class = Type(RenewableChannel)
        control_channel_class = Type(RenewableChannel)

        def _create_connected_socket(self, channel, identity=None):
            sock = super()._create_connected_socket(channel, identity)
            watched = getattr(self.parent, "watched", None)
            if watched is not None and channel != "hb":
                watched.append((self, channel, sock, sock.get_monitor_socket(zmq.EVENT_DISCONNECTED)))
            return sock

    class CappedManager(AsyncKernelManager):
        def client(self, **kwargs):
            kwargs.setdefault("context", self.context)
            return super().client(**kwargs)

    return CappedManager, WatchedClient


async def _renew_when_dropped(watched: list, entry: tuple, dropped: list[int], retired: list) -> None:
    """Count each connection a channel's socket drops, and give the channel a new socket at once.

    A message over ``MAXMSGSIZE`` is a protocol error to ZeroMQ: the connection is closed and
    never re-established, so the channel would stay deaf. Connecting the same socket again is
    not safe (a multipart message it was reading is cut off; libzmq aborts on the next one), so
    the channel gets a fresh socket, which a waiting read picks up within 0.2 s; the old one is
    kept, unread, until the cells are done. The refused message is lost, and on iopub what the
    kernel sent until the new socket connected.
    """
    import zmq
    from zmq.utils.monitor import parse_monitor_message

    client, channel, sock, monitor = entry
    while True:  # the channel's reads look at its socket every 0.2 s (RenewableChannel)
        event = parse_monitor_message(await monitor.recv_multipart())
        if not event["event"] & zmq.EVENT_DISCONNECTED:
            continue
        dropped[0] += 1
        retired.append(entry)
        connect = getattr(client, f"connect_{channel}")
        fresh = connect() if channel == "iopub" else connect(identity=client.session.bsession)
        getattr(client, f"{channel}_channel").socket = fresh
        entry = next(e for e in reversed(watched) if e[2] is fresh)
        client, channel, sock, monitor = entry


def _strip_hidden(nb: NotebookNode) -> str:
    """The submission as its student sees it (hidden tests removed, no outputs), for the scratch copy."""
    copy = nbformat.reads(nbformat.writes(nb), as_version=4)
    for cell in copy.cells:
        if cell.cell_type == "code":
            cell.source = _HIDDEN_RE.sub("", cell.source)
            cell.outputs = []
            cell.execution_count = None
    return nbformat.writes(copy)


def _client_class():
    from nbclient import NotebookClient

    class CappedClient(NotebookClient):
        """nbclient that keeps at most ``output_limit`` bytes of output per cell."""

        output_limit = 1_000_000

        def output(self, outs, msg, display_id, cell_index):
            used = self._used.get(id(outs), 0)
            size = len(json.dumps(msg.get("content", {}), default=str))
            if used + size > self.output_limit:
                if used <= self.output_limit:
                    outs.append(nbformat.v4.new_output(
                        "stream", name="stdout",
                        text=f"\n[output cut by the grader: this cell printed more than "
                             f"{self.output_limit:,} bytes]\n"))
                    self.cut.add(cell_index)
                self._used[id(outs)] = self.output_limit + 1
                return None
            self._used[id(outs)] = used + size
            return super().output(outs, msg, display_id, cell_index)

    return CappedClient


def _on_cell_executed(cell, cell_index, execute_reply, **_) -> None:
    """nbgrader's Execute.on_cell_executed: an error reply without a matching error output
    (a timeout, say) gets one, so the cell shows what happened."""
    content = execute_reply["content"]
    if content["status"] != "error":
        return
    if any(o.output_type == "error" and o.ename == content["ename"] for o in cell.outputs):
        return
    cell.outputs.append(nbformat.v4.new_output(
        "error", ename=content["ename"], evalue=content["evalue"],
        traceback=content["traceback"] or ["ERROR: An error occurred while showtraceback was disabled"]))


def _failed(ename: str, message: str) -> NotebookNode:
    return nbformat.v4.new_output("error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])


def _stdout_text(outputs: list, limit: int = 10_000) -> str:
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stdout")
    return text if len(text) <= limit else text[:limit] + "\n[...]\n"


class _Stopped(Exception):
    """The sandbox was killed (memory limit, or the kernel died)."""


async def _run_test_cell(client, cell: NotebookNode, index: int, calls: list[ProbeCall],
                         scratch: sandbox.Scratch, count: int) -> None:
    """Probe each run(...) in the kernel, judge here, and write the cell's outputs."""
    outputs: list[NotebookNode] = []
    for call in calls:
        name = f".evidence-{os.urandom(12).hex()}.npz"
        probe_cell = nbformat.v4.new_code_cell(evidence.request(call.exercise, call.obj, visible=call.visible,
                                                                path=os.path.join(scratch.home, name)))
        try:
            await client.async_execute_cell(probe_cell, index, execution_count=count, store_history=False)
        finally:
            text = _stdout_text(probe_cell.outputs)
            blob = scratch.take(name, evidence.MAX_BYTES)
        if text:
            outputs.append(nbformat.v4.new_output("stream", name="stdout", text=text))
        timed_out = any(o.get("ename") == "CellTimeoutError" for o in probe_cell.outputs)
        verdict = evidence.verdict(call.exercise, blob, visible=call.visible)
        if timed_out and not verdict.passed:
            verdict = evidence.Verdict(False, f"{call.exercise}: the check did not finish within the "
                                              "time limit of a cell", "CellTimeoutError")
        if verdict.passed:
            outputs.append(nbformat.v4.new_output("stream", name="stdout", text=verdict.message + "\n"))
        else:
            outputs.append(_failed(verdict.ename or "AssertionError", verdict.message))
            break
    cell.outputs = outputs
    cell.execution_count = count


async def _execute(nb: NotebookNode, *, tests: dict[str, str], timeout: int, skip: bool, prestart: bool,
                   limits: Limits, sandboxed: bool,
                   worker: _Worker) -> tuple[NotebookNode, float, int, list[str], int | None]:
    asked = time.perf_counter()
    key = (limits, sandboxed)
    kernel = worker.next.pop(key, None) or _Kernel(limits, sandboxed)
    try:
        km = await kernel.task
    except BaseException:
        await kernel.stop()
        raise
    waited = time.perf_counter() - asked
    if prestart:
        worker.next[key] = _Kernel(limits, sandboxed)
    notes: list[str] = []
    try:
        kernel.scratch.write("submission.ipynb", _strip_hidden(nb))
        calls = {gid: probe_calls(src) for gid, src in tests.items()}
        kept = [c for c in nb.cells if not (skip and is_skipped(c))]
        # every test cell fails until its checks pass here: no evidence, no points
        test_cells = {}
        for i, cell in enumerate(kept):
            meta = cell.get("metadata", {}).get("nbgrader", {})
            gid = meta.get("grade_id")
            if cell.cell_type == "code" and meta.get("grade") and gid in tests:
                # what it checks comes from the gradebook, whatever the file says (nbgrader's
                # OverwriteCells has restored the source already; this holds even if it had not)
                cell.source = tests[gid]
                test_cells[i] = calls[gid]
                cell.outputs = [_failed("CheckDidNotRun", "this test cell was not reached")]
        client = _client_class()(nbformat.v4.new_notebook(metadata=nb.metadata, cells=kept), km=km,
                                 timeout=timeout, allow_errors=True, interrupt_on_timeout=True,
                                 raise_on_iopub_timeout=True, error_on_timeout=dict(_ERROR_ON_TIMEOUT),
                                 on_cell_executed=_on_cell_executed, shutdown_kernel="immediate",
                                 resources={"metadata": {"path": kernel.scratch.path}})
        client.output_limit = limits.output
        client._used, client.cut = {}, set()
        stopped: list[str] = []
        full: list[str] = []
        # the client's sockets, watched for a dropped connection while the cells run
        km.watched, refused, retired = [], [0], []

        deadline = time.monotonic() + limits.wall
        scratch = kernel.scratch
        walked = time.monotonic()

        async def watchdog():
            nonlocal walked
            while True:
                await asyncio.sleep(0.2)
                if time.monotonic() > deadline:
                    stopped.append(f"stopped: the notebook ran for more than its wall-time limit of "
                                   f"{limits.wall:g} s")
                    kernel.kill()
                    return
                if kernel.pid is None:
                    continue
                pids = sandbox.processes_under(kernel.pid)
                if scratch.uid is not None:
                    pids += sandbox.processes_of_uid(scratch.uid)
                # a sandbox's files live in its tmpfs, in memory: they count too
                files = scratch.used() if scratch.sandboxed else 0
                used = sandbox.resident_bytes(pids) + files
                if used > limits.memory:
                    held = f" ({files / 2**30:.2f} GiB of it files in its scratch space)" if files > 2**26 else ""
                    stopped.append(f"stopped: the kernel used {used / 2**30:.2f} GiB of memory{held}, above the "
                                   f"limit of {limits.memory / 2**30:.2f} GiB")
                    kernel.kill()
                    return
                if scratch.sandboxed:
                    if not full and scratch.full(limits.disk):
                        full.append(f"its scratch space filled up ({sandbox.format_size(limits.disk)}, --max-disk): "
                                    "writes past it failed")
                elif time.monotonic() - walked >= 1.0:  # no tmpfs: the folder's size, once a second
                    size = await asyncio.to_thread(scratch.used)
                    walked = time.monotonic()
                    if size > limits.disk:
                        stopped.append(f"stopped: the notebook wrote more than its limit of "
                                       f"{sandbox.format_size(limits.disk)} to its scratch folder (--max-disk)")
                        kernel.kill()
                        return

        async def run_all():
            from nbclient.exceptions import CellTimeoutError, DeadKernelError

            async with client.async_setup_kernel(cleanup_kc=True):
                watchers = [asyncio.ensure_future(_renew_when_dropped(km.watched, entry, refused, retired))
                            for entry in list(km.watched)]
                try:
                    for index, cell in enumerate(kept):
                        if cell.cell_type != "code":
                            continue
                        count = client.code_cells_executed + 1
                        try:
                            if index in test_cells:
                                await _run_test_cell(client, cell, index, test_cells[index], scratch, count)
                            else:
                                await client.async_execute_cell(cell, index, execution_count=count)
                        except DeadKernelError:
                            why = stopped[0] if stopped else "the kernel died (it crashed, exited or was killed)"
                            if not stopped:
                                stopped.append(f"stopped: {why}")
                            cell.outputs.append(_failed("KernelDied", f"{why}; the cells after this one did not run"))
                            return
                        except CellTimeoutError:
                            # the reply came, but not the end of the cell's output (raise_on_iopub_timeout):
                            # lost with a refused message, say; the next cell runs
                            cell.outputs.append(_failed("KernelOutputLost", "the end of this cell's output did "
                                                        "not arrive"))
                finally:  # before the client's sockets close: closing them drops no connection
                    for task in watchers:
                        task.cancel()
                    await asyncio.gather(*watchers, return_exceptions=True)
                    for _, _, sock, mon in km.watched:
                        try:
                            sock.disable_monitor()
                        except Exception:
                            pass
                        mon.close(linger=0)
                    for _, _, sock, _ in retired:
                        sock.close(linger=0)

        guard = asyncio.ensure_future(watchdog())
        try:  # the watchdog kills the kernel at the deadline; this only guards against a hung client
            await asyncio.wait_for(run_all(), timeout=limits.wall + 120)
        except asyncio.TimeoutError:
            stopped.append(f"stopped: the notebook ran for more than its wall-time limit of {limits.wall:g} s")
        finally:
            guard.cancel()
            await asyncio.gather(guard, return_exceptions=True)
        notes += stopped + full
        if refused[0] and not stopped:  # a kernel that died drops its connections too
            notes.append(f"a message from the kernel larger than {sandbox.format_size(limits.max_message)} was "
                         "refused (what it carried is lost)")
        if client.cut:
            notes.append(f"outputs cut to {limits.output:,} bytes in {len(client.cut)} cell(s)")
        nb.metadata = client.nb.metadata
        return nb, waited, len(nb.cells) - len(kept), notes, scratch.uid
    finally:
        await kernel.stop()


def execute(notebook: str, *, tests: dict[str, str] | None = None, timeout: int, skip: bool = True,
            prestart: bool = True, limits: Limits | None = None, sandboxed: bool | None = None) -> Executed:
    """Execute a sanitized notebook (JSON text) in a fresh sandboxed kernel; see the module docstring.

    ``tests`` maps each test cell's grade id to its source as the gradebook has it; every cell
    marked as that test is judged from that source, through probe requests. ``skip=False`` runs the cells
    tagged ``skip-grading`` too (nbgrader's behaviour); ``prestart=False`` leaves no kernel
    running after the call; ``sandboxed=None`` uses bubblewrap when it works here. Never raises
    for a problem with the notebook: the returned :class:`Executed` carries the error. The
    kernel is always this interpreter's (the one every worker shares with the grader).
    """
    start = time.perf_counter()
    host = socket.gethostname()
    limits = limits or Limits()
    if sandboxed is None:
        sandboxed = sandbox.status().sandboxed
    try:
        nb = nbformat.reads(notebook, as_version=4)
        worker = _worker()
        nb, waited, skipped, notes, uid = worker.run(_execute(nb, tests=tests or {}, timeout=timeout, skip=skip,
                                                              prestart=prestart, limits=limits, sandboxed=sandboxed,
                                                              worker=worker))
        return Executed(nbformat.writes(nb), time.perf_counter() - start, waited, skipped, host=host,
                        notes=tuple(notes), sandboxed=sandboxed, sandbox_uid=uid)
    except Exception as err:  # one submission's fault never stops the batch
        return Executed("", time.perf_counter() - start, 0.0, error=f"{type(err).__name__}: {err}"[:2000],
                        host=host, sandboxed=sandboxed)


def shutdown_prestarted() -> None:
    """Stop the kernel started ahead for the next call, if any (at exit, or after a batch)."""
    worker = _WORKER
    if worker is None or not worker.thread.is_alive():
        return
    pending, worker.next = list(worker.next.values()), {}

    async def stop_all():
        for kernel in pending:
            await kernel.stop()

    try:
        worker.run(stop_all(), timeout=60)
    except Exception:
        pass
