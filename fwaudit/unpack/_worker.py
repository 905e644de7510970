"""Child-process entry point: one backend call, jailed, reporting as JSON.

    python -m fwaudit.unpack._worker REQUEST.json

The parent runs this through `run_tool`, so a hang or a runaway extractor is killed with its
whole process group; the worker dies with its parent, and a guardian kills the group when
the worker dies. Before importing any extractor, the process enters a Landlock jail that
allows writes only below the request's `jail` folder (and /dev/shm for unblob's pool).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from .._lifeline import guard_group


def enter_jail(jail: Path) -> str | None:
    """Restrict this process and its children to writing below `jail`; None when done."""
    try:
        from unblob._rust.sandbox import AccessFS, SandboxError, restrict_access
    except ImportError as exc:  # pragma: no cover - unblob is a dependency
        return f"landlock binding unavailable: {exc}"
    try:
        restrict_access(
            AccessFS.read("/"),
            AccessFS.read_write(str(jail)),
            AccessFS.remove_dir(str(jail)),
            AccessFS.remove_file(str(jail)),
            AccessFS.read_write("/dev/shm"),  # noqa: S108 - multiprocessing semaphores
            AccessFS.read_write("/dev/null"),
        )
    except SandboxError as exc:
        return f"landlock not enforced: {exc}"
    return None


def run_binwalk(targets: list[dict[str, str]], scratch_dir: Path) -> list[dict[str, Any]]:
    """Scan and extract one level of each target with the binwalk v3 engine."""
    from pybinwalk import Binwalk

    results = []
    for target in targets:
        source, dest = Path(target["path"]), Path(target["dest"])
        scratch = Path(tempfile.mkdtemp(prefix="bw-", dir=scratch_dir))
        try:
            engine = Binwalk.configure(target_file_name=str(source), output_directory=str(scratch))
            analysis = engine.analyze_path(engine.base_target_file, True)
            produced = scratch / f"{source.name}.extracted"
            if produced.is_dir() and any(produced.iterdir()):
                produced.rename(dest)
            chunks = []
            for sig in analysis.file_map:
                ext = analysis.extractions.get(sig.id)
                chunks.append(
                    {
                        "offset": sig.offset,
                        "size": sig.size,
                        "format": sig.name,
                        "description": sig.description,
                        "extractor": ext.extractor if ext else None,
                        "success": bool(ext and ext.success),
                        "dir": Path(ext.output_directory).name if ext and ext.success else None,
                    }
                )
            results.append({"path": str(source), "chunks": chunks, "error": None})
        except Exception as exc:
            results.append({"path": str(source), "chunks": [], "error": repr(exc)})
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return results


def run_unblob(target: Path, extract_root: Path, max_depth: int) -> list[dict[str, Any]]:
    """Extract `target` recursively with unblob's Python API; return its task reports."""
    import logging

    import structlog
    from unblob.processing import ExtractionConfig, process_file

    # unblob's default is debug logging with rich tracebacks: 15x slower than the work itself
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
    )
    config = ExtractionConfig(
        extract_root=extract_root, randomness_depth=0, max_depth=max_depth, process_num=1, verbose=0
    )
    outcome = process_file(config, target)
    return [_task_json(result) for result in outcome.results]


def _task_json(result: Any) -> dict[str, Any]:
    chunks, errors = [], []
    for report in result.reports:
        name = type(report).__name__
        if name == "ChunkReport":
            chunks.append(
                {
                    "offset": report.start_offset,
                    "end": report.end_offset,
                    "format": report.handler_name,
                    "encrypted": report.is_encrypted,
                }
            )
        if name in ("ChunkReport", "MultiFileReport"):
            errors.extend(_error_json(r) for r in report.extraction_reports if _is_error(r))
        elif _is_error(report):
            errors.append(_error_json(report))
    return {
        "path": str(result.task.path),
        "depth": result.task.depth,
        "is_dir": result.task.path.is_dir() and not result.task.path.is_symlink(),
        "chunks": chunks,
        "errors": errors,
    }


def _is_error(report: Any) -> bool:
    """unblob's error reports (they carry a severity) and its extraction problems (a path
    traversal, a link or special file it defused: no severity, but never to be dropped)."""
    return hasattr(report, "severity") or hasattr(report, "resolution")


def _error_json(report: Any) -> dict[str, str]:
    fields = {
        k: (v.decode("utf-8", "replace")[-300:] if isinstance(v, bytes) else str(v)[:300])
        for k, v in report.__dict__.items()
        if k != "severity"
    }
    severity = getattr(report, "severity", None)
    return {
        **fields,
        "kind": type(report).__name__,
        # unblob's Severity values are "ERROR" and "WARNING"; extraction problems have none
        "severity": str(getattr(severity, "value", severity or "warning")).lower(),
    }


def main(request_path: str) -> int:
    request = json.loads(Path(request_path).read_text())
    jail = Path(request["jail"])
    answer: dict[str, Any] = {"jail_error": enter_jail(jail)}
    if request["backend"] == "binwalk":
        answer["results"] = run_binwalk(request["targets"], Path(request["scratch"]))
    else:
        answer["results"] = run_unblob(
            Path(request["target"]), Path(request["extract_root"]), request["max_depth"]
        )
    # written whole or not at all: a worker killed while writing leaves no answer (a crash),
    # not a half answer that would read as a full disk
    result = Path(request["result"])
    partial = result.with_name(result.name + ".part")
    partial.write_text(json.dumps(answer))
    partial.replace(result)
    return 0


if __name__ == "__main__":
    guard_group()
    sys.exit(main(sys.argv[1]))
