"""Render the built-in sample's HTML report in headless Chromium and keep the screenshot
the README shows (docs/report.png).

    .venv/bin/python scripts/report_screenshot.py [--out docs/report.png]
    .venv/bin/python scripts/report_screenshot.py --random --out docs/report-inconclusive.png

`--random` renders the report of 1 MiB of random bytes (seed 1) instead: what an image no
policy can pass on looks like.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import fwaudit
from fwaudit.report import CHROMIUM_FLAGS

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "report.png")
    parser.add_argument("--height", type=int, default=2200)
    parser.add_argument("--random", action="store_true", help="1 MiB of random bytes instead")
    args = parser.parse_args()
    browser = shutil.which("chromium") or sys.exit("Debian chromium is not installed")
    with tempfile.TemporaryDirectory() as scratch:
        if args.random:
            image = Path(scratch) / "random-1mib.bin"
            image.write_bytes(random.Random(1).randbytes(1 << 20))
            result = fwaudit.audit(image)
        else:
            result = fwaudit.audit(
                REPO / "build" / "sample" / "ipcam-sample.bin", declared_vendor="Acme Cameras Ltd"
            )
        page = result.to_html(Path(scratch) / "report.html")
        subprocess.run(
            [
                browser,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={scratch}/profile",
                f"--screenshot={args.out.resolve()}",
                f"--window-size=1200,{args.height}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    print(f"screenshot written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
