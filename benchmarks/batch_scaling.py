"""Batch throughput on the corpus: the whole corpus with 2 workers and its rerun, and the
realistic images (those in expected.json) on 1 worker, 2 workers and a 2-worker Dask
LocalCluster, each from a cold cache. Every run is the real `fwaudit batch` command.

    .venv/bin/python benchmarks/batch_scaling.py [--corpus DIR] [--repeat 1]

Prints wall time, images per second, the speed-up of 2 workers over 1, Dask against the
local pool, the rerun's share of the first run, and the peak resident memory per worker.
The README's batch table is this script's output.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

FWAUDIT = [sys.executable, "-m", "fwaudit.cli", "batch"]


def run_batch(
    inputs: list[Path], out: Path, cache: Path, *extra: str
) -> tuple[float, pd.DataFrame]:
    started = time.monotonic()
    done = subprocess.run(
        [*FWAUDIT, *map(str, inputs), "--out", str(out), "--cache-dir", str(cache), "-q", *extra],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    if done.returncode not in (0, 1):
        sys.exit(f"fwaudit batch failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds, pd.read_parquet(out / "fleet.parquet")


def cold(inputs: list[Path], scratch: Path, label: str, *extra: str) -> tuple[float, pd.DataFrame]:
    """One run with a fresh cache and output folder."""
    out, cache = scratch / f"{label}-out", scratch / f"{label}-cache"
    seconds, fleet = run_batch(inputs, out, cache, *extra)
    shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    return seconds, fleet


MEMO_PROBE = """
import sys
from fwaudit.api import Auditor
auditor = Auditor(cache_dir=sys.argv[1])
auditor.audit_data(sys.argv[2])
timings = dict(auditor.audit_data(sys.argv[3]).timings)
print(sum(v for k, v in timings.items() if k != "unpack"))
"""


def analysis_after(first: Path, target: Path, cache: Path) -> float:
    """Analysis seconds of `target` in a worker that has just audited `first`."""
    done = subprocess.run(
        [sys.executable, "-c", MEMO_PROBE, str(cache), str(first), str(target)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("FWAUDIT_CORPUS", "../shared/corpus"))
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    corpus = args.corpus.resolve()
    realistic = [
        corpus / name for name in json.loads((corpus / "expected.json").read_text())["images"]
    ]
    files = sum(1 for p in corpus.rglob("*") if p.is_file())

    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        out, cache = scratch / "corpus-out", scratch / "corpus-cache"
        first_seconds, fleet = run_batch([corpus], out, cache, "--workers", "2")
        rerun_seconds, rerun_fleet = run_batch([corpus], out, cache, "--workers", "2")
        print(
            f"corpus: {files} files -> {len(fleet)} fleet rows "
            f"({(fleet.status == 'ok').sum()} ok, {(fleet.status != 'ok').sum()} error rows: "
            f"{dict(fleet[fleet.status != 'ok'].error_kind.value_counts())})"
        )
        print(f"  first run, 2 workers, cold cache: {first_seconds:.1f} s")
        print(
            f"  rerun (every image finished):     {rerun_seconds:.2f} s = "
            f"{100 * rerun_seconds / first_seconds:.1f}% of the first run "
            f"({len(rerun_fleet)} rows)"
        )

        configurations = {
            "local pool, 1 worker": ("--workers", "1"),
            "local pool, 2 workers": ("--workers", "2"),
            "Dask LocalCluster, 2 workers": ("--workers", "2", "--dask", "local"),
        }
        times: dict[str, list[float]] = {label: [] for label in configurations}
        peaks: dict[str, float] = dict.fromkeys(configurations, 0.0)
        for n in range(args.repeat):  # interleaved, so machine noise hits every configuration
            for k, (label, extra) in enumerate(configurations.items()):
                seconds, run_fleet = cold(realistic, scratch, f"run{k}-{n}", *extra)
                times[label].append(seconds)
                peaks[label] = max(peaks[label], float(run_fleet.peak_rss_mb.max()))
    print(f"\nrealistic images ({len(realistic)}), cold cache, median of {args.repeat}:")
    print(f"{'run':<30} {'wall s':>7} {'images/s':>9} {'peak MiB/worker':>16}  runs")
    medians = {label: statistics.median(values) for label, values in times.items()}
    for label, seconds in medians.items():
        rate = len(realistic) / seconds
        runs = " ".join(f"{t:.1f}" for t in times[label])
        print(f"{label:<30} {seconds:>7.1f} {rate:>9.2f} {peaks[label]:>16.0f}  {runs}")
    one, two, dask = medians.values()
    with tempfile.TemporaryDirectory() as cache_name:
        target = corpus / "tplink_wr841nv10_en_3_16_9_up_boot_150310.bin"
        other = corpus / "ofrak_esp32_hello.bin"
        cold_files = statistics.median(
            analysis_after(other, target, Path(cache_name)) for _ in range(3)
        )
        seen_files = statistics.median(
            analysis_after(target, target, Path(cache_name)) for _ in range(3)
        )
    print(
        f"\nper-worker memo: WR841N analysis (after unpacking) {cold_files:.3f} s in a warm "
        f"worker, {seen_files:.3f} s when its files were seen in an earlier image"
    )
    print(f"\n2 workers vs 1: {one / two:.2f}x throughput")
    print(f"Dask vs local pool (2 workers): {100 * (dask - two) / two:+.1f}% wall time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
