"""Broken environments fail in a moment with one line, and outputs are whole or absent: a
read-only, pseudo, wrong-kind or full output or cache path is refused before the audit; a
write that fails leaves nothing; a disk that fills during an unpack is a problem, not a
traceback, and nothing is cached from it."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from fwaudit import cli
from fwaudit.batch.jobs import Job
from fwaudit.batch.worker import Settings, Task, audit_task
from fwaudit.errors import StorageError
from fwaudit.limits import GiB, Limits, MiB
from fwaudit.model import Image, Problem, Severity, UnpackOutcome
from fwaudit.outputs import cache_need, publish_tree, write_atomic
from fwaudit.unpack import unpack_image
from fwaudit.unpack.base import Workspace
from fwaudit.unpack.cache import UnpackCache
from tests.faults import conftest as faults
from tests.faults.conftest import entries, leftovers, remount

FAST = 2.0  # seconds: a refusal comes before the audit (which takes 4 s or more)
Mount = Callable[[str, str], Path]
tmpfs = faults.tmpfs  # tmpfs(name, size): a small tmpfs, unmounted after the test (root only)


@pytest.fixture
def readonly(tmpfs: Mount, tmp_path: Path) -> Iterator[Path]:
    """A folder nobody may write to: a read-only tmpfs for root (who ignores permissions),
    a folder with mode 0555 otherwise."""
    if os.geteuid() == 0:
        folder = tmpfs("ro", "64k")
        remount(folder, "ro")
        yield folder
        return
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o555)
    yield folder
    folder.chmod(0o755)


def fwaudit(*args: str | Path) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "fwaudit.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return run, time.monotonic() - started


def refused(run: subprocess.CompletedProcess[str], seconds: float, path: Path | str) -> str:
    """The one stderr line of a refusal that named `path`, came fast and wrote nothing."""
    lines = run.stderr.strip().splitlines()
    assert run.returncode == 2, run.stderr
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith(f"fwaudit: {path}: "), lines[0]
    assert "Traceback" not in run.stderr and not run.stdout
    assert seconds < FAST, f"took {seconds:.1f} s: the audit ran before the check"
    return lines[0]


# --- refused before the audit --------------------------------------------------------------


def test_scan_into_a_read_only_folder(sample: Path, readonly: Path, tmp_path: Path) -> None:
    out = readonly / "out.cdx.json"
    line = refused(*fwaudit("scan", sample, "-o", out, "--cache-dir", tmp_path / "c"), out)
    assert f"{readonly}" in line and "choose another -o" in line
    assert not out.exists()


def test_scan_into_a_folder_path(sample: Path, tmp_path: Path) -> None:
    folder = tmp_path / "sboms"
    folder.mkdir()
    line = refused(*fwaudit("scan", sample, "-o", folder, "--cache-dir", tmp_path / "c"), folder)
    assert "is a folder" in line
    assert not any(folder.iterdir())


@pytest.mark.parametrize("option", ["-o", "--report"])
def test_scan_into_proc(sample: Path, tmp_path: Path, option: str) -> None:
    target = "/proc/fwaudit-test.out"
    args = ["-o", tmp_path / "x.cdx.json", "--report", tmp_path / "r.html"]
    args[args.index(option) + 1] = target
    line = refused(*fwaudit("scan", sample, *args, "--cache-dir", tmp_path / "c"), target)
    assert "pseudo file system" in line and f"choose another {option}" in line
    assert not Path(target).exists() and not (tmp_path / "x.cdx.json").exists()


def test_scan_onto_a_device(sample: Path, tmp_path: Path) -> None:
    line = refused(*fwaudit("scan", sample, "-o", os.devnull, "--cache-dir", tmp_path), os.devnull)
    assert "not a regular file" in line
    assert Path(os.devnull).is_char_device()


def test_scan_onto_a_full_disk(sample: Path, tmpfs: Mount, tmp_path: Path) -> None:
    full = tmpfs("disk", "64k")
    out = full / "out.cdx.json"
    line = refused(*fwaudit("scan", sample, "-o", out, "--cache-dir", tmp_path / "c"), out)
    assert "free" in line and "MiB" in line
    assert not out.exists()


def test_unpack_into_a_regular_file(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "notes.txt"
    out.write_text("user data")
    line = refused(*fwaudit("unpack", sample, "-o", out, "--cache-dir", tmp_path / "c"), out)
    assert "is a file, not a folder" in line and "not empty" not in line
    assert out.read_text() == "user data"


def test_unpack_into_a_read_only_folder(sample: Path, readonly: Path, tmp_path: Path) -> None:
    out = readonly / "tree"
    refused(*fwaudit("unpack", sample, "-o", out, "--cache-dir", tmp_path / "c"), out)
    assert not out.exists()


@pytest.mark.parametrize("command", ["scan", "unpack", "batch"])
def test_a_full_cache_disk(sample: Path, tmpfs: Mount, tmp_path: Path, command: str) -> None:
    cache = tmpfs("disk", "1m") / "cache"
    out = tmp_path / "out"
    run, seconds = fwaudit(command, sample, "-o", out, "--cache-dir", cache)
    line = refused(run, seconds, cache)
    assert "an unpack may need 64.0 MiB" in line and "choose another --cache-dir" in line
    assert not out.exists() and not cache.exists()


def test_a_read_only_cache_from_the_environment(
    sample: Path, readonly: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.cdx.json"
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "fwaudit.cli", "scan", str(sample), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "FWAUDIT_CACHE_DIR": str(readonly / "cache")},
    )
    line = refused(run, time.monotonic() - started, readonly / "cache")
    assert line.endswith("choose another $FWAUDIT_CACHE_DIR")  # the fix where it was set
    assert not out.exists()


def test_batch_into_a_regular_file(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "fleet.csv"
    out.write_text("a,b\n")
    line = refused(*fwaudit("batch", sample, "-o", out, "--cache-dir", tmp_path / "c"), out)
    assert "is a file, not a folder" in line
    assert out.read_text() == "a,b\n"


# --- whole or not at all ------------------------------------------------------------------


def test_write_atomic_replaces_whole(tmp_path: Path) -> None:
    target = tmp_path / "new" / "out.json"
    write_atomic(target, "old")
    write_atomic(target, b"new")
    assert target.read_text() == "new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.json"]


def test_write_atomic_writes_through_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    (tmp_path / "link.json").symlink_to(real)
    write_atomic(tmp_path / "link.json", "new")
    assert real.read_text() == "new" and (tmp_path / "link.json").is_symlink()


def test_a_failed_rename_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")

    def broken(*args: object) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO), str(target))

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(StorageError, match="Input/output error") as caught:
        write_atomic(target, "new")
    assert str(caught.value).startswith(f"{target}: ") and "\n" not in str(caught.value)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_a_full_disk_leaves_the_old_file_and_no_temporary(tmpfs: Mount) -> None:
    disk = tmpfs("disk", "64k")
    target = disk / "out.json"
    target.write_text("old")
    with pytest.raises(StorageError, match="No space left on device"):
        write_atomic(target, bytes(256 << 10))
    assert target.read_text() == "old"
    assert [p.name for p in disk.iterdir()] == ["out.json"]


def test_publish_tree_is_whole(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "etc").mkdir(parents=True)
    (tree / "etc" / "passwd").write_text("root:x:0:0\n")
    (tree / "bin").symlink_to("etc")
    out = tmp_path / "out"
    out.mkdir()  # an empty folder is replaced
    publish_tree(tree, out, {"unpack.json": "{}"})
    assert (out / "etc" / "passwd").read_text() == "root:x:0:0\n"
    assert (out / "bin").is_symlink() and (out / "unpack.json").read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "tree"]


def test_publish_tree_on_a_full_disk_leaves_nothing(tmp_path: Path, tmpfs: Mount) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "big").write_bytes(bytes(256 << 10))
    disk = tmpfs("disk", "128k")
    with pytest.raises(StorageError, match="No space left on device") as caught:
        publish_tree(tree, disk / "out", {"unpack.json": "{}"})
    assert "\n" not in str(caught.value)
    assert not any(disk.iterdir())


def test_cache_need_is_bounded_by_the_limits() -> None:
    limits = Limits()
    assert cache_need(limits, 0) == limits.ratio_floor_bytes == 64 * MiB
    assert cache_need(limits, 100 * MiB) == 400 * MiB
    assert cache_need(limits, 10 * GiB) == limits.max_total_bytes


def test_an_sbom_the_disk_cannot_take_is_exit_2_and_absent(
    tmpfs: Mount,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a firmware image\n" * 20)
    disk = tmpfs("disk", "4k")  # one page; the SBOM is about 9 KiB
    out = disk / "notes.cdx.json"
    monkeypatch.setattr(cli, "check_output_file", lambda *a, **k: None)  # as if filled later
    code = cli.main(["scan", str(notes), "-o", str(out), "--cache-dir", str(tmp_path / "c")])
    error = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(error) == 1
    assert error[0].startswith(f"fwaudit: {out}: not written (No space left on device")
    assert not any(disk.iterdir())


# --- a disk that fills during the unpack -----------------------------------------------------


def storage_problems(outcome: UnpackOutcome) -> list[Problem]:
    return [p for p in outcome.problems if p.kind == "storage.error"]


def test_a_disk_filled_by_the_extractor(
    sample: Path, tmpfs: Mount, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmpfs("disk", "2m")
    monkeypatch.setattr("fwaudit.unpack.cache.cache_need", lambda limits, size: 0)
    image = Image.from_path(sample.absolute())
    outcome = unpack_image(image, backends=["unblob"], cache_dir=cache)
    (problem,) = storage_problems(outcome)
    assert problem.severity is Severity.ERROR and problem.stage == "unpack"
    assert problem.detail.startswith("No space left on device")
    assert str(cache) in problem.detail and "no tree was kept" in problem.detail
    assert not outcome.nodes and not outcome.root.exists()
    assert entries(cache) == leftovers(cache) == []  # the workspace is gone and nothing is cached


def test_too_little_room_stops_before_the_extractor(sample: Path, tmpfs: Mount) -> None:
    cache = tmpfs("disk", "2m")
    started = time.monotonic()
    outcome = unpack_image(Image.from_path(sample), backends=["unblob"], cache_dir=cache)
    (problem,) = storage_problems(outcome)
    assert "no room for the tree" in problem.detail and str(cache) in problem.detail
    assert time.monotonic() - started < FAST and entries(cache) == leftovers(cache) == []


def test_a_half_written_worker_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def dies_writing(argv: list[str], **kwargs: object) -> object:
        request = json.loads(Path(argv[-1]).read_text())
        Path(request["result"]).write_text("")  # the worker met a full disk
        return None

    monkeypatch.setattr("fwaudit.unpack.base.run_tool", dies_writing)
    image = tmp_path / "fw.bin"
    image.write_bytes(b"HDR" * 100)
    cache = tmp_path / "cache"
    outcome = unpack_image(Image.from_path(image), backends=["unblob"], cache_dir=cache)
    (problem,) = storage_problems(outcome)
    assert "answer is unreadable (0 bytes)" in problem.detail and "result.json" in problem.detail
    assert entries(cache) == leftovers(cache) == []


def test_a_disk_left_full_is_not_stored(tmpfs: Mount) -> None:
    cache = UnpackCache(tmpfs("disk", "1m"))
    workspace = Workspace(cache.scratch_root() / "work-1", 10)
    (workspace.tree / "big").write_bytes(bytes(128 << 10))
    outcome = UnpackOutcome(workspace.tree, "unblob", "unblob 1", (), (), 1.0)
    key = UnpackCache.key("ab" * 32, "unblob", "unblob 1", Limits())
    with pytest.raises(OSError, match="cache disk full after the unpack"):
        cache.store(key, workspace, outcome)
    assert cache.load(key) is None


# --- a batch goes on -------------------------------------------------------------------------


def task_for(image: Path, cache: Path) -> Task:
    settings = Settings(backends=("unblob",), cache_dir=str(cache))
    return Task(Job(path=image, source=str(image)), "ab" * 32, image.stat().st_size, settings)


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/cache/unpack/x"),
        StorageError("/out/x: not written (No space left on device)"),
    ],
)
def test_a_storage_error_is_a_batch_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    class Failing:
        def audit_data(self, *args: object, **kwargs: object) -> None:
            raise error

    monkeypatch.setattr("fwaudit.batch.worker.warm_auditor", lambda settings: Failing())
    image = tmp_path / "fw.bin"
    image.write_bytes(b"x")
    output = audit_task(task_for(image, tmp_path))
    assert (output.status, output.error_kind) == ("error", "storage")
    assert "No space left on device" in (output.error or "")


def test_an_unpack_the_cache_could_not_hold_is_a_batch_row(
    sample: Path, tmpfs: Mount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("fwaudit.batch.worker._AUDITORS", {})  # an auditor for this cache
    output = audit_task(task_for(sample, tmpfs("disk", "2m")))
    assert (output.status, output.error_kind) == ("error", "storage")
    assert "an unpack may need" in (output.error or "")
