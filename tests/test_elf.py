"""ELF facts through LIEF on real binaries, and junk that only looks like ELF."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from fwaudit.api import open_image
from fwaudit.elf import elf_facts
from fwaudit.unpack import unpack_image


def test_sample_busybox_facts(sample: Path, session_cache: Path) -> None:
    outcome = unpack_image(open_image(sample), cache_dir=session_cache)
    busybox = next(n for n in outcome.nodes if n.path.endswith("bin/busybox"))
    facts = elf_facts(outcome.root / busybox.path)
    assert facts is not None
    assert (facts.arch, facts.endianness, facts.bits) == ("arm", "little", 32)
    assert facts.interpreter == "/lib/ld-linux-armhf.so.3"
    assert "libc.so.6" in facts.needed
    assert facts.data_ranges and all(a < b for a, b in facts.data_ranges)
    libcurl = next(n for n in outcome.nodes if "libcurl.so.4." in n.path)
    assert elf_facts(outcome.root / libcurl.path).soname == "libcurl.so.4"


def test_junk_with_elf_magic_is_none(tmp_path: Path) -> None:
    junk = tmp_path / "junk"
    junk.write_bytes(b"\x7fELF" + bytes(range(256)) * 4)
    assert elf_facts(junk) is None


def test_names_that_are_not_utf8_stay_text(tmp_path: Path) -> None:
    """A damaged dynamic string table (found by fuzzing): LIEF gives such a name as bytes,
    the facts keep text (the result must serialize)."""
    program = bytearray(Path(sys.executable).resolve().read_bytes())
    at = program.find(b"libc.so.6\0")
    if at < 0:
        pytest.skip("this Python is not linked against libc.so.6")
    program[at + 1] = 0xFF
    damaged = tmp_path / "damaged"
    damaged.write_bytes(program)
    facts = elf_facts(damaged)
    assert facts is not None and "l\\xffbc.so.6" in facts.needed
    assert all(isinstance(name, str) for name in facts.needed)
