"""unblob's reports keep their weight: its ERROR and WARNING are not `info`, and the
extraction problems it defuses quietly (path traversal, links) are not dropped."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from unblob.report import (
    ExtractCommandFailedReport,
    ExtractionProblem,
    ExtractorDependencyNotFoundReport,
    ExtractorTimedOut,
    LinkExtractionProblem,
    MaliciousSymlinkRemoved,
    PathTraversalProblem,
    SpecialFileExtractionProblem,
    UnknownError,
)

from fwaudit.model import Image, Severity
from fwaudit.unpack import unpack_image
from fwaudit.unpack._worker import _error_json, _is_error
from fwaudit.unpack.base import Workspace
from fwaudit.unpack.unblob import _error_problems

REPORTS = [
    (
        ExtractCommandFailedReport(
            command="7z x a.zip", stdout=b"", stderr=b"ERROR: Data Error", exit_code=2
        ),
        "tool.extract_failed",
        Severity.WARNING,
        "extractor exited with 2: 7z x a.zip: ERROR: Data Error",
    ),
    (
        UnknownError(exception="ValueError('bad header')"),
        "tool.error",
        Severity.ERROR,
        "unblob raised ValueError('bad header')",
    ),
    (
        ExtractorDependencyNotFoundReport(dependencies=["sasquatch"]),
        "tool.missing",
        Severity.ERROR,
        "extractor program missing: ['sasquatch']",
    ),
    (
        ExtractorTimedOut(cmd="unar x.rar", timeout=60.0),
        "limit.timeout",
        Severity.ERROR,
        "extractor timed out after 60.0 s: unar x.rar",
    ),
    (
        MaliciousSymlinkRemoved(link="etc/passwd", target="../../../etc/passwd"),
        "safety.link_escape",
        Severity.WARNING,
        "link=etc/passwd",
    ),
    (
        PathTraversalProblem(
            path="../../x",
            extraction_path="x",
            problem="Potential path traversal through write_bytes",
            resolution="Redirected.",
        ),
        "safety.path_traversal",
        Severity.WARNING,
        "unblob: Potential path traversal through write_bytes; Redirected. (1 member(s): ../../x)",
    ),
    (
        LinkExtractionProblem(
            path="lnk", link_path="../../..", problem="Link target outside", resolution="Skipped."
        ),
        "safety.link_escape",
        Severity.WARNING,
        "unblob: Link target outside; Skipped. (1 member(s): lnk)",
    ),
]


@pytest.mark.parametrize(("report", "kind", "severity", "detail"), REPORTS)
def test_each_unblob_report_becomes_a_problem_of_its_weight(
    tmp_path: Path, report, kind: str, severity: Severity, detail: str
) -> None:
    assert _is_error(report)
    workspace = Workspace(tmp_path / "work", 100)
    container = workspace.tree / "fw.bin_extract" / "data.zip"
    task = {"errors": [_error_json(report)]}  # through JSON, as the jailed worker answers
    (problem,) = _error_problems(task, container, tmp_path / "fw.bin", workspace)
    assert (problem.stage, problem.kind, problem.severity) == ("unpack", kind, severity)
    assert problem.path == "fw.bin_extract/data.zip"
    assert detail in problem.detail


def test_details_do_not_name_the_private_work_folder(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "work-x1y2", 100)
    image = tmp_path / "fw.bin"
    report = ExtractCommandFailedReport(
        command=f"7z x {image} -o{workspace.tree}/fw.bin_extract",
        stdout=b"",
        stderr=b"ERROR: Data Error",
        exit_code=2,
    )
    (problem,) = _error_problems({"errors": [_error_json(report)]}, image, image, workspace)
    assert "work-x1y2" not in problem.detail and str(tmp_path) not in problem.detail
    assert "7z x fw.bin -ofw.bin_extract" in problem.detail


def test_a_failed_extraction_in_a_real_run_is_a_warning(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", b"hello world " * 1000)
        archive.writestr("b.txt", b"second file " * 1000)
    data = bytearray(buffer.getvalue())
    start = 30 + len("a.txt") + 5  # inside a.txt's deflate stream
    data[start : start + 20] = bytes(b ^ 0xFF for b in data[start : start + 20])
    path = tmp_path / "damaged.zip"
    path.write_bytes(bytes(data))
    outcome = unpack_image(Image.from_path(path), backends=["unblob"], cache_dir=tmp_path / "c")
    (failed,) = [p for p in outcome.problems if p.kind == "tool.extract_failed"]
    assert failed.severity is Severity.WARNING
    assert "Data Error" in failed.detail and str(tmp_path) not in failed.detail


def test_extraction_problems_are_grouped_per_container_and_weighed(tmp_path: Path) -> None:
    """unblob's tar handler reports one generic ExtractionProblem per member: a root file
    system's absolute links and duplicates are information, a traversal is a warning."""
    workspace = Workspace(tmp_path / "work", 100)
    reports = [
        *(
            ExtractionProblem(
                path=f"bin/applet{i}",
                problem="Absolute path as link target.",
                resolution="Converted to extraction relative path.",
            )
            for i in range(12)
        ),
        ExtractionProblem(
            path="usr/bin/curl", problem="Duplicate tar entry.", resolution="Removed older version."
        ),
        ExtractionProblem(
            path="foo", problem="Traversal attempt through link path.", resolution="Skipped."
        ),
        SpecialFileExtractionProblem(
            path="dev/null", mode=0o20666, device=259, problem="Special file", resolution="Skipped."
        ),
    ]
    task = {"errors": [_error_json(r) for r in reports]}
    problems = _error_problems(task, workspace.tree / "a.tar", tmp_path / "a.tar", workspace)
    found = {p.kind: p for p in problems}
    assert len(problems) == len(found) == 4
    rerooted = found["extract.link_rerooted"]
    assert rerooted.severity is Severity.INFO
    assert rerooted.detail.startswith("unblob: Absolute path as link target; Converted")
    assert "(12 member(s): bin/applet0, " in rerooted.detail and "and 2 more)" in rerooted.detail
    assert found["extract.duplicate_entry"].severity is Severity.INFO
    assert found["safety.link_escape"].severity is Severity.WARNING
    assert found["safety.special_file"].severity is Severity.INFO
