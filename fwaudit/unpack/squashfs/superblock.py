"""SquashFS superblocks, versions 2.x to 4.0, either byte order, standard and vendor magics.

Layouts and variant rules: ``../shared/reference/squashfs-variants.md`` sections 1 and 2.
The byte order comes from the major version field, never from the magic.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

MAGICS = {
    b"hsqs": "standard",
    b"sqsh": "standard",
    b"shsq": "sqlzma",
    b"qshs": "sqlzma",
    b"hsqt": "dd-wrt",
    b"tqsh": "dd-wrt",
    b"zlqs": "sqlz",
    b"sqlz": "sqlz",
}
COMPRESSORS = {1: "zlib", 2: "lzma", 3: "lzo", 4: "xz", 5: "lz4", 6: "zstd"}
NONE = 0xFFFFFFFFFFFFFFFF
FLAG_CHECK = 0x04
FLAG_COMPRESSOR_OPTIONS = 0x400
V4_SIZE = 96


class SquashfsError(Exception):
    """The image is not a SquashFS this reader can read (bad superblock, unsupported)."""


@dataclass(frozen=True)
class Superblock:
    """The fields the reader needs, normalised across versions. Offsets count from the
    superblock's start (`base`, its position in the file)."""

    base: int
    order: str  # "<" little or ">" big endian
    magic: bytes
    major: int
    minor: int
    inode_count: int
    block_size: int
    block_log: int
    flags: int
    compression: str  # v4: from the id; v2/v3: "unrecorded"
    fragment_count: int
    root_inode: int
    bytes_used: int
    inode_table: int
    directory_table: int
    fragment_table: int
    table_ends: tuple[int, ...]  # every other table start, to bound the directory table
    mkfs_time: int

    @property
    def family(self) -> str:
        return MAGICS.get(self.magic, "unknown")

    @property
    def avm(self) -> bool:
        """AVM (Fritz!Box) big-endian v4: metadata length words are little-endian."""
        return self.major == 4 and self.order == ">" and self.mkfs_time == self.bytes_used

    @property
    def check_marker(self) -> bool:
        return self.major < 4 and bool(self.flags & FLAG_CHECK)

    def describe(self) -> str:
        endian = "little" if self.order == "<" else "big"
        extra = " AVM" if self.avm else ""
        return (
            f"squashfs {self.major}.{self.minor} {endian}-endian{extra}, magic "
            f"{self.magic.decode('latin-1')!r} ({self.family}), compression {self.compression}, "
            f"block {self.block_size}, {self.inode_count} inodes"
        )


def parse_superblock(data: bytes, base: int = 0) -> Superblock:
    """Parse the superblock at the start of `data` (the bytes from `base` on)."""
    if len(data) < 64:
        raise SquashfsError("too short for a SquashFS superblock")
    magic = bytes(data[:4])
    if magic not in MAGICS:
        raise SquashfsError(f"no SquashFS magic (found {magic!r})")
    major = struct.unpack_from("<H", data, 28)[0]
    order = "<" if 1 <= major <= 4 else ">"
    major, minor = struct.unpack_from(order + "HH", data, 28)
    if major == 4:
        sb = _parse_v4(data, base, order, magic)
    elif major in (2, 3):
        sb = _parse_v2_v3(data, base, order, magic)
    else:
        raise SquashfsError(f"SquashFS version {major}.{minor} is not supported")
    _check(sb)
    return sb


def _parse_v4(data: bytes, base: int, order: str, magic: bytes) -> Superblock:
    if len(data) < V4_SIZE:
        raise SquashfsError("truncated v4 superblock")
    (
        _,
        inodes,
        mkfs_time,
        block_size,
        fragments,
        comp,
        block_log,
        flags,
        _ids,
        major,
        minor,
        root,
        bytes_used,
        id_table,
        xattr_table,
        inode_table,
        dir_table,
        frag_table,
        export,
    ) = struct.unpack_from(order + "5I6H8Q", data, 0)
    ends = tuple(t for t in (frag_table, export, id_table, xattr_table, bytes_used) if t != NONE)
    return Superblock(
        base=base,
        order=order,
        magic=magic,
        major=major,
        minor=minor,
        inode_count=inodes,
        block_size=block_size,
        block_log=block_log,
        flags=flags,
        compression=COMPRESSORS.get(comp, f"unknown ({comp})"),
        fragment_count=fragments,
        root_inode=root,
        bytes_used=bytes_used,
        inode_table=inode_table,
        directory_table=dir_table,
        fragment_table=frag_table if fragments else NONE,
        table_ends=ends,
        mkfs_time=mkfs_time,
    )


def _parse_v2_v3(data: bytes, base: int, order: str, magic: bytes) -> Superblock:
    u32 = lambda off: struct.unpack_from(order + "I", data, off)[0]  # noqa: E731
    u64 = lambda off: struct.unpack_from(order + "Q", data, off)[0]  # noqa: E731
    major, minor, _, block_log = struct.unpack_from(order + "4H", data, 28)
    flags, no_uids, no_guids = data[36], data[37], data[38]
    common = dict(
        base=base,
        order=order,
        magic=magic,
        major=major,
        minor=minor,
        inode_count=u32(4),
        block_size=u32(51),
        block_log=block_log,
        flags=flags,
        compression="unrecorded",
        fragment_count=u32(55),
        root_inode=u64(43),
        mkfs_time=u32(39),
    )
    if major == 2:
        uid, guid = u32(12), u32(16)
        bytes_used, frag = u32(8), u32(59)
        inode_table, dir_table = u32(20), u32(24)
    else:
        if len(data) < 119:
            raise SquashfsError("truncated v3 superblock")
        bytes_used, uid, guid = u64(63), u64(71), u64(79)
        inode_table, dir_table, frag = u64(87), u64(95), u64(103)
    ends = (*tuple(t for t, n in ((uid, no_uids), (guid, no_guids)) if n), bytes_used)
    frags = common["fragment_count"]
    return Superblock(
        **common,
        bytes_used=bytes_used,
        inode_table=inode_table,
        directory_table=dir_table,
        fragment_table=frag if frags else NONE,
        table_ends=((frag,) if frags else ()) + ends,
    )


def _check(sb: Superblock) -> None:
    if not 4096 <= sb.block_size <= (1 << 20) or sb.block_size != 1 << sb.block_log:
        raise SquashfsError(f"implausible block size {sb.block_size} (log {sb.block_log})")
    if not sb.inode_table < sb.directory_table <= sb.bytes_used:
        raise SquashfsError("table offsets out of order: inode, directory, end")
    if sb.inode_count == 0 or sb.inode_count > (1 << 26):
        raise SquashfsError(f"absurd inode count {sb.inode_count}")
    if sb.fragment_count > sb.inode_count and sb.fragment_count != 0:
        raise SquashfsError(f"more fragments ({sb.fragment_count}) than inodes")
