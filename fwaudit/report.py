"""The readable report: one self-contained HTML file (no scripts, no external files) for
someone who does not read JSON. Verdicts come first; the evidence and the sources behind
each are one click away (`<details>`); plots are embedded as PNG."""

from __future__ import annotations

import base64
import io
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import __version__
from .frames import component_rows, endpoint_rows
from .model import Attribution, AuditData, Outcome, Severity, Verdict
from .outputs import write_atomic

TEMPLATES = Path(__file__).resolve().parent / "templates"
# headless Chromium that stays off the network (the report has no external resources)
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
ORDER = {Outcome.FAIL: 0, Outcome.REVIEW: 1, Outcome.INCONCLUSIVE: 2, Outcome.PASS: 3}
REGIONS = 12  # unexplained regions listed in the report (the largest)


def render_html(data: AuditData, *, plots: bool = True) -> str:
    """The report as HTML text."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template("report.html.j2").render(**_context(data, plots=plots))


def write_html(data: AuditData, path: str | Path, *, plots: bool = True) -> Path:
    """Write the report to `path` (folders made as needed), whole or not at all
    (`fwaudit.outputs.write_atomic`; a failed write is a `StorageError`)."""
    target = Path(path)
    write_atomic(target, render_html(data, plots=plots))
    return target


def _context(data: AuditData, *, plots: bool) -> dict[str, Any]:
    assessment = data.assessment
    verdicts = assessment.verdicts if assessment else ()
    attribution = assessment.attribution if assessment else None
    components = [
        {**row, "country": row["supplier_country"], "evidence": c.evidence}
        for row, c in zip(component_rows(data), data.components, strict=True)
    ]
    outbound = [
        {
            **row,
            "country": row["operator_country"] or row["registration_country"],
            "evidence": e.evidence,
        }
        for row, e in zip(endpoint_rows(data), data.endpoints, strict=True)
        if e.outbound
    ]
    problems = sorted(
        data.all_problems, key=lambda p: (p.severity is not Severity.ERROR, p.kind, p.path)
    )
    return {
        "version": __version__,
        "generated": datetime.now(tz=UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "image": data.image,
        "maker": attribution.maker if attribution else None,
        "attribution": attribution or Attribution(maker=None, confidence=0.0, evidence=()),
        "policies": _policies(assessment.policies if assessment else (), verdicts),
        "findings": _findings(verdicts),
        "components": components,
        "outbound": outbound,
        "problems": problems,
        "plots": _plots(data) if plots else [],
        "coverage": data.coverage,
        "regions": sorted(
            data.coverage.unexplained if data.coverage else (), key=lambda r: -r.size
        )[:REGIONS],
        "data_as_of": assessment.data_as_of if assessment else None,
        "as_of": assessment.as_of if assessment else None,
        "credentials": [c for c in data.credentials if c.kind.value != "locked"],
        "locked": sum(c.kind.value == "locked" for c in data.credentials),
        "cra": _cra(data),
    }


def _cra(data: AuditData) -> Any:
    """The EU CRA readiness checklist of the SBOM fwaudit writes (None if it cannot be made)."""
    from .cra import readiness

    try:
        return readiness(data)
    except Exception:  # a report is still worth having without the checklist
        return None


def _policies(outcomes: tuple[tuple[str, Outcome], ...], verdicts: tuple[Verdict, ...]) -> list:
    from .jurisdiction import load_policy

    shown = []
    for policy_id, outcome in outcomes:
        try:
            title = load_policy(policy_id).name
        except Exception:  # a user policy file no longer where it was: its id will do
            title = policy_id
        counts = Counter(v.outcome.value for v in verdicts if v.policy == policy_id)
        shown.append(
            {
                "id": policy_id,
                "title": title,
                "outcome": outcome.value,
                "counts": ", ".join(
                    f"{counts[o.value]} {o.value}" for o in ORDER if counts[o.value]
                ),
            }
        )
    return sorted(shown, key=lambda p: (ORDER[Outcome(p["outcome"])], p["id"]))


def _findings(verdicts: tuple[Verdict, ...]) -> list[Verdict]:
    """Fail, review and inconclusive verdicts, worst first; a policy with none shows its
    pass verdict."""
    flagged = [v for v in verdicts if v.outcome is not Outcome.PASS]
    quiet = {v.policy for v in verdicts} - {v.policy for v in flagged}
    passes = [v for v in verdicts if v.policy in quiet]
    return sorted(flagged, key=lambda v: (ORDER[v.outcome], v.policy, v.subject)) + passes


def _plots(data: AuditData) -> list[tuple[str, str]]:
    from . import frames, plots  # matplotlib only when plots are wanted

    figures = [
        ("Verdicts per policy", plots.verdicts_by_policy(frames.frame(frames.verdict_rows, data))),
        (
            "Outbound endpoints by country",
            plots.endpoints_by_country(frames.frame(frames.endpoint_rows, data)),
        ),
        (
            "Components by supplier country",
            plots.components_by_supplier_country(frames.frame(frames.component_rows, data)),
        ),
    ]
    encoded = []
    for title, figure in figures:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=96)
        encoded.append((title, base64.b64encode(buffer.getvalue()).decode("ascii")))
    return encoded
