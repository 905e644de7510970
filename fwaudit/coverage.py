"""What share of the image was examined, what was not, and why: an audit's `Coverage`.

An image byte counts as examined when it lies

- in a chunk a backend recognised and extracted, weighted by how much of the chunk's
  content was examined in turn: extracted ELF and text files, and other files except their
  encrypted or compressed blocks (media formats such as PNG and JPEG excepted: compressed
  by design), and inside an extracted file the bytes between its own chunks unless they are
  encrypted or compressed (a decompressed kernel is code and strings, read as such);
- in padding (runs of 0x00 or 0xFF);
- in an image that is itself an ELF file LIEF parses or a text file, except its encrypted
  or compressed stretches (every stage reads such a file whole).

Everything else is unexplained and listed as a `Region` with its Shannon entropy:
"encrypted or compressed" at or above `Rules.opaque_entropy`, else "unknown data" (read as
raw bytes by the scanners, but no format explains it). Archives left unextracted (past the
depth limit, an extractor that gave up) and files a stage did not read are unexamined
content.

Whether that lets a policy pass is decided here too, from `signatures/coverage.yaml`:
`Coverage.reasons` lists why not (empty when it does).

Only unexplained byte ranges and extracted files of no known type are read (memory-mapped,
for padding and entropy), and the first bytes of other extracted files (their magic).
"""

from __future__ import annotations

import mmap
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from ._data import load_yaml, signatures_dir
from .inventory import Inventory
from .model import (
    Chunk,
    Component,
    Coverage,
    ExtractedNode,
    FileEntry,
    Image,
    Problem,
    Region,
    UnpackOutcome,
)

BLOCK = 64 << 10  # entropy per block, so a compressed tail after code shows apart
MAX_REGIONS = 64  # the largest unexplained regions are listed; the totals count them all
# unblob carves the bytes between the chunks it knows as START-END.unknown: part of a gap
CARVED = re.compile(r"\d+-\d+\.unknown")
# problems that say what was not examined: limits hit, extractor failures, truncation,
# encrypted chunks, files a stage skipped or could not parse
COVERAGE_KINDS = ("limit.", "tool.", "extract.truncated", "format.", "scan.", "elf.")


@dataclass(frozen=True)
class Magic:
    """A format known by bytes at an offset (`signatures/coverage.yaml`)."""

    name: str
    magic: bytes
    at: int = 0

    def matches(self, head: bytes) -> bool:
        return head[self.at : self.at + len(self.magic)] == self.magic


@dataclass(frozen=True)
class Rules:
    """When an examination lets a policy pass, and the formats coverage knows
    (`signatures/coverage.yaml`; README "What was examined")."""

    min_examined_share: float = 0.75
    opaque_entropy: float = 7.2
    padding_min_run: int = 64
    inconclusive_problems: tuple[str, ...] = ("limit.*", "tool.crashed", "extract.truncated")
    require_recognised: bool = True
    archives: tuple[Magic, ...] = ()
    media: tuple[Magic, ...] = ()

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_examined_share <= 1.0:
            raise ValueError("min_examined_share must be within 0..1")
        if not 0.0 < self.opaque_entropy <= 8.0 or self.padding_min_run < 1:
            raise ValueError("opaque_entropy must be within 0..8, padding_min_run positive")

    def opaque(self, entropy: float) -> bool:
        return entropy >= self.opaque_entropy

    def label(self, entropy: float) -> str:
        if self.opaque(entropy):
            return f"encrypted or compressed (entropy {entropy:.2f})"
        return f"unknown data (entropy {entropy:.2f})"


@cache
def rules(path: Path | None = None) -> Rules:
    """The rules of `signatures/coverage.yaml` (or of another file of that form)."""
    raw: dict[str, Any] = load_yaml((path or signatures_dir() / "coverage.yaml").read_text())
    if unknown := set(raw) - set(Rules.__dataclass_fields__):
        raise ValueError(f"coverage rules: unknown settings {sorted(unknown)}")
    for key in ("archives", "media"):
        raw[key] = tuple(Magic(**_hex(item, "magic")) for item in raw.get(key, ()))
    raw["inconclusive_problems"] = tuple(raw.get("inconclusive_problems", ()))
    return Rules(**raw)


