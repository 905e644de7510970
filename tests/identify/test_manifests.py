"""Package databases, release files and file names as evidence."""

from __future__ import annotations

from pathlib import Path

from fwaudit.identify.manifests import find_manifests
from fwaudit.model import FileEntry, Technique

OPKG = """Package: busybox
Version: 1.30.1-5
Status: install user installed

Package: libc
Version: 1.1.24-2
Status: install hold installed

Package: kernel
Version: 4.14.162-1-9b3f4da08295392b7d7eca715b1ee0b8
Status: install user installed

Package: removed-thing
Version: 1.0-1
Status: deinstall ok not-installed
"""


def tree(tmp_path: Path, files: dict[str, str]) -> list[FileEntry]:
    entries = []
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        entries.append(FileEntry(name, len(text), "x", "text"))
    return entries


def test_opkg_status_with_libc_resolved_from_the_loader(tmp_path: Path) -> None:
    files = tree(
        tmp_path,
        {
            "usr/lib/opkg/status": OPKG,
            "etc/openwrt_release": "DISTRIB_ID='OpenWrt'\nDISTRIB_RELEASE='19.07.0'\n",
        },
    )
    found = find_manifests(files, ["lib/ld-musl-arm.so.1"], lambda e: tmp_path / e.path)
    versions = {(f.name, f.version) for f in found}
    assert versions == {
        ("busybox", "1.30.1"),
        ("musl", "1.1.24"),
        ("linux", "4.14.162"),
        ("openwrt", "19.07.0"),
    }
    status = next(f for f in found if f.name == "busybox").evidence
    assert status.path == "usr/lib/opkg/status" and status.technique is Technique.MANIFEST
    assert "Version: 1.30.1-5" in status.matched


def test_dpkg_status_maps_debian_package_names(tmp_path: Path) -> None:
    text = (
        "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u14\n\n"
        "Package: dropbear-bin\nStatus: install ok installed\nVersion: 2022.83-1+deb12u3\n"
    )
    files = tree(tmp_path, {"var/lib/dpkg/status": text})
    found = find_manifests(files, [], lambda e: tmp_path / e.path)
    assert {(f.name, f.version, f.package_type) for f in found} == {
        ("glibc", "2.36", "deb"),
        ("dropbear", "2022.83", "deb"),
    }


def test_versions_in_file_names(tmp_path: Path) -> None:
    files = tree(
        tmp_path,
        {
            "lib/libuClibc-0.9.30.so": "x",
            "lib/libc-2.36.so": "x",
            "lib/modules/2.6.31/ag7240_mod.ko": "x",
            "lib/libpthread-0.9.30.so": "x",
        },
    )
    found = find_manifests(files, [], lambda e: tmp_path / e.path)
    assert {(f.name, f.version) for f in found} == {
        ("uclibc", "0.9.30"),
        ("glibc", "2.36"),
        ("linux", "2.6.31"),
    }
    assert all(f.evidence.technique is Technique.FILENAME for f in found)
