"""Stage 3: software components with versions and evidence, and toolchain facts.

Findings come from YARA rules over every distinct file (`binary`), and from package
databases, release files and file names (`manifests`). They are merged into one
`Component` per (name, version); conflicting versions stay apart. Radio and cellular
modules and Wi-Fi chips (type device or firmware) come from their own rules, USB ID tables
and file paths (`modules`), judged present or only supported.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from ..inventory import Inventory
from ..model import Component, Evidence, Problem, Severity
from .binary import scan_checked
from .manifests import Finding, find_manifests
from .modules import find_modules
from .programs import own_programs
from .rules import RuleSet

__all__ = ["Identified", "RuleSet", "identify", "identify_all"]


@dataclass(frozen=True)
class Identified:
    """What the identify stage found, and the files it could not scan (as problems)."""

    components: tuple[Component, ...]
    toolchain: tuple[str, ...]
    problems: tuple[Problem, ...] = ()


def identify(inventory: Inventory, rules: RuleSet) -> tuple[tuple[Component, ...], tuple[str, ...]]:
    """Components (sorted) and toolchain banners (sorted, unique) of the inventory."""
    found = identify_all(inventory, rules)
    return found.components, found.toolchain


def identify_all(inventory: Inventory, rules: RuleSet) -> Identified:
    """Components, toolchain banners and a problem per file YARA did not scan."""
    problems: list[Problem] = []
    findings = _binary_findings(inventory, rules, problems) + find_manifests(
        list(inventory.files), list(inventory.links), inventory.locate
    )
    toolchain = sorted(
        {f"{f.name} {f.version}" for f in findings if _kind(rules, f) == "toolchain" and f.version}
    )
    components = merge([f for f in findings if _kind(rules, f) == "component"], rules)
    modules = find_modules(
        [f for f in findings if _kind(rules, f) in ("module", "usb-id")],
        inventory.files,
        inventory.locate,
        rules,
    )
    programs = own_programs(inventory.files, components)
    components = tuple(sorted(components + modules + programs, key=lambda c: c.sort_key))
    return Identified(components, tuple(toolchain), tuple(sorted(problems)))


def _kind(rules: RuleSet, finding: Finding) -> str:
    if finding.evidence.method.startswith("yara:"):
        return rules.meta[finding.evidence.method[5:]].kind
    return "component"


def _binary_findings(
    inventory: Inventory, rules: RuleSet, problems: list[Problem]
) -> list[Finding]:
    """Scan each distinct content once (per worker process: see `fwaudit.memo`); copies of
    a file share its findings. A file not scanned adds a problem to `problems`."""
    findings = []
    for entry in inventory.files:
        found, unscanned = rules.memo.get(
            (entry.sha256, entry.size),
            lambda entry=entry: scan_checked(rules, entry, inventory.locate(entry)),
        )
        if unscanned:
            problems.append(
                Problem("identify", "scan.skipped", Severity.WARNING, entry.path, unscanned)
            )
        for finding in found:
            evidence = replace(finding.evidence, path=entry.path)
            findings.append(replace(finding, evidence=evidence))
    return findings


def merge(findings: list[Finding], rules: RuleSet) -> tuple[Component, ...]:
    """One component per (name, version); unversioned evidence joins the only version."""
    grouped: dict[tuple[str, str | None], list[Finding]] = defaultdict(list)
    for finding in findings:
        grouped[(finding.name, finding.version)].append(finding)
    versions: dict[str, set[str]] = defaultdict(set)
    for name, version in grouped:
        if version:
            versions[name].add(version)
    for (name, version), items in list(grouped.items()):
        if version is None and len(versions[name]) == 1:
            grouped[(name, next(iter(versions[name])))] += items
            del grouped[(name, version)]
    components = (
        _component(name, version, items, rules) for (name, version), items in grouped.items()
    )
    return tuple(sorted(components, key=lambda c: c.sort_key))


def _component(name: str, version: str | None, items: list[Finding], rules: RuleSet) -> Component:
    evidence: tuple[Evidence, ...] = tuple(
        sorted({f.evidence for f in items}, key=lambda e: e.sort_key)
    )
    record = rules.record(name)
    package_type = next((f.package_type for f in items if f.package_type), "")
    if record is not None:
        return Component(
            name=name,
            version=version,
            vendor=record.vendor,
            purl_type=record.purl_type,
            cpe=record.cpe,
            website=record.website,
            evidence=evidence,
            description=record.description,
        )
    return Component(
        name=name,
        version=version,
        vendor="",
        purl_type=package_type or "generic",
        cpe="",
        website="",
        evidence=evidence,
    )
