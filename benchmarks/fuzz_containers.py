"""Container fuzz campaign: thousands of mutants of the generated seeds (tar, zip, cpio, gzip,
xz, lzma, uImage, TRX, ext2, JFFS2, UBI) and of the corpus's small real containers, each
through the whole audit, its result document and its SBOM.

    .venv/bin/python -m benchmarks.fuzz_containers [--per-seed 120] [--per-corpus-seed 64]
        [--corpus DIR] [--work /tmp/fwaudit-fuzz] [--workers 2] [--timeout 120]

Mutant `n` of a seed is the same bytes every run (`tests/faults/mutants.py`). Each one is
audited by a guarded batch worker (`fwaudit.batch.guard.GuardedWorker`, --workers of them in
parallel), which makes the result JSON and the CycloneDX JSON SBOM as `fwaudit batch` does;
both must also encode as UTF-8, as every writer needs. A line per mutant goes to
WORK/results/<format>.jsonl, so a rerun resumes where the last one stopped. The audits run
with their working folder, HOME and TMPDIR in WORK, listed before and after each format (and
/tmp for the seeds' marker), so a write outside the output and cache folders is an escape.

Per format it prints: mutants (distinct), crashes (an exception in fwaudit: a traceback in
the worker, no SBOM, a dead worker, output that is not UTF-8), hangs (past --timeout), memory
(past --memory-mb), escapes, results with no format recognised, mutants whose extractor
failed or that hit an unpack limit (``tool.*`` and ``limit.*`` problems in the result: the
design's answer), peak resident memory of a worker and its tools, and seconds. Then every
crash and hang with how its mutant was made.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import queue
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fwaudit.batch.guard import GuardedWorker
from fwaudit.batch.jobs import Job
from fwaudit.batch.worker import JobOutput, Settings, Task
from fwaudit.limits import Limits
from fwaudit.model import Image
from fwaudit.results import result_from_json
from tests.conftest import corpus_dir
from tests.faults.escapes import watched_home
from tests.faults.mutants import Mutant, Seed, corpus_seeds, generated_seeds, mutants

CRASHES = ("internal", "sbom", "worker-died", "storage", "input", "unencodable")
FAILURES = (*CRASHES, "timeout", "memory")
LOG_TAIL = 40  # lines of a dead worker's log kept with its mutant


def judge(item: Mutant, output: JobOutput, log: Path) -> dict[str, Any]:
    """One mutant's line: how the audit ended and what it cost."""
    kind = "ok" if output.status == "ok" else output.error_kind or "error"
    error, problems = output.error, []
    if kind in ("ok", "unrecognised"):
        try:
            for text in (output.result_json, output.sbom_json):
                (text or "").encode()
            problems = sorted({p.kind for p in result_from_json(output.result_json).all_problems})
        except (UnicodeEncodeError, TypeError) as exc:
            kind, error = "unencodable", f"{type(exc).__name__}: {exc}"
    if kind == "worker-died":
        error = f"{error}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-LOG_TAIL:])
    return {
        "mutant": item.filename,
        "how": item.how,
        "kind": kind,
        "error": error,
        "seconds": output.timings.get("total"),
        "peak_rss_mb": output.peak_rss_mb,
        "problems": problems,
    }


