"""run_tool: external programs end in a typed outcome, never a hang or an exception."""

from __future__ import annotations

import os
import time
from pathlib import Path

from fwaudit.unpack.tools import TOOLS_DIR, run_tool, tool_env


def test_success_captures_output(tmp_path: Path) -> None:
    run = run_tool(["sh", "-c", "echo out; echo err >&2"], cwd=tmp_path, timeout=10)
    assert run.ok
    assert run.stdout == b"out\n"
    assert run.tail() == "err"


def test_missing_program_is_127_not_an_exception(tmp_path: Path) -> None:
    run = run_tool(["fwaudit-no-such-program"], cwd=tmp_path, timeout=10)
    assert run.returncode == 127
    assert not run.ok


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    pidfile = tmp_path / "grandchild.pid"
    script = f"sleep 60 & echo $! > {pidfile}; wait"
    started = time.monotonic()
    run = run_tool(["sh", "-c", script], cwd=tmp_path, timeout=1)
    assert run.stopped_because == "timeout"
    assert time.monotonic() - started < 10
    grandchild = int(pidfile.read_text())
    time.sleep(0.2)
    assert not Path(f"/proc/{grandchild}").exists() or _is_zombie(grandchild)


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True


def test_watcher_stops_a_runaway_tool(tmp_path: Path) -> None:
    calls = []

    def watch() -> str | None:
        calls.append(1)
        return "limit.total_bytes" if len(calls) >= 2 else None

    run = run_tool(["sleep", "30"], cwd=tmp_path, timeout=60, watch=watch)
    assert run.stopped_because == "limit.total_bytes"
    assert run.seconds < 10


def test_file_size_limit_stops_writes_past_it(tmp_path: Path) -> None:
    run = run_tool(
        ["sh", "-c", "head -c 5000000 /dev/zero > big"],
        cwd=tmp_path,
        timeout=30,
        max_file_bytes=1_000_000,
    )
    assert not run.ok
    assert (tmp_path / "big").stat().st_size <= 1_000_000


def test_private_tools_come_first_on_the_path() -> None:
    env = tool_env()
    assert env["PATH"].split(os.pathsep)[0] == str(TOOLS_DIR)
    for name in ("sasquatch", "sasquatch-v4be", "7zzs"):
        assert os.access(TOOLS_DIR / name, os.X_OK), name


def test_memory_limit_makes_a_greedy_tool_fail_at_once(tmp_path: Path) -> None:
    """A header that claims gigabytes: the extractor fails instead of taking the machine."""
    import sys

    greedy = "b = bytearray(2 << 30); print('allocated')"
    run = run_tool(
        [sys.executable, "-c", greedy], cwd=tmp_path, timeout=30, max_memory_bytes=512 << 20
    )
    assert not run.ok
    assert b"MemoryError" in run.stderr
    assert b"allocated" not in run.stdout


def test_a_watch_that_fails_does_not_leave_the_tool_running(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"

    def watch() -> str | None:
        raise OSError("the tree cannot be measured")

    started = time.monotonic()
    try:
        run_tool(
            ["sh", "-c", f"echo $$ > {pidfile}; sleep 60"], cwd=tmp_path, timeout=60, watch=watch
        )
    except OSError:
        pass
    else:
        raise AssertionError("the watch's error is the caller's")
    assert time.monotonic() - started < 10
    child = int(pidfile.read_text())
    assert not Path(f"/proc/{child}").exists() or _is_zombie(child)
