"""The fleet's tables: one summary per image, one row per finding, and their files.

`image_summary` and `finding_rows` run in the worker (plain dicts travel well); the pandas
part runs where the tables are written. Columns are flat, so the tables sort and filter in
pandas, DuckDB or a spreadsheet without unpacking anything.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from .. import frames
from ..model import AuditData, Severity
from ..outputs import write_atomic

POLICY_PREFIX = "policy:"


def image_summary(result: AuditData) -> dict[str, Any]:
    """The per-image facts a fleet row shows."""
    assessment = result.assessment
    attribution = assessment.attribution if assessment else None
    maker = attribution.maker if attribution else None
    geography = assessment.geography if assessment else ()
    outcomes = Counter(v.outcome.value for v in assessment.verdicts) if assessment else Counter()
    problems = result.all_problems
    coverage = result.coverage
    return {
        "maker": maker.name if maker else None,
        "maker_country": maker.country if maker else None,
        "maker_confidence": round(attribution.confidence, 3) if attribution else None,
        "relabel": attribution.mismatch if attribution else None,
        "platform": _join(
            f"{p.role} {p.party.name}" + (f" ({p.party.country})" if p.party.country else "")
            for p in (attribution.platform if attribution else ())
        ),
        "device_class": attribution.device_class if attribution else None,
        # every class the image shows, best first: "router 0.98;camera 0.7"
        "device_classes": ";".join(
            f"{c.name} {c.confidence}" for c in (attribution.device_classes if attribution else ())
        )
        or None,
        "firmware_date": attribution.firmware_date if attribution else None,
        "files": len(result.files),
        "elf_files": sum(1 for f in result.files if f.kind == "elf"),
        "components": len(result.components),
        "endpoints": len(result.endpoints),
        "outbound": len(result.outbound),
        "operators": _join(g.operator.name for g in geography if g.operator),
        "operator_countries": _join(
            g.operator.country for g in geography if g.operator and g.operator.country
        ),
        "registration_countries": _join(g.registration_country for g in geography),
        "policies": {p: o.value for p, o in assessment.policies} if assessment else {},
        "as_of": assessment.as_of if assessment else None,  # the day the policies were judged for
        "fail_verdicts": outcomes["fail"],
        "review_verdicts": outcomes["review"],
        "inconclusive_verdicts": outcomes["inconclusive"],
        # what was examined: the share of the image, how, and why no policy can pass
        "coverage": round(coverage.share, 4) if coverage else None,
        "coverage_basis": coverage.basis if coverage else None,
        "conclusive": coverage.conclusive if coverage else None,
        "inconclusive_reasons": "; ".join(coverage.reasons) if coverage else None,
        "unexamined_bytes": coverage.image_size - coverage.examined_bytes if coverage else None,
        "skipped_files": coverage.skipped_files if coverage else None,
        "problems": len(problems),
        "problem_errors": sum(1 for p in problems if p.severity is Severity.ERROR),
        "unpack_backend": result.unpack.backend,
    }


def _join(values: Any) -> str:
    return ";".join(sorted({v for v in values if v}))


def finding_rows(result: AuditData) -> list[dict[str, Any]]:
    """One row per component, endpoint and verdict (the `fwaudit.frames` rows), with the
    columns a fleet filters on shared: kind, name, supplier (the operator for endpoints),
    country, and the evidence columns."""
    rows = [
        {"kind": "component", "country": r["supplier_country"], **r}
        for r in frames.component_rows(result)
    ]
    rows += [
        {
            **r,
            "kind": "endpoint",
            "endpoint_kind": r["kind"],
            "name": r["host"],
            "supplier": r["operator"],
            "country": r["operator_country"],
        }
        for r in frames.endpoint_rows(result)
    ]
    rows += [{"kind": "verdict", "name": r["id"], **r} for r in frames.verdict_rows(result)]
    return rows


def write_tables(
    out: Path, fleet: list[dict[str, Any]], findings: list[dict[str, Any]]
) -> dict[str, Path]:
    """Write fleet.parquet, fleet.csv and findings.parquet into `out`, each atomically."""
    import pandas as pd

    fleet_frame = pd.DataFrame(fleet).convert_dtypes()
    findings_frame = pd.DataFrame(findings, columns=_finding_columns(findings)).convert_dtypes()
    renders = {
        "fleet.parquet": lambda: fleet_frame.to_parquet(index=False),
        "fleet.csv": lambda: fleet_frame.to_csv(index=False),
        "findings.parquet": lambda: findings_frame.to_parquet(index=False),
    }
    written = {}
    for name, render in renders.items():
        write_atomic(out / name, render())
        written[name] = out / name
    return written


def _finding_columns(findings: list[dict[str, Any]]) -> list[str]:
    columns = ["image", "sha256", "kind", "name"]
    for row in findings:
        columns += [k for k in row if k not in columns]
    return columns
