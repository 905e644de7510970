"""Binary analysis: one compiled YARA rule set over each distinct file, versions from the
matched bytes. Every finding keeps the file, the offset and the bytes that matched."""

from __future__ import annotations

from pathlib import Path

from ..model import Evidence, FileEntry, Technique
from .manifests import Finding
from .rules import RuleSet
from .versions import clean_version

MAX_INSTANCES = 4
MAX_SCAN_BYTES = 256 << 20


def scan_file(rules: RuleSet, entry: FileEntry, path: Path) -> list[Finding]:
    """Findings for one file; a file too large or unreadable gives none."""
    if entry.size > MAX_SCAN_BYTES:
        return []
    try:
        matches = rules.rules.match(str(path), timeout=60)
    except Exception:
        return []
    findings = []
    for match in matches:
        meta = rules.meta[match.rule]
        versioned, bare = [], []
        for string in match.strings:
            for instance in string.instances[:MAX_INSTANCES]:
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
        findings += versioned or bare[:1]
    return findings
