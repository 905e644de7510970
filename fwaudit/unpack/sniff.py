"""Is a file packed data (an archive, a compressed stream, a file system image)?

Used where a backend stopped before reading a file (a depth limit, a killed run): a packed
file there is content the audit did not see, a plain one is not. Magic bytes at fixed
offsets only, read from the first 512 bytes; no guessing from entropy.
"""

from __future__ import annotations

from pathlib import Path

#: (offset, magic, format); first match wins.
MAGICS: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x1f\x8b\x08", "gzip"),
    (0, b"\xfd7zXZ\x00", "xz"),
    (0, b"BZh", "bzip2"),
    (0, b"\x28\xb5\x2f\xfd", "zstd"),
    (0, b"\x04\x22\x4d\x18", "lz4"),
    (0, b"\x89LZO\x00", "lzo"),
    (0, b"\x5d\x00\x00", "lzma"),
    (0, b"7z\xbc\xaf\x27\x1c", "7z"),
    (0, b"Rar!\x1a\x07", "rar"),
    (0, b"PK\x03\x04", "zip"),
    (257, b"ustar", "tar"),
    (0, b"070701", "cpio"),
    (0, b"070702", "cpio"),
    (0, b"070707", "cpio"),
    (0, b"\xc7\x71", "cpio"),
    (0, b"\x71\xc7", "cpio"),
    (0, b"hsqs", "squashfs"),
    (0, b"sqsh", "squashfs"),
    (0, b"shsq", "squashfs"),
    (0, b"qshs", "squashfs"),
    (0, b"\x45\x3d\xcd\x28", "cramfs"),
    (0, b"\x28\xcd\x3d\x45", "cramfs"),
    (0, b"\x85\x19", "jffs2"),
    (0, b"\x19\x85", "jffs2"),
    (0, b"UBI#", "ubi"),
    (0, b"\x27\x05\x19\x56", "uimage"),
    (0, b"\xd0\x0d\xfe\xed", "fit/dtb"),
    (0, b"HDR0", "trx"),
    (0, b"\x7fELF", ""),  # an executable is read by inventory, not unpacked: not packed
)


def packed_format(head: bytes) -> str | None:
    """The packed format `head` (a file's first bytes) starts with, or None."""
    for offset, magic, name in MAGICS:
        if head[offset : offset + len(magic)] == magic:
            return name or None
    return None


def packed_file(path: Path) -> str | None:
    """`packed_format` of a regular file; None for links, folders and unreadable files."""
    if path.is_symlink() or not path.is_file():
        return None
    try:
        with path.open("rb") as handle:
            return packed_format(handle.read(512))
    except OSError:
        return None


#: Packed formats whose member tables `members.sweep` reads.
SWEEPABLE = frozenset({"gzip", "xz", "bzip2", "zip", "tar", "cpio"})


def sweepable(files: list[Path]) -> list[Path]:
    """The `files` whose member tables `members.sweep` can read."""
    return [f for f in files if packed_file(f) in SWEEPABLE]
