"""Four audits of one image on one cache at once (four processes): each gives the baseline
SBOM, the cache ends with one entry, and nothing is left behind."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from .conftest import Baseline, Watch, entries, follow, leftovers, normalised, scan_argv

AUDITS = 4


@pytest.mark.slow
def test_four_audits_of_one_image_on_one_cache_at_once(
    sample: Path, baseline: Baseline, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    outs = [tmp_path / f"out-{n}" / "sample.cdx.json" for n in range(AUDITS)]
    processes = [
        subprocess.Popen(
            scan_argv(sample, out, cache),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        for out in outs
    ]
    watches = [Watch(p) for p in processes]
    try:
        codes = follow(*watches)
        errors = [p.stderr.read().decode() for p in processes if p.stderr]
    finally:
        for watch in watches:
            watch.kill_survivors()
    assert codes == [0] * AUDITS, errors
    for out in outs:
        assert normalised(out.read_text()) == baseline.sbom
        assert os.listdir(out.parent) == [out.name]
    assert [e.name for e in entries(cache)] == [e.name for e in entries(baseline.cache)]
    assert leftovers(cache) == []
    assert [w.survivors() for w in watches] == [[]] * AUDITS
