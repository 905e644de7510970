"""Small root file systems as tar.gz, written by the tests that need a generated image."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Callable
from pathlib import Path

MTIME = 1669248000  # 2022-11-24, fixed so the same files give the same bytes


def tar_gz(
    path: Path,
    files: dict[str, bytes],
    *,
    mtime: int = MTIME,
    mode: Callable[[str], int] | None = None,
) -> Path:
    """Write `files` (path inside the image -> bytes) as a tar.gz at `path`; `mode` gives a
    member's permission bits by name (default 0o644)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = mtime
            if mode is not None:
                info.mode = mode(name)
            archive.addfile(info, io.BytesIO(data))
    path.write_bytes(buffer.getvalue())
    return path
