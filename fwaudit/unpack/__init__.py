"""Stage 1: unpack an image recursively and safely into a cached, sanitized tree."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ..errors import ConfigError
from ..limits import Limits
from ..model import Chunk, ExtractedNode, Image, NodeKind, Problem, Severity, UnpackOutcome
from . import squashfs
from .base import STAGE, Extraction, Unpacker, Workspace
from .binwalk import BinwalkUnpacker
from .cache import UnpackCache
from .members import audit_archive
from .unblob import UnblobUnpacker

#: Every backend. The default tries them in this order until one recovers a file: unblob
#: recovers more (VxWorks LZMA web files, FIT, SquashFS 3 BE), binwalk v3 reads some formats
#: unblob does not (Android sparse, MBR, Arcadyan); README has the measured table.
BACKENDS: tuple[Unpacker, ...] = (UnblobUnpacker(), BinwalkUnpacker())
DEFAULT_BACKENDS: tuple[str, ...] = tuple(b.name for b in BACKENDS)

__all__ = ["BACKENDS", "DEFAULT_BACKENDS", "get_backend", "unpack_image"]


def get_backend(name: str | Unpacker) -> Unpacker:
    """The backend called `name` (an `Unpacker` object is returned as it is)."""
    if not isinstance(name, str):
        return name
    for backend in BACKENDS:
        if backend.name == name:
            return backend
    known = ", ".join(b.name for b in BACKENDS)
    raise ConfigError(f"unknown unpack backend {name!r} (known: {known})")


def unpack_image(
    image: Image,
    *,
    backends: Sequence[str | Unpacker] = DEFAULT_BACKENDS,
    limits: Limits = Limits(),
    cache_dir: Path | None = None,
) -> UnpackOutcome:
    """Unpack `image` with the first of `backends` that recovers a file (or, failing all,
    the first one's result), reusing cached trees; every node says where it came from."""
    unpackers = [get_backend(name) for name in backends]
    if not unpackers:
        raise ConfigError("at least one unpack backend is needed")
    cache = UnpackCache(cache_dir)
    first = None
    for unpacker in unpackers:
        outcome = _unpack_with(unpacker, image, limits, cache)
        if outcome.files:
            if first is not None:
                note = Problem(
                    STAGE,
                    "unpack.fallback",
                    Severity.INFO,
                    "",
                    f"{first.backend} recovered no file; used {outcome.backend}",
                )
                outcome = replace(outcome, problems=tuple(sorted({*outcome.problems, note})))
            return outcome
        first = first or outcome
    return first


def _unpack_with(
    unpacker: Unpacker, image: Image, limits: Limits, cache: UnpackCache
) -> UnpackOutcome:
    key = cache.key(image.sha256, unpacker.name, unpacker.tool_version(), limits)
    cached = cache.load(key)
    if cached is not None:
        return cached
    started = time.monotonic()
    workspace = Workspace(
        Path(tempfile.mkdtemp(prefix="work-", dir=cache.scratch_root())), image.size
    )
    try:
        run = unpacker.unpack(image.path, workspace, limits)
        for extraction in run.extractions:
            label = workspace.rel(extraction.container)
            run.problems.extend(
                audit_archive(extraction.container, extraction.offset, extraction.format, label)
            )
        nodes = describe_tree(workspace.tree, image.path, run.extractions)
        chunks = tuple(
            sorted(
                chunk
                for chunk in (_chunk(e, image.path, workspace) for e in run.extractions)
                if chunk.extracted or chunk.detail  # not every ELF or copyright string found
            )
        )
        outcome = UnpackOutcome(
            chunks=chunks,
            root=workspace.tree,
            backend=unpacker.name,
            tool_version=unpacker.tool_version(),
            nodes=nodes,
            problems=tuple(sorted(set(run.problems))),
            seconds=round(time.monotonic() - started, 3),
        )
        return cache.store(key, workspace, outcome)
    finally:
        shutil.rmtree(workspace.path, ignore_errors=True)


def _chunk(extraction: Extraction, image: Path, workspace: Workspace) -> Chunk:
    detail = ""
    if "squashfs" in extraction.format.lower() and extraction.container.is_file():
        detail = squashfs.describe(extraction.container, extraction.offset)
    return Chunk(
        container="" if extraction.container == image else workspace.rel(extraction.container),
        offset=extraction.offset,
        size=extraction.size,
        format=extraction.format,
        extractor=extraction.extractor,
        extracted=extraction.out_dir is not None,
        detail=detail,
    )


def describe_tree(
    tree: Path, image: Path, extractions: list[Extraction]
) -> tuple[ExtractedNode, ...]:
    """One node per entry of `tree`, linked to the extraction that produced it."""
    by_dir = {e.out_dir: e for e in extractions if e.out_dir is not None}
    nodes = []
    for dirpath, dirnames, filenames in os.walk(tree):
        here = Path(dirpath)
        for name in sorted((*dirnames, *filenames)):
            path = here / name
            origin, depth = _origin(path, by_dir)
            parent = ""
            if origin is not None and origin.container != image:
                parent = origin.container.relative_to(tree).as_posix()
            st = os.lstat(path)
            node = dict(
                path=path.relative_to(tree).as_posix(),
                size=st.st_size,
                depth=depth,
                parent=parent,
                offset=origin.offset if origin else None,
                format=origin.format if origin else None,
                extractor=origin.extractor if origin else None,
            )
            if stat.S_ISLNK(st.st_mode):
                nodes.append(
                    ExtractedNode(kind=NodeKind.SYMLINK, link_target=os.readlink(path), **node)
                )
            elif stat.S_ISDIR(st.st_mode):
                nodes.append(ExtractedNode(kind=NodeKind.DIRECTORY, **{**node, "size": 0}))
            else:
                digest, is_elf = _hash(path)
                nodes.append(
                    ExtractedNode(kind=NodeKind.FILE, sha256=digest, is_elf=is_elf, **node)
                )
    return tuple(sorted(nodes))


def _origin(path: Path, by_dir: dict[Path, Extraction]) -> tuple[Extraction | None, int]:
    """The deepest extraction whose output folder holds `path`, and the nesting depth."""
    origin, depth = None, 0
    for ancestor in reversed(path.parents):
        if ancestor in by_dir:
            depth += 1
            origin = by_dir[ancestor]
    return origin, max(depth, 1)


def _hash(path: Path) -> tuple[str, bool]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
        is_elf = head[:4] == b"\x7fELF"
        while head:
            digest.update(head)
            head = handle.read(1 << 20)
    return digest.hexdigest(), is_elf
