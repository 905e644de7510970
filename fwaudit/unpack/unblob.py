"""Backend: unblob's Python API, run in a jailed worker; unblob does its own recursion."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path
from typing import Any

from ..limits import Limits
from ..model import Problem, Severity
from .base import STAGE, BackendRun, Extraction, Workspace, depth_problem, run_problems
from .sniff import sweepable
from .trees import entries_below, files_below

PADDING = re.compile(r"\d+-\d+\.padding")
#: unblob's two severities (the worker lower-cases them); extraction problems come as warnings.
SEVERITY = {"error": Severity.ERROR, "warning": Severity.WARNING}
#: unblob error report class -> fwaudit problem kind; any other is ``tool.<snake_case name>``.
#: Its extraction problems (traversal, links, special files) are sorted by `_extraction_problem`.
KIND = {
    "MaliciousSymlinkRemoved": "safety.link_escape",
    "ExtractorTimedOut": "limit.timeout",
    "ExtractorDependencyNotFoundReport": "tool.missing",
    "ExtractCommandFailedReport": "tool.extract_failed",
    "UnknownError": "tool.error",
    "CalculateChunkExceptionReport": "tool.chunk_error",
    "CalculateMultiFileExceptionReport": "tool.chunk_error",
    "OutputDirectoryExistsReport": "tool.output_exists",
    "MultiFileCollisionReport": "tool.multifile_collision",
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
        if answer is None or run.stopped_because:
            outcome.unfinished.append(image)
        for task in (answer or {}).get("results", []):
            container = Path(task["path"])
            if task["depth"] >= limits.max_depth:
                self._depth_cut(container, task["depth"], workspace, limits, outcome)
                continue
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
            outcome.problems.extend(_error_problems(task, container, image, workspace))
        outcome.problems.extend(workspace.secure())
        _drop_padding(workspace.tree)
        if answer is None or run.stopped_because:  # what was left half-read is in the tree
            outcome.unfinished.extend(sweepable(_regular_files(workspace.tree)))
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

    @staticmethod
    def _depth_cut(
        folder: Path, depth: int, workspace: Workspace, limits: Limits, outcome: BackendRun
    ) -> None:
        """unblob skips a task at the depth limit without a report: say what it left."""
        files = _regular_files(folder) if folder.is_dir() else [folder]
        if not files:
            return
        outcome.problems.append(depth_problem(workspace, folder, files, depth, limits))
        outcome.unfinished.extend(sweepable(files))


def _regular_files(folder: Path) -> list[Path]:
    return files_below(folder)


def _drop_padding(tree: Path) -> None:
    """unblob carves runs of fill bytes between chunks as ``START-END.padding``: no content."""
    for path in entries_below(tree):
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


def _error_problems(
    task: dict[str, Any], container: Path, image: Path, workspace: Workspace
) -> list[Problem]:
    """Problems for unblob's reports on one task, worded without the private work folder
    (same image, same text). unblob's extraction problems (one per archive member) are
    grouped: one problem per kind of thing it met in a container, naming the members."""
    problems = []
    label = workspace.rel(container)
    groups: dict[tuple[str, Severity, str], list[str]] = {}
    for error in task["errors"]:
        name = error["kind"]
        if "problem" in error:
            kind, severity = _extraction_problem(name, error["problem"])
            what = f"{error['problem'].rstrip('.')}; {error.get('resolution', '')}".strip("; ")
            member = error.get("path") if error.get("path") not in (None, "None") else ""
            groups.setdefault((kind, severity, what), []).append(member or "")
            continue
        kind = KIND.get(name) or "tool." + re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
        severity = SEVERITY.get(error["severity"], Severity.WARNING)
        detail = _paths_hidden(_detail(name, error), image, workspace)
        problems.append(Problem(STAGE, kind, severity, label, detail[:500]))
    for (kind, severity, what), members in sorted(groups.items()):
        named = [m for m in members if m]
        more = f" and {len(named) - 10} more" if len(named) > 10 else ""
        listed = f": {', '.join(named[:10])}{more}" if named else ""
        detail = f"unblob: {what} ({len(members)} member(s){listed})"
        problems.append(
            Problem(STAGE, kind, severity, label, _paths_hidden(detail, image, workspace)[:500])
        )
    return problems


def _extraction_problem(name: str, text: str) -> tuple[str, Severity]:
    """Kind and weight of one of unblob's extraction problems (it says its output is complete
    but for the member named): escapes are safety findings, bookkeeping is information."""
    text = text.lower()
    if "absolute path as link target" in text:
        return "extract.link_rerooted", Severity.INFO  # normal in a root file system
    if "duplicate" in text:
        return "extract.duplicate_entry", Severity.INFO
    if name == "SpecialFileExtractionProblem":
        return "safety.special_file", Severity.INFO
    if name == "LinkExtractionProblem" or ("link" in text and "traversal" in text):
        return "safety.link_escape", Severity.WARNING
    if name == "PathTraversalProblem" or "traversal" in text:
        return "safety.path_traversal", Severity.WARNING
    return "extract.defused", Severity.WARNING


def _paths_hidden(text: str, image: Path, workspace: Workspace) -> str:
    text = text.replace(f"{workspace.tree}/", "").replace(str(workspace.path), "<work>")
    return text.replace(str(image), image.name)


def _detail(name: str, error: dict[str, str]) -> str:
    """A sentence a user can read for one unblob report."""
    if name == "ExtractCommandFailedReport":
        output = (error.get("stderr") or error.get("stdout") or "").strip()
        return f"extractor exited with {error.get('exit_code')}: {error.get('command')}: {output}"
    if name == "ExtractorDependencyNotFoundReport":
        return f"extractor program missing: {error.get('dependencies')}"
    if name == "ExtractorTimedOut":
        return f"extractor timed out after {error.get('timeout')} s: {error.get('cmd')}"
    if "exception" in error:
        handler = f"{error['handler']} handler: " if error.get("handler") else ""
        return f"unblob {handler}raised {error['exception']}"
    fields = "; ".join(f"{k}={v}" for k, v in error.items() if k not in {"kind", "severity"})
    return f"unblob {name}: {fields}"
