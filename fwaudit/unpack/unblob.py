"""Backend: unblob's Python API, run in a jailed worker; unblob does its own recursion."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path
from typing import Any

from ..limits import Limits
from ..model import Problem, Severity
from .base import STAGE, BackendRun, Extraction, Workspace, run_problems

PADDING = re.compile(r"\d+-\d+\.padding")
SEVERITY = {"error": Severity.ERROR, "warning": Severity.WARNING}
KIND = {
    "MaliciousSymlinkRemoved": "safety.link_escape",
    "ExtractorTimedOut": "limit.timeout",
    "ExtractorDependencyNotFoundReport": "tool.missing",
    "ExtractCommandFailedReport": "tool.extract_failed",
}


class UnblobUnpacker:
    """unblob carves every chunk it knows and extracts it, down to `Limits.max_depth`."""

    name = "unblob"

    def tool_version(self) -> str:
        return f"unblob {metadata.version('unblob')}"

    def unpack(self, image: Path, workspace: Workspace, limits: Limits) -> BackendRun:
        outcome = BackendRun()
        request = {
            "backend": self.name,
            "target": str(image),
            "extract_root": str(workspace.tree),
            "max_depth": limits.max_depth,
        }
        answer, run = workspace.call(request, limits)
        outcome.problems.extend(run_problems(run, answer, ""))
        for task in (answer or {}).get("results", []):
            container = Path(task["path"])
            size = container.stat().st_size if container.is_file() else -1
            extract_dir = _extract_dir(container, image, workspace)
            for chunk in task["chunks"]:
                out_dir = _chunk_dir(extract_dir, chunk, size)
                if out_dir is not None:
                    workspace.add_anchor(out_dir)
                outcome.extractions.append(
                    Extraction(
                        container,
                        chunk["offset"],
                        chunk["end"] - chunk["offset"],
                        chunk["format"],
                        "unblob",
                        out_dir,
                    )
                )
                if chunk["encrypted"]:
                    outcome.problems.append(
                        Problem(
                            STAGE,
                            "format.encrypted",
                            Severity.WARNING,
                            workspace.rel(container),
                            f"{chunk['format']} chunk at offset {chunk['offset']} is encrypted",
                        )
                    )
            outcome.problems.extend(_error_problems(task, container, workspace))
        outcome.problems.extend(workspace.secure())
        _drop_padding(workspace.tree)
        breached = workspace.breached(limits)
        if breached and not run.stopped_because:
            outcome.problems.append(
                Problem(
                    STAGE,
                    f"limit.{breached}",
                    Severity.ERROR,
                    "",
                    "the extracted tree exceeds a size limit",
                )
            )
        return outcome


def _drop_padding(tree: Path) -> None:
    """unblob carves runs of fill bytes between chunks as ``START-END.padding``: no content."""
    for path in tree.rglob("*.padding"):
        if PADDING.fullmatch(path.name) and not path.is_symlink() and path.is_file():
            path.unlink()


def _extract_dir(container: Path, image: Path, workspace: Workspace) -> Path:
    if container == image:
        return workspace.tree / f"{image.name}_extract"
    return container.parent / f"{container.name}_extract"


def _chunk_dir(extract_dir: Path, chunk: dict[str, Any], size: int) -> Path | None:
    carved = extract_dir / f"{chunk['offset']}-{chunk['end']}.{chunk['format']}_extract"
    if carved.is_dir():
        return carved
    if chunk["offset"] == 0 and chunk["end"] == size and extract_dir.is_dir():
        return extract_dir
    return None


def _error_problems(task: dict[str, Any], container: Path, workspace: Workspace) -> list[Problem]:
    problems = []
    for error in task["errors"]:
        kind = KIND.get(error["kind"], f"tool.{error['kind']}")
        detail = "; ".join(f"{k}={v}" for k, v in error.items() if k not in {"kind", "severity"})
        problems.append(
            Problem(
                STAGE,
                kind,
                SEVERITY.get(error["severity"], Severity.INFO),
                workspace.rel(container),
                detail[:500],
            )
        )
    return problems
