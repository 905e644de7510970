"""fwaudit's SquashFS reader next to stock unsquashfs, on the images both can read, plus the
reader alone on the vendor images only it reads.

    .venv/bin/python benchmarks/squashfs_speed.py [--corpus DIR] [--repeat 5]

Median wall time of --repeat runs, each into a fresh folder. unsquashfs runs with its default
threads (2 cores here); the reader is one Python thread with decompression in C.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fwaudit.api import open_image
from fwaudit.unpack import unpack_image
from fwaudit.unpack.squashfs import extract_image

REPO = Path(__file__).resolve().parent.parent


def median_seconds(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            run(Path(tmp) / "out")
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def stock(image: Path, offset: int):
    def run(out: Path) -> None:
        subprocess.run(
            [
                "unsquashfs",
                "-no-xattrs",
                "-no-progress",
                "-o",
                str(offset),
                "-d",
                str(out),
                str(image),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    return run


def ours(image: Path, offset: int):
    def run(out: Path) -> None:
        extract_image(image, out, offset=offset)

    return run


def ubi_volume(corpus: Path, cache: Path) -> tuple[Path, int]:
    outcome = unpack_image(
        open_image(corpus / "ofrak_bcm53xx-generic-carved.ubi"),
        backends=["binwalk"],
        cache_dir=cache,
    )
    chunk = next(c for c in outcome.chunks if "squashfs" in c.format)
    return outcome.root / chunk.container, chunk.offset


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("FWAUDIT_CORPUS", "../shared/corpus"))
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    both = [("ipcam-sample.bin (xz)", REPO / "build/sample/ipcam-sample.bin", 64)]
    only_ours = []
    with tempfile.TemporaryDirectory() as cache:
        if (args.corpus / "expected.json").is_file():
            volume, offset = ubi_volume(args.corpus, Path(cache))
            both.append(("OpenWrt 19.07 UBI rootfs (xz)", volume, offset))
            both.append(
                (
                    "TP-Link WR841N rootfs (lzma)",
                    args.corpus / "tplink_wr841nv10_en_3_16_9_up_boot_150310.bin",
                    0x120200,
                )
            )
            only_ours = [
                (
                    "TRENDnet TEW-733GR (v4, vendor LZMA-5)",
                    args.corpus / "binwalk2_firmware.squashfs",
                    0,
                ),
                (
                    "Broadcom BCM96358 (v2 BE, raw LZMA)",
                    args.corpus / "binwalk3_squashfs_v2.bin",
                    0,
                ),
            ]
        print("| image | unsquashfs s | fwaudit reader s | ratio |")
        print("|---|---|---|---|")
        for label, image, offset in both:
            a = median_seconds(stock(image, offset), args.repeat)
            b = median_seconds(ours(image, offset), args.repeat)
            print(f"| {label} | {a:.3f} | {b:.3f} | {b / a:.2f}x |", flush=True)
        for label, image, offset in only_ours:
            b = median_seconds(ours(image, offset), args.repeat)
            print(f"| {label} | fails | {b:.3f} | - |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