def _hex(item: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: bytes.fromhex(str(v)) if k in keys else v for k, v in item.items()}


def measure(
    image: Image,
    unpack: UnpackOutcome,
    inventory: Inventory,
    components: tuple[Component, ...] = (),
    problems: Iterable[Problem] = (),
    *,
    settings: Rules | None = None,
) -> Coverage:
    """The coverage of one audit. `problems` are the analysis stages' problems: those that
    say a stage skipped a file make that file unexamined."""
    settings = settings or rules()
    problems = tuple(sorted(set(problems) | set(unpack.problems)))
    skipped = {p.path for p in problems if skips(p)}
    walk = _Walk(unpack, inventory, settings, skipped)
    entry = next((f for f in inventory.files if f.path == ""), None)
    # read whole by every stage: an ELF LIEF parses, or a text file that holds no format
    # (text is judged by its first 4 KiB, so a text header before a payload does not count)
    whole = entry is not None and "" not in skipped
    whole = whole and (entry.kind == "elf" or (entry.kind == "text" and not walk.chunks.get("")))
    if image.size == 0:
        basis = "empty"
    elif whole:
        basis = f"whole {'ELF' if entry.kind == 'elf' else entry.kind} file"  # type: ignore[union-attr]
    else:
        basis = "extracted" if walk.chunks.get("") else "raw bytes"
    examined = walk.container("", image.path, image.size, readable=whole)
    regions = tuple(sorted(walk.regions))
    coverage = Coverage(
        image_size=image.size,
        examined_bytes=max(0, min(image.size, round(examined))),
        padding_bytes=walk.padding[""],
        opaque_bytes=sum(r.size for r in regions if r.container == "" and r.opaque),
        basis=basis,
        files=sum(1 for f in inventory.files if f.path not in skipped),
        skipped_files=len(skipped),
        recognised=recognised(unpack, inventory, components),
        unexplained=_largest(regions),
        problems=tuple(p for p in problems if bears_on_coverage(p)),
    )
    return judged(coverage, settings)


def recognised(
    unpack: UnpackOutcome, inventory: Inventory, components: tuple[Component, ...]
) -> bool:
    """Something firmware-like: a format extracted, an ELF file, or a component seen in
    binary data (a bare RTOS or ESP32 application). Names in a text file do not count."""
    if any(c.extracted for c in unpack.chunks) or any(f.kind == "elf" for f in inventory.files):
        return True
    binary = {f.path for f in inventory.files if f.kind != "text"}
    return any(e.path in binary for c in components for e in c.evidence)


def skips(problem: Problem) -> bool:
    """A problem saying an analysis stage did not read a file (size cap, timeout, error)."""
    return problem.kind.startswith("scan.")


def bears_on_coverage(problem: Problem) -> bool:
    """Limits hit, extraction failures, truncation, files skipped or unreadable."""
    return problem.kind.startswith(COVERAGE_KINDS)


def judged(coverage: Coverage, settings: Rules) -> Coverage:
    """`coverage` with the reasons it does not let a policy pass (none when it does)."""
    reasons = []
    size = coverage.image_size
    if size == 0:
        reasons.append("the image is empty (0 bytes)")
    elif coverage.share < settings.min_examined_share:
        reason = (
            f"only {coverage.share:.1%} of the image was examined "
            f"(at least {settings.min_examined_share:.0%} needed)"
        )
        if coverage.opaque_bytes:
            reason += f"; {coverage.opaque_bytes / size:.1%} is encrypted or compressed"
        reasons.append(reason)
    cut = {}  # the first problem of each kind that makes the image inconclusive
    for problem in sorted(coverage.problems, key=lambda p: (p.kind, p.path)):
        if any(fnmatchcase(problem.kind, pattern) for pattern in settings.inconclusive_problems):
            cut.setdefault(problem.kind, problem)
    for kind, problem in sorted(cut.items()):  # the path is in the verdict's evidence
        detail = problem.detail
        if len(detail) > 240:  # at a word's end
            detail = detail[:240].rsplit(" ", 1)[0].rstrip(",;:") + " …"
        reasons.append(f"{kind}: {detail}")
    if size and settings.require_recognised and not coverage.recognised:
        reasons.append(
            "nothing firmware-like was recognised (no format extracted, no executable, "
            "no component in binary data)"
        )
    return replace(coverage, reasons=tuple(reasons))


