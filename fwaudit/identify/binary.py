"""Binary analysis: one compiled YARA rule set over each distinct file, versions from the
matched bytes. Every finding keeps the file, the offset and the bytes that matched."""

from __future__ import annotations

from pathlib import Path

from ..model import Evidence, FileEntry, Technique
from .manifests import Finding
from .rules import RuleSet
from .versions import clean_version

MAX_INSTANCES = 4
# a module rule keeps every sighting (up to this many per string): a file naming many models
# is a list of supported modules, which `modules.py` must be able to count
MAX_MODULE_INSTANCES = 64
MAX_SCAN_BYTES = 256 << 20
TIMEOUT = 60  # seconds of YARA per file


def scan_file(rules: RuleSet, entry: FileEntry, path: Path) -> list[Finding]:
    """Findings for one file; a file too large or unreadable gives none."""
    return scan_checked(rules, entry, path)[0]


def scan_checked(rules: RuleSet, entry: FileEntry, path: Path) -> tuple[list[Finding], str | None]:
    """Findings for one file, and why it was not scanned (None when it was): over the size
    cap, a YARA timeout or error. The caller makes that a problem (`fwaudit.coverage`)."""
    if entry.size > MAX_SCAN_BYTES:
        return [], f"{entry.size:,} bytes, over the YARA scan cap of {MAX_SCAN_BYTES:,}"
    try:
        matches = rules.rules.match(str(path), timeout=TIMEOUT)
    except Exception as exc:  # yara.TimeoutError, yara.Error, OSError
        if type(exc).__name__ == "TimeoutError":
            return [], f"YARA scan timed out after {TIMEOUT} s"
        return [], f"YARA could not scan it: {type(exc).__name__}: {exc}"[:300]
    findings = []
    for match in matches:
        meta = rules.meta[match.rule]
        every = meta.kind == "module"
        versioned, bare = [], []
        for string in match.strings:
            for instance in string.instances[: MAX_MODULE_INSTANCES if every else MAX_INSTANCES]:
                data = bytes(instance.matched_data)
                found = meta.version_regex.search(data)
                text = found.group(1) if found else None
                version = clean_version(text.decode("latin-1")) if text else None
                evidence = Evidence(
                    entry.path,
                    instance.offset,
                    f"yara:{match.rule}",
                    data[:160].decode("latin-1"),
                    Technique.BINARY,
                    meta.confidence,
                )
                (versioned if version else bare).append(Finding(meta.name, version, evidence))
        findings += versioned + bare if every else versioned or bare[:1]
    return findings, None
