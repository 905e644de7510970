"""The backend contract and the private folder each unpack runs in."""

from __future__ import annotations

import errno
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..limits import Limits
from ..model import Problem, Severity
from ..outputs import FULL_BELOW, free_bytes
from .safe import sanitize_tree
from .sniff import packed_file
from .tools import ToolRun, run_tool
from .trees import remove_tree, walk

STAGE = "unpack"


@dataclass(frozen=True)
class Extraction:
    """One chunk a backend recognised inside `container` and unpacked into `out_dir`."""

    container: Path
    offset: int
    size: int  # bytes of the chunk in its container; 0 when the backend does not say
    format: str
    extractor: str
    out_dir: Path | None


@dataclass
class BackendRun:
    """What a backend reports back to the unpack driver.

    `unfinished` lists the files the backend stopped before reading (a limit or a crash cut
    the run, the depth limit left them): the driver reads their archive member tables itself.
    """

    extractions: list[Extraction] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unfinished: list[Path] = field(default_factory=list)


class Unpacker(Protocol):
    """An unpack backend: extracts `image` recursively into `workspace.tree`."""

    name: str

    def tool_version(self) -> str: ...

    def unpack(self, image: Path, workspace: Workspace, limits: Limits) -> BackendRun: ...


class Workspace:
    """A private folder: ``tree/`` (the result), ``scratch/`` and ``ctl/`` (worker I/O).

    Extractors may write anywhere in it (the Landlock jail) but only ``tree/`` is kept; a
    stray write elsewhere is a reported safety problem.
    """

    KNOWN = frozenset({"tree", "scratch", "ctl"})

    def __init__(self, path: Path, image_size: int) -> None:
        self.path = path
        self.tree = path / "tree"
        self.scratch = path / "scratch"
        self.ctl = path / "ctl"
        self.image_size = image_size
        for folder in (self.tree, self.scratch, self.ctl):
            folder.mkdir(parents=True, exist_ok=True)
        self._anchors: list[Path] = []
        self._last_check = 0.0

    def rel(self, path: Path) -> str:
        """`path` relative to the tree, or "" for the image itself (outside the tree)."""
        return path.relative_to(self.tree).as_posix() if path.is_relative_to(self.tree) else ""

    def add_anchor(self, folder: Path) -> None:
        """Mark an extraction output folder: absolute links inside are rooted there."""
        self._anchors.append(folder)

    def call(
        self, request: dict[str, Any], limits: Limits
    ) -> tuple[dict[str, Any] | None, ToolRun]:
        """Run one jailed worker call; return its answer (None if it died) and the run."""
        result_path = self.ctl / "result.json"
        result_path.unlink(missing_ok=True)
        request = {
            **request,
            "jail": str(self.path),
            "result": str(result_path),
            "scratch": str(self.scratch),
        }
        request_path = self.ctl / "request.json"
        request_path.write_text(json.dumps(request))
        run = run_tool(
            [sys.executable, "-m", "fwaudit.unpack._worker", str(request_path)],
            cwd=self.scratch,
            timeout=limits.tool_timeout,
            max_file_bytes=limits.max_file_bytes,
            max_memory_bytes=limits.max_tool_memory_bytes,
            watch=lambda: self._watch(limits),
        )
        return _answer(result_path), run

    def measure(self) -> tuple[int, int]:
        """Total bytes and entries in the tree, without following links."""
        total = count = 0
        for dirpath, dirnames, filenames in walk(self.tree):
            count += len(dirnames) + len(filenames)
            for name in filenames:
                try:
                    total += os.lstat(os.path.join(dirpath, name)).st_size
                except OSError:
                    continue
        return total, count

    def breached(self, limits: Limits) -> str | None:
        total, count = self.measure()
        return limits.exceeded(total_bytes=total, files=count, image_size=self.image_size)

    def _watch(self, limits: Limits) -> str | None:
        now = time.monotonic()
        if now - self._last_check < 1.0:
            return None
        self._last_check = now
        breached = self.breached(limits)
        return f"limit.{breached}" if breached else None

    def secure(self) -> list[Problem]:
        """Sanitize the tree and remove anything written outside it."""
        problems = sanitize_tree(self.tree, self._anchors)
        for entry in self.path.iterdir():
            if entry.name not in self.KNOWN:
                problems.append(
                    Problem(
                        STAGE,
                        "safety.write_outside_tree",
                        Severity.ERROR,
                        entry.name,
                        "an extractor wrote outside its output folder; removed",
                    )
                )
                remove_tree(entry)
        for entry in self.scratch.iterdir():
            remove_tree(entry)
        return problems


def _answer(path: Path) -> dict[str, Any] | None:
    """The worker's answer; None when it wrote none (it died first). An answer it could not
    finish writing is an OSError, as a failed write of our own is: ENOSPC on a full disk
    (`fwaudit.outputs.FULL_BELOW`), else EIO."""
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return None
    try:
        answer: dict[str, Any] = json.loads(text)
    except ValueError:
        code = errno.ENOSPC if free_bytes(path.parent) < FULL_BELOW else errno.EIO
        what = f"{os.strerror(code)}: the extractor's answer is unreadable ({len(text)} bytes)"
        raise OSError(code, what, str(path)) from None
    return answer


def depth_problem(
    workspace: Workspace, folder: Path, files: list[Path], depth: int, limits: Limits
) -> Problem:
    """The `limit.depth` problem for `files` below `folder` left unread at `depth`: an error
    when one of them is packed data (content the audit did not see), else a warning."""
    packed = [(f, fmt) for f in files if (fmt := packed_file(f))]
    shown = packed or [(f, "") for f in files]
    names = ", ".join(
        f"{f.relative_to(folder).as_posix()}{f' ({fmt})' if fmt else ''}" for f, fmt in shown[:5]
    )
    more = f" and {len(shown) - 5} more" if len(shown) > 5 else ""
    what = (
        f"{len(packed)} of them hold packed data that was not unpacked: {names}{more}"
        if packed
        else f"none looks packed: {names}{more}"
    )
    return Problem(
        STAGE,
        "limit.depth",
        Severity.ERROR if packed else Severity.WARNING,
        workspace.rel(folder) if folder != workspace.tree else "",
        f"nesting depth limit reached (max_depth={limits.max_depth}): {len(files)} file(s) "
        f"extracted at depth {depth} were not scanned further; {what}",
    )


def run_problems(run: ToolRun, answer: dict[str, Any] | None, what: str) -> list[Problem]:
    """Turn how a worker call ended into problems (limit hit, crash, jail not enforced)."""
    problems = []
    if run.stopped_because == "timeout":
        problems.append(
            Problem(
                STAGE,
                "limit.timeout",
                Severity.ERROR,
                what,
                f"extractor stopped after {run.seconds:.0f} s; tree is partial",
            )
        )
    elif run.stopped_because:
        problems.append(
            Problem(
                STAGE,
                run.stopped_because,
                Severity.ERROR,
                what,
                "extraction stopped at a size limit; tree is partial",
            )
        )
    elif answer is None:
        detail = f"extractor exited with {run.returncode}: {run.tail()}"
        if run.returncode is not None and run.returncode < 0:
            detail = f"extractor killed by signal {-run.returncode} (file size limit?)"
        problems.append(Problem(STAGE, "tool.crashed", Severity.ERROR, what, detail))
    if answer and answer.get("jail_error"):
        problems.append(
            Problem(STAGE, "safety.no_sandbox", Severity.INFO, what, str(answer["jail_error"]))
        )
    return problems
