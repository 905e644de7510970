"""Backend: the binwalk v3 engine (pybinwalk wheel). It unpacks one level; fwaudit recurses."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from ..limits import Limits
from ..model import Problem, Severity
from .base import STAGE, BackendRun, Extraction, Workspace, depth_problem, run_problems
from .sniff import sweepable
from .trees import files_below


class BinwalkUnpacker:
    """Level-by-level recursion: every file a level extracts is scanned by the next level."""

    name = "binwalk"

    def tool_version(self) -> str:
        return f"pybinwalk {metadata.version('pybinwalk')}"

    def unpack(self, image: Path, workspace: Workspace, limits: Limits) -> BackendRun:
        outcome = BackendRun()
        level = [(image, workspace.tree / f"{image.name}.extracted")]
        depth = 0
        new_dirs: list[Path] = []
        while level:
            if depth >= limits.max_depth:
                for folder in new_dirs:
                    if files := _regular_files([folder]):
                        outcome.problems.append(
                            depth_problem(workspace, folder, files, depth, limits)
                        )
                outcome.unfinished.extend(sweepable([src for src, _ in level]))
                break
            targets = [{"path": str(src), "dest": str(dest)} for src, dest in level]
            answer, run = workspace.call({"backend": self.name, "targets": targets}, limits)
            outcome.problems.extend(run_problems(run, answer, workspace.rel(level[0][0])))
            new_dirs = self._collect(answer, level, outcome, workspace)
            outcome.problems.extend(workspace.secure())
            breached = workspace.breached(limits)
            if run.stopped_because or answer is None:
                outcome.unfinished.extend(src for src, _ in level if src.is_file())
                break
            level = [(f, f.parent / f"{f.name}.extracted") for f in _regular_files(new_dirs)]
            if breached:
                outcome.problems.append(
                    Problem(
                        STAGE,
                        f"limit.{breached}",
                        Severity.ERROR,
                        "",
                        "extraction stopped at a size limit; tree is partial",
                    )
                )
                outcome.unfinished.extend(sweepable([src for src, _ in level]))
                break
            depth += 1
        return outcome

    def _collect(self, answer, level, outcome: BackendRun, workspace: Workspace) -> list[Path]:
        if not answer:
            return []
        dests = {str(src): dest for src, dest in level}
        new_dirs = []
        for result in answer["results"]:
            source = Path(result["path"])
            if result["error"]:
                outcome.problems.append(
                    Problem(
                        STAGE,
                        "tool.failed",
                        Severity.WARNING,
                        workspace.rel(source),
                        result["error"],
                    )
                )
            for chunk in result["chunks"]:
                out_dir = dests[result["path"]] / chunk["dir"] if chunk["dir"] else None
                if out_dir is not None and out_dir.is_dir():
                    workspace.add_anchor(out_dir)
                    new_dirs.append(out_dir)
                elif chunk["extractor"] is not None or chunk["dir"]:
                    outcome.problems.append(
                        Problem(
                            STAGE,
                            "tool.extract_failed",
                            Severity.WARNING,
                            workspace.rel(source),
                            f"{chunk['format']} at offset {chunk['offset']} was recognised but "
                            f"its extractor ({chunk['extractor'] or 'binwalk'}) recovered "
                            f"nothing: {chunk['description'][:160]}",
                        )
                    )
                outcome.extractions.append(
                    Extraction(
                        source,
                        chunk["offset"],
                        chunk["size"],
                        chunk["format"],
                        chunk["extractor"] or "",
                        out_dir if out_dir in new_dirs else None,
                    )
                )
        return new_dirs


def _regular_files(folders: list[Path]) -> list[Path]:
    files = []
    for folder in folders:
        files.extend(files_below(folder))
    return files
