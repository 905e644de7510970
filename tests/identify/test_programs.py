"""The firmware's own programs become components, and endpoints are pinned on them."""

from __future__ import annotations

from pathlib import Path

from fwaudit.api import Auditor
from fwaudit.identify.programs import own_programs
from fwaudit.model import Component, ElfFacts, Evidence, FileEntry, Technique


def _elf(kind: str = "executable", soname: str | None = None) -> ElfFacts:
    return ElfFacts("mips", "big", 32, kind, soname, (), "/lib/ld.so", True, None)


def _component(name: str, path: str) -> Component:
    evidence = (Evidence(path, 0, f"yara:{name}", name, Technique.BINARY, 0.9),)
    return Component(name, "1.0", name, "generic", "", "", evidence)


def test_unidentified_executables_become_programs_and_identified_ones_do_not() -> None:
    files = (
        FileEntry("usr/bin/httpd", 10, "a" * 64, "elf", _elf()),
        FileEntry("usr/sbin/httpd", 10, "a" * 64, "elf", _elf()),  # the same program twice
        FileEntry("bin/busybox", 10, "b" * 64, "elf", _elf()),
        FileEntry("usr/bin/dropbearkey", 10, "c" * 64, "elf", _elf()),
        FileEntry("lib/libfoo.so", 10, "d" * 64, "elf", _elf("shared-library", "libfoo.so")),
        FileEntry("etc/config", 10, "e" * 64, "text"),
    )
    components = (_component("busybox", "bin/busybox"), _component("dropbear", "usr/sbin/x"))
    programs = own_programs(files, components)
    assert [(p.name, p.type, p.sha256) for p in programs] == [("httpd", "application", "a" * 64)]
    assert programs[0].files == ("usr/bin/httpd", "usr/sbin/httpd")
    assert all(e.path and e.offset == 0 and e.method == "elf-program" for e in programs[0].evidence)


def test_two_different_programs_of_one_name_are_told_apart() -> None:
    files = (
        FileEntry("a_extract/usr/bin/app", 10, "a" * 64, "elf", _elf()),
        FileEntry("b_extract/usr/bin/app", 10, "b" * 64, "elf", _elf()),
    )
    names = sorted(p.name for p in own_programs(files, ()))
    assert names == ["a_extract/usr/bin/app", "b_extract/usr/bin/app"]


def test_wr841n_ntp_and_ddns_tables_belong_to_its_httpd(corpus: Path, session_cache: Path) -> None:
    data = Auditor(cache_dir=session_cache).audit_data(
        corpus / "tplink_wr841nv10_en_3_16_9_up_boot_150310.bin"
    )
    httpd = next(c for c in data.components if c.name == "httpd")
    assert httpd.type == "application" and httpd.sha256
    supplier = data.assessment.supplier(httpd)
    assert supplier is not None and supplier.name == data.assessment.attribution.maker.name
    ddns = next(e for e in data.outbound if e.host == "phservice2.oray.net")
    assert ddns.components == ("httpd",) and ddns.use == "selectable"
