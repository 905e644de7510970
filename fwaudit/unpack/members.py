"""Read archive member tables (tar, zip, cpio) for entries built to escape the extraction folder.

Extractors mostly defuse such entries silently (GNU tar strips ``../``, unblob drops escaping
links), so the sanitizer never sees them. An analyst still wants to know an image carried
them: this reads the member table only, extracts nothing, and reports each hostile entry
with its archive offset.

Two ways in: `audit_archive` for a chunk a backend recognised, and `sweep` for a file the
backend never finished (a bomb stopped the extraction, a depth limit cut it): the sweep looks
for tar, cpio and zip tables itself, also inside a gzip, xz or bzip2 stream, reading at most a
budget of decompressed bytes.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import mmap
import posixpath
import re
import stat
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..model import Problem, Severity

STAGE = "unpack"
MAX_MEMBERS = 100_000
CPIO_MAX_NAME = 4096
CPIO_MAX_LINK = 4096
#: Decompressed bytes one sweep may read to reach the member headers behind a bomb's payload.
SWEEP_BUDGET = 1 << 30
#: Archives one sweep reads at most (a file full of stray magics costs no more than this).
SWEEP_MAX_ARCHIVES = 64


@dataclass(frozen=True)
class Member:
    name: str
    kind: str  # "file", "dir", "symlink", "hardlink"
    target: str = ""


class BudgetExceeded(Exception):
    """A sweep read its budget of decompressed bytes before the member table ended."""


class _Budgeted(io.RawIOBase):
    """A read-only view of a stream that stops after `budget` bytes (shared across streams)."""

    def __init__(self, stream: BinaryIO, budget: list[int]) -> None:
        self.stream = stream
        self.budget = budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self.budget[0] <= 0:
            raise BudgetExceeded
        view = memoryview(buffer)[: self.budget[0]]
        data = self.stream.read(len(view))
        view[: len(data)] = data
        self.budget[0] -= len(data)
        return len(data)


def tar_members(data: BinaryIO, *, stream: bool = False) -> Iterator[Member]:
    with tarfile.open(fileobj=data, mode="r|*" if stream else "r:*") as tar:
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
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode) and info.file_size < CPIO_MAX_LINK:
                yield Member(info.filename, "symlink", _zip_link(archive, info))
            else:
                yield Member(info.filename, "dir" if info.is_dir() else "file")


def _zip_link(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> str:
    try:
        return archive.read(info).decode("utf-8", "replace")
    except (RuntimeError, NotImplementedError, zipfile.BadZipFile, zlib.error, OSError):
        return ""  # encrypted or unsupported: the name is still checked


CPIO_TRAILER = "TRAILER!!!"


def _read_exact(data: BinaryIO, size: int) -> bytes:
    chunk = data.read(size)
    if len(chunk) != size:
        raise EOFError("cpio archive ends inside an entry")
    return chunk


def _skip(data: BinaryIO, size: int) -> None:
    """Skip `size` bytes of a file or a (possibly unseekable) decompressing stream."""
    if data.seekable():
        data.seek(size, io.SEEK_CUR)
        return
    while size > 0:
        step = data.read(min(size, 1 << 20))
        if not step:
            raise EOFError("cpio archive ends inside an entry")
        size -= len(step)


def _cpio_kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "symlink"
    return "dir" if stat.S_ISDIR(mode) else "file"


def cpio_members(data: BinaryIO) -> Iterator[Member]:
    """Members of a cpio archive: newc (070701), crc (070702), odc (070707) or old binary."""
    for _ in range(MAX_MEMBERS):
        magic = data.read(6)
        if len(magic) < 6:
            return
        if magic in (b"070701", b"070702"):
            head = _read_exact(data, 104)
            fields = [int(head[i : i + 8], 16) for i in range(0, 104, 8)]
            mode, size, namesize = fields[1], fields[6], fields[11]
            name_pad, data_pad = (-(110 + namesize)) % 4, (-size) % 4
        elif magic == b"070707":
            head = _read_exact(data, 70)
            mode, namesize, size = int(head[12:18], 8), int(head[53:59], 8), int(head[59:70], 8)
            name_pad = data_pad = 0
        elif magic[:2] in (b"\xc7\x71", b"\x71\xc7"):
            order = "<" if magic[:2] == b"\xc7\x71" else ">"
            head = magic + _read_exact(data, 20)
            words = struct.unpack(order + "13H", head)
            mode, namesize = words[3], words[10]
            size = (words[11] << 16) | words[12]
            name_pad, data_pad = namesize % 2, size % 2
        else:
            return
        if not 0 < namesize <= CPIO_MAX_NAME:
            raise ValueError(f"implausible cpio name size {namesize}")
        name = _read_exact(data, namesize).rstrip(b"\0").decode("utf-8", "replace")
        _skip(data, name_pad)
        if name == CPIO_TRAILER:
            return
        kind = _cpio_kind(mode)
        if kind == "symlink" and size <= CPIO_MAX_LINK:
            target = _read_exact(data, size).rstrip(b"\0").decode("utf-8", "replace")
            _skip(data, data_pad)
            yield Member(name, kind, target)
            continue
        _skip(data, size + data_pad)
        yield Member(name, kind)


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


def _reader(fmt: str) -> Callable[[BinaryIO], Iterator[Member]] | None:
    """The member-table reader for a backend's format name (unblob ``tar``, ``zip``,
    ``cpio_portable_ascii``; binwalk ``tarball``, ``zip``, ``cpio``); not ``gzip``."""
    words = re.split(r"[^a-z0-9]+", fmt.lower())
    if any(w.startswith("cpio") for w in words):
        return cpio_members
    if "tar" in words or "tarball" in words:
        return tar_members
    if "zip" in words:
        return zip_members
    return None


READ_ERRORS = (
    tarfile.TarError,
    zipfile.BadZipFile,
    EOFError,
    OSError,
    ValueError,
    struct.error,
    lzma.LZMAError,
    zlib.error,
    BudgetExceeded,
)


def _problems(found: list[tuple[str, str]], label: str, where: str) -> list[Problem]:
    return [
        Problem(STAGE, kind, Severity.WARNING, label, f"{where}: {detail}")
        for kind, detail in found
    ]


def audit_archive(path: Path, offset: int, fmt: str, label: str) -> list[Problem]:
    """Problems for the hostile members of the tar, zip or cpio chunk at `offset` in `path`."""
    reader = _reader(fmt)
    if reader is None:
        return []
    found: list[tuple[str, str]] = []
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            for entry in hostile_entries(reader(handle)):
                found.append(entry)
    except READ_ERRORS:
        pass  # a damaged table still reports what was read before the damage
    return _problems(found, label, f"{fmt} at offset {offset}")


# --- the sweep: member tables of a file whose extraction did not finish -----------------

TAR_MAGIC = re.compile(rb"ustar(?:\x00|\x20\x20\x00)")
CPIO_MAGIC = re.compile(rb"070701|070702|070707")
ZIP_END = b"PK\x05\x06"
STREAMS = {b"\x1f\x8b\x08": "gzip", b"\xfd7zXZ\x00": "xz", b"BZh": "bzip2"}


def _decompressor(name: str, raw: BinaryIO) -> BinaryIO:
    if name == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if name == "xz":
        return lzma.LZMAFile(raw)  # type: ignore[return-value]
    return bz2.BZ2File(raw)  # type: ignore[return-value]


def sweep(path: Path, label: str, budget: int = SWEEP_BUDGET) -> list[Problem]:
    """Hostile members of every tar, cpio or zip table found in `path`, including one inside
    a gzip, xz or bzip2 stream that starts the file; reads no more than `budget` decompressed
    bytes. For files a backend did not finish: nothing is extracted."""
    problems: list[Problem] = []
    try:
        with path.open("rb") as handle:
            size = path.stat().st_size
            if size == 0:
                return []
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                problems += _sweep_plain(path, data, label)
                problems += _sweep_stream(handle, data, label, [budget])
    except OSError:
        return problems
    return problems


def _sweep_plain(path: Path, data: mmap.mmap, label: str) -> list[Problem]:
    problems: list[Problem] = []
    starts: list[tuple[int, str]] = []
    starts += [(m.start() - 257, "tar") for m in TAR_MAGIC.finditer(data) if m.start() >= 257]
    starts += [(m.start(), "cpio") for m in CPIO_MAGIC.finditer(data)]
    covered_to = -1
    read = 0
    for offset, fmt in sorted(starts):
        if offset < covered_to or read >= SWEEP_MAX_ARCHIVES:
            continue  # a member header inside an archive already read
        read += 1
        end, found = _read_table(path, offset, fmt)
        covered_to = max(covered_to, end)
        where = f"{fmt} at offset {offset} (member table read directly)"
        problems += _problems(found, label, where)
    if data.rfind(ZIP_END) >= 0:
        found = []
        try:
            with path.open("rb") as handle:
                found = list(hostile_entries(zip_members(handle)))
        except READ_ERRORS:
            pass
        problems += _problems(found, label, "zip (member table read directly)")
    return problems


def _read_table(path: Path, offset: int, fmt: str) -> tuple[int, list[tuple[str, str]]]:
    """(end offset reached, hostile entries) of the table at `offset`."""
    found: list[tuple[str, str]] = []
    with path.open("rb") as handle:
        handle.seek(offset)
        reader = cpio_members(handle) if fmt == "cpio" else tar_members(handle)
        try:
            for entry in hostile_entries(reader):
                found.append(entry)
        except READ_ERRORS:
            pass
        return handle.tell(), found


def _sweep_stream(
    handle: BinaryIO, data: mmap.mmap, label: str, budget: list[int]
) -> list[Problem]:
    for magic, name in STREAMS.items():
        if data[: len(magic)] != magic:
            continue
        handle.seek(0)
        stream = io.BufferedReader(_Budgeted(_decompressor(name, handle), budget), 1 << 16)
        try:
            head = stream.peek(512)[:512]
        except READ_ERRORS:
            return []
        fmt = "tar" if TAR_MAGIC.match(head, 257) else "cpio" if CPIO_MAGIC.match(head) else ""
        if not fmt:
            return []
        reader = cpio_members(stream) if fmt == "cpio" else tar_members(stream, stream=True)
        found: list[tuple[str, str]] = []
        where = f"{fmt} inside {name} at offset 0 (member table read directly)"
        try:
            for entry in hostile_entries(reader):
                found.append(entry)
        except BudgetExceeded:
            found.append(
                (
                    "safety.members_unchecked",
                    f"stopped after {SWEEP_BUDGET >> 20} MiB of decompressed data; "
                    "members further on were not checked",
                )
            )
        except READ_ERRORS:
            pass
        return _problems(found, label, where)
    return []
