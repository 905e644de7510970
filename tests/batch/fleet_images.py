"""A small generated fleet for the batch tests: distinct camera images, a copy of one under
another name, a text file that is not firmware, and a lab manifest (no vendor code)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from tests.jurisdiction.cameras import CN_CLOUDS, NEUTRAL_CLOUDS, camera_image


def make_fleet(folder: Path, count: int = 4) -> dict[str, Path]:
    """`count` distinct images (alternately CN-cloud and neutral), one duplicate, one note."""
    folder.mkdir(parents=True, exist_ok=True)
    images = {}
    for n in range(count):
        clouds, resolver = (CN_CLOUDS, "cn") if n % 2 == 0 else (NEUTRAL_CLOUDS, "neutral")
        name = f"cam-{n}.tar.gz"
        images[name] = camera_image(
            folder / name, clouds, resolver, copyright_line=f"site {n} build {1000 + n}"
        )
    sub = folder / "copies"
    sub.mkdir()
    images["copies/cam-0-again.tar.gz"] = Path(
        shutil.copyfile(images["cam-0.tar.gz"], sub / "cam-0-again.tar.gz")
    )
    note = folder / "README.txt"
    note.write_text("Firmware drop from the vendor portal, 2026-11. Ask procurement.\n")
    images["README.txt"] = note
    return images


def write_manifest(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path
