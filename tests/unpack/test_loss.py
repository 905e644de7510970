"""Unpacking loses nothing quietly: a result that shows loss makes the driver try the next
backend and keep whichever recovered more; a clean one costs a single backend."""

from __future__ import annotations

from pathlib import Path

from fwaudit.limits import Limits
from fwaudit.model import Image, Problem, Severity
from fwaudit.unpack import loss_signs, recovered, unpack_image
from fwaudit.unpack.base import BackendRun, Extraction, Workspace

TRUNCATED = Problem("unpack", "tool.extract_failed", Severity.WARNING, "", "sasquatch exited 1")


class Recovering:
    """A backend that recovers `files` distinct files and reports `problems`."""

    def __init__(self, name: str, files: int, problems: tuple[Problem, ...] = ()) -> None:
        self.name = name
        self.files = files
        self.problems = problems
        self.calls = 0

    def tool_version(self) -> str:
        return f"{self.name} 1.0"

    def unpack(self, image: Path, workspace: Workspace, limits: Limits) -> BackendRun:
        self.calls += 1
        out = workspace.tree / f"{image.name}.{self.name}"
        out.mkdir(parents=True)
        for index in range(self.files):
            (out / f"file{index}").write_bytes(f"{self.name} content {index}".encode())
        (out / "copy").write_bytes(f"{self.name} content 0".encode())  # a duplicate: no gain
        return BackendRun(
            extractions=[Extraction(image, 0, 100, "squashfs", self.name, out)],
            problems=[*self.problems, *workspace.secure()],
        )


def image(tmp_path: Path) -> Image:
    path = tmp_path / "fw.bin"
    path.write_bytes(b"firmware" * 64)
    return Image.from_path(path)


def choice(outcome) -> Problem:
    (found,) = [p for p in outcome.problems if p.kind == "unpack.backend_choice"]
    return found


def test_a_clean_first_result_runs_no_second_backend(tmp_path: Path) -> None:
    first, second = Recovering("first", 3), Recovering("second", 9)
    outcome = unpack_image(image(tmp_path), backends=[first, second], cache_dir=tmp_path / "c")
    assert outcome.backend == "first" and loss_signs(outcome) == []
    assert (first.calls, second.calls) == (1, 0)
    assert not [p for p in outcome.problems if p.kind == "unpack.backend_choice"]


def test_a_lossy_first_result_is_replaced_by_one_that_recovered_more(tmp_path: Path) -> None:
    first, second = Recovering("first", 3, (TRUNCATED,)), Recovering("second", 9)
    outcome = unpack_image(image(tmp_path), backends=[first, second], cache_dir=tmp_path / "c")
    assert outcome.backend == "second" and second.calls == 1
    assert recovered(outcome)[0] == 9  # distinct contents: the duplicate counts once
    note = choice(outcome)
    assert note.severity is Severity.INFO and note.stage == "unpack" and note.path == ""
    assert "first showed signs of loss (tool.extract_failed)" in note.detail
    assert "second 9 distinct file(s)" in note.detail and "first 3 distinct file(s)" in note.detail
    assert note.detail.endswith("kept second")


def test_a_lossy_first_result_is_kept_when_the_next_recovers_less(tmp_path: Path) -> None:
    first, second = Recovering("first", 5, (TRUNCATED,)), Recovering("second", 2)
    outcome = unpack_image(image(tmp_path), backends=[first, second], cache_dir=tmp_path / "c")
    assert outcome.backend == "first" and second.calls == 1
    assert TRUNCATED in outcome.problems  # the loss itself stays reported
    assert "did not recover more" in choice(outcome).detail
    assert "second 2 distinct file(s)" in choice(outcome).detail


def test_hostile_entries_seen_only_by_the_dropped_backend_are_kept(tmp_path: Path) -> None:
    hostile = Problem("unpack", "safety.path_traversal", Severity.WARNING, "", "member '../x'")
    first, second = Recovering("first", 1, (TRUNCATED, hostile)), Recovering("second", 4)
    outcome = unpack_image(image(tmp_path), backends=[first, second], cache_dir=tmp_path / "c")
    assert outcome.backend == "second"
    (carried,) = [p for p in outcome.problems if p.kind == "safety.path_traversal"]
    assert carried.path == ""
    assert carried.detail == "seen by first in the image, whose tree was not kept: member '../x'"


def test_limit_problems_are_not_signs_of_loss(tmp_path: Path) -> None:
    ratio = Problem("unpack", "limit.ratio", Severity.ERROR, "", "tree exceeds the ratio")
    first, second = Recovering("first", 2, (ratio,)), Recovering("second", 9)
    outcome = unpack_image(image(tmp_path), backends=[first, second], cache_dir=tmp_path / "c")
    assert outcome.backend == "first" and second.calls == 0


def test_the_cache_serves_both_results_and_the_same_choice(tmp_path: Path) -> None:
    first, second = Recovering("first", 3, (TRUNCATED,)), Recovering("second", 9)
    fw = image(tmp_path)
    before = unpack_image(fw, backends=[first, second], cache_dir=tmp_path / "c")
    again = unpack_image(fw, backends=[first, second], cache_dir=tmp_path / "c")
    assert (first.calls, second.calls) == (1, 1)  # nothing unpacked twice
    assert not before.from_cache and again.from_cache
    assert again.backend == "second" and again.root == before.root and again.root.is_dir()
    assert again.problems == before.problems and again.nodes == before.nodes
    alone = unpack_image(fw, backends=[first], cache_dir=tmp_path / "c")
    assert alone.from_cache and alone.backend == "first"  # each backend's own entry
    assert "unpack.backend_choice" not in {p.kind for p in alone.problems}
