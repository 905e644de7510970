"""Unpack speed on the realistic images: fwaudit's default against plain binwalk v3 recursion,
and a repeated `fwaudit unpack` (served by the cache) against the first.

    .venv/bin/python benchmarks/unpack_speed.py [--corpus DIR] [--repeat 3]

"Plain binwalk v3 recursion" is the binwalk v3 engine called in this process on the image and
then on every file it extracts, with no jail, sanitizing, hashing or node description: the
floor any binwalk-based unpacker pays. Times are medians of --repeat runs, each with a fresh
cache. The README's speed table is this script's output.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pybinwalk import Binwalk

from fwaudit.api import open_image
from fwaudit.unpack import DEFAULT_BACKENDS, unpack_image
from fwaudit.unpack.tools import tool_env

REPO = Path(__file__).resolve().parent.parent


def plain_binwalk(image: Path, out: Path, max_depth: int = 8) -> int:
    """binwalk v3 recursion in process; returns the number of regular files produced."""
    level, depth = [image], 0
    while level and depth < max_depth:
        produced = []
        for target in level:
            engine = Binwalk.configure(target_file_name=str(target), output_directory=str(out))
            engine.analyze_path(engine.base_target_file, True)
            extracted = out / f"{target.name}.extracted"
            if extracted.is_dir():
                dest = out / f"d{depth}-{len(produced)}-{target.name}.extracted"
                extracted.rename(dest)
                produced.extend(p for p in dest.rglob("*") if p.is_file() and not p.is_symlink())
            (out / target.name).unlink(missing_ok=True)
        level, depth = produced, depth + 1
    return sum(1 for p in out.rglob("*") if p.is_file() and not p.is_symlink())


def time_plain(image: Path) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as out:
        started = time.monotonic()
        files = plain_binwalk(image, Path(out))
        return time.monotonic() - started, files


def time_fwaudit(image: Path, backends: tuple[str, ...]) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as cache:
        started = time.monotonic()
        outcome = unpack_image(open_image(image), backends=backends, cache_dir=Path(cache))
        return time.monotonic() - started, len(outcome.files)


def time_cli_twice(image: Path, repeat: int) -> tuple[float, float]:
    """First `fwaudit unpack` of an image through the CLI, and the median of repeated ones."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "FWAUDIT_CACHE_DIR": f"{tmp}/cache"}
        times = []
        for run in range(1 + repeat):
            started = time.monotonic()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "fwaudit.cli",
                    "unpack",
                    str(image),
                    "-o",
                    f"{tmp}/out{run}",
                ],
                check=True,
                env=env,
                capture_output=True,
            )
            times.append(time.monotonic() - started)
        return times[0], statistics.median(times[1:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("FWAUDIT_CORPUS", "../shared/corpus"))
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ["PATH"] = tool_env()["PATH"]  # plain binwalk gets the same helper programs
    images = [REPO / "build/sample/ipcam-sample.bin"]
    if (args.corpus / "expected.json").is_file():
        names = json.loads((args.corpus / "expected.json").read_text())["images"]
        images += [args.corpus / n for n in sorted(names) if (args.corpus / n).is_file()]
    print(
        "| image | plain binwalk v3 s (files) | fwaudit binwalk s (files) | "
        "fwaudit default s (files) | default / plain |"
    )
    print("|---|---|---|---|---|")
    for image in images:
        rows = {}
        for label, fn in (
            ("plain", lambda i=image: time_plain(i)),
            ("binwalk", lambda i=image: time_fwaudit(i, ("binwalk",))),
            ("default", lambda i=image: time_fwaudit(i, DEFAULT_BACKENDS)),
        ):
            runs = [fn() for _ in range(args.repeat)]
            rows[label] = (statistics.median(r[0] for r in runs), runs[0][1])
        ratio = rows["default"][0] / rows["plain"][0]
        cells = " | ".join(f"{s:.2f} ({n})" for s, n in rows.values())
        print(f"| {image.name} | {cells} | {ratio:.2f}x |", flush=True)
    wr841n = args.corpus / "tplink_wr841nv10_en_3_16_9_up_boot_150310.bin"
    target = wr841n if wr841n.is_file() else images[0]
    first, again = time_cli_twice(target, 5)
    print(
        f"\n`fwaudit unpack` of {target.name}: first {first:.2f} s, repeated {again:.2f} s "
        f"(median of 5; {100 * again / first:.0f}% of the first; CLI start-up and copying the "
        "tree out of the cache included)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