def audit_all(
    items: list[Mutant],
    folder: Path,
    *,
    settings: Settings,
    workers: int,
    logs: Path,
    record: Callable[[dict[str, Any]], None],
) -> None:
    """Audit `items` (files in `folder`) on `workers` guarded workers; `record` each line."""
    todo: queue.SimpleQueue[Mutant] = queue.SimpleQueue()
    for item in items:
        todo.put(item)
    lock = threading.Lock()

    def drive(number: int) -> None:
        log = logs / f"worker-{number}.log"
        guard = GuardedWorker(log=log)
        try:
            while True:
                try:
                    item = todo.get_nowait()
                except queue.Empty:
                    return
                path = folder / item.filename
                image = Image.from_path(path)
                output = guard.run(Task(Job(path, "fuzz"), image.sha256, image.size, settings))
                line = judge(item, output, log)
                with lock:
                    record(line)
        finally:
            guard.stop()

    threads = [threading.Thread(target=drive, args=(n,), daemon=True) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@dataclass
class Tally:
    """What the mutants of one format gave."""

    fmt: str
    seeds: int = 0
    lines: list[dict[str, Any]] = field(default_factory=list)
    escapes: list[str] = field(default_factory=list)
    wall: float = 0.0

    def row(self) -> str:
        kinds = Counter(line["kind"] for line in self.lines)
        reported = Counter(
            prefix
            for line in self.lines
            for prefix in ("tool.", "limit.")
            if any(p.startswith(prefix) for p in line["problems"])
        )
        seconds = [line["seconds"] or 0.0 for line in self.lines]
        peak = max((line["peak_rss_mb"] or 0.0 for line in self.lines), default=0.0)
        return (
            f"| {self.fmt} | {self.seeds} | {len(self.lines)} | {sum(kinds[k] for k in CRASHES)} "
            f"| {kinds['timeout']} | {kinds['memory']} | {len(self.escapes)} "
            f"| {kinds['unrecognised']} | {reported['tool.']} / {reported['limit.']} "
            f"| {peak:.0f} | {sum(seconds):.0f} | {max(seconds, default=0.0):.1f} |"
        )


HEADER = (
    "| format | seeds | mutants | crashes | hangs | memory | escapes | unrecognised "
    "| extractor failed / limit hit | peak RSS MiB | audit s | slowest s |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def campaign(fmt: str, seeds: list[Seed], counts: dict[str, int], work: Path, args: Any) -> Tally:
    """Audit the mutants of `fmt`'s seeds not done by an earlier run, watched for escapes."""
    folder, cache, logs = work / "mutants" / fmt, work / "cache" / fmt, work / "logs" / fmt
    results = work / "results" / f"{fmt}.jsonl"
    for made in (folder, logs, results.parent):
        made.mkdir(parents=True, exist_ok=True)
    done = (
        [json.loads(line) for line in results.read_text().splitlines()] if results.is_file() else []
    )
    tally = Tally(fmt, seeds=len(seeds), lines=done)
    finished, distinct, todo = {line["mutant"] for line in done}, set(), []
    for seed in seeds:
        for item in mutants(seed, counts[seed.name]):
            digest = hashlib.sha256(item.data).digest()
            if digest in distinct:
                continue  # the same bytes as another mutant: audited once
            distinct.add(digest)
            if item.filename not in finished:
                (folder / item.filename).write_bytes(item.data)
                todo.append(item)
    settings = Settings(
        cache_dir=str(cache),
        limits=Limits(tool_timeout=args.tool_timeout),
        timeout=args.timeout,
        memory_mb=args.memory_mb,
    )
    with results.open("a") as sink, watched_home(work, work / "cache", work / "results",
                                                  work / "logs") as watch:  # fmt: skip
        before = watch.snapshot()
        started = time.monotonic()

        def record(line: dict[str, Any]) -> None:
            tally.lines.append(line)
            sink.write(json.dumps(line) + "\n")
            sink.flush()

        audit_all(todo, folder, settings=settings, workers=args.workers, logs=logs, record=record)
        tally.wall = time.monotonic() - started
        tally.escapes = watch.escapes(before)
    # rm copes with the trees deeper than Python's recursion limit that some mutants leave
    subprocess.run(["rm", "-rf", str(cache)], check=False)
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-seed", type=int, default=120, help="mutants per generated seed")
    parser.add_argument("--per-corpus-seed", type=int, default=64)
    parser.add_argument("--corpus", type=Path, default=corpus_dir())
    parser.add_argument("--work", type=Path, default=Path("/tmp/fwaudit-fuzz"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per mutant")
    parser.add_argument("--tool-timeout", type=float, default=30.0)
    parser.add_argument("--memory-mb", type=int, default=3072)
    parser.add_argument("--formats", nargs="*", help="only these formats")
    args = parser.parse_args()
    work = args.work.absolute()
    seeds = [
        s
        for s in generated_seeds() + corpus_seeds(args.corpus)
        if s.fmt in (args.formats or [s.fmt])
    ]
    counts = {s.name: args.per_corpus_seed if s.files is None else args.per_seed for s in seeds}
    formats = list(dict.fromkeys(s.fmt for s in seeds))
    print(f"{sum(counts.values())} mutants of {len(seeds)} seeds in {len(formats)} formats")
    started, tallies = time.monotonic(), []
    for fmt in formats:
        tallies.append(campaign(fmt, [s for s in seeds if s.fmt == fmt], counts, work, args))
        print(tallies[-1].row(), f"({tallies[-1].wall:.0f} s)", flush=True)
    print(f"\n{HEADER}")
    for tally in tallies:
        print(tally.row())
    total = sum(len(t.lines) for t in tallies)
    print(f"\n{total} distinct mutants; this run {time.monotonic() - started:.0f} s wall")
    for tally in tallies:
        for line in tally.lines:
            if line["kind"] in FAILURES:
                print(f"\n{line['kind']}: {line['mutant']} ({line['how']})\n{line['error']}")
        for path in tally.escapes:
            print(f"\nescape ({tally.fmt}): {path}")
    bad = any(t.escapes or any(line["kind"] in FAILURES for line in t.lines) for t in tallies)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
