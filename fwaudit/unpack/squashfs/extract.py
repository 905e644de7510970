"""Walk a SquashFS image and write its tree, safely and within limits.

Every write goes through directory file descriptors (`openat`-style, `O_NOFOLLOW`, `O_EXCL`),
so a hostile image cannot write through a link or outside the destination, whatever names
or duplicate entries it holds. Device nodes, FIFOs and sockets are listed, never created.
Anything wrong inside the image stops only the entry it concerns; the rest is extracted.
"""

from __future__ import annotations

import mmap
import os
import struct
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from .codecs import BlockDecoder, DecodeError
from .inodes import NO_FRAGMENT, Entry, Inode, Kind, read_directory, read_inode
from .superblock import NONE, SquashfsError, Superblock, parse_superblock
from .tables import CorruptImage, MetadataReader, Table

MAX_DEPTH = 256
RAW_BLOCK = 1 << 24
SIZE_MASK = RAW_BLOCK - 1


@dataclass
class Report:
    """What one extraction did: the variant read, counts, special files and errors."""

    superblock: Superblock
    variant: str = ""
    files: int = 0
    directories: int = 0
    symlinks: int = 0
    hard_links: int = 0
    bytes_written: int = 0
    special: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    entries: list[tuple[str, Kind, int]] = field(default_factory=list)  # path, kind, size
    stopped: str | None = None  # the limit that stopped the walk, if any


@dataclass(frozen=True)
class ReadLimits:
    max_files: int = 200_000
    max_bytes: int = 4 << 30


class Reader:
    """Random access to one image's tables, blocks and fragments."""

    def __init__(self, image: bytes, sb: Superblock) -> None:
        self.image = image
        self.sb = sb
        self.decoder = BlockDecoder(sb)
        self.meta = MetadataReader(image, sb, self.decoder)
        self.inodes, self.dirs = self._tables()
        self.fragments = self._fragment_table()
        self._fragment_cache: OrderedDict[int, bytes] = OrderedDict()

    def _tables(self) -> tuple[Table, Table]:
        sb = self.sb
        first_fragment = None
        if sb.fragment_table != NONE:
            first_fragment = self.meta.first_pointer(
                sb.fragment_table, "I" if sb.major == 2 else "Q"
            )
        ends = [t for t in (*sb.table_ends, first_fragment) if t and t > sb.directory_table]
        dir_end = min(ends, default=sb.bytes_used)
        return (
            self.meta.table(sb.inode_table, sb.directory_table),
            self.meta.table(sb.directory_table, dir_end),
        )

    def _fragment_table(self) -> list[tuple[int, int]]:
        sb = self.sb
        if sb.fragment_table == NONE or sb.fragment_count == 0:
            return []
        if sb.major == 2:
            raw = self.meta.indexed(sb.fragment_table, sb.fragment_count, 8, "I")
            return [
                struct.unpack_from(sb.order + "2I", raw, 8 * i) for i in range(sb.fragment_count)
            ]
        raw = self.meta.indexed(sb.fragment_table, sb.fragment_count, 16, "Q")
        return [struct.unpack_from(sb.order + "QI", raw, 16 * i) for i in range(sb.fragment_count)]

    def data_block(self, start: int, word: int, expected: int) -> bytes:
        """One data block; `expected` is its exact decoded size."""
        size = word & SIZE_MASK
        if size == 0:
            return bytes(expected)  # sparse
        pos = self.sb.base + start
        raw = self.image[pos : pos + size]
        if len(raw) != size:
            raise CorruptImage(f"data block at {start} runs past the image")
        if word & RAW_BLOCK:
            return bytes(raw[:expected])
        return self.decoder.decode(bytes(raw), expected, exact=expected)

    def fragment(self, index: int, need: int) -> bytes:
        if index >= len(self.fragments):
            raise CorruptImage(f"fragment {index} is not in the fragment table")
        if index not in self._fragment_cache:
            start, word = self.fragments[index]
            size = word & SIZE_MASK
            pos = self.sb.base + start
            raw = bytes(self.image[pos : pos + size])
            if len(raw) != size:
                raise CorruptImage(f"fragment block {index} runs past the image")
            data = raw if word & RAW_BLOCK else self.decoder.decode(raw, self.sb.block_size)
            self._fragment_cache[index] = data
            if len(self._fragment_cache) > 8:
                self._fragment_cache.popitem(last=False)
        data = self._fragment_cache[index]
        if len(data) < need:
            raise CorruptImage(f"fragment {index} is shorter than its files need")
        return data

    def file_chunks(self, inode: Inode):
        """The file's content, block by block."""
        remaining, pos = inode.size, inode.start
        bs = self.sb.block_size
        for word in inode.blocks:
            expected = min(bs, remaining)
            yield self.data_block(pos, word, expected)
            pos += word & SIZE_MASK
            remaining -= expected
        if remaining > 0:
            if inode.fragment == NO_FRAGMENT:
                raise CorruptImage("file is longer than its blocks and has no fragment")
            data = self.fragment(inode.fragment, inode.offset + remaining)
            yield data[inode.offset : inode.offset + remaining]


