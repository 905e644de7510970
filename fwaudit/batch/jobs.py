"""What a batch is asked to audit: folders, files and lab manifests, turned into jobs.

A manifest is a CSV file with a header naming at least a path column (``path``, ``file`` or
``image``) and optionally ``vendor``/``declared_vendor``, ``model`` and
``version``/``firmware_version``. Relative paths are read from the manifest's folder.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

PATH_COLUMNS = ("path", "file", "image", "filename")
VENDOR_COLUMNS = ("declared_vendor", "vendor", "manufacturer")
MODEL_COLUMNS = ("model", "device", "product")
VERSION_COLUMNS = ("firmware_version", "version", "fw_version")


@dataclass(frozen=True)
class Job:
    """One input image and what the lab's records say about it."""

    path: Path
    source: str  # the argument or manifest line that named it
    declared_vendor: str | None = None
    model: str | None = None
    firmware_version: str | None = None


def discover(inputs: Sequence[str | os.PathLike[str]], *, exclude: Path | None = None) -> list[Job]:
    """Jobs for every regular file under folders, every file, every manifest row, in input
    order (folders sorted). A path given on the command line that does not exist is an
    `InputError`; a manifest row naming a missing file stays a job (its audit reports it).
    Files under `exclude` (the output folder) are skipped, and a path is listed once."""
    jobs: list[Job] = []
    seen: set[Path] = set()
    for raw in inputs:
        given = Path(raw)
        if not given.exists():
            raise InputError(f"{given}: no such file or folder")
        if given.is_dir():
            found = (Job(path=p, source=str(given)) for p in _files_under(given, exclude))
        elif given.suffix.lower() == ".csv" and _is_manifest(given):
            found = _read_manifest(given)
        else:
            found = iter([Job(path=given.absolute(), source=str(given))])
        for job in found:
            if job.path not in seen:
                seen.add(job.path)
                jobs.append(job)
    return jobs


def _files_under(folder: Path, exclude: Path | None) -> Iterator[Path]:
    """Regular files, recursively, not following links to folders; sorted for stable order."""
    skip = exclude.resolve() if exclude else None
    for root, dirs, files in os.walk(folder.absolute()):
        here = Path(root)
        if skip is not None and (here.resolve() == skip or skip in here.resolve().parents):
            dirs.clear()
            continue
        dirs.sort()
        for name in sorted(files):
            path = here / name
            if path.is_file():
                yield path


def _is_manifest(path: Path) -> bool:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError):
        return False
    return _column(header, PATH_COLUMNS) is not None


def _column(header: Sequence[str], names: Sequence[str]) -> str | None:
    lowered = {h.strip().lower(): h for h in header}
    return next((lowered[n] for n in names if n in lowered), None)


def _read_manifest(manifest: Path) -> Iterator[Job]:
    with manifest.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        path_col = _column(header, PATH_COLUMNS)
        vendor_col = _column(header, VENDOR_COLUMNS)
        model_col = _column(header, MODEL_COLUMNS)
        version_col = _column(header, VERSION_COLUMNS)
        for row in reader:
            value = (row.get(path_col) or "").strip() if path_col else ""
            if not value:
                continue
            path = Path(value)
            if not path.is_absolute():
                path = manifest.parent.absolute() / path
            yield Job(
                path=path,
                source=f"{manifest}:{reader.line_num}",
                declared_vendor=_cell(row, vendor_col),
                model=_cell(row, model_col),
                firmware_version=_cell(row, version_col),
            )


def _cell(row: dict[str, str | None], column: str | None) -> str | None:
    if column is None:
        return None
    value = (row.get(column) or "").strip()
    return value or None
