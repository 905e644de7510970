"""Byte snippets: a few hundred real bytes cut from a firmware file, with their provenance.

A snippet lives at ``<folder>/<name>/<version>/<arch>/<file>``: the path states what the
rules must find in it. The file starts with a short text header (source image and path,
source sha256, offset, length, snippet sha256), then the raw bytes. `scripts/cut_snippets.py`
cuts them from the corpus and can re-cut any of them from its pinned source.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..model import FileEntry
from .binary import scan_file
from .rules import RuleSet

BEGIN = b"### fwaudit byte snippet ###\n"
END = b"### end of header ###\n"


@dataclass(frozen=True)
class Snippet:
    """One snippet file: what it must yield and where its bytes came from."""

    path: Path
    name: str
    version: str
    arch: str
    header: dict[str, str]
    data: bytes


def write_snippet(path: Path, header: dict[str, str], data: bytes) -> None:
    """Write a snippet file: header lines `key: value`, then the bytes."""
    header = {**header, "length": str(len(data)), "snippet sha256": _sha256(data)}
    lines = "".join(f"{key}: {value}\n" for key, value in header.items())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(BEGIN + lines.encode() + END + data)


def read_snippet(path: Path, folder: Path) -> Snippet:
    """Parse one snippet; a broken header or a hash mismatch is a ValueError."""
    raw = path.read_bytes()
    if not raw.startswith(BEGIN) or END not in raw:
        raise ValueError(f"{path}: no snippet header")
    head, data = raw[len(BEGIN) :].split(END, 1)
    header = dict(line.split(": ", 1) for line in head.decode().splitlines())
    if header.get("snippet sha256") != _sha256(data) or int(header["length"]) != len(data):
        raise ValueError(f"{path}: bytes do not match the header's length and sha256")
    name, version, arch = path.relative_to(folder).parts[:3]
    return Snippet(path, name, version, arch, header, data)


def find_snippets(folder: Path) -> list[Snippet]:
    return [read_snippet(p, folder) for p in sorted(folder.glob("*/*/*/*")) if p.is_file()]


def check_snippet(rules: RuleSet, snippet: Snippet) -> str | None:
    """None when the rules find the snippet's component with its version, else why not."""
    with tempfile.TemporaryDirectory() as tmp:
        blob = Path(tmp) / "snippet.bin"
        blob.write_bytes(snippet.data)
        found = scan_file(rules, FileEntry("snippet.bin", len(snippet.data), "-", "data"), blob)
    versions = {f.version for f in found if f.name == snippet.name}
    if snippet.version in versions:
        return None
    got = sorted(map(str, versions))
    return f"{snippet.path}: expected {snippet.name} {snippet.version}, got {got}"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
