"""An audit as pandas DataFrames, one row per component, endpoint, verdict, file or problem.

Every finding row carries its strongest evidence (path inside the image, offset, method,
matched text) and how many pieces of evidence there are, so a table is never a claim
without a place to look. `fwaudit.AuditData` exposes these as properties.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .model import AuditData, Evidence

if TYPE_CHECKING:
    import pandas as pd


def best_evidence(evidence: Sequence[Evidence]) -> dict[str, Any]:
    """The most confident piece of evidence (then the first in the file), as columns."""
    if not evidence:
        return {"path": None, "offset": None, "method": None, "matched": None, "evidence": 0}
    best = min(evidence, key=lambda e: (-e.confidence, e.sort_key))
    return {
        "path": best.path,
        "offset": best.offset,
        "method": best.method,
        "matched": best.matched[:200],
        "evidence": len(evidence),
    }


def purl(name: str, version: str | None, purl_type: str, vendor: str) -> str:
    """The package URL the SBOM gives the component."""
    from packageurl import PackageURL

    return PackageURL(
        type=purl_type or "generic", namespace=vendor or None, name=name, version=version
    ).to_string()


def component_rows(data: AuditData) -> list[dict[str, Any]]:
    """One row per component: version, supplier and country, purl, CPE, best evidence."""
    assessment = data.assessment
    rows = []
    for c in data.components:
        supplier = assessment.supplier(c) if assessment else None
        rows.append(
            {
                "name": c.name,
                "version": c.version,
                "type": c.type,  # library, application, device (a module), firmware (a blob)
                "supplier": supplier.name if supplier else (c.vendor or None),
                "supplier_country": supplier.country if supplier else None,
                "purl": purl(c.name, c.version, c.purl_type, c.vendor),
                "cpe": c.cpe or None,
                "confidence": round(c.confidence, 3),
                "files": ";".join(c.files),
                **best_evidence(c.evidence),
            }
        )
    return rows


def endpoint_rows(data: AuditData) -> list[dict[str, Any]]:
    """One row per endpoint: outbound or the reason not, role, operator, countries."""
    assessment = data.assessment
    rows = []
    for e in data.endpoints:
        where = assessment.where(e.host) if assessment else None
        operator = where.operator if where else None
        rows.append(
            {
                "host": e.host,
                "kind": e.kind,
                "outbound": e.outbound,
                "role": e.role,
                "reason": e.reason,
                "operator": operator.name if operator else None,
                "operator_country": operator.country if operator else None,
                "registration_country": where.registration_country if where else None,
                "urls": ";".join(e.urls),
                "ports": ";".join(map(str, e.ports)),
                "components": ";".join(e.components),
                **best_evidence(e.evidence),
            }
        )
    return rows


def verdict_rows(data: AuditData) -> list[dict[str, Any]]:
    """One row per verdict: policy, rule, subject, outcome, rationale, facts used."""
    verdicts = data.assessment.verdicts if data.assessment else ()
    return [
        {
            "id": v.id,
            "policy": v.policy,
            "rule": v.rule,
            "subject_kind": v.subject_kind,
            "subject": v.subject,
            "outcome": v.outcome.value,
            "rationale": v.rationale,
            "facts": ";".join(f.ref for f in v.facts),
            "sources": len({s for f in v.facts for s in f.sources}),
            **best_evidence(v.evidence),
        }
        for v in verdicts
    ]


def file_rows(data: AuditData) -> list[dict[str, Any]]:
    """One row per regular file: size, sha256, type and ELF facts."""
    rows = []
    for f in data.files:
        elf = f.elf
        rows.append(
            {
                "path": f.path,
                "size": f.size,
                "sha256": f.sha256,
                "kind": f.kind,
                "arch": elf.arch if elf else None,
                "bits": elf.bits if elf else None,
                "endianness": elf.endianness if elf else None,
                "elf_kind": elf.kind if elf else None,
                "soname": elf.soname if elf else None,
                "needed": ";".join(elf.needed) if elf else None,
                "stripped": elf.stripped if elf else None,
            }
        )
    return rows


def problem_rows(data: AuditData) -> list[dict[str, Any]]:
    """One row per problem the audit recorded."""
    return [
        {
            "stage": p.stage,
            "kind": p.kind,
            "severity": p.severity.value,
            "path": p.path,
            "detail": p.detail,
        }
        for p in data.all_problems
    ]


def region_rows(data: AuditData) -> list[dict[str, Any]]:
    """One row per unexplained region (the largest): where, how big, entropy, what it is."""
    coverage = data.coverage
    return [
        {
            "container": r.container,
            "offset": r.offset,
            "size": r.size,
            "entropy": r.entropy,
            "label": r.label,
            "opaque": r.opaque,
        }
        for r in (coverage.unexplained if coverage else ())
    ]


def platform_rows(data: AuditData) -> list[dict[str, Any]]:
    """One row per platform vendor (SoC or SDK lineage): vendor, country, part, evidence."""
    attribution = data.assessment.attribution if data.assessment else None
    return [
        {
            "role": p.role,
            "vendor": p.party.name,
            "vendor_country": p.party.country,
            "model": p.model,
            "confidence": p.confidence,
            **best_evidence(p.evidence),
        }
        for p in (attribution.platform if attribution else ())
    ]


def device_class_rows(data: AuditData) -> list[dict[str, Any]]:
    """One row per device class the image shows (best first): confidence, the cues seen,
    the strongest evidence."""
    attribution = data.assessment.attribution if data.assessment else None
    return [
        {
            "device_class": c.name,
            "confidence": c.confidence,
            "cues": ";".join(e.matched.partition(":")[0] for e in c.evidence),
            **best_evidence(c.evidence),
        }
        for c in (attribution.device_classes if attribution else ())
    ]


def credential_rows(data: AuditData) -> list[dict[str, Any]]:
    """One row per credential the image sets: kind, account, how it is set, what was found
    (algorithm and fingerprint; the secret only when it is a well-known default), whether it
    is in effect, and its evidence."""
    return [
        {
            "kind": c.kind.value,
            "account": c.account or None,
            "origin": c.origin,
            "service": c.service,
            "algorithm": c.algorithm,
            "fingerprint": c.fingerprint,
            "well_known": c.known,
            "shown": c.shown,
            "in_effect": c.in_effect,
            "login": c.login,
            "note": c.note or None,
            **best_evidence(c.evidence),
        }
        for c in data.credentials
    ]


COLUMNS = {
    component_rows: [
        "name",
        "version",
        "type",
        "supplier",
        "supplier_country",
        "purl",
        "confidence",
    ],
    endpoint_rows: ["host", "kind", "outbound", "role", "reason", "operator", "operator_country"],
    verdict_rows: ["id", "policy", "rule", "subject_kind", "subject", "outcome", "rationale"],
    file_rows: ["path", "size", "sha256", "kind"],
    problem_rows: ["stage", "kind", "severity", "path", "detail"],
    region_rows: ["container", "offset", "size", "entropy", "label", "opaque"],
    platform_rows: ["role", "vendor", "vendor_country", "model", "confidence", "path", "offset"],
    device_class_rows: ["device_class", "confidence", "cues", "path", "offset", "method"],
    credential_rows: ["kind", "account", "origin", "service", "algorithm", "fingerprint", "path"],
}


def frame(rows_of: Any, data: AuditData) -> pd.DataFrame:
    """`rows_of(data)` as a DataFrame with typed columns (its columns even when empty)."""
    import pandas as pd

    rows = rows_of(data)
    if not rows:
        return pd.DataFrame(columns=COLUMNS[rows_of])
    return pd.DataFrame(rows).convert_dtypes()
