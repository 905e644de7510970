"""Generators of hostile archives: each tries to write or link outside the extraction folder."""

from __future__ import annotations

import gzip
import io
import stat
import struct
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

SECRET = b"host secret: must never be copied into a tree"


def _tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def _file(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def _link(name: str, target: str, kind: bytes) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info, None


def traversal(path: Path, outside: Path) -> Path:
    """Members named ../../.. that climb out of the extraction folder."""
    climb = "../" * 12
    return _tar(
        path,
        [
            _file("ok.txt", b"fine"),
            _file(f"{climb}{outside.relative_to('/')}/traversal.txt", b"escaped"),
        ],
    )


def absolute(path: Path, outside: Path) -> Path:
    """A member with an absolute name pointing at a host folder."""
    return _tar(path, [_file("ok.txt", b"fine"), _file(f"{outside}/absolute.txt", b"escaped")])


def symlink_write_through(path: Path, outside: Path) -> Path:
    """A link to a host folder, then a file written through the link."""
    return _tar(
        path,
        [_link("evil", str(outside), tarfile.SYMTYPE), _file("evil/through-link.txt", b"escaped")],
    )


def hard_link_to_host(path: Path, outside: Path) -> Path:
    """A hard link member whose target is a host file."""
    return _tar(
        path,
        [_file("ok.txt", b"fine"), _link("stolen", str(outside / "secret.txt"), tarfile.LNKTYPE)],
    )


def gzip_bomb(path: Path, outside: Path, size: int = 200 << 20) -> Path:
    """200 MiB of zeros, about 200 KiB compressed."""
    del outside
    block = bytes(1 << 20)
    with gzip.open(path, "wb", compresslevel=9) as handle:
        for _ in range(size >> 20):
            handle.write(block)
    return path


# --- cpio: the header formats written by hand, so no tool can tidy the names on the way --


def _newc(entries: list[tuple[str, int, bytes]], magic: bytes = b"070701") -> bytes:
    """A "new ASCII" cpio (070701, or 070702 with checksums): hex fields, 4-byte padding."""
    out = bytearray()
    for ino, (name, mode, data) in enumerate([*entries, ("TRAILER!!!", 0, b"")], start=1):
        encoded = name.encode() + b"\0"
        check = sum(data) & 0xFFFFFFFF if magic == b"070702" else 0
        fields = (ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(encoded), check)
        out += magic + b"".join(b"%08x" % value for value in fields) + encoded
        out += bytes(-len(out) % 4) + data
        out += bytes(-len(out) % 4)
    return bytes(out)


def _odc(entries: list[tuple[str, int, bytes]]) -> bytes:
    """A "portable ASCII" cpio (070707): octal fields, no padding."""
    out = bytearray()
    for ino, (name, mode, data) in enumerate([*entries, ("TRAILER!!!", 0, b"")], start=1):
        encoded = name.encode() + b"\0"
        fields = (0, ino, mode, 0, 0, 1, 0, 0, len(encoded), len(data))
        out += b"070707%06o%06o%06o%06o%06o%06o%06o%011o%06o%011o" % fields
        out += encoded + data
    return bytes(out)


def _binary(entries: list[tuple[str, int, bytes]], order: str = "<") -> bytes:
    """An old binary cpio (magic 0o070707 as a 16-bit word): 2-byte padding."""
    out = bytearray()
    for ino, (name, mode, data) in enumerate([*entries, ("TRAILER!!!", 0, b"")], start=1):
        encoded = name.encode() + b"\0"
        size = len(data)
        out += struct.pack(
            order + "13H", 0o070707, 0, ino, mode, 0, 0, 1, 0, 0, 0, len(encoded),
            size >> 16, size & 0xFFFF,
        )  # fmt: skip
        out += encoded + bytes(len(encoded) % 2) + data + bytes(size % 2)
    return bytes(out)


CPIO_WRITERS: dict[str, Callable[[list[tuple[str, int, bytes]]], bytes]] = {
    "newc": _newc,
    "crc": lambda entries: _newc(entries, b"070702"),
    "odc": _odc,
    "binary": _binary,
}
FILE = stat.S_IFREG | 0o644
LINK = stat.S_IFLNK | 0o777


def cpio_entries(outside: Path) -> list[tuple[str, int, bytes]]:
    """A fine member, one climbing out with ../, one absolute, one link leaving the root."""
    climb = "../" * 12
    return [
        ("ok.txt", FILE, b"fine"),
        (f"{climb}{outside.relative_to('/')}/cpio-traversal.txt", FILE, b"escaped"),
        (f"{outside}/cpio-absolute.txt", FILE, b"escaped"),
        ("up", LINK, climb.encode()),
    ]


def cpio_traversal(path: Path, outside: Path, fmt: str = "newc") -> Path:
    """A cpio archive (initramfs format by default) with ../, absolute and escaping members."""
    path.write_bytes(CPIO_WRITERS[fmt](cpio_entries(outside)))
    return path


# --- bombs that also carry hostile members: the tables must be read though the run stops --


class _Zeros(io.RawIOBase):
    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        count = min(len(buffer), self.left)
        buffer[:count] = bytes(count)
        self.left -= count
        return count


def tar_gz_bomb(path: Path, outside: Path, size: int = 400 << 20) -> Path:
    """A tar.gz: a ../ member, `size` bytes of zeros, then an absolute member (~400 KiB)."""
    climb = "../" * 12
    with tarfile.open(path, "w:gz", compresslevel=9) as tar:
        for name, data in ((f"{climb}{outside.relative_to('/')}/bomb-traversal.txt", b"x"),):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        zeros = tarfile.TarInfo("zeros.bin")
        zeros.size = size
        tar.addfile(zeros, io.BufferedReader(_Zeros(size), 1 << 20))
        last = tarfile.TarInfo(f"{outside}/bomb-absolute.txt")
        last.size = 1
        tar.addfile(last, io.BytesIO(b"y"))
    return path


def _zip_chunks(size: int) -> Iterator[bytes]:
    block = bytes(1 << 20)
    for _ in range(size >> 20):
        yield block


def zip_bomb(path: Path, outside: Path, size: int = 400 << 20) -> Path:
    """A zip: `size` bytes of zeros deflated, a ../ member and an absolute one."""
    climb = "../" * 12
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("zeros.bin", "w", force_zip64=True) as handle:
            for block in _zip_chunks(size):
                handle.write(block)
        archive.writestr(f"{climb}{outside.relative_to('/')}/zip-traversal.txt", b"x")
        archive.writestr(f"{outside}/zip-absolute.txt", b"y")
    return path


HOSTILE: dict[str, Callable[[Path, Path], Path]] = {
    "traversal": traversal,
    "absolute": absolute,
    "symlink_write_through": symlink_write_through,
    "hard_link_to_host": hard_link_to_host,
    "gzip_bomb": gzip_bomb,
    "cpio_traversal": cpio_traversal,
}
