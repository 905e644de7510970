"""A full disk: a cache or output folder with too little room is refused before the audit
(exit 2, one line); one filled while the audit runs ends it with exit 2 and one line. Nothing
is left at the output target, and the next run with room gives the baseline SBOM."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import (
    WORKER,
    Baseline,
    Watch,
    audit,
    fill,
    leftovers,
    normalised,
    one_line,
    remount,
    scan,
    scan_argv,
)

Tmpfs = Callable[[str, str], Path]


def test_a_cache_disk_without_room_is_refused_before_the_audit(
    sample: Path, baseline: Baseline, tmp_path: Path, tmpfs: Tmpfs, startup: float
) -> None:
    disk = tmpfs("cache", "2m")
    cache, out = disk / "cache", tmp_path / "out" / "sample.cdx.json"
    started = time.monotonic()
    run = scan(sample, out, cache)
    elapsed = time.monotonic() - started
    assert run.returncode == 2, run.stderr
    assert "free" in one_line(run.stderr) and elapsed < startup + 2
    assert not out.parent.exists() and os.listdir(disk) == []

    remount(disk, "size=80m")  # room again: the same cache serves the next run
    assert audit(sample, cache) == baseline.sbom
    assert leftovers(cache) == []


def test_a_full_output_disk_is_refused_before_the_audit(
    *, sample: Path, baseline: Baseline, warm_cache: Path, tmpfs: Tmpfs, startup: float
) -> None:
    disk = tmpfs("out", "2m")
    filler, out, cache = fill(disk), disk / "sample.cdx.json", warm_cache.with_name("cold")
    started = time.monotonic()
    run = scan(sample, out, cache)
    elapsed = time.monotonic() - started
    assert run.returncode == 2, run.stderr
    assert "free" in one_line(run.stderr) and elapsed < startup + 2
    assert os.listdir(disk) == [filler.name] and not cache.exists()

    filler.unlink()
    again = scan(sample, out, warm_cache)
    assert again.returncode == 0, again.stderr
    assert normalised(out.read_text()) == baseline.sbom
    assert os.listdir(disk) == [out.name]


@pytest.mark.parametrize("where", ["cache", "output"])
def test_a_disk_filled_while_the_audit_runs(
    sample: Path, baseline: Baseline, tmp_path: Path, tmpfs: Tmpfs, where: str
) -> None:
    """The disk fills 0.3 s into the extractor's run: the unpack meets it (cache), or the
    SBOM's write does (output)."""
    disk = tmpfs(where, "72m" if where == "cache" else "2m")
    cache = disk / "cache" if where == "cache" else tmp_path / "cache"
    out = (disk if where == "output" else tmp_path / "out") / "sample.cdx.json"
    out.parent.mkdir(exist_ok=True)
    with (tmp_path / "stderr").open("w") as stderr:
        process = subprocess.Popen(
            scan_argv(sample, out, cache),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
    watch = Watch(process)
    try:
        watch.wait_for(WORKER, timeout=120)
        watch.pause(0.3)
        filler = fill(disk)
        code = watch.follow()
    finally:
        watch.kill_survivors()
    assert code == 2, (tmp_path / "stderr").read_text()
    assert "No space left" in one_line((tmp_path / "stderr").read_text())
    assert sorted(p.name for p in out.parent.iterdir()) == (
        [filler.name] if where == "output" else []
    )
    assert watch.survivors() == []

    filler.unlink()
    if where == "cache":
        assert audit(sample, cache) == baseline.sbom
    else:
        assert scan(sample, out, cache).returncode == 0
        assert normalised(out.read_text()) == baseline.sbom
    assert leftovers(cache) == []
