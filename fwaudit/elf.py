"""ELF facts through LIEF: the only module that imports LIEF.

One parse per file; anything LIEF cannot read becomes `None` (the caller records a problem),
never an exception.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import lief

from .model import ElfFacts

lief.logging.disable()

MACHINES = {
    "ARM": "arm",
    "AARCH64": "arm64",
    "MIPS": "mips",
    "MIPS_RS3_LE": "mips",
    "I386": "x86",
    "X86_64": "x86_64",
    "PPC": "powerpc",
    "PPC64": "powerpc64",
    "SH": "superh",
    "SPARC": "sparc",
    "RISCV": "riscv",
    "XTENSA": "xtensa",
    "ARC": "arc",
}


def elf_facts(path: Path) -> ElfFacts | None:
    """Parse `path` with LIEF; None when it is not a readable ELF (or its header is junk)."""
    with path.open("rb") as handle:
        ident = handle.read(7)
    valid = len(ident) == 7 and ident[:4] == b"\x7fELF" and ident[6] == 1
    if not valid or ident[4] not in (1, 2) or ident[5] not in (1, 2):
        return None  # ELF magic but not a valid identification block: carved junk
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # LIEF warns on enum values outside the ELF spec
        try:
            binary = lief.ELF.parse(str(path))
            return None if binary is None else _facts(binary)
        except Exception:
            return None


def _facts(binary: lief.ELF.Binary) -> ElfFacts:
    header = binary.header
    machine = str(header.machine_type).rsplit(".", 1)[-1]
    soname = None
    for entry in binary.dynamic_entries:
        if entry.tag == lief.ELF.DynamicEntry.TAG.SONAME:
            soname = _text(entry.name)
    build_id = None
    for note in binary.notes:
        if note.type == lief.ELF.Note.TYPE.GNU_BUILD_ID:
            build_id = bytes(note.description).hex()
    elf_type = str(header.file_type).rsplit(".", 1)[-1]
    return ElfFacts(
        arch=MACHINES.get(machine, machine.lower()),
        endianness="little" if str(header.identity_data).endswith("LSB") else "big",
        bits=64 if str(header.identity_class).endswith("64") else 32,
        kind={
            "EXEC": "executable",
            "DYN": "shared-library",
            "REL": "relocatable",
            "CORE": "core",
        }.get(elf_type, elf_type.lower()),
        soname=soname,
        needed=tuple(_text(name) for name in binary.libraries),
        interpreter=binary.interpreter if binary.has_interpreter else None,
        stripped=binary.get_section(".symtab") is None,
        build_id=build_id,
        data_ranges=_data_ranges(binary),
    )


def _text(name: str | bytes) -> str:
    """A name from the dynamic string table: LIEF gives bytes when it is not UTF-8."""
    return name.decode("utf-8", "backslashreplace") if isinstance(name, bytes) else name


def _data_ranges(binary: lief.ELF.Binary) -> tuple[tuple[int, int], ...]:
    """File spans of the sections that hold data (strings live there), code excluded."""
    spans = sorted(
        (section.offset, section.offset + section.size)
        for section in binary.sections
        if section.type == lief.ELF.Section.TYPE.PROGBITS
        and section.size > 0
        and not section.has(lief.ELF.Section.FLAGS.EXECINSTR)
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)
