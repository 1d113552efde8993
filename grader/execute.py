"""Executing one sanitized submission: the expensive part of grading, and the only part that runs
in parallel (a process pool, or a Dask task on a cluster).

:func:`execute` is a pure function of its arguments: a notebook that nbgrader's sanitize steps
have already cleaned (outputs cleared, ids deduplicated, kernelspec and locked cells restored
from the gradebook) and the execution settings. It touches no gradebook and no course folder,
and returns the executed notebook as JSON, so a cluster worker needs nothing but the course's
Python environment.

Ordered steps of one call:
1. take the kernel this worker started ahead of time (or start one now); it is fresh, and has
   only imported modules (numpy, torch, matplotlib, course_utils, grader.checks) -- no
   student code ever ran in it;
2. start the *next* kernel in the background, so the next call does not wait for a start and
   the torch import (kernels are never reused across submissions: student code leaves state);
3. drop the cells tagged ``skip-grading`` (figures, long demonstrations);
4. execute the rest top to bottom with nbclient, as nbgrader's Execute does (errors allowed,
   a per-cell timeout, error outputs recorded for timeouts);
5. put the skipped cells back, unexecuted, so feedback shows the whole notebook;
6. shut the kernel down and remove its scratch folder.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass

import nbformat
from nbformat import NotebookNode

from .skip import is_skipped

__all__ = ["Executed", "execute", "shutdown_prestarted"]

#: run silently in each kernel before it is handed a submission: the imports every notebook's
#: first cell pays for (modules only: no name is defined in the student's namespace)
WARMUP = """
import importlib as _il
for _m in ("numpy", "scipy.optimize", "torch", "matplotlib.pyplot", "course_utils.seeding",
           "course_utils.data", "course_utils.gradcheck", "course_utils.training",
           "course_utils.plotting", "grader.checks"):
    try:
        _il.import_module(_m)
    except ImportError:
        pass
del _il, _m
"""

# nbgrader's Execute settings (nbgrader.preprocessors.Execute)
_KERNEL_ARGS = ["--HistoryManager.hist_file=:memory:"]
_ERROR_ON_TIMEOUT = {
    "ename": "CellTimeoutError",
    "evalue": "",
    "traceback": ["\x1b[0;31mCellTimeoutError\x1b[0m: No reply from kernel before timeout"],
}


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


class _Worker:
    """One event loop in a daemon thread per process: every kernel of this process is started,
    driven and shut down on it, and the next kernel warms up there while the current one runs."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="grader-kernels", daemon=True)
        self.thread.start()
        self.next: dict[str, _Kernel] = {}

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
    """A kernel being started (``task``) and, as soon as it exists, its manager and folder."""

    def __init__(self, kernel_name: str) -> None:
        self.km = None
        self.cwd = tempfile.mkdtemp(prefix="grader-kernel-")
        self.task = asyncio.ensure_future(_start_kernel(kernel_name, self))

    async def stop(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await _stop_kernel(self.km, self.cwd)


async def _start_kernel(kernel_name: str, into: "_Kernel"):
    """A fresh kernel in its own scratch folder, with the common imports done."""
    from jupyter_client.manager import AsyncKernelManager

    cwd = into.cwd
    km = into.km = AsyncKernelManager(kernel_name=kernel_name)
    env = {**os.environ, "NBGRADER_EXECUTION": "autograde"}
    await km.start_kernel(extra_arguments=list(_KERNEL_ARGS), cwd=cwd, env=env)
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=120)
        await kc.execute_interactive(WARMUP, silent=True, store_history=False, timeout=300)
    finally:
        kc.stop_channels()
    return km, cwd


async def _stop_kernel(km, cwd: str) -> None:
    from jupyter_core.utils import ensure_async

    try:
        if km is not None and km.has_kernel:
            await ensure_async(km.shutdown_kernel(now=True))
    except Exception:
        pass
    finally:
        shutil.rmtree(cwd, ignore_errors=True)


def _on_cell_executed(cell, cell_index, execute_reply, **_) -> None:
    """nbgrader's Execute.on_cell_executed: an error reply without a matching error output
    (a timeout, say) gets one, so the grade cell fails visibly."""
    content = execute_reply["content"]
    if content["status"] != "error":
        return
    if any(o.output_type == "error" and o.ename == content["ename"] for o in cell.outputs):
        return
    cell.outputs.append(nbformat.v4.new_output(
        "error", ename=content["ename"], evalue=content["evalue"],
        traceback=content["traceback"] or ["ERROR: An error occurred while showtraceback was disabled"]))


async def _execute(nb: NotebookNode, *, timeout: int, kernel_name: str, skip: bool, prestart: bool,
                   worker: _Worker) -> tuple[NotebookNode, float, int]:
    from nbclient import NotebookClient

    asked = time.perf_counter()
    kernel = worker.next.pop(kernel_name, None) or _Kernel(kernel_name)
    try:
        km, cwd = await kernel.task
    except BaseException:
        await kernel.stop()
        raise
    waited = time.perf_counter() - asked
    if prestart:
        worker.next[kernel_name] = _Kernel(kernel_name)
    try:
        kept = [i for i, c in enumerate(nb.cells) if not (skip and is_skipped(c))]
        run = nbformat.v4.new_notebook(metadata=nb.metadata, cells=[nb.cells[i] for i in kept])
        client = NotebookClient(run, km=km, timeout=timeout, allow_errors=True, interrupt_on_timeout=True,
                                raise_on_iopub_timeout=True, error_on_timeout=dict(_ERROR_ON_TIMEOUT),
                                kernel_name=kernel_name, on_cell_executed=_on_cell_executed,
                                shutdown_kernel="immediate",
                                resources={"metadata": {"path": cwd}})
        await client.async_execute(cleanup_kc=True)
        # the executed cells are the same objects as nb's; only the metadata needs copying back
        nb.metadata = run.metadata
        return nb, waited, len(nb.cells) - len(kept)
    finally:
        await _stop_kernel(km, cwd)


def execute(notebook: str, *, timeout: int, kernel_name: str = "python3", skip: bool = True,
            prestart: bool = True) -> Executed:
    """Execute a sanitized notebook (JSON text) in a fresh kernel; see the module docstring.

    ``skip=False`` runs the cells tagged ``skip-grading`` too (nbgrader's behaviour);
    ``prestart=False`` leaves no kernel running after the call. Never raises for a problem
    with the notebook: the returned :class:`Executed` carries the error.
    """
    start = time.perf_counter()
    host = socket.gethostname()
    try:
        nb = nbformat.reads(notebook, as_version=4)
        worker = _worker()
        nb, waited, skipped = worker.run(_execute(nb, timeout=timeout, kernel_name=kernel_name, skip=skip,
                                                  prestart=prestart, worker=worker))
        return Executed(nbformat.writes(nb), time.perf_counter() - start, waited, skipped, host=host)
    except Exception as err:  # one submission's fault never stops the batch
        return Executed("", time.perf_counter() - start, 0.0, error=f"{type(err).__name__}: {err}"[:2000],
                        host=host)


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

