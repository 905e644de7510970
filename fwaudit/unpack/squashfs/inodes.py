"""Inodes and directory entries for SquashFS 2.x, 3.x (bit-packed) and 4.0 (plain fields).

In v2/v3 the bit fields are packed from the least significant bit in little-endian images and
from the most significant bit in big-endian ones (reference sec. 5); `Bits` reads both.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from enum import StrEnum

from .superblock import Superblock
from .tables import CorruptImage, Table

NO_FRAGMENT = 0xFFFFFFFF


class Kind(StrEnum):
    DIR = "directory"
    FILE = "file"
    SYMLINK = "symlink"
    BLOCK = "block device"
    CHAR = "character device"
    FIFO = "fifo"
    SOCKET = "socket"


KIND_BY_TYPE = {
    1: Kind.DIR,
    2: Kind.FILE,
    3: Kind.SYMLINK,
    4: Kind.BLOCK,
    5: Kind.CHAR,
    6: Kind.FIFO,
    7: Kind.SOCKET,
}


@dataclass
class Inode:
    kind: Kind
    mode: int
    number: int | None = None
    size: int = 0
    start: int = 0  # data: first block (from the superblock); dirs: directory block
    offset: int = 0  # dirs: offset in the directory block; files: offset in the fragment
    fragment: int = NO_FRAGMENT
    blocks: list[int] = field(default_factory=list)  # size words
    target: bytes = b""
    rdev: int = 0
    nlink: int = 1


@dataclass(frozen=True)
class Entry:
    name: bytes
    block: int  # inode metadata block, relative to the inode table
    offset: int


class Bits:
    """Bit fields of a packed v2/v3 structure, in the image's packing order."""

    def __init__(self, raw: bytes, order: str) -> None:
        self.little = order == "<"
        self.value = int.from_bytes(raw, "little" if self.little else "big")
        self.total = len(raw) * 8

    def __call__(self, pos: int, width: int) -> int:
        shift = pos if self.little else self.total - pos - width
        return (self.value >> shift) & ((1 << width) - 1)


def _take(table: Table, pos: int, size: int) -> bytes:
    raw = table.data[pos : pos + size]
    if len(raw) != size:
        raise CorruptImage(f"inode at decoded offset {pos} runs past its table")
    return bytes(raw)


