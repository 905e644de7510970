"""Read archive member tables (tar, zip) for entries built to escape the extraction folder.

Extractors mostly defuse such entries silently (GNU tar strips ``../``, unblob drops escaping
links), so the sanitizer never sees them. An analyst still wants to know an image carried
them: this reads the member table only, extracts nothing, and reports each hostile entry
with its archive offset.
"""

from __future__ import annotations

import posixpath
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..model import Problem, Severity

STAGE = "unpack"
MAX_MEMBERS = 100_000


@dataclass(frozen=True)
class Member:
    name: str
    kind: str  # "file", "dir", "symlink", "hardlink"
    target: str = ""


def tar_members(data: BinaryIO) -> Iterator[Member]:
    with tarfile.open(fileobj=data, mode="r:*") as tar:
        for count, info in enumerate(tar):
            if count >= MAX_MEMBERS:
                return
            if info.issym():
                yield Member(info.name, "symlink", info.linkname)
            elif info.islnk():
                yield Member(info.name, "hardlink", info.linkname)
            else:
                yield Member(info.name, "dir" if info.isdir() else "file")


def zip_members(data: BinaryIO) -> Iterator[Member]:
    with zipfile.ZipFile(data) as archive:
        for info in archive.infolist()[:MAX_MEMBERS]:
            yield Member(info.filename, "dir" if info.is_dir() else "file")


def _escapes(path: str) -> bool:
    normal = posixpath.normpath(path)
    return normal == ".." or normal.startswith("../")


def hostile_entries(members: Iterator[Member]) -> Iterator[tuple[str, str]]:
    """(kind, detail) for each member that would land or point outside the archive root."""
    links: set[str] = set()
    for member in members:
        name = member.name
        if name.startswith("/"):
            yield "safety.absolute_path", f"member {name!r} has an absolute path"
        elif _escapes(name):
            yield "safety.path_traversal", f"member {name!r} climbs out of the archive"
        elif any(name.startswith(f"{link}/") for link in links):
            yield "safety.write_through_link", f"member {name!r} is written through a link"
        if member.kind == "symlink":
            links.add(posixpath.normpath(name))
            resolved = posixpath.join(posixpath.dirname(name), member.target)
            if not member.target.startswith("/") and _escapes(resolved):
                yield "safety.link_escape", f"link {name!r} -> {member.target!r} leaves the archive"
        elif member.kind == "hardlink" and (
            member.target.startswith("/") or _escapes(member.target)
        ):
            yield "safety.hard_link_outside", f"hard link {name!r} -> {member.target!r}"


def audit_archive(path: Path, offset: int, fmt: str, label: str) -> list[Problem]:
    """Problems for the hostile members of the tar or zip chunk at `offset` in `path`."""
    reader = tar_members if "tar" in fmt.lower() else zip_members if "zip" in fmt.lower() else None
    if reader is None:
        return []
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            found = list(hostile_entries(reader(handle)))
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError, ValueError):
        return []
    return [
        Problem(STAGE, kind, Severity.WARNING, label, f"{fmt} at offset {offset}: {detail}")
        for kind, detail in found
    ]
