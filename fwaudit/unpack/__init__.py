"""Stage 1: unpack an image recursively and safely into a cached, sanitized tree."""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ..errors import ConfigError
from ..limits import Limits
from ..model import Chunk, ExtractedNode, Image, NodeKind, Problem, Severity, UnpackOutcome
from ..outputs import reason
from . import squashfs
from .base import STAGE, BackendRun, Extraction, Unpacker, Workspace
from .binwalk import BinwalkUnpacker
from .cache import UnpackCache
from .integrity import SELF_SIZED, truncated
from .members import audit_archive, sweep
from .orphans import work_prefix
from .sniff import packed_file
from .trees import entries_below, remove_tree, walk
from .unblob import UnblobUnpacker

#: Every backend, in the default order: unblob recovers more (VxWorks LZMA web files, FIT,
#: SquashFS 3 BE), binwalk v3 reads some formats unblob does not (Android sparse, MBR,
#: Arcadyan); README has the measured table. The next one runs only when the first shows signs
#: of loss (`loss_signs`), and the one that recovered more is kept.
BACKENDS: tuple[Unpacker, ...] = (UnblobUnpacker(), BinwalkUnpacker())
DEFAULT_BACKENDS: tuple[str, ...] = tuple(b.name for b in BACKENDS)
#: Problem kinds whose error or warning says a backend lost content another might recover:
#: a truncated file system, an extractor that failed, crashed or is missing.
LOSS_KINDS = ("extract.truncated", "tool.")

__all__ = ["BACKENDS", "DEFAULT_BACKENDS", "get_backend", "loss_signs", "recovered", "unpack_image"]


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
    """Unpack `image` with the first of `backends`; while the best result so far shows signs
    of loss (`loss_signs`: no file, a truncated file system, an extraction failure), try the
    next one and keep whichever recovered more (`recovered`). A clean first result is returned
    as it is. Every backend's result is cached on its own, so a repeat makes the same choice
    from the cache; the choice is an ``unpack.backend_choice`` problem of the result."""
    unpackers = [get_backend(name) for name in backends]
    if not unpackers:
        raise ConfigError("at least one unpack backend is needed")
    cache = UnpackCache(cache_dir)
    best = _unpack_or_fault(unpackers[0], image, limits, cache)
    notes: list[Problem] = []
    for unpacker in unpackers[1:]:
        signs = loss_signs(best)
        if not signs:
            break
        other = _unpack_or_fault(unpacker, image, limits, cache)
        kept, dropped = (other, best) if recovered(other) > recovered(best) else (best, other)
        notes.append(_choice(kept, dropped, best.backend, signs))
        notes.extend(_carried(dropped, kept))
        best = kept
    if notes:
        best = replace(best, problems=tuple(sorted({*best.problems, *notes})))
    return best


def loss_signs(outcome: UnpackOutcome) -> list[str]:
    """Why `outcome` may hold less than another backend would recover; [] for a clean one.

    Signs: no regular file; an error or warning of kind ``extract.truncated`` or ``tool.*``
    (an extractor failed, crashed or is missing). Not signs: a ``limit.*`` breach (the next
    backend would meet the same limit at the same cost), hostile entries (``safety.*``) and
    what an extractor defused and said so (``extract.defused``, duplicates).
    """
    signs = []
    if not outcome.files:
        signs.append("recovered no file")
    kinds = Counter(
        p.kind
        for p in outcome.problems
        if p.kind.startswith(LOSS_KINDS) and p.severity is not Severity.INFO
    )
    signs += [f"{kind} x{count}" if count > 1 else kind for kind, count in sorted(kinds.items())]
    return signs


def recovered(outcome: UnpackOutcome) -> tuple[int, int]:
    """How much `outcome` recovered: distinct file contents, then their bytes (a carved
    duplicate of the same file counts once)."""
    sizes = {n.sha256: n.size for n in outcome.files if n.sha256}
    return len(sizes), sum(sizes.values())


def _amount(outcome: UnpackOutcome) -> str:
    files, size = recovered(outcome)
    return f"{outcome.backend} {files} distinct file(s), {size:,} bytes"