def _block_count(sb: Superblock, size: int, fragment: int) -> int:
    if fragment == NO_FRAGMENT:
        return -(-size // sb.block_size)
    return size // sb.block_size


def _block_list(sb: Superblock, table: Table, pos: int, count: int) -> list[int]:
    if count > (1 << 24):
        raise CorruptImage(f"absurd block count {count}")
    return list(struct.unpack(f"{sb.order}{count}I", _take(table, pos, 4 * count)))


def read_inode(sb: Superblock, table: Table, block: int, offset: int) -> Inode:
    """The inode at (metadata block, offset) of the inode table."""
    pos = table.position(block, offset)
    if sb.major == 4:
        return _inode_v4(sb, table, pos)
    return _inode_v3(sb, table, pos) if sb.major == 3 else _inode_v2(sb, table, pos)


def _inode_v4(sb: Superblock, table: Table, pos: int) -> Inode:
    o = sb.order
    kind_id, mode, _uid, _gid, _mtime, number = struct.unpack(o + "4H2I", _take(table, pos, 16))
    pos += 16
    basic = (kind_id - 1) % 7 + 1
    if kind_id not in range(1, 15):
        raise CorruptImage(f"unknown inode type {kind_id}")
    kind = KIND_BY_TYPE[basic]
    inode = Inode(kind, mode & 0o7777, number)
    if kind_id == 1:
        inode.start, inode.nlink, inode.size, inode.offset, _ = struct.unpack(
            o + "2I2HI", _take(table, pos, 16)
        )
    elif kind_id == 8:
        inode.nlink, inode.size, inode.start, _, _, inode.offset, _ = struct.unpack(
            o + "4I2HI", _take(table, pos, 24)
        )
    elif kind_id == 2:
        inode.start, inode.fragment, inode.offset, inode.size = struct.unpack(
            o + "4I", _take(table, pos, 16)
        )
        count = _block_count(sb, inode.size, inode.fragment)
        inode.blocks = _block_list(sb, table, pos + 16, count)
    elif kind_id == 9:
        inode.start, inode.size, _, inode.nlink, inode.fragment, inode.offset, _ = struct.unpack(
            o + "3Q4I", _take(table, pos, 40)
        )
        count = _block_count(sb, inode.size, inode.fragment)
        inode.blocks = _block_list(sb, table, pos + 40, count)
    elif basic == 3:
        inode.nlink, length = struct.unpack(o + "2I", _take(table, pos, 8))
        inode.target = _take(table, pos + 8, length)
    elif basic in (4, 5):
        inode.nlink, inode.rdev = struct.unpack(o + "2I", _take(table, pos, 8))
    else:
        (inode.nlink,) = struct.unpack(o + "I", _take(table, pos, 4))
    return inode


def _inode_v3(sb: Superblock, table: Table, pos: int) -> Inode:
    head = Bits(_take(table, pos, 12), sb.order)
    kind_id, mode, number = head(0, 4), head(4, 12), head(64, 32)
    if kind_id not in range(1, 10):
        raise CorruptImage(f"unknown inode type {kind_id}")
    inode = Inode(KIND_BY_TYPE[1 if kind_id == 8 else 2 if kind_id == 9 else kind_id], mode, number)
    if kind_id == 1:
        f = Bits(_take(table, pos, 28), sb.order)
        inode.nlink, inode.size, inode.offset, inode.start = (
            f(96, 32),
            f(128, 19),
            f(147, 13),
            f(160, 32),
        )
    elif kind_id == 8:
        f = Bits(_take(table, pos, 31), sb.order)
        inode.nlink, inode.size, inode.offset, inode.start = (
            f(96, 32),
            f(128, 27),
            f(155, 13),
            f(168, 32),
        )
    elif kind_id == 2:
        f = Bits(_take(table, pos, 32), sb.order)
        inode.start, inode.fragment, inode.offset, inode.size = (
            f(96, 64),
            f(160, 32),
            f(192, 32),
            f(224, 32),
        )
        count = _block_count(sb, inode.size, inode.fragment)
        inode.blocks = _block_list(sb, table, pos + 32, count)
    elif kind_id == 9:
        f = Bits(_take(table, pos, 40), sb.order)
        inode.nlink, inode.start, inode.fragment, inode.offset, inode.size = (
            f(96, 32),
            f(128, 64),
            f(192, 32),
            f(224, 32),
            f(256, 64),
        )
        count = _block_count(sb, inode.size, inode.fragment)
        inode.blocks = _block_list(sb, table, pos + 40, count)
    elif kind_id == 3:
        f = Bits(_take(table, pos, 18), sb.order)
        inode.nlink, length = f(96, 32), f(128, 16)
        inode.target = _take(table, pos + 18, length)
    elif kind_id in (4, 5):
        f = Bits(_take(table, pos, 18), sb.order)
        inode.nlink, inode.rdev = f(96, 32), f(128, 16)
    return inode


def _inode_v2(sb: Superblock, table: Table, pos: int) -> Inode:
    head = Bits(_take(table, pos, 4), sb.order)
    kind_id, mode = head(0, 4), head(4, 12)
    if kind_id not in range(1, 9):
        raise CorruptImage(f"unknown inode type {kind_id}")
    inode = Inode(KIND_BY_TYPE[1 if kind_id == 8 else kind_id], mode)
    if kind_id == 1:
        f = Bits(_take(table, pos, 15), sb.order)
        inode.size, inode.offset, inode.start = f(32, 19), f(51, 13), f(96, 24)
    elif kind_id == 8:
        f = Bits(_take(table, pos, 18), sb.order)
        inode.size, inode.offset, inode.start = f(32, 27), f(59, 13), f(104, 24)
    elif kind_id == 2:
        f = Bits(_take(table, pos, 24), sb.order)
        inode.start, inode.fragment, inode.offset, inode.size = (
            f(64, 32),
            f(96, 32),
            f(128, 32),
            f(160, 32),
        )
        count = _block_count(sb, inode.size, inode.fragment)
        inode.blocks = _block_list(sb, table, pos + 24, count)
    elif kind_id == 3:
        length = Bits(_take(table, pos, 6), sb.order)(32, 16)
        inode.target = _take(table, pos + 6, length)
    elif kind_id in (4, 5):
        inode.rdev = Bits(_take(table, pos, 6), sb.order)(32, 16)
    return inode


def read_directory(sb: Superblock, table: Table, inode: Inode) -> list[Entry]:
    """The entries of a directory inode, in on-disk order."""
    if inode.size == 0:
        return []
    pos = table.position(inode.start, inode.offset)
    end = pos + inode.size
    header_size, entry_size = {4: (12, 8), 3: (9, 5), 2: (4, 3)}[sb.major]
    entries = []
    while pos + header_size <= end:
        count, start = _dir_header(sb, _take(table, pos, header_size))
        pos += header_size
        if count > 256:
            raise CorruptImage(f"directory header claims {count} entries")
        for _ in range(count):
            offset, name_size = _dir_entry(sb, _take(table, pos, entry_size))
            pos += entry_size
            name = _take(table, pos, name_size + 1)
            pos += name_size + 1
            entries.append(Entry(name, start, offset))
    return entries


def _dir_header(sb: Superblock, raw: bytes) -> tuple[int, int]:
    if sb.major == 4:
        count, start, _ = struct.unpack(sb.order + "3I", raw)
        return count + 1, start
    f = Bits(raw, sb.order)
    return f(0, 8) + 1, f(8, 32 if sb.major == 3 else 24)


def _dir_entry(sb: Superblock, raw: bytes) -> tuple[int, int]:
    if sb.major == 4:
        offset, _, _, name_size = struct.unpack(sb.order + "HhHH", raw)
        return offset, name_size
    f = Bits(raw, sb.order)
    return f(0, 13), f(16, 8)
