"""A batch killed with SIGKILL (the batch process alone: its workers must follow it) at seeded
random points and rerun until it finishes ends as a batch never killed: the same fleet table
and records (minus timings), the same SBOMs, no image lost or done twice, no process left,
nothing left behind."""

from __future__ import annotations

import csv
import json
import random
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from fwaudit import audit_many
from tests.batch.fleet_images import make_fleet

from .conftest import AS_OF, Watch, follow, fwaudit, leftovers, normalised

RNG = random.Random(1406)
#: When each killed run dies: once it has finished this many images (of three), this many
#: seconds later; the first leaves finished images to reuse, the second images in flight.
KILLS = [(1, round(RNG.uniform(0.0, 0.5), 2)), (0, round(RNG.uniform(0.3, 2.0), 2))]
SERVE = b"fwaudit.batch._serve"
#: What differs between two runs of one batch.
TIMING = {"seconds", "seconds_unpack", "peak_rss_mb", "worker", "finished", "timings"}


def fleet(out: Path) -> list[dict[str, Any]]:
    with (out / "fleet.csv").open(newline="") as handle:
        return [_untimed(row) for row in csv.DictReader(handle)]


def images(out: Path) -> dict[str, dict[str, Any]]:
    """Per image folder: its record (untimed), its SBOM (normalised), its files."""
    found = {}
    for folder in sorted((out / "images").iterdir()):
        sbom = folder / "sbom.cdx.json"
        found[folder.name] = {
            "files": sorted(p.name for p in folder.iterdir()),
            "record": _untimed(json.loads((folder / "record.json").read_text())),
            "sbom": normalised(sbom.read_text()) if sbom.is_file() else None,
        }
    return found


def _untimed(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in TIMING}


@pytest.mark.slow
def test_a_batch_killed_at_random_points_and_rerun_ends_as_one_never_killed(
    tmp_path: Path,
) -> None:
    inputs, out, cache = tmp_path / "in", tmp_path / "out", tmp_path / "cache"
    make_fleet(inputs, count=2)
    reference = audit_many(
        [inputs],
        out=tmp_path / "reference",
        workers=2,
        cache_dir=tmp_path / "reference-cache",
        as_of=AS_OF,
        progress="quiet",
    )
    argv = fwaudit("batch", inputs, "-o", out, "--cache-dir", cache, "-w", "2", "--as-of", AS_OF)
    watches: list[Watch] = []
    try:
        for finished, delay in KILLS:
            before = len(list(out.glob("images/*/record.json")))
            watch = Watch(_start([*argv, "-q"]))
            watches.append(watch)
            watch.wait_for(SERVE, timeout=120)
            _wait_for_records(watch, out, before + finished)
            watch.pause(delay)
            assert watch.process.poll() is None, "the batch ended before the kill"
            watch.process.kill()  # the batch process only
            watch.process.wait()
        watches.append(Watch(_start([*argv, "-q"])))
        (code,) = follow(watches[-1])
    finally:
        for watch in watches:
            watch.kill_survivors()

    assert code == 1  # README.txt is no firmware, as in the reference
    last = json.loads((out / "batch.json").read_text())
    assert last["audited"] >= 1 and last["reused"] >= 1, last  # both kills left work
    assert [w.survivors() for w in watches] == [[]] * len(watches)
    assert fleet(out) == fleet(reference.out)
    assert images(out) == images(reference.out)
    assert not [p for p in out.rglob("*") if ".tmp-" in p.name]
    assert leftovers(cache) == []


def _wait_for_records(watch: Watch, out: Path, count: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while len(list(out.glob("images/*/record.json"))) < count:
        assert time.monotonic() < deadline and watch.process.poll() is None, "no progress"
        watch.pause(0.02)


def _start(argv: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
