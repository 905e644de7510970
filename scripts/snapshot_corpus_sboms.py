"""Write (or check) tests/snapshots/corpus_sboms.json: the normalised CycloneDX JSON
digest and a summary per corpus image, so a refactor can prove it changed no SBOM.

    .venv/bin/python scripts/snapshot_corpus_sboms.py [--check] [--corpus DIR] [--cache DIR]
        [--workers N] [--only NAME ...] [--dump DIR]

Uses the default unpack cache unless --cache is given. --check compares instead of
writing and prints how each changed image's summary differs (exit 1). --dump writes each
normalised SBOM into DIR: dump before and after a change, then diff the two folders.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.corpus_sboms import SNAPSHOT, corpus_images, dump, load, report, snapshot


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("FWAUDIT_CORPUS", "../shared/corpus"))
    )
    parser.add_argument("--cache", type=Path, default=None, help="unpack cache (default: usual)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="these images (implies check)")
    parser.add_argument("--dump", type=Path, help="write the normalised SBOMs here")
    args = parser.parse_args()
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
    names = args.only or corpus_images(args.corpus)
    started = time.perf_counter()
    actual = snapshot(
        args.corpus, names, cache_dir=args.cache, workers=args.workers, dump_dir=args.dump
    )
    seconds = time.perf_counter() - started
    print(f"{len(actual)} images audited in {seconds:.1f} s", file=sys.stderr)
    if not (args.check or args.only):
        dump(actual)
        print(f"wrote {SNAPSHOT}", file=sys.stderr)
        return 0
    expected = load()
    if args.only:
        expected = {n: expected[n] for n in names if n in expected}
    lines = report(expected, actual)
    print("\n".join(lines) if lines else "every SBOM as in the snapshot")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
