"""Headers that declare their own length: a file system or payload cut short is an error.

A download cut at 50 % unpacks "fine": both backends carve what compressed blocks they can
and report nothing, because a SquashFS whose end is missing is simply not recognised. The
headers still say how long the thing was meant to be. This reads them (SquashFS superblocks
of every version and magic, uImage headers with a valid header CRC, CramFS superblocks) in
the image and in every container a backend opened, and reports each one that runs past the
end of its file as ``extract.truncated``. Backend-independent, so every backend's outcome
carries the same finding.
"""

from __future__ import annotations

import mmap
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..model import Problem, Severity
from .squashfs import SquashfsError, parse_superblock
from .squashfs.superblock import MAGICS as SQUASHFS_MAGICS

STAGE = "unpack"
KIND = "extract.truncated"
UIMAGE_MAGIC = b"\x27\x05\x19\x56"
CRAMFS_MAGICS = (b"\x45\x3d\xcd\x28", b"\x28\xcd\x3d\x45")
CRAMFS_SIGNATURE = b"Compressed ROMFS"
#: `sniff.packed_format` names of the file systems looked for at the start of every file of a
#: tree. Not uImage: backends carve its 64-byte header apart from the payload it sizes.
SELF_SIZED = frozenset({"squashfs", "cramfs"})
MAX_HITS = 4096  # magic hits examined per file; a file made of magics costs no more


@dataclass(frozen=True)
class Shortfall:
    """A header at `offset` declaring `declared` bytes where only `present` remain."""

    what: str
    offset: int
    declared: int
    present: int
    consequence: str
    identity: tuple[object, ...]  # the same header seen again in a carved copy

    def detail(self) -> str:
        share = 100 * self.present / self.declared if self.declared else 0
        return (
            f"{self.what} at offset {self.offset} declares {self.declared:,} bytes but only "
            f"{self.present:,} are present ({share:.0f} %): the file is truncated and the "
            f"{self.consequence}"
        )


def truncated(path: Path, label: str, seen: set[tuple[object, ...]]) -> list[Problem]:
    """`extract.truncated` errors for the headers in `path` that run past its end; a header
    already in `seen` (the same file system in a container carved from it) is not repeated."""
    problems = []
    for short in shortfalls(path):
        if short.identity in seen:
            continue
        seen.add(short.identity)
        problems.append(Problem(STAGE, KIND, Severity.ERROR, label, short.detail()))
    return problems


def shortfalls(path: Path) -> list[Shortfall]:
    """Every self-sized header in `path` that declares more bytes than the file holds."""
    try:
        with path.open("rb") as handle:
            if path.stat().st_size == 0:
                return []
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                found = [*_squashfs(data), *_uimage(data), *_cramfs(data)]
    except (OSError, ValueError):
        return []
    return sorted(found, key=lambda s: s.offset)


def _hits(data: mmap.mmap, magics: Iterator[bytes] | tuple[bytes, ...]) -> Iterator[int]:
    for magic in magics:
        start, count = 0, 0
        while count < MAX_HITS and (at := data.find(magic, start)) >= 0:
            yield at
            start, count = at + 1, count + 1


def _squashfs(data: mmap.mmap) -> Iterator[Shortfall]:
    size = len(data)
    for at in _hits(data, tuple(SQUASHFS_MAGICS)):
        try:
            sb = parse_superblock(data[at : at + 128], base=at)
        except (SquashfsError, struct.error):
            continue
        if sb.major == 4 and sb.compression.startswith("unknown"):
            continue
        present = size - at
        if sb.bytes_used <= present:
            continue
        if sb.inode_table >= present:
            consequence = (
                "inode and directory tables (stored at its end) are lost: no file name or "
                "folder of it can be read; only data carved from its compressed blocks remains"
            )
        else:
            consequence = (
                "tables stored at its end (fragments, ids, lookup) are cut: part of the tree "
                "or of the file contents is lost"
            )
        yield Shortfall(
            what=f"SquashFS {sb.major}.{sb.minor} ({sb.compression}, {sb.inode_count} inodes)",
            offset=at,
            declared=sb.bytes_used,
            present=present,
            consequence=f"file system is incomplete: its {consequence}",
            identity=("squashfs", sb.bytes_used, sb.inode_count, sb.mkfs_time, sb.root_inode),
        )


def _uimage(data: mmap.mmap) -> Iterator[Shortfall]:
    size = len(data)
    for at in _hits(data, (UIMAGE_MAGIC,)):
        header = data[at : at + 64]
        if len(header) < 64:
            continue
        header_crc, data_size, data_crc = struct.unpack_from(">I4xI12xI", header, 4)
        if zlib.crc32(header[:4] + bytes(4) + header[8:]) != header_crc:
            continue  # not a uImage header, or a damaged one: no claim either way
        present = size - at - 64
        if data_size <= present:
            continue
        name = header[32:64].split(b"\0", 1)[0].decode("latin-1")
        yield Shortfall(
            what=f"uImage {name!r} payload",
            offset=at,
            declared=data_size,
            present=max(present, 0),
            consequence="payload past the cut is lost",
            identity=("uimage", data_size, data_crc),
        )


def _cramfs(data: mmap.mmap) -> Iterator[Shortfall]:
    size = len(data)
    for at in _hits(data, CRAMFS_MAGICS):
        if data[at + 16 : at + 32] != CRAMFS_SIGNATURE:
            continue
        order = "<" if data[at : at + 4] == CRAMFS_MAGICS[0] else ">"
        declared = struct.unpack_from(order + "I", data, at + 4)[0]
        present = size - at
        if declared <= present:
            continue
        yield Shortfall(
            what="CramFS",
            offset=at,
            declared=declared,
            present=present,
            consequence="file system is incomplete: files stored past the cut are lost",
            identity=("cramfs", declared, bytes(data[at + 32 : at + 48])),
        )