def _largest(regions: tuple[Region, ...]) -> tuple[Region, ...]:
    kept = sorted(regions, key=lambda r: (-r.size, r.container, r.offset))[:MAX_REGIONS]
    return tuple(sorted(kept))


class _Walk:
    """The chunk tree of one unpack, walked from the image down."""

    def __init__(
        self, unpack: UnpackOutcome, inventory: Inventory, settings: Rules, skipped: set[str]
    ) -> None:
        self.root = unpack.root
        self.settings = settings
        self.skipped = skipped
        self.entries: dict[str, FileEntry] = {f.path: f for f in inventory.files}
        self.chunks: dict[str, list[Chunk]] = defaultdict(list)
        for chunk in unpack.chunks:
            if chunk.extracted:
                self.chunks[chunk.container].append(chunk)
        self.outputs: dict[tuple[str, int | None, str | None], list[ExtractedNode]] = defaultdict(
            list
        )
        for node in unpack.files:
            if not _carved(node.path):
                self.outputs[(node.parent, node.offset, node.format)].append(node)
        self.regions: list[Region] = []
        self.padding: dict[str, int] = defaultdict(int)
        self._seen: set[str] = set()

    def container(self, name: str, path: Path, size: int, *, readable: bool) -> float:
        """Bytes of a container examined, recursively; its unexplained regions recorded.
        Between chunks, padding counts, and so does low-entropy data when `readable`."""
        if name in self._seen:  # a file met twice (a loop): count it once
            return 0.0
        self._seen.add(name)
        examined, end = 0.0, 0
        for start, stop, chunk in _spans(self.chunks.get(name, ()), size):
            if start > end:
                examined += self._gap(name, path, end, start, readable)
            examined += (stop - start) * self._share(chunk)
            end = max(end, stop)
        if end < size:
            examined += self._gap(name, path, end, size, readable)
        return examined

    def _share(self, chunk: Chunk) -> float:
        """Share of an extracted chunk's content that was examined (1.0 when it gave only
        folders or empty files: there was nothing more to see)."""
        nodes = self.outputs.get((chunk.container, chunk.offset, chunk.format), [])
        total = sum(n.size for n in nodes)
        if total == 0:
            return 1.0
        return min(1.0, sum(self._file(n) for n in nodes) / total)

    def _file(self, node: ExtractedNode) -> float:
        """Bytes of an extracted file examined."""
        path = self.root / node.path
        if node.path in self.skipped:
            self._region(node.path, 0, node.size, 0.0, "not read: a stage skipped this file")
            return 0.0
        if self.chunks.get(node.path):
            return self.container(node.path, path, node.size, readable=True)
        entry = self.entries.get(node.path)
        if entry is not None and entry.kind in ("elf", "text"):
            return float(node.size)
        head = _head(path)
        if archive := next((m.name for m in self.settings.archives if m.matches(head)), None):
            self._region(node.path, 0, node.size, 8.0, f"{archive} not extracted")
            return 0.0
        if any(m.matches(head) for m in self.settings.media):
            return float(node.size)
        return self._gap(node.path, path, 0, node.size, readable=True)

    def _gap(self, name: str, path: Path, start: int, stop: int, readable: bool) -> float:
        """Bytes of [start, stop) examined: padding, and low-entropy data when `readable`;
        what is not examined is recorded as regions."""
        try:
            with path.open("rb") as handle, _mapped(handle) as data:
                pieces = list(_pieces(data, start, stop, self.settings))
        except (OSError, ValueError):
            self._region(name, start, stop - start, 0.0, "unreadable")
            return 0.0
        examined = 0
        for a, b, entropy in pieces:
            if entropy is None:
                examined += b - a
                self.padding[name] += b - a
            elif readable and not self.settings.opaque(entropy):
                examined += b - a
            else:
                self._region(name, a, b - a, round(entropy, 2), self.settings.label(entropy))
        return float(examined)

    def _region(self, name: str, offset: int, size: int, entropy: float, label: str) -> None:
        if size > 0:
            self.regions.append(Region(name, offset, size, entropy, label))


