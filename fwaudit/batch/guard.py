"""A worker process under guard. It audits one image at a time and keeps its rules warm;
an image that makes it hang past the timeout, grow past the memory limit or die gets the
worker killed together with the extractors it started, becomes an error row, and the next
image gets a fresh worker."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path

from .worker import JobOutput, Task, failed

POLL_SECONDS = 0.25
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
MiB = 1 << 20


class GuardedWorker:
    """One worker process and the guard around it, used from one thread at a time.

    The worker is a plain `python -m fwaudit.batch._serve` child talking over a socket pair,
    not a multiprocessing child, so it also runs under daemonic Dask workers. It is SIGKILLed
    when the thread that started it ends (or this process dies), so keep a guard in one
    thread."""

    def __init__(self, *, log: Path | None = None) -> None:
        self.log = log  # where the worker's stdout and stderr go (default: inherited)
        self._process: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None
        self.started = 0  # worker processes started: 1 + the replacements

    def run(self, task: Task) -> JobOutput:
        """Audit `task` in the worker; never raises for the image's sake."""
        process, conn = self._ensure_started()
        started, peak_mb = time.monotonic(), 0.0
        try:
            conn.send(task)
        except OSError:
            return self._lost(task, "the worker process could not be reached")
        settings = task.settings
        while True:
            if conn.poll(POLL_SECONDS):
                try:
                    output: JobOutput = conn.recv()
                except (EOFError, OSError):
                    return self._lost(task, self._death_note(process))
                output.peak_rss_mb = max(output.peak_rss_mb or 0.0, peak_mb)
                return output
            if process.poll() is not None:
                return self._lost(task, self._death_note(process))
            elapsed = time.monotonic() - started
            if elapsed > settings.timeout:
                self.stop()
                return failed(
                    task,
                    "timeout",
                    f"no result after {settings.timeout:g} s; the worker and its extractors "
                    "were stopped",
                    peak_rss_mb=round(peak_mb, 1),
                )
            rss_mb = tree_rss_mb(process.pid)
            peak_mb = max(peak_mb, rss_mb)
            if rss_mb > settings.memory_mb:
                self.stop()
                return failed(
                    task,
                    "memory",
                    f"resident memory {rss_mb:.0f} MiB passed the {settings.memory_mb} MiB "
                    "limit; the worker and its extractors were stopped",
                    peak_rss_mb=round(peak_mb, 1),
                )

    def stop(self) -> None:
        """Kill the worker and every process it started (extractors run in their own
        sessions, so a process-group kill would miss them)."""
        if self._process is None:
            return
        pid = self._process.pid
        for member in [pid, *descendants(pid)]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(member, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=5)
        if self._conn is not None:
            self._conn.close()
        self._process, self._conn = None, None

    def _ensure_started(self) -> tuple[subprocess.Popen[bytes], Connection]:
        if self._process is None or self._conn is None or self._process.poll() is not None:
            self.stop()
            ours, theirs = socket.socketpair()
            parent = str(os.getpid())  # it dies with this thread (see fwaudit._lifeline)
            with contextlib.ExitStack() as stack:
                log = stack.enter_context(self.log.open("ab")) if self.log else None
                process = subprocess.Popen(
                    [sys.executable, "-m", "fwaudit.batch._serve", str(theirs.fileno()), parent],
                    pass_fds=(theirs.fileno(),),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                )
            theirs.close()
            self._process, self._conn = process, Connection(ours.detach())
            self.started += 1
        return self._process, self._conn

    def _lost(self, task: Task, why: str) -> JobOutput:
        self.stop()
        return failed(task, "worker-died", why)

    @staticmethod
    def _death_note(process: subprocess.Popen[bytes]) -> str:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=1)
        code = process.returncode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit {code}"
        return f"the worker process ended ({how}) while auditing this image"


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, from /proc/PID/task/*/children (the whole /proc table
    where the kernel does not offer that file)."""
    if not _CHILDREN_FILES:
        return _descendants_from_table(pid)
    found, stack = [], [pid]
    while stack:
        parent = stack.pop()
        try:
            tasks = [t.path for t in os.scandir(f"/proc/{parent}/task")]
        except OSError:  # gone meanwhile
            continue
        for task in tasks:
            try:
                with open(f"{task}/children", "rb") as handle:
                    children = [int(c) for c in handle.read().split()]
            except OSError:
                continue
            found += children
            stack += children
    return found


_CHILDREN_FILES = os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children")


def _descendants_from_table(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        parent = int(stat.rsplit(b")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), ()):
            found.append(child)
            stack.append(child)
    return found


def tree_rss_mb(pid: int) -> float:
    """Resident memory of `pid` and its descendants, in MiB (0 if it is gone)."""
    total = 0
    for member in [pid, *descendants(pid)]:
        try:
            with open(f"/proc/{member}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * PAGE_BYTES
        except (OSError, IndexError, ValueError):
            continue
    return total / MiB
