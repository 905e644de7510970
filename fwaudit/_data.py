"""Where fwaudit's data files are: packaged in the wheel, or the checkout's `signatures/`."""

from __future__ import annotations

from pathlib import Path


def signatures_dir() -> Path:
    """`fwaudit/_signatures` in an installed wheel, else the repository's `signatures/`."""
    packaged = Path(__file__).resolve().parent / "_signatures"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "signatures"
