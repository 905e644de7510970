"""`fwaudit signatures list|test`: what the rules are, and whether each one still matches its
banner fixtures (``banners.tsv`` beside the rules) with the expected version; the test suite
runs the same check."""

from __future__ import annotations

import codecs
import tempfile
from pathlib import Path

from .._data import signatures_dir
from ..model import FileEntry
from .binary import scan_file
from .rules import RuleSet
from .snippets import check_snippet, find_snippets


def list_rules(folder: Path | None = None) -> list[str]:
    rules = RuleSet(folder)
    return [
        f"{m.rule:24} {m.name:20} {m.cpe:40} {m.source}"
        for m in sorted(rules.meta.values(), key=lambda m: (m.source, m.rule))
    ]


def read_banners(path: Path) -> list[tuple[bytes, str, str, str | None]]:
    rows = []
    for line in path.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        banner, rule, name, version = line.split("\t")
        rows.append(
            (
                codecs.decode(banner, "unicode_escape").encode("latin-1"),
                rule,
                name,
                None if version == "-" else version,
            )
        )
    return rows


def module_data_problems(rules: RuleSet) -> list[str]:
    """Rows of usb_modules.tsv naming no module rule, radio_firmware.tsv rows without a
    source or whose chip template does not fill (``modules.py``)."""
    data = rules.modules
    problems = [
        f"usb_modules.tsv {row.vid}:{row.pid}: {row.rule} is not a module rule"
        for row in data.usb.values()
        if row.rule not in rules.meta or rules.meta[row.rule].kind != "module"
    ]
    problems += [
        f"usb_modules.tsv {r.vid}:{r.pid}: no source" for r in data.usb.values() if not r.source
    ]
    for row in data.radio:
        if not row.source or row.kind not in ("firmware", "driver"):
            problems.append(f"radio_firmware.tsv {row.pattern.pattern}: kind or source missing")
        if "{chip}" in row.chip and "chip" not in row.pattern.groupindex:
            problems.append(f"radio_firmware.tsv {row.pattern.pattern}: no (?P<chip>...) group")
    return problems


def run_selftest(
    folder: Path | None = None, banners: Path | None = None, snippets: Path | None = None
) -> tuple[list[str], int]:
    """(failure messages, number of checks): every banner matched, every rule covered, and
    every byte snippet under `snippets` (when given) identified with its version."""
    folder = folder or signatures_dir() / "components"
    rules = RuleSet(folder)
    rows = read_banners(banners or folder / "banners.tsv")
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        blob = Path(tmp) / "banner.bin"
        for data, rule, name, version in rows:
            blob.write_bytes(b"\x00" * 16 + data + b"\x00" * 16)
            entry = FileEntry("banner.bin", blob.stat().st_size, "selftest", "data")
            found = [
                f for f in scan_file(rules, entry, blob) if f.evidence.method == f"yara:{rule}"
            ]
            if not found or {f.name for f in found} != {name}:
                failures.append(f"{rule}: no {name} finding in {data[:60]!r}")
            elif version is not None and version not in {f.version for f in found}:
                got = sorted(str(f.version) for f in found)
                failures.append(f"{rule}: expected {version}, got {got}")
    uncovered = sorted(set(rules.meta) - {rule for _, rule, _, _ in rows})
    failures += [f"{rule}: no banner fixture" for rule in uncovered]
    failures += module_data_problems(rules)
    checked = find_snippets(snippets) if snippets else []
    failures += [f for f in (check_snippet(rules, s) for s in checked) if f]
    return failures, len(rows) + len(rules.meta) + len(checked)
