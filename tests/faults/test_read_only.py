"""A read-only cache or output folder is refused in a moment, before the audit: exit 2, one
line, nothing written anywhere; once writable again, the next run gives the baseline SBOM."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import Baseline, audit, leftovers, normalised, one_line, remount, scan


@pytest.mark.parametrize("where", ["cache", "output"])
def test_a_read_only_folder_is_refused_in_a_moment(
    *,
    sample: Path,
    baseline: Baseline,
    warm_cache: Path,
    tmpfs: Callable[[str, str], Path],
    startup: float,
    where: str,
) -> None:
    disk = tmpfs(f"{where}-disk", "80m")
    remount(disk, "ro")
    cache = disk if where == "cache" else warm_cache.with_name("cold")
    out = (disk if where == "output" else warm_cache.with_name("out")) / "sample.cdx.json"
    started = time.monotonic()
    run = scan(sample, out, cache)
    elapsed = time.monotonic() - started
    assert run.returncode == 2, run.stderr
    assert "read-only" in one_line(run.stderr)
    assert elapsed < startup + 1.5, f"{elapsed:.1f} s, {startup:.1f} s of them start-up"
    assert os.listdir(disk) == []
    assert not (warm_cache.with_name("cold").exists() or warm_cache.with_name("out").exists())

    remount(disk, "rw")
    if where == "cache":
        assert audit(sample, cache) == baseline.sbom
        assert leftovers(cache) == []
    else:
        assert scan(sample, out, warm_cache).returncode == 0
        assert normalised(out.read_text()) == baseline.sbom
        assert os.listdir(disk) == [out.name]
