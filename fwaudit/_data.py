"""Where fwaudit's data files are (packaged in the wheel, or the checkout's `signatures/`),
and which version of them this is."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path


def signatures_dir() -> Path:
    """`fwaudit/_signatures` in an installed wheel, else the repository's `signatures/`."""
    packaged = Path(__file__).resolve().parent / "_signatures"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "signatures"


@cache
def signatures_version() -> str:
    """A digest of every signature and data file (names and bytes): two runs with the same
    value used the same rules, aliases and policies."""
    digest = hashlib.sha256()
    root = signatures_dir()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
