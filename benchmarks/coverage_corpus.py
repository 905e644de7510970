"""What share of each image an audit examines, and which images no policy can pass on:
every corpus file, the built-in sample and generated inputs (random bytes, the sample and
WR841N cut at half), as the markdown table in README "What was examined".

    .venv/bin/python benchmarks/coverage_corpus.py [--corpus DIR] [--cache DIR] [--all]

Without `--all` only the realistic images of `expected.json` and the generated inputs are
listed (the test vectors and notes are summarised in one line).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from collections import Counter
from pathlib import Path

from fwaudit.api import Auditor
from fwaudit.model import AuditData

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "build" / "sample" / "ipcam-sample.bin"
WR841N = "tplink_wr841nv10_en_3_16_9_up_boot_150310.bin"


def _short(reason: str) -> str:
    """A reason as a table cell: the problem kind, or the first clause."""
    if reason.startswith(("extract.", "limit.", "tool.")):
        return reason.split(":", maxsplit=1)[0]
    return reason.split(" (", maxsplit=1)[0].split(";", maxsplit=1)[0]


def row(name: str, result: AuditData, seconds: float) -> str:
    coverage = result.coverage
    assert coverage is not None
    size = max(coverage.image_size, 1)
    outcomes = Counter(o.value for _, o in result.assessment.policies)
    shown = ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items()))
    why = "; ".join(_short(reason) for reason in coverage.reasons)
    return (
        f"| {name} | {coverage.image_size:,} | {coverage.share:.1%} | {coverage.basis} | "
        f"{coverage.padding_bytes / size:.1%} | {coverage.opaque_bytes / size:.1%} | "
        f"{coverage.files:,} | {shown} | {why or '-'} | {seconds:.3f} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("FWAUDIT_CORPUS", "../shared/corpus"))
    )
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--all", action="store_true", help="a row for every corpus file")
    args = parser.parse_args()
    realistic = list(json.loads((args.corpus / "expected.json").read_text())["images"])
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        auditor = Auditor(cache_dir=args.cache or scratch / "cache")
        generated = {"random 8 MiB (seed 8)": scratch / "random.bin"}
        generated["random 8 MiB (seed 8)"].write_bytes(random.Random(8).randbytes(8 << 20))
        for name, source in (("sample", SAMPLE), ("WR841N", args.corpus / WR841N)):
            if source.is_file():
                half = scratch / f"{source.name}.half"
                half.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
                generated[f"{name} cut at 50 %"] = half
        images = {"ipcam-sample.bin (built-in sample)": SAMPLE}
        files = sorted(p for p in args.corpus.iterdir() if p.is_file())
        images |= {p.name: p for p in files if args.all or p.name in realistic}
        others = [p for p in files if p.name not in images]
        images |= generated
        print(
            "| image | bytes | examined | basis | padding | encrypted or compressed | files "
            "| policies | inconclusive because | coverage s |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        for name, path in images.items():
            result = auditor.audit_data(path)
            print(row(name, result, dict(result.timings)["coverage"]), flush=True)
        if others:
            conclusive = sum(bool(auditor.audit_data(p).coverage.conclusive) for p in others)
            print(
                f"\nother corpus files (test vectors, notes): {conclusive} of {len(others)} "
                "conclusive"
            )
    return 0


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"\n({time.perf_counter() - started:.0f} s)")
    raise SystemExit(code)
