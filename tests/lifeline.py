"""A run that is killed mid-unpack: an image whose extractor never ends, and the processes
it leaves (or must not leave) behind."""

from __future__ import annotations

import contextlib
import lzma
import os
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from fwaudit.batch.guard import descendants


def stuck_image(folder: Path) -> tuple[Path, dict[str, str]]:
    """An xz image and the environment in which unblob's `7z` for it hangs (a shell that
    waits on a `sleep` of its own), so the run is killed with an extractor tree running."""
    bin_dir = folder / "bin"
    bin_dir.mkdir(parents=True)
    tool = bin_dir / "7z"
    tool.write_text("#!/bin/sh\nsleep 60 &\nwait\n")
    tool.chmod(0o755)
    image = folder / "image.xz"
    image.write_bytes(lzma.compress(b"hello\n" * 100, format=lzma.FORMAT_XZ))
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    return image, env


@contextlib.contextmanager
def killed_when_stuck(
    argv: Sequence[str], env: dict[str, str], folder: Path
) -> Iterator[tuple[int, dict[int, str]]]:
    """Run `argv` until the hanging `7z` of `folder` runs, SIGKILL it, and give its pid and
    the processes that were below it; whatever of them a failed test left is killed after."""
    process = subprocess.Popen(
        list(argv),
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    tree: dict[int, str] = {}
    try:
        tree = wait_for_stuck_tool(process.pid, folder)
        process.kill()
        process.wait()
        yield process.pid, tree
    finally:
        process.kill()
        process.wait()
        kill_leftovers(tree)


def wait_for_stuck_tool(root: int, folder: Path, seconds: float = 60) -> dict[int, str]:
    """Every process below `root` (pid: command line) once the hanging `7z` of `folder`
    and its `sleep` run."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        tree = {pid: cmdline(pid) for pid in descendants(root)}
        tools = [pid for pid, line in tree.items() if str(folder / "bin" / "7z") in line]
        if tools and descendants(tools[0]):
            return {pid: cmdline(pid) for pid in descendants(root)}
        time.sleep(0.05)
    raise AssertionError(f"the stuck extractor did not start within {seconds:g} s")


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def running(tree: dict[int, str], seconds: float) -> list[str]:
    """The command lines of the processes of `tree` still running (not zombies) after up to
    `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        left = [line for pid, line in tree.items() if _running(pid) and cmdline(pid) == line]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def kill_leftovers(tree: dict[int, str]) -> None:
    """SIGKILL what of `tree` a failed test left running (a pid that now runs another
    command line is left alone)."""
    for pid, line in tree.items():
        if cmdline(pid) == line:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False
