"""The firmware's own programs: ELF executables that no rule or manifest identifies as a
known component become components of their own (type application), so that what such a
program holds (its endpoints, the libraries linked into it) is pinned on the program and not
on an unrelated library that shares its file. Their supplier is the firmware's maker, decided
later by the jurisdiction stage.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from ..model import Component, Evidence, FileEntry, Technique

APPLICATION = "application"
CONFIDENCE = 0.6
NON_NAME = re.compile(r"[^a-z0-9]")


def is_program(entry: FileEntry) -> bool:
    """An ELF executable (a PIE one has an interpreter and no SONAME)."""
    elf = entry.elf
    if elf is None:
        return False
    return elf.kind == "executable" or (elf.interpreter is not None and elf.soname is None)


def owner(entry: FileEntry, components: tuple[Component, ...]) -> Component | None:
    """The identified component that this file is (busybox for bin/busybox, dropbear for
    dropbearmulti), not one merely linked into it."""
    name = NON_NAME.sub("", PurePosixPath(entry.path).name.lower())
    for component in components:
        plain = NON_NAME.sub("", component.name.lower())
        if not plain:
            continue
        if entry.path in component.files and (plain in name or name in plain):
            return component
        if len(plain) >= 5 and plain in name:  # dropbearkey, busybox.nosuid
            return component
    return None


def own_programs(
    files: tuple[FileEntry, ...], components: tuple[Component, ...]
) -> tuple[Component, ...]:
    """A component for each distinct program that no identified component owns."""
    evidenced = {path for c in components for path in c.files}
    by_content: dict[str, list[FileEntry]] = {}
    for entry in files:
        if not entry.path or not is_program(entry) or owner(entry, components):
            continue
        if entry.elf.interpreter is None and entry.path in evidenced:
            continue  # a static binary an identified component is in: a kernel, a static busybox
        by_content.setdefault(entry.sha256, []).append(entry)
    names: dict[str, set[str]] = {}
    for copies in by_content.values():
        names.setdefault(PurePosixPath(copies[0].path).name, set()).add(copies[0].sha256)
    programs = []
    for sha256, copies in by_content.items():
        first = copies[0]
        name = PurePosixPath(first.path).name
        if len(names[name]) > 1:  # two different programs of one name: tell them apart
            name = first.path
        evidence = tuple(
            Evidence(
                entry.path,
                0,
                "elf-program",
                f"ELF {entry.elf.kind} ({entry.elf.arch}), not identified as a known component",
                Technique.BINARY,
                CONFIDENCE,
            )
            for entry in copies
        )
        programs.append(
            Component(
                name=name,
                version=None,
                vendor="",
                purl_type="generic",
                cpe="",
                website="",
                evidence=evidence,
                description="program of the firmware not identified as a known component",
                type=APPLICATION,
                sha256=sha256,
            )
        )
    return tuple(programs)