def _choice(kept: UnpackOutcome, dropped: UnpackOutcome, first: str, signs: list[str]) -> Problem:
    tried = dropped.backend if kept.backend == first else kept.backend
    verdict = "recovered more" if kept.backend != first else "did not recover more"
    return Problem(
        STAGE,
        "unpack.backend_choice",
        Severity.INFO,
        "",
        f"{first} showed signs of loss ({'; '.join(signs)}), so {tried} was tried and "
        f"{verdict}: {_amount(kept)} against {_amount(dropped)}; kept {kept.backend}",
    )


def _carried(dropped: UnpackOutcome, kept: UnpackOutcome) -> list[Problem]:
    """Hostile entries only the dropped backend saw still belong to the image's findings;
    their path is the image's (the tree they were seen in is gone)."""
    have = {_finding(p) for p in kept.problems}
    return [
        replace(
            p,
            path="",
            detail=f"seen by {dropped.backend} in {p.path or 'the image'}, whose tree was not "
            f"kept: {p.detail}",
        )
        for p in dropped.problems
        if p.kind.startswith("safety.")
        and p.severity is not Severity.INFO
        and _finding(p) not in have
    ]


def _finding(problem: Problem) -> tuple[str, str]:
    """What a member finding says, whoever found it: the kind and the text after the
    archive's description (``tar at offset 0: member '../x' climbs out of the archive``)."""
    return problem.kind, problem.detail.split(": ", 1)[-1]


def _unpack_or_fault(
    unpacker: Unpacker, image: Image, limits: Limits, cache: UnpackCache
) -> UnpackOutcome:
    """`_unpack_with`; an OSError of our own storage (a full, read-only or failing cache
    disk, too little room for the tree, a worker answer left half-written) is a
    ``storage.error`` problem of an outcome with no tree (its root names no folder): the
    workspace is already removed, nothing is cached."""
    try:
        return _unpack_with(unpacker, image, limits, cache)
    except OSError as exc:
        detail = f"{reason(exc)}; no tree was kept"
        return UnpackOutcome(
            root=cache.root / "failed",
            backend=unpacker.name,
            tool_version=unpacker.tool_version(),
            nodes=(),
            problems=(Problem(STAGE, "storage.error", Severity.ERROR, "", detail),),
            seconds=0.0,
        )


def _unpack_with(
    unpacker: Unpacker, image: Image, limits: Limits, cache: UnpackCache
) -> UnpackOutcome:
    key = cache.key(image.sha256, unpacker.name, unpacker.tool_version(), limits)
    cached = cache.load(key)
    if cached is not None:
        return cached
    cache.check_room(image.size, limits)
    started = time.monotonic()
    workspace = Workspace(
        Path(tempfile.mkdtemp(prefix=work_prefix(), dir=cache.scratch_root())), image.size
    )
    try:
        run = unpacker.unpack(image.path, workspace, limits)
        for extraction in run.extractions:
            label = workspace.rel(extraction.container)
            run.problems.extend(
                audit_archive(extraction.container, extraction.offset, extraction.format, label)
            )
        run.problems.extend(_swept(run, workspace))
        run.problems.extend(_truncation(image.path, run.extractions, workspace))
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
        remove_tree(workspace.path)


def _swept(run: BackendRun, workspace: Workspace) -> list[Problem]:
    """Hostile members of the files the backend did not finish (a bomb stopped it, the depth
    limit left them); a member already reported (the same table read through another copy,
    a partial decompressed file) is not repeated."""
    seen = {_finding(p) for p in run.problems}
    problems = []
    for path in dict.fromkeys(run.unfinished):
        for problem in sweep(path, workspace.rel(path)):
            key = _finding(problem)
            if key not in seen:
                seen.add(key)
                problems.append(problem)
    return problems


def _truncation(image: Path, extractions: list[Extraction], workspace: Workspace) -> list[Problem]:
    """`extract.truncated` for the image, every container a backend opened, and every file of
    the tree that starts with a self-sized header (a partition no backend recognised)."""
    seen: set[tuple[object, ...]] = set()
    problems = truncated(image, "", seen)
    containers = {e.container for e in extractions if e.container != image}
    for path in entries_below(workspace.tree):
        if packed_file(path) in SELF_SIZED:
            containers.add(path)
    for container in sorted(containers):
        if container.is_file() and not container.is_symlink():
            problems += truncated(container, workspace.rel(container), seen)
    return problems


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
    for dirpath, dirnames, filenames in walk(tree):
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
