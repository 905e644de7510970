"""Components declared by the firmware itself: package databases, release files, file names.

Each parser reads one kind of file and returns `Finding`s with the file as evidence
(technique: manifest-analysis or filename). Package names are mapped to component names by
`signatures/manifests/packages.yaml`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .._data import load_yaml, signatures_dir
from ..model import Evidence, FileEntry, Technique
from .versions import clean_version, upstream_version

MANIFEST_CONFIDENCE = 0.95
FILENAME_CONFIDENCE = 0.7
LIBRARY_NAMES = (
    (re.compile(r"^(?:ld-|lib)uClibc-(\d+\.\d+(?:\.\d+)*)\.so$"), "uclibc"),
    (re.compile(r"^libc-(2\.\d+(?:\.\d+)?)\.so$"), "glibc"),  # glibc releases are 2.x
    (re.compile(r"^libz\.so\.(\d+\.\d+\.\d+)$"), "zlib"),
)
LOADERS = (("ld-musl-", "musl"), ("ld-uClibc", "uclibc"), ("ld-linux", "glibc"))


@dataclass(frozen=True)
class Finding:
    name: str
    version: str | None
    evidence: Evidence
    package_type: str = ""  # "opkg", "deb" when it came from a package database


def soname_names() -> dict[str, str]:
    data = load_yaml((signatures_dir() / "manifests" / "sonames.yaml").read_text())
    return {str(k): str(v) for k, v in data.items()}


def soname(entry: FileEntry, names: dict[str, str]) -> list[Finding]:
    """A shared library named by its own SONAME (not by a program's NEEDED entry)."""
    if entry.elf is None or not entry.elf.soname:
        return []
    for prefix, name in names.items():
        if entry.elf.soname.startswith(prefix):
            evidence = Evidence(
                entry.path,
                None,
                "elf-soname",
                f"SONAME {entry.elf.soname}",
                Technique.BINARY,
                FILENAME_CONFIDENCE,
            )
            return [Finding(name, None, evidence)]
    return []


def package_names() -> dict[str, str]:
    data = load_yaml((signatures_dir() / "manifests" / "packages.yaml").read_text())
    return {str(k): str(v) for k, v in data.items()}


def _stanzas(text: str) -> Iterator[dict[str, str]]:
    for block in re.split(r"\n\s*\n", text):
        fields = {}
        for line in block.splitlines():
            if ":" in line and not line.startswith((" ", "\t")):
                key, _, value = line.partition(":")
                fields[key.strip()] = value.strip()
        if fields.get("Package") and fields.get("Version"):
            yield fields


def _libc_flavour(paths: list[str]) -> str:
    for path in paths:
        name = PurePosixPath(path).name
        for prefix, flavour in LOADERS:
            if name.startswith(prefix):
                return flavour
    return "libc"


def package_database(
    entry: FileEntry, text: str, kind: str, names: dict[str, str], libc: str
) -> list[Finding]:
    """opkg status/control or dpkg status: one finding per installed package."""
    findings = []
    for fields in _stanzas(text):
        if "Status" in fields and "installed" not in fields["Status"].split():
            continue
        package = fields["Package"]
        name = names.get(package, package)
        if name == "libc":
            name = libc
        version = clean_version(upstream_version(fields["Version"]))
        matched = f"Package: {package} Version: {fields['Version']}"
        method = "opkg-status" if kind == "opkg" else "dpkg-status"
        findings.append(
            Finding(
                name,
                version,
                Evidence(
                    entry.path, None, method, matched, Technique.MANIFEST, MANIFEST_CONFIDENCE
                ),
                kind,
            )
        )
    return findings


def release_file(entry: FileEntry, text: str) -> list[Finding]:
    """/etc/openwrt_release or os-release."""
    values = dict(re.findall(r"^(\w+)=['\"]?([^'\"\n]*)['\"]?$", text, re.M))
    if "DISTRIB_ID" in values and "DISTRIB_RELEASE" in values:
        name, version, key = values["DISTRIB_ID"].lower(), values["DISTRIB_RELEASE"], "DISTRIB"
    elif "ID" in values and ("VERSION_ID" in values or "VERSION" in values):
        name = values["ID"].lower()
        version, key = values.get("VERSION_ID") or values["VERSION"], "ID"
    else:
        return []
    version = clean_version(version.split()[0]) if version.strip() else None
    matched = f"{key}={name} {version}"
    return [
        Finding(
            name,
            version,
            Evidence(
                entry.path, None, "release-file", matched, Technique.MANIFEST, MANIFEST_CONFIDENCE
            ),
        )
    ]


def file_name(entry: FileEntry) -> list[Finding]:
    """Versions spelled in library file names and kernel module folders."""
    path = PurePosixPath(entry.path)
    for pattern, name in LIBRARY_NAMES:
        match = pattern.match(path.name)
        if match:
            return [
                Finding(
                    name,
                    match.group(1),
                    Evidence(
                        entry.path,
                        None,
                        "file-name",
                        path.name,
                        Technique.FILENAME,
                        FILENAME_CONFIDENCE,
                    ),
                )
            ]
    parts = path.parts
    if "modules" in parts and path.suffix == ".ko":
        index = parts.index("modules")
        if index + 1 < len(parts) and re.fullmatch(r"\d+\.\d+(\.\d+)*", parts[index + 1]):
            version = parts[index + 1]
            return [
                Finding(
                    "linux",
                    version,
                    Evidence(
                        entry.path,
                        None,
                        "module-folder",
                        f"lib/modules/{version}",
                        Technique.FILENAME,
                        FILENAME_CONFIDENCE,
                    ),
                )
            ]
    return []


def find_manifests(
    files: list[FileEntry], links: list[str], locate: Callable[[FileEntry], Path]
) -> list[Finding]:
    """Every manifest finding in the tree (`links`: symlink paths, for the C library)."""
    names = package_names()
    sonames = soname_names()
    libc = _libc_flavour([f.path for f in files] + links)
    findings: list[Finding] = []
    for entry in files:
        path = PurePosixPath(entry.path)
        findings += file_name(entry) + soname(entry, sonames)
        kind = None
        if (path.name == "status" and path.parent.name == "opkg") or (
            path.suffix == ".control" and path.parent.name == "info"
        ):
            kind = "opkg"
        elif path.name == "status" and path.parent.name == "dpkg":
            kind = "deb"
        if kind:
            findings += package_database(entry, _read(locate(entry)), kind, names, libc)
        elif path.name in ("openwrt_release", "os-release") and entry.size < 65536:
            findings += release_file(entry, _read(locate(entry)))
    return findings


def _read(path: Path) -> str:
    return path.read_text("utf-8", errors="replace")
