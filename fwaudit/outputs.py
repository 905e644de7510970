"""Outputs written whole or not at all, and the checks that refuse an unusable output or
cache path in a moment, before an audit starts.

Every file is written to a hidden temporary name beside its target, synced and renamed over
it; an unpacked tree is copied into a hidden folder and renamed into place. A failed write
removes the temporary and leaves an old target as it was. The checks each raise one line
naming the path and the fix: `OutputError` for a path that cannot be used (a folder where a
file is wanted, a read-only or pseudo file system, no permission), `StorageError` for too
little free space.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path

from .errors import OutputError, StorageError
from .limits import Limits, MiB

#: Kernel pseudo file systems: nothing fwaudit writes belongs there.
PSEUDO = (Path("/proc"), Path("/sys"))
#: Free space an output's folder must have: an SBOM or report of a real image is tens of KiB
#: to a few MiB.
OUTPUT_FLOOR = 1 * MiB
#: Free space a cache must have for one unpacked tree: CACHE_FACTOR times the image
#: (compressed file systems expand two to four times), at least `Limits.ratio_floor_bytes`
#: (below it a tree's expansion is not bounded), at most `Limits.max_total_bytes` (the
#: largest tree an unpack keeps).
CACHE_FACTOR = 4
#: Free bytes under which a disk counts as full: a write on it has most likely failed, and an
#: extractor that met it may have cut its tree short without saying so.
FULL_BELOW = 1 * MiB

PathLike = str | os.PathLike[str]


def write_atomic(path: PathLike, data: str | bytes) -> None:
    """Write `data` (text as UTF-8) to `path`, folders made as needed, whole or not at all.
    A link at `path` is written through. Any OSError is a `StorageError`."""
    target = Path(os.path.realpath(path))
    payload = data.encode() if isinstance(data, str) else data
    temporary = _temporary(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("xb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException as exc:
        with suppress(OSError):
            temporary.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise storage_error(path, exc) from exc
        raise


def publish_tree(source: PathLike, target: PathLike, files: Mapping[str, str]) -> None:
    """Copy the tree `source` to the new or empty folder `target`, with `files` (name: text)
    added at its top, whole or not at all: copied into a hidden folder beside `target` and
    renamed into place. Any OSError is a `StorageError`."""
    folder = Path(target).absolute()
    temporary = _temporary(folder)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(source, temporary, symlinks=True)
        for name, text in files.items():
            (temporary / name).write_text(text, encoding="utf-8")
        os.replace(temporary, folder)
    except BaseException as exc:
        shutil.rmtree(temporary, ignore_errors=True)
        if isinstance(exc, OSError):
            raise storage_error(target, exc) from exc
        raise


def storage_error(path: PathLike, exc: OSError) -> StorageError:
    """`exc`, met writing `path`, as one line naming the path and the fix."""
    return StorageError(f"{path}: not written ({reason(exc)}); free some space or write elsewhere")


def reason(exc: OSError) -> str:
    """What went wrong, on one line: the errno text and the path it names."""
    if isinstance(exc, shutil.Error) and exc.args and isinstance(exc.args[0], list):
        text = str(exc.args[0][0][-1])  # copytree's first (source, target, why)
    else:
        text = exc.strerror or str(exc)
        if exc.filename is not None:
            text += f": {exc.filename}"
    return " ".join(text.split())


def free_bytes(path: PathLike) -> int:
    """Bytes an unprivileged writer may still use on the file system of `path`."""
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def check_output_file(path: PathLike, *, option: str = "-o") -> None:
    """Refuse a file path an output could not be written to: a folder, something that is not
    a regular file, a pseudo file system, a folder that is read-only, not writable or has
    less than `OUTPUT_FLOOR` free."""
    given = Path(path)
    if given.is_dir():
        raise OutputError(f"{path}: is a folder; give {option} a file name")
    if (given.exists() or given.is_symlink()) and not given.is_file():
        raise OutputError(f"{path}: is not a regular file; choose another {option}")
    folder = Path(os.path.realpath(given)).parent
    _check_room(path, folder, option, OUTPUT_FLOOR, f"at least {_size(OUTPUT_FLOOR)} is needed")


def check_output_folder(path: PathLike, *, option: str = "-o", empty: bool = True) -> None:
    """Refuse a folder outputs could not be written to: a file, a non-empty folder when
    `empty` (a tree is published whole, beside it), a place that is read-only, not writable
    or has less than `OUTPUT_FLOOR` free."""
    given = Path(path)
    if given.exists() or given.is_symlink():
        if not given.is_dir():
            raise OutputError(f"{path}: is a file, not a folder; give {option} a folder")
        if empty and any(given.iterdir()):
            raise OutputError(
                f"{path}: output folder exists and is not empty; give {option} a new or "
                "empty folder"
            )
    folder = Path(os.path.realpath(given))
    where = folder.parent if empty else folder
    _check_room(path, where, option, OUTPUT_FLOOR, f"at least {_size(OUTPUT_FLOOR)} is needed")


def check_cache_folder(
    path: PathLike, limits: Limits, image_size: int = 0, *, option: str = "--cache-dir"
) -> None:
    """Refuse a cache folder that cannot be made or written, or has too little free space
    for one unpacked tree of an image of `image_size` bytes (`cache_need`)."""
    need = cache_need(limits, image_size)
    why = (
        f"an unpack may need {_size(need)} ({CACHE_FACTOR} x the image, at least "
        f"{_size(limits.ratio_floor_bytes)})"
    )
    _check_room(path, Path(os.path.realpath(path)), option, need, why)


def cache_need(limits: Limits, image_size: int) -> int:
    """Free bytes a cache should have before unpacking an image of `image_size` bytes."""
    wanted = max(limits.ratio_floor_bytes, CACHE_FACTOR * image_size)
    return min(limits.max_total_bytes, wanted)


def _check_room(path: PathLike, folder: Path, option: str, need: int, why: str) -> None:
    """`folder` (or the nearest folder above it that exists, where it would be made) is
    writable, on no pseudo or read-only file system, with `need` bytes free."""
    existing = _nearest(path, folder, option)
    for pseudo in PSEUDO:
        if existing == pseudo or pseudo in existing.parents:
            raise OutputError(
                f"{path}: {pseudo} is a kernel pseudo file system; choose another {option}"
            )
    try:
        stats = os.statvfs(existing)
    except OSError as exc:
        raise OutputError(
            f"{path}: cannot use {existing} ({reason(exc)}); choose another {option}"
        ) from None
    if stats.f_flag & os.ST_RDONLY:
        raise OutputError(f"{path}: folder {existing} is read-only; choose another {option}")
    _probe(path, existing, option)
    free = stats.f_bavail * stats.f_frsize
    if free < need:
        raise StorageError(
            f"{path}: only {_size(free)} free in {existing}, {why}; free some space or "
            f"choose another {option}"
        )


def _nearest(path: PathLike, folder: Path, option: str) -> Path:
    """`folder`, or the nearest of its parents that exists; an error when that is no folder."""
    for candidate in (folder, *folder.parents):
        try:
            if candidate.is_dir():
                return candidate
            if candidate.exists() or candidate.is_symlink():
                raise OutputError(f"{path}: {candidate} is not a folder; choose another {option}")
        except OSError as exc:
            raise OutputError(
                f"{path}: cannot look at {candidate} ({reason(exc)}); choose another {option}"
            ) from None
    raise OutputError(f"{path}: no folder above it exists; choose another {option}")


def _probe(path: PathLike, folder: Path, option: str) -> None:
    """Create and remove an empty file in `folder`: permissions, mounts and jails all speak."""
    probe = _temporary(folder / "fwaudit-probe")
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        raise OutputError(
            f"{path}: cannot write in folder {folder} ({exc.strerror}); choose another {option}"
        ) from None
    with suppress(OSError):
        probe.unlink()


def _temporary(target: Path) -> Path:
    """A hidden name beside `target`, unique to this process and call (``.NAME.tmp-*``, the
    pattern a batch's clean-up removes)."""
    return target.with_name(f".{target.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")


def _size(count: int) -> str:
    return f"{count / MiB:.1f} MiB"