def _spans(chunks: Iterable[Chunk], size: int) -> Iterator[tuple[int, int, Chunk]]:
    """Chunks as [start, stop) inside their container, overlaps clipped, in order; a chunk
    of unknown size reaches the next chunk or the end."""
    ordered = sorted(chunks, key=lambda c: (c.offset, -c.size))
    end = 0
    for index, chunk in enumerate(ordered):
        start = max(chunk.offset, end)
        if chunk.size > 0:
            stop = chunk.offset + chunk.size
        else:
            stop = min((c.offset for c in ordered[index + 1 :] if c.offset > start), default=size)
        stop = min(stop, size)
        if stop > start:
            yield start, stop, chunk
            end = stop


def _pieces(
    data: bytes | mmap.mmap, start: int, stop: int, settings: Rules
) -> Iterator[tuple[int, int, float | None]]:
    """[start, stop) as pieces (a, b, entropy): padding with entropy None, the data between
    padding runs in blocks merged while on the same side of the opaque threshold."""
    import numpy as np

    position = start
    for a, b in [*_fill_runs(np, data, start, stop, settings.padding_min_run), (stop, stop)]:
        if a > position:
            yield from _entropy_pieces(np, data, position, a, settings)
        if b > a:
            yield a, b, None
        position = b


def _fill_runs(np: Any, data: Any, start: int, stop: int, min_run: int) -> list[tuple[int, int]]:
    """Runs of 0x00 or of 0xFF in [start, stop) at least `min_run` long (any length when
    the run fills the whole range), in order."""
    step = 16 << 20
    runs: list[tuple[int, int, int]] = []
    for base in range(start, stop, step):
        values = np.frombuffer(data, np.uint8, count=min(step, stop - base), offset=base)
        for value in (0x00, 0xFF):
            fill = np.concatenate(([False], values == value, [False]))
            edges = np.flatnonzero(fill[1:] != fill[:-1])
            starts, ends = edges[::2], edges[1::2]
            # long runs, and runs at the slice's edges (they may continue in the next slice)
            keep = (ends - starts >= min_run) | (starts == 0) | (ends == len(values))
            runs += [
                (base + int(a), base + int(b), value)
                for a, b in zip(starts[keep], ends[keep], strict=True)
            ]
    runs.sort()
    merged: list[tuple[int, int, int]] = []
    for run in runs:  # runs cut by a slice boundary join again
        if merged and merged[-1][1] == run[0] and merged[-1][2] == run[2]:
            merged[-1] = (merged[-1][0], run[1], run[2])
        else:
            merged.append(run)
    return [(a, b) for a, b, _ in merged if b - a >= min_run or (a, b) == (start, stop)]


def _entropy_pieces(
    np: Any, data: Any, start: int, stop: int, settings: Rules
) -> Iterator[tuple[int, int, float]]:
    """Blocks of [start, stop) merged while on the same side of the opaque threshold."""
    piece: tuple[int, bool] | None = None  # (start, opaque) of the piece being grown
    histogram = np.zeros(256, dtype=np.int64)
    for a in range(start, stop, BLOCK):
        b = min(stop, a + BLOCK)
        counts = np.bincount(np.frombuffer(data, np.uint8, count=b - a, offset=a), minlength=256)
        opaque = settings.opaque(entropy(np, counts))
        if piece is not None and piece[1] != opaque:
            yield piece[0], a, entropy(np, histogram)
            piece, histogram = None, np.zeros(256, dtype=np.int64)
        if piece is None:
            piece = (a, opaque)
        histogram += counts
    if piece is not None:
        yield piece[0], stop, entropy(np, histogram)


def entropy(np: Any, counts: Any) -> float:
    """Shannon entropy of a byte histogram, in bits per byte."""
    total = int(counts.sum())
    if total == 0:
        return 0.0
    p = counts[counts > 0] / total
    return abs(float(-(p * np.log2(p)).sum()))


@contextmanager
def _mapped(handle: BinaryIO) -> Iterator[bytes | mmap.mmap]:
    """A read-only map of an open file (an empty file maps to b"")."""
    try:
        data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except ValueError:  # an empty file
        yield b""
        return
    with data:
        yield data


def _carved(path: str) -> bool:
    name = PurePosixPath(path)
    return bool(CARVED.fullmatch(name.name)) and name.parent.name.endswith("_extract")


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(512)
    except OSError:
        return b""


__all__ = ["Rules", "measure", "recognised", "rules"]
