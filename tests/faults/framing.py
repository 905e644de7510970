"""Where each container format keeps its sizes, offsets, counts and checksums.

`fields` lists the header fields of a container (found by its magics, so it works on real
images too), for mutations that set one to 0, a huge or a negative-as-unsigned value.
`fix` renews the checksums after damage, so the damage gets past the checksum to the parser
behind it. `unwrap` and `wrap` take a container apart into its payload and put it back
with valid lengths and checksums (gzip, xz and lzma recompress; uImage and TRX rewrite the
header), so a mutation of the payload reaches the inner format's parser.
"""

from __future__ import annotations

import gzip
import lzma
import re
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .containers import gzip_, lzma_alone, xz

MAX_ANCHORS = 64  # headers read per format: a file full of magics costs no more


@dataclass(frozen=True)
class Field:
    """An integer at `offset`: binary (`code` "<" or ">") or text ("o" octal, "x" hex)."""

    name: str
    offset: int
    size: int
    code: str

    def read(self, data: bytes | bytearray) -> int:
        raw = bytes(data[self.offset : self.offset + self.size])
        if self.code in "<>":
            return int.from_bytes(raw, "little" if self.code == "<" else "big")
        digits = raw.strip(b"\0 ")
        try:
            return int(digits, 8 if self.code == "o" else 16) if digits else 0
        except ValueError:
            return 0

    def write(self, data: bytearray, value: int) -> None:
        if self.code in "<>":
            value %= 1 << (8 * self.size)
            raw = value.to_bytes(self.size, "little" if self.code == "<" else "big")
        else:
            width = self.size - (self.code == "o")  # tar numbers end with a NUL
            text = f"{value:0{width}o}" if self.code == "o" else f"{value:0{width}x}"
            raw = text[-width:].encode() + b"\0" * (self.code == "o")
        end = min(self.offset + self.size, len(data))
        data[self.offset : end] = raw[: end - self.offset]

    def extremes(self, value: int) -> list[int]:
        """0, 1, one off, doubled, the largest, and negatives read as unsigned."""
        if self.code in "<>":
            top = 1 << (8 * self.size)
        else:
            top = (8 if self.code == "o" else 16) ** (self.size - (self.code == "o"))
        values = [0, 1, value - 1, value + 1, 2 * value, top // 2 - 1, top // 2, top - 1, top - 2]
        # text fields also get "-1" and the like; binary ones wrap, as a C reader sees them
        return values if self.code not in "<>" else [v % top for v in values]


def _at(pattern: bytes, data: bytes | bytearray, *, align: int = 1, shift: int = 0) -> list[int]:
    """Offsets of `pattern` (a regex) minus `shift`, on `align`, at most MAX_ANCHORS."""
    found = []
    for match in re.finditer(pattern, data):
        start = match.start() - shift
        if start >= 0 and start % align == 0:
            found.append(start)
            if len(found) == MAX_ANCHORS:
                break
    return found


def _fields(anchors: list[int], layout: tuple[tuple[str, int, int], ...], code: str) -> list[Field]:
    return [Field(name, at + rel, size, code) for at in anchors for name, rel, size in layout]


# --- archives -------------------------------------------------------------------------------

TAR = (("mode", 100, 8), ("uid", 108, 8), ("size", 124, 12), ("mtime", 136, 12))
CPIO_NAMES = ("ino", "mode", "uid", "gid", "nlink", "mtime", "filesize", "devmajor", "devminor",
              "rdevmajor", "rdevminor", "namesize", "check")  # fmt: skip
CPIO = tuple((name, 6 + 8 * n, 8) for n, name in enumerate(CPIO_NAMES))
ZIP_LOCAL = (("flags", 6, 2), ("method", 8, 2), ("crc", 14, 4), ("csize", 18, 4),
             ("usize", 22, 4), ("name_len", 26, 2), ("extra_len", 28, 2))  # fmt: skip
ZIP_CENTRAL = (("method", 10, 2), ("csize", 20, 4), ("usize", 24, 4), ("name_len", 28, 2),
               ("extra_len", 30, 2), ("comment_len", 32, 2), ("attributes", 38, 4),
               ("local_offset", 42, 4))  # fmt: skip
ZIP_END = (("disk_entries", 8, 2), ("entries", 10, 2), ("cd_size", 12, 4), ("cd_offset", 16, 4),
           ("comment_len", 20, 2))  # fmt: skip


def tar_fields(data: bytes | bytearray) -> list[Field]:
    return _fields(_at(rb"ustar", data, align=512, shift=257), TAR, "o")


def tar_fix(data: bytearray) -> None:
    """Every ustar header's checksum: the byte sum with the checksum field as spaces."""
    for at in _at(rb"ustar", data, align=512, shift=257):
        header = data[at : at + 512]
        if len(header) == 512:
            total = sum(header[:148]) + 32 * 8 + sum(header[156:])
            data[at + 148 : at + 156] = b"%06o\0 " % (total & 0o777777)


def cpio_fields(data: bytes | bytearray) -> list[Field]:
    return _fields(_at(rb"07070[12]", data), CPIO, "x")


def zip_fields(data: bytes | bytearray) -> list[Field]:
    return [
        *_fields(_at(rb"PK\x03\x04", data), ZIP_LOCAL, "<"),
        *_fields(_at(rb"PK\x01\x02", data), ZIP_CENTRAL, "<"),
        *_fields(_at(rb"PK\x05\x06", data), ZIP_END, "<"),
    ]


# --- compressed streams ---------------------------------------------------------------------


def gzip_fields(data: bytes | bytearray) -> list[Field]:
    end = len(data)
    return [Field("flags", 3, 1, "<"), Field("mtime", 4, 4, "<"), Field("xfl", 8, 1, "<"),
            Field("crc", end - 8, 4, "<"), Field("isize", end - 4, 4, "<")]  # fmt: skip


def xz_fields(data: bytes | bytearray) -> list[Field]:
    end = len(data)
    return [Field("check", 7, 1, "<"), Field("block_header_size", 12, 1, "<"),
            Field("block_flags", 13, 1, "<"), Field("backward_size", end - 8, 4, "<"),
            Field("footer_check", end - 3, 1, "<")]  # fmt: skip


def xz_fix(data: bytearray) -> None:
    """The stream header's and footer's CRC32s."""
    if len(data) >= 24 and data[:6] == b"\xfd7zXZ\x00":
        struct.pack_into("<I", data, 8, zlib.crc32(data[6:8]))
        struct.pack_into("<I", data, len(data) - 12, zlib.crc32(data[-8:-2]))


def lzma_fields(data: bytes | bytearray) -> list[Field]:
    del data
    return [Field("properties", 0, 1, "<"), Field("dictionary", 1, 4, "<"),
            Field("size", 5, 8, "<")]  # fmt: skip


def _decompress(unpack: Callable[[bytes], bytes]) -> Callable[[bytes], bytes | None]:
    def unwrap(data: bytes) -> bytes | None:
        try:
            return unpack(data)
        except (OSError, EOFError, lzma.LZMAError, zlib.error):
            return None

    return unwrap


# --- firmware headers -----------------------------------------------------------------------

UIMAGE = (("time", 8, 4), ("size", 12, 4), ("load", 16, 4), ("entry", 20, 4), ("os", 28, 1),
          ("arch", 29, 1), ("type", 30, 1), ("comp", 31, 1))  # fmt: skip
TRX = (("length", 4, 4), ("flags", 12, 2), ("version", 14, 2), ("offset0", 16, 4),
       ("offset1", 20, 4), ("offset2", 24, 4))  # fmt: skip


def uimage_fields(data: bytes | bytearray) -> list[Field]:
    return _fields(_at(rb"\x27\x05\x19\x56", data), UIMAGE, ">")


def uimage_fix(data: bytearray) -> None:
    """Each header's payload CRC (over what is there of the size it declares), then its
    header CRC."""
    for at in _at(rb"\x27\x05\x19\x56", data):
        if at + 64 > len(data):
            continue
        size = struct.unpack_from(">I", data, at + 12)[0]
        struct.pack_into(">I", data, at + 24, zlib.crc32(data[at + 64 : at + 64 + size]))
        struct.pack_into(">I", data, at + 4, 0)
        struct.pack_into(">I", data, at + 4, zlib.crc32(data[at : at + 64]))


def uimage_unwrap(data: bytes) -> bytes | None:
    if len(data) < 64:
        return None
    return data[64 : 64 + struct.unpack_from(">I", data, 12)[0]]


def uimage_wrap(payload: bytes, original: bytes) -> bytes:
    data = bytearray(original[:64] + payload)
    struct.pack_into(">I", data, 12, len(payload))
    uimage_fix(data)
    return bytes(data)


def trx_fields(data: bytes | bytearray) -> list[Field]:
    return _fields(_at(rb"HDR0", data, align=4), TRX, "<")


def trx_fix(data: bytearray) -> None:
    """The CRC over the bytes from the flags to the length the header declares."""
    if len(data) >= 28 and data[:4] == b"HDR0":
        length = struct.unpack_from("<I", data, 4)[0]
        struct.pack_into("<I", data, 8, zlib.crc32(data[12:length]) ^ 0xFFFFFFFF)


def _trx_last(data: bytes) -> int | None:
    offsets = [o for o in struct.unpack_from("<3I", data, 16) if 28 <= o < len(data)]
    return max(offsets) if offsets else None


def trx_unwrap(data: bytes) -> bytes | None:
    """The last partition (the root file system)."""
    last = _trx_last(data) if len(data) >= 28 else None
    return None if last is None else data[last : struct.unpack_from("<I", data, 4)[0]]


def trx_wrap(payload: bytes, original: bytes) -> bytes:
    last = _trx_last(original) or 28
    data = bytearray(original[:last] + payload)
    struct.pack_into("<I", data, 4, len(data))
    trx_fix(data)
    return bytes(data)


# --- file systems ---------------------------------------------------------------------------

SQUASHFS = (("inodes", 4, 4), ("mkfs_time", 8, 4), ("block_size", 12, 4), ("fragments", 16, 4),
            ("compression", 20, 2), ("block_log", 22, 2), ("flags", 24, 2), ("ids", 26, 2),
            ("major", 28, 2), ("root_inode", 32, 8), ("bytes_used", 40, 8),
            ("id_table", 48, 8), ("xattr_table", 56, 8), ("inode_table", 64, 8),
            ("directory_table", 72, 8), ("fragment_table", 80, 8),
            ("export_table", 88, 8))  # fmt: skip
EXT2_SUPER = (("inodes", 0, 4), ("blocks", 4, 4), ("free_blocks", 12, 4), ("free_inodes", 16, 4),
              ("first_data_block", 20, 4), ("log_block_size", 24, 4),
              ("blocks_per_group", 32, 4), ("inodes_per_group", 40, 4), ("state", 58, 2),
              ("rev_level", 76, 4), ("first_ino", 84, 4), ("inode_size", 88, 2),
              ("feature_incompat", 96, 4), ("feature_ro_compat", 100, 4))  # fmt: skip
EXT2_GROUP = (("block_bitmap", 0, 4), ("inode_bitmap", 4, 4), ("inode_table", 8, 4),
              ("used_dirs", 16, 2))  # fmt: skip
EXT2_INODE = (("mode", 0, 2), ("size", 4, 4), ("links", 26, 2), ("blocks", 28, 4),
              ("flags", 32, 4), ("block0", 40, 4), ("block1", 44, 4),
              ("indirect", 88, 4))  # fmt: skip
EXT2_DIRENT = (("inode", 0, 4), ("rec_len", 4, 2), ("name_len", 6, 1), ("file_type", 7, 1))


def squashfs_fields(data: bytes | bytearray) -> list[Field]:
    return _fields(_at(rb"hsqs", data, align=4), SQUASHFS, "<")


def ext2_fields(data: bytes | bytearray) -> list[Field]:
    """The superblock, the first group descriptor, the root folder's inode and its first
    entries, and the first file inodes."""
    fields = _fields([1024], EXT2_SUPER, "<")
    try:
        first, log = struct.unpack_from("<2I", data, 1044)
        inode_size = struct.unpack_from("<H", data, 1112)[0] or 128
        block = 1024 << min(log, 6)
        group = (first + 1) * block
        table = struct.unpack_from("<I", data, group + 8)[0] * block
        inodes = [table + (number - 1) * inode_size for number in (2, 11, 12, 13)]
        root = struct.unpack_from("<I", data, inodes[0] + 40)[0] * block
    except struct.error:
        return fields
    entries, at = [], root
    while len(entries) < 4 and at + 8 <= min(root + block, len(data)):
        entries.append(at)
        at += max(struct.unpack_from("<H", data, at + 4)[0], 8)
    return [
        *fields,
        *_fields([group], EXT2_GROUP, "<"),
        *_fields([i for i in inodes if i + 128 <= len(data)], EXT2_INODE, "<"),
        *_fields(entries, EXT2_DIRENT, "<"),
    ]


JFFS2_NODE = (("nodetype", 2, 2), ("totlen", 4, 4))
JFFS2_INODE = (("ino", 12, 4), ("version", 16, 4), ("mode", 20, 4), ("isize", 28, 4),
               ("offset", 44, 4), ("csize", 48, 4), ("dsize", 52, 4), ("compr", 56, 1))  # fmt: skip
JFFS2_DIRENT = (("pino", 12, 4), ("ino", 20, 4), ("nsize", 28, 1), ("type", 29, 1))


def _jffs2_nodes(data: bytes | bytearray) -> Iterator[tuple[int, str, int]]:
    """(offset, byte order, node type) of each node header on a 4-byte boundary."""
    for at in _at(rb"\x85\x19|\x19\x85", data, align=4):
        if at + 12 <= len(data):
            order = "<" if data[at] == 0x85 else ">"
            yield at, order, struct.unpack_from(order + "H", data, at + 2)[0]


def jffs2_fields(data: bytes | bytearray) -> list[Field]:
    fields = []
    for at, order, kind in _jffs2_nodes(data):
        layout = JFFS2_NODE + {0xE002: JFFS2_INODE, 0xE001: JFFS2_DIRENT}.get(kind, ())
        fields += _fields([at], layout, order)
    return fields


def _raw_crc(data: bytes | bytearray) -> int:
    """JFFS2's CRC32: seed 0, no final inversion."""
    return zlib.crc32(data, 0xFFFFFFFF) ^ 0xFFFFFFFF


def jffs2_fix(data: bytearray) -> None:
    """Header, node and data (or name) CRCs of every inode and directory entry node."""
    for at, order, kind in _jffs2_nodes(data):
        struct.pack_into(order + "I", data, at + 8, _raw_crc(data[at : at + 8]))
        if kind == 0xE002 and at + 68 <= len(data):
            csize = struct.unpack_from(order + "I", data, at + 48)[0]
            struct.pack_into(order + "I", data, at + 60, _raw_crc(data[at + 68 : at + 68 + csize]))
            struct.pack_into(order + "I", data, at + 64, _raw_crc(data[at : at + 60]))
        elif kind == 0xE001 and at + 40 <= len(data):
            nsize = data[at + 28]
            struct.pack_into(order + "I", data, at + 32, _raw_crc(data[at : at + 32]))
            struct.pack_into(order + "I", data, at + 36, _raw_crc(data[at + 40 : at + 40 + nsize]))


UBI_EC = (("version", 4, 1), ("erase_count", 8, 8), ("vid_offset", 16, 4), ("data_offset", 20, 4),
          ("image_seq", 24, 4))  # fmt: skip
UBI_VID = (("vol_type", 5, 1), ("copy_flag", 6, 1), ("compat", 7, 1), ("vol_id", 8, 4),
           ("lnum", 12, 4), ("data_size", 20, 4), ("used_ebs", 24, 4), ("data_pad", 28, 4),
           ("sqnum", 40, 8))  # fmt: skip
UBI_VTBL = (("reserved_pebs", 0, 4), ("alignment", 4, 4), ("data_pad", 8, 4), ("vol_type", 12, 1),
            ("name_len", 14, 2))  # fmt: skip
UBIFS_NODE = (("length", 16, 4), ("node_type", 20, 1))
UBIFS_BY_TYPE = {
    1: (("data_size", 40, 4), ("compression", 44, 2)),  # data node
    2: (("inum", 40, 8), ("type", 49, 1), ("name_len", 50, 2)),  # directory entry
    6: (("min_io", 32, 4), ("leb_size", 36, 4), ("leb_count", 40, 4), ("max_leb_count", 44, 4),
        ("log_lebs", 56, 4), ("lpt_lebs", 60, 4), ("fanout", 72, 4)),  # superblock
}  # fmt: skip
LAYOUT_VOLUME = 0x7FFFEFFF
VTBL_RECORD, VTBL_RECORDS = 172, 128


def _ubi_crc(data: bytes | bytearray) -> int:
    """UBI's and UBIFS's CRC32: seed 0xFFFFFFFF, no final inversion."""
    return zlib.crc32(data) ^ 0xFFFFFFFF


def _vtbl_records(data: bytes | bytearray) -> list[int]:
    """Offsets of the volume table records: the data of the layout volume's PEBs, up to
    128 records or the next PEB."""
    records = []
    pebs = _at(rb"UBI#", data)
    for peb, end in zip(pebs, [*pebs[1:], len(data)], strict=True):
        if peb + 24 > len(data):
            continue
        vid_offset, data_offset = struct.unpack_from(">2I", data, peb + 16)
        vid = peb + vid_offset
        if data[vid : vid + 4] != b"UBI!" or vid + 12 > len(data):
            continue
        if struct.unpack_from(">I", data, vid + 8)[0] == LAYOUT_VOLUME:
            start = peb + data_offset
            last = min(start + VTBL_RECORD * VTBL_RECORDS, end)
            records += range(start, last - VTBL_RECORD + 1, VTBL_RECORD)
    return records


def ubi_fields(data: bytes | bytearray) -> list[Field]:
    fields = [
        *_fields(_at(rb"UBI#", data), UBI_EC, ">"),
        *_fields(_at(rb"UBI!", data), UBI_VID, ">"),
        *_fields(_vtbl_records(data)[:2], UBI_VTBL, ">"),
    ]
    for at in _at(rb"\x31\x18\x10\x06", data, align=8):
        if at + 21 <= len(data):
            fields += _fields([at], UBIFS_NODE + UBIFS_BY_TYPE.get(data[at + 20], ()), "<")
    return fields


def ubi_fix(data: bytearray) -> None:
    """EC and VID header CRCs, volume table record CRCs, UBIFS node CRCs."""
    for magic in (rb"UBI#", rb"UBI!"):
        for at in _at(magic, data):
            if at + 64 <= len(data):
                struct.pack_into(">I", data, at + 60, _ubi_crc(data[at : at + 60]))
    for at in _vtbl_records(data):
        struct.pack_into(">I", data, at + 168, _ubi_crc(data[at : at + 168]))
    for at in _at(rb"\x31\x18\x10\x06", data, align=8):
        if at + 24 <= len(data):
            length = struct.unpack_from("<I", data, at + 16)[0]
            if 24 <= length <= len(data) - at:
                struct.pack_into("<I", data, at + 4, _ubi_crc(data[at + 8 : at + length]))


def elf_fields(data: bytes | bytearray) -> list[Field]:
    """A 32-bit ELF's header and section headers (the tiny seed program's layout)."""
    if data[:4] != b"\x7fELF" or len(data) < 52:
        return []
    order = "<" if data[5] == 1 else ">"
    header = (("type", 16, 2), ("machine", 18, 2), ("entry", 24, 4), ("phoff", 28, 4),
              ("shoff", 32, 4), ("ehsize", 40, 2), ("phentsize", 42, 2), ("phnum", 44, 2),
              ("shentsize", 46, 2), ("shnum", 48, 2), ("shstrndx", 50, 2))  # fmt: skip
    shoff, shnum = struct.unpack_from(order + "I", data, 32)[0], data[48]
    sections = [shoff + 40 * n for n in range(min(shnum, 16)) if shoff + 40 * (n + 1) <= len(data)]
    section = (("name", 0, 4), ("type", 4, 4), ("offset", 16, 4), ("size", 20, 4), ("link", 24, 4))
    return [*_fields([0], header, order), *_fields(sections, section, order)]


# --- the formats ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Framing:
    fields: Callable[[bytes | bytearray], list[Field]]
    fix: Callable[[bytearray], None] | None = None
    unwrap: Callable[[bytes], bytes | None] | None = None
    wrap: Callable[[bytes, bytes], bytes] | None = None


FRAMINGS: dict[str, Framing] = {
    "tar": Framing(tar_fields, tar_fix),
    "zip": Framing(zip_fields),
    "cpio": Framing(cpio_fields),
    "gzip": Framing(gzip_fields, None, _decompress(gzip.decompress), lambda p, _: gzip_(p)),
    "xz": Framing(xz_fields, xz_fix, _decompress(lzma.decompress), lambda p, _: xz(p)),
    "lzma": Framing(lzma_fields, None, _decompress(lzma.decompress), lambda p, _: lzma_alone(p)),
    "uimage": Framing(uimage_fields, uimage_fix, uimage_unwrap, uimage_wrap),
    "trx": Framing(trx_fields, trx_fix, trx_unwrap, trx_wrap),
    "squashfs": Framing(squashfs_fields),
    "ext2": Framing(ext2_fields),
    "jffs2": Framing(jffs2_fields, jffs2_fix),
    "ubi": Framing(ubi_fields, ubi_fix),
    "elf": Framing(elf_fields),
}

#: (offset, magic, format) for naming a payload after `unwrap`; first match wins.
INNER = ((0, b"\x1f\x8b\x08", "gzip"), (0, b"\xfd7zXZ\x00", "xz"), (0, b"\x5d\x00\x00", "lzma"),
         (257, b"ustar", "tar"), (0, b"07070", "cpio"), (0, b"PK\x03\x04", "zip"),
         (0, b"hsqs", "squashfs"), (0, b"\x27\x05\x19\x56", "uimage"), (0, b"HDR0", "trx"),
         (0, b"\x7fELF", "elf"))  # fmt: skip


def inner_format(payload: bytes) -> str | None:
    """The format `payload` starts with, among those with a framing."""
    for offset, magic, name in INNER:
        if payload[offset : offset + len(magic)] == magic:
            return name
    return None
