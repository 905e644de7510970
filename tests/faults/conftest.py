"""Fault injection (issue 14), the shared layer: the baseline SBOM, scans in subprocesses,
the processes they start, small file systems, and what a finished run must not leave.

Each case faults an audit, then checks that the next clean run gives the baseline SBOM
(minus serial number and timestamp) and that nothing is left behind.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fwaudit.batch.guard import descendants

#: Every audit is judged on one day, so that no SBOM changes at midnight.
AS_OF = "2026-06-01"
#: The jailed extractor worker's command line holds this.
WORKER = b"fwaudit.unpack._worker"


@dataclass(frozen=True)
class Baseline:
    """The SBOM of a run with no fault (normalised), the cache that run filled, and how long
    its unpack took (the worker's run, most of it)."""

    sbom: dict[str, Any]
    cache: Path
    unpack_seconds: float


def normalised(text: str) -> dict[str, Any]:
    """An SBOM without what differs between two runs of one audit: serial and timestamp."""
    bom = json.loads(text)
    bom.pop("serialNumber", None)
    bom.get("metadata", {}).pop("timestamp", None)
    return bom


def audit(image: Path, cache: Path) -> dict[str, Any]:
    """A clean audit in this process; its normalised SBOM."""
    from fwaudit.api import Auditor
    from fwaudit.sbom import serialize

    return normalised(serialize(Auditor(cache_dir=cache, as_of=AS_OF).audit_data(image)))


def fwaudit(*args: str | Path) -> list[str]:
    """The command line of ``fwaudit ARGS`` run by this Python."""
    return [sys.executable, "-m", "fwaudit.cli", *map(str, args)]


def scan_argv(image: Path, out: Path, cache: Path, *more: str) -> list[str]:
    return fwaudit("scan", image, "-o", out, "--cache-dir", cache, "--as-of", AS_OF, *more)


def scan(image: Path, out: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    """``fwaudit scan`` in a subprocess, to its end."""
    return subprocess.run(
        scan_argv(image, out, cache), capture_output=True, text=True, timeout=300, check=False
    )


def one_line(stderr: str) -> str:
    """The single line a clean error prints (a traceback is not one)."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{stderr}"
    assert lines[0].startswith("fwaudit: "), lines[0]
    return lines[0]


def cmdline(pid: int) -> bytes | None:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None


def parent(pid: int) -> int:
    """The parent of `pid` (0 once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    return int(stat.rpartition(")")[2].split()[1])


def shown(line: bytes) -> str:
    """A /proc command line as text."""
    return line.replace(b"\0", b" ").decode(errors="replace")[:120]


class Watch:
    """The processes below a running command, noted while it runs, so that none may
    outlive it."""

    def __init__(self, process: subprocess.Popen[Any]) -> None:
        self.process = process
        self.seen: dict[int, bytes] = {}

    def poll(self) -> dict[int, bytes]:
        """The processes below the command now (and note them)."""
        now = {}
        for pid in descendants(self.process.pid):
            if (line := cmdline(pid)) is not None:
                now[pid] = line
        self.seen.update(now)
        return now

    def wait_for(self, marker: bytes, timeout: float) -> int:
        """The first process below the command whose command line holds `marker` (not one
        of its own children: the worker, not its pool)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            now = self.poll()
            found = [pid for pid, line in now.items() if marker in line]
            if top := [pid for pid in found if marker not in now.get(parent(pid), b"")]:
                return top[0]
            time.sleep(0.01)
        pytest.fail(f"no {marker.decode()} process started within {timeout} s")

    def pause(self, seconds: float) -> None:
        """Note the processes for `seconds`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.poll()
            time.sleep(min(0.01, max(deadline - time.monotonic(), 0)))

    def follow(self, timeout: float = 300) -> int:
        """Note the processes until the command ends; its exit code."""
        return follow(self, timeout=timeout)[0]

    def survivors(self, grace: float = 5.0) -> list[str]:
        """Processes seen below the command that still run `grace` seconds after it ended."""
        deadline = time.monotonic() + grace
        while True:
            alive = [
                f"{pid}: {shown(line)}" for pid, line in self.seen.items() if cmdline(pid) == line
            ]
            if not alive or time.monotonic() > deadline:
                return alive
            time.sleep(0.1)

    def kill_survivors(self) -> None:
        """SIGKILL what is left of the processes this watch saw (test cleanup)."""
        for pid, line in self.seen.items():
            if cmdline(pid) == line:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    continue


def follow(*watches: Watch, timeout: float = 300) -> list[int]:
    """Note the processes of every command until all end; their exit codes."""
    deadline = time.monotonic() + timeout
    while any(w.process.poll() is None for w in watches) and time.monotonic() < deadline:
        for watch in watches:
            watch.poll()
        time.sleep(0.05)
    return [w.process.wait(timeout=max(deadline - time.monotonic(), 1)) for w in watches]


def leftovers(cache: Path) -> list[str]:
    """What a finished run must not leave in the cache: workspaces, transient entries."""
    root = cache / "unpack"
    return sorted(
        f"{folder}/{entry.name}"
        for folder in ("tmp", "transient")
        if (root / folder).is_dir()
        for entry in (root / folder).iterdir()
    )


def entries(cache: Path) -> list[Path]:
    """The cache's entries (one per image, backend, tools and limits)."""
    root = cache / "unpack"
    return sorted(p for p in root.iterdir() if p.name not in ("tmp", "transient"))


def fill(folder: Path) -> Path:
    """Fill the file system of `folder` to its last byte; the filler file."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
    return filler


@pytest.fixture(scope="session")
def baseline(sample: Path, tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    """The sample audited with a fresh cache and no fault: the reference of every case."""
    cache = tmp_path_factory.mktemp("baseline-cache")
    sbom = audit(sample, cache)
    (entry,) = entries(cache)
    return Baseline(sbom, cache, json.loads((entry / "outcome.json").read_text())["seconds"])


@pytest.fixture(scope="session")
def startup() -> float:
    """Seconds ``fwaudit --version`` takes here: what any command costs before its work."""
    started = time.monotonic()
    subprocess.run(fwaudit("--version"), capture_output=True, check=True, timeout=120)
    return time.monotonic() - started


@pytest.fixture
def warm_cache(baseline: Baseline, tmp_path: Path) -> Path:
    """A private copy of the cache the baseline filled (its entry final and whole)."""
    cache = tmp_path / "cache"
    shutil.copytree(baseline.cache, cache, symlinks=True)
    return cache


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[[str, str], Path]]:
    """``tmpfs(name, size)``: a fresh tmpfs of `size` ("2m", "64k") under the test's folder,
    unmounted after the test; the test is skipped, saying why, where none can be mounted
    (not root, no CAP_SYS_ADMIN)."""
    mounted: list[Path] = []

    def mount(name: str, size: str) -> Path:
        path = tmp_path / name
        path.mkdir()
        try:
            run = subprocess.run(
                ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
                capture_output=True,
                text=True,
                check=False,
            )
        except FileNotFoundError:
            pytest.skip("no mount program to make a small tmpfs")
        if run.returncode != 0:
            reason = (run.stderr.strip() or f"mount exited with {run.returncode}").splitlines()[0]
            pytest.skip(f"cannot mount a tmpfs (needs root or CAP_SYS_ADMIN): {reason}")
        mounted.append(path)
        return path

    yield mount
    for path in reversed(mounted):
        subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


def remount(path: Path, options: str) -> None:
    """Change a tmpfs made by the `tmpfs` fixture (``ro``, ``rw``, ``size=64m``)."""
    subprocess.run(["mount", "-o", f"remount,{options}", str(path)], check=True)
