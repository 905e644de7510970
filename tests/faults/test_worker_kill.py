"""A killed extractor worker (SIGKILL, SIGTERM, at seeded random points of its run) costs the
audit that met it, never the next one: that one gives the baseline SBOM and finds nothing
left of the killed run."""

from __future__ import annotations

import os
import random
import signal
import subprocess
from pathlib import Path

import pytest

from .conftest import WORKER, Baseline, Watch, audit, cmdline, leftovers, one_line, scan_argv

RNG = random.Random(1401)
#: When the worker is killed, as a share of the baseline's unpack (about 1.5 s on the sample:
#: unblob's import, its scan, the SquashFS extraction), so that the kill lands while it runs
#: on a fast machine as on a slow one; and the faulted run's backends: the default (binwalk
#: takes over and its outcome is cached, which the next run must not take for unblob's) or
#: unblob alone (the result says tool.crashed itself).
KILLS = [
    (signum, round(RNG.uniform(0.05, 0.8), 2), backends)
    for signum, backends in (
        (signal.SIGKILL, ()),
        (signal.SIGKILL, ("--backend", "unblob")),
        (signal.SIGTERM, ("--backend", "unblob")),
    )
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "share", "backends"),
    KILLS,
    ids=[f"{s.name}-{share}-{b[-1] if b else 'default'}" for s, share, b in KILLS],
)
def test_a_killed_worker_costs_only_the_run_that_met_it(
    *,
    sample: Path,
    baseline: Baseline,
    tmp_path: Path,
    signum: signal.Signals,
    share: float,
    backends: tuple[str, ...],
) -> None:
    for attempt in range(3):  # a machine quicker than the baseline's: kill earlier
        folder = tmp_path / f"try-{attempt}"
        delay = share * baseline.unpack_seconds / 2**attempt
        code, watch = _scan_killing_the_worker(sample, folder, backends, signum, delay)
        if code is not None:
            break
    else:
        pytest.fail("the worker ended before every kill: no fault injected")
    cache, out, stderr = folder / "cache", folder / "out" / "sample.cdx.json", folder / "stderr"

    # the faulted run ends with a result that says what happened, or with a clean error
    if code == 0:
        assert "tool.crashed" in out.read_text()
        assert os.listdir(out.parent) == [out.name]
    else:
        assert code == 2, stderr.read_text()
        one_line(stderr.read_text())
        assert os.listdir(out.parent) == []
    assert watch.survivors() == []

    assert audit(sample, cache) == baseline.sbom  # the next clean run
    assert leftovers(cache) == []


def _scan_killing_the_worker(
    sample: Path, folder: Path, backends: tuple[str, ...], signum: signal.Signals, delay: float
) -> tuple[int | None, Watch]:
    """Scan into `folder`, sending `signum` to the worker `delay` s after it starts; the
    scan's exit code, None when the worker had ended before."""
    (folder / "out").mkdir(parents=True)
    argv = scan_argv(sample, folder / "out" / "sample.cdx.json", folder / "cache", *backends)
    with (folder / "stderr").open("w") as stderr:
        process = subprocess.Popen(
            argv, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True
        )
    watch = Watch(process)
    try:
        worker = watch.wait_for(WORKER, timeout=120)
        line = watch.seen[worker]
        watch.pause(delay)
        alive = cmdline(worker) == line
        if alive:
            os.kill(worker, signum)
        code = watch.follow()
    finally:
        watch.kill_survivors()
    return code if alive else None, watch
