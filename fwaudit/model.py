"""The audit's vocabulary: frozen value types that every stage reads and returns.

Stages talk only in these types. Collections are tuples sorted by a total key, so one image
always gives byte-identical output whatever order the tools discovered things in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    """How much a problem matters to the person reading the result."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, order=True)
class Problem:
    """Something the image did to the audit: a limit hit, a hostile entry, a tool failure.

    Problems are data, not exceptions: the audit records them and goes on with what it has.
    `kind` is a dotted name such as ``safety.link_escape`` or ``limit.ratio``.
    """

    stage: str
    kind: str
    severity: Severity
    path: str
    detail: str

    def __post_init__(self) -> None:
        if not self.stage or not self.kind:
            raise ValueError("a problem needs a stage and a kind")


@dataclass(frozen=True)
class Image:
    """The firmware file being audited."""

    path: Path
    sha256: str
    size: int

    @property
    def name(self) -> str:
        return self.path.name

    @classmethod
    def from_path(cls, path: Path) -> Image:
        """Hash a file in one streaming read."""
        digest = hashlib.sha256()
        size = 0
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
        return cls(path=path, sha256=digest.hexdigest(), size=size)


class NodeKind(StrEnum):
    FILE = "file"
    DIRECTORY = "directory"
    SYMLINK = "symlink"


@dataclass(frozen=True, order=True)
class ExtractedNode:
    """One entry of the unpacked tree and where it came from.

    `path` is relative to the tree root (POSIX form). `parent` is the container file it was
    extracted from ("" for the image itself), `offset` the start of the chunk inside that
    parent, `format` and `extractor` what recognised and unpacked the chunk.
    """

    path: str
    kind: NodeKind
    size: int
    depth: int
    parent: str
    offset: int | None = None
    format: str | None = None
    extractor: str | None = None
    sha256: str | None = None
    is_elf: bool = False
    link_target: str | None = None

    def __post_init__(self) -> None:
        if self.offset is not None and self.offset < 0:
            raise ValueError(f"negative offset for {self.path}")
        if self.size < 0:
            raise ValueError(f"negative size for {self.path}")


@dataclass(frozen=True, order=True)
class Chunk:
    """A format a backend recognised inside a container, extracted or not.

    `container` is relative to the tree ("" for the image), `detail` what fwaudit read of it
    (for SquashFS: version, byte order, magic, compressor and the LZMA variant decoded).
    """

    container: str
    offset: int
    format: str
    extractor: str
    extracted: bool
    detail: str = ""


@dataclass(frozen=True)
class UnpackOutcome:
    """What the unpack stage produced: a sanitized tree on disk and its description."""

    root: Path
    backend: str
    tool_version: str
    nodes: tuple[ExtractedNode, ...]
    problems: tuple[Problem, ...]
    seconds: float
    chunks: tuple[Chunk, ...] = ()
    from_cache: bool = False

    @property
    def files(self) -> tuple[ExtractedNode, ...]:
        return tuple(n for n in self.nodes if n.kind is NodeKind.FILE)

    @property
    def elf_files(self) -> tuple[ExtractedNode, ...]:
        return tuple(n for n in self.nodes if n.is_elf)


@dataclass(frozen=True)
class AuditResult:
    """Everything one audit found about one image. Outputs are projections of this."""

    image: Image
    unpack: UnpackOutcome
    fwaudit_version: str
    problems: tuple[Problem, ...] = field(default=())

    @property
    def all_problems(self) -> tuple[Problem, ...]:
        return tuple(sorted(set(self.unpack.problems) | set(self.problems)))
