"""Stage 2: every regular file of the image, typed and with ELF facts, read once.

The image itself is an entry too (path ""), so a bare binary or an RTOS blob that no
extractor opens is still identified.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .elf import elf_facts
from .memo import ContentMemo
from .model import ElfFacts, FileEntry, Image, NodeKind, Problem, Severity, UnpackOutcome

TEXT_SAMPLE = 4096
#: LIEF reads an ELF whole (1.5 GB for a 757 MB file a hostile inode made): larger ones are
#: not parsed, and say so, like the YARA and endpoint scan caps
MAX_ELF_BYTES = 256 << 20
TEXT_BYTES = bytes([9, 10, 13, *range(32, 127)])


@dataclass(frozen=True)
class Inventory:
    """The files to analyse and where each one is on disk."""

    files: tuple[FileEntry, ...]
    root: Path
    image: Path
    links: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()

    def locate(self, entry: FileEntry) -> Path:
        return self.image if entry.path == "" else self.root / entry.path


def _kind(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(TEXT_SAMPLE)
    if not head or b"\x00" in head:
        return "data"
    unprintable = len(head.translate(None, TEXT_BYTES))
    return "text" if unprintable < 0.1 * len(head) else "data"


_ELF_FACTS: ContentMemo[ElfFacts | None] = ContentMemo()  # by sha256: see `fwaudit.memo`


def _elf_facts(path: Path, sha256: str | None) -> ElfFacts | None:
    if not sha256:
        return elf_facts(path)
    return _ELF_FACTS.get(sha256, lambda: elf_facts(path))


def take_inventory(image: Image, unpack: UnpackOutcome) -> Inventory:
    """FileEntries for the image and every extracted regular file, sorted by path."""
    unpacked: dict[str, list[tuple[int, int]]] = {}
    for chunk in unpack.chunks:
        if chunk.extracted and chunk.size > 0:
            unpacked.setdefault(chunk.container, []).append(
                (chunk.offset, chunk.offset + chunk.size)
            )
    problems = []
    image_elf = None
    if image.size <= MAX_ELF_BYTES:
        image_elf = elf_facts(image.path)  # a bare program or library given as the image
    entries = [
        FileEntry(
            "",
            image.size,
            image.sha256,
            "elf" if image_elf else _kind(image.path),
            image_elf,
            tuple(unpacked.get("", ())),
        )
    ]
    for node in unpack.files:
        path = unpack.root / node.path
        too_big = node.is_elf and node.size > MAX_ELF_BYTES
        facts = _elf_facts(path, node.sha256) if node.is_elf and not too_big else None
        if too_big:
            problems.append(
                Problem(
                    "inventory",
                    "scan.skipped",
                    Severity.WARNING,
                    node.path,
                    f"{node.size:,} bytes, over the ELF parsing cap of {MAX_ELF_BYTES:,}",
                )
            )
        elif node.is_elf and facts is None:
            problems.append(
                Problem(
                    "inventory",
                    "elf.unreadable",
                    Severity.INFO,
                    node.path,
                    "ELF magic but LIEF cannot parse it",
                )
            )
        kind = "elf" if node.is_elf else _kind(path)
        entries.append(
            FileEntry(
                node.path,
                node.size,
                node.sha256 or "",
                kind,
                facts,
                tuple(unpacked.get(node.path, ())),
            )
        )
    links = tuple(n.path for n in unpack.nodes if n.kind is NodeKind.SYMLINK)
    return Inventory(tuple(sorted(entries)), unpack.root, image.path, links, tuple(problems))
