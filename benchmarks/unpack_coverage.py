"""Extraction coverage and time of each unpack backend on every file of the corpus.

    .venv/bin/python benchmarks/unpack_coverage.py [--corpus DIR] [--backends unblob,binwalk]

Each image is unpacked with a fresh cache (so times are real extraction times) and the
table prints regular files, ELF files and seconds per backend, then totals. The README's
backend table is this script's output.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from fwaudit.api import open_image
from fwaudit.unpack import BACKENDS, DEFAULT_BACKENDS, unpack_image


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("FWAUDIT_CORPUS", "../shared/corpus"))
    )
    parser.add_argument(
        "--backends",
        default="default," + ",".join(b.name for b in BACKENDS),
        help="'default' is the fallback chain fwaudit uses",
    )
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"corpus not found at {args.corpus} (set FWAUDIT_CORPUS)", file=sys.stderr)
        return 2
    backends = args.backends.split(",")
    images = sorted(
        p for p in args.corpus.iterdir() if p.is_file() and p.suffix not in {".json", ".tsv"}
    )
    totals = {b: [0, 0, 0.0, 0] for b in backends}
    header = "| image | bytes | " + " | ".join(f"{b} files / ELF / s" for b in backends) + " |"
    print(header)
    print("|" + "---|" * (2 + len(backends)))
    for path in images:
        image = open_image(path)
        cells = []
        for backend in backends:
            with tempfile.TemporaryDirectory() as cache:
                started = time.monotonic()
                chain = DEFAULT_BACKENDS if backend == "default" else (backend,)
                outcome = unpack_image(image, backends=chain, cache_dir=Path(cache))
                seconds = time.monotonic() - started
            files, elf = len(outcome.files), len(outcome.elf_files)
            total = totals[backend]
            total[0] += files
            total[1] += elf
            total[2] += seconds
            total[3] += files > 0
            cells.append(f"{files} / {elf} / {seconds:.2f}")
        print(f"| {path.name} | {image.size:,} | " + " | ".join(cells) + " |", flush=True)
    cells = [
        f"**{t[0]} / {t[1]} / {t[2]:.1f}** ({t[3]} images with files)" for t in totals.values()
    ]
    print(f"| **total** ({len(images)} files) | | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