def _valid_name(name: bytes) -> bool:
    return bool(name) and name not in (b".", b"..") and b"/" not in name and b"\0" not in name


class Writer:
    """Writes entries below an open directory descriptor, never following links."""

    def __init__(self, reader: Reader, report: Report, limits: ReadLimits) -> None:
        self.reader = reader
        self.report = report
        self.limits = limits
        self.seen_files: dict[tuple[int, int], bytes] = {}

    def extract(self, dest: Path) -> None:
        dest.mkdir(parents=True, exist_ok=True)
        root_ref = self.reader.sb.root_inode
        root = read_inode(self.reader.sb, self.reader.inodes, root_ref >> 16, root_ref & 0xFFFF)
        if root.kind is not Kind.DIR:
            raise SquashfsError("the root inode is not a directory")
        fd = os.open(dest, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            self._walk(fd, root, b"", {(root_ref >> 16, root_ref & 0xFFFF)}, 0)
        finally:
            os.close(fd)

    def _walk(self, fd: int, directory: Inode, path: bytes, ancestors: set, depth: int) -> None:
        if depth > MAX_DEPTH:
            self.report.errors.append(f"{path.decode(errors='replace')}: deeper than {MAX_DEPTH}")
            return
        sb, report = self.reader.sb, self.report
        try:
            entries = read_directory(sb, self.reader.dirs, directory)
        except CorruptImage as exc:
            report.errors.append(f"{path.decode(errors='replace') or '/'}: {exc}")
            return
        for entry in entries:
            if report.stopped:
                return
            child = path + b"/" + entry.name
            shown = child.decode(errors="replace")
            if not _valid_name(entry.name):
                report.errors.append(f"{shown}: invalid name {entry.name!r} skipped")
                continue
            try:
                inode = read_inode(sb, self.reader.inodes, entry.block, entry.offset)
                self._write(fd, entry, inode, child, ancestors=ancestors, depth=depth)
            except (CorruptImage, DecodeError, OSError, struct.error) as exc:
                report.errors.append(f"{shown}: {exc}")

    def _write(
        self, fd: int, entry: Entry, inode: Inode, path: bytes, *, ancestors: set, depth: int
    ) -> None:
        report, name = self.report, entry.name
        key = (entry.block, entry.offset)
        if report.files + report.directories + report.symlinks >= self.limits.max_files:
            report.stopped = "files"
            return
        report.entries.append((path.decode(errors="replace"), inode.kind, inode.size))
        if inode.kind is Kind.DIR:
            if key in ancestors:
                raise CorruptImage("directory loop: an entry refers to one of its ancestors")
            os.mkdir(name, 0o755, dir_fd=fd)
            report.directories += 1
            sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            try:
                self._walk(sub, inode, path, ancestors | {key}, depth + 1)
            finally:
                os.close(sub)
        elif inode.kind is Kind.FILE:
            if key in self.seen_files:
                os.link(self.seen_files[key], name, dst_dir_fd=fd, follow_symlinks=False)
                report.hard_links += 1
                return
            self._write_file(fd, name, inode)
            self.seen_files[key] = self._absolute(fd, name)
        elif inode.kind is Kind.SYMLINK:
            os.symlink(inode.target, name, dir_fd=fd)
            report.symlinks += 1
        else:
            report.special.append(f"{path.decode(errors='replace')} ({inode.kind})")

    @staticmethod
    def _absolute(fd: int, name: bytes) -> bytes:
        return os.fsencode(os.readlink(f"/proc/self/fd/{fd}")) + b"/" + name

    def _write_file(self, fd: int, name: bytes, inode: Inode) -> None:
        report = self.report
        if report.bytes_written + inode.size > self.limits.max_bytes:
            report.stopped = "total_bytes"
            return
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        out = os.open(name, flags, (inode.mode & 0o777) | 0o600, dir_fd=fd)
        try:
            for chunk in self.reader.file_chunks(inode):
                os.write(out, chunk)
                report.bytes_written += len(chunk)
        finally:
            os.close(out)
            report.files += 1


def find_superblock(image: bytes, offset: int = 0) -> Superblock:
    return parse_superblock(image[offset : offset + 128], base=offset)


def extract_image(
    path: Path, dest: Path, *, offset: int = 0, limits: ReadLimits = ReadLimits()
) -> Report:
    """Extract the SquashFS at `offset` of `path` into `dest` (created if missing)."""
    with path.open("rb") as handle:
        try:
            image = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError as exc:
            raise SquashfsError("empty file") from exc
    with image:
        sb = find_superblock(image, offset)
        report = Report(sb)
        try:
            reader = Reader(image, sb)
        except (CorruptImage, DecodeError, struct.error) as exc:
            raise SquashfsError(f"cannot read the tables: {exc}") from exc
        for table in (reader.inodes, reader.dirs):
            if table.error:
                report.errors.append(table.error)
        try:
            Writer(reader, report, limits).extract(dest)
        except CorruptImage as exc:
            report.errors.append(f"/: {exc}")
        report.variant = reader.decoder.variant()
    return report
