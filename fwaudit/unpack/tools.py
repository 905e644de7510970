"""The one place that runs external programs: timeout, process-group kill, typed outcome."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .._lifeline import die_with_parent

#: fwaudit's private programs (`sasquatch`, `7zzs`, ...), put first on the backends' PATH.
TOOLS_DIR = Path(__file__).resolve().parent.parent / "_tools"

POLL_SECONDS = 0.5


@dataclass(frozen=True)
class ToolRun:
    """How one external program run ended."""

    argv: tuple[str, ...]
    returncode: int | None
    stdout: bytes
    stderr: bytes
    seconds: float
    stopped_because: str | None = None  # "timeout", or the limit a watcher reported

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and self.stopped_because is None

    def tail(self, limit: int = 400) -> str:
        """The end of stderr (or stdout), for a problem's detail."""
        text = (self.stderr or self.stdout).decode("utf-8", "replace").strip()
        return text[-limit:]


def tool_env() -> dict[str, str]:
    """Environment for extractors: private tools first, then this Python's scripts."""
    env = dict(os.environ)
    scripts = Path(sys.executable).parent
    path = env.get("PATH", "/usr/local/bin:/usr/bin:/bin")
    env["PATH"] = os.pathsep.join((str(TOOLS_DIR), str(scripts), path))
    env["FWAUDIT_PYTHON"] = sys.executable
    return env


def _child_setup(max_file_bytes: int | None, max_memory_bytes: int | None) -> Callable[[], None]:
    """What the child does between fork and exec: die with this process (the thread that
    starts it waits for it, so outlives it) and take the file size and memory limits."""
    parent = os.getpid()

    def apply() -> None:
        die_with_parent(parent)
        if max_file_bytes is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_bytes, max_file_bytes))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if max_memory_bytes is not None:
            resource.setrlimit(resource.RLIMIT_AS, (max_memory_bytes, max_memory_bytes))

    return apply


def run_tool(
    argv: Sequence[str],
    *,
    cwd: Path,
    timeout: float,
    max_file_bytes: int | None = None,
    max_memory_bytes: int | None = None,
    watch: Callable[[], str | None] | None = None,
    env: dict[str, str] | None = None,
) -> ToolRun:
    """Run `argv` in its own process group; kill the whole group on timeout or when `watch`
    names a breached limit. The program is SIGKILLed when this process dies. Never raises
    for the program's own failures: a missing program is returncode 127, like a shell would
    say.
    """
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=env if env is not None else tool_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=_child_setup(max_file_bytes, max_memory_bytes),  # noqa: PLW1509 - prctl, setrlimit
        )
    except (FileNotFoundError, PermissionError) as exc:
        return ToolRun(tuple(argv), 127, b"", str(exc).encode(), 0.0)

    stopped: str | None = None
    out, err = b"", b""
    try:
        while True:
            try:
                out, err = proc.communicate(timeout=POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                if time.monotonic() - started > timeout:
                    stopped = "timeout"
                elif watch is not None:
                    stopped = watch()
                if stopped:
                    _kill_group(proc)
                    out, err = proc.communicate()
                    break
    except BaseException:  # a watch that fails, an interrupt: the program does not run on
        _kill_group(proc)
        proc.wait()
        raise
    return ToolRun(tuple(argv), proc.returncode, out, err, time.monotonic() - started, stopped)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
