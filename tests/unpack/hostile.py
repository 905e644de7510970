"""Generators of hostile archives: each tries to write or link outside the extraction folder."""

from __future__ import annotations

import gzip
import io
import tarfile
from collections.abc import Callable
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


HOSTILE: dict[str, Callable[[Path, Path], Path]] = {
    "traversal": traversal,
    "absolute": absolute,
    "symlink_write_through": symlink_write_through,
    "hard_link_to_host": hard_link_to_host,
    "gzip_bomb": gzip_bomb,
}
