"""Opening an image file: a light module, so that `fwaudit unpack` needs no analysis stack."""

from __future__ import annotations

from pathlib import Path

from .errors import InputError
from .model import Image


def open_image(path: Path) -> Image:
    """Hash the image; a missing, unreadable or non-regular file is an `InputError`."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a regular file")
    try:
        return Image.from_path(path.resolve())
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
