"""`fwaudit explain`: the chain behind one verdict (rule, rationale, evidence in the image,
facts with their sources), from a saved SBOM or a fresh audit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import InputError
from .model import AuditData
from .sbom import NAMESPACE, verdict_json


def verdicts_of(result: AuditData) -> list[dict[str, Any]]:
    verdicts = result.assessment.verdicts if result.assessment else ()
    return [json.loads(verdict_json(v)) for v in verdicts]


def verdicts_from_sbom(path: Path) -> list[dict[str, Any]]:
    """The verdicts a fwaudit CycloneDX JSON SBOM carries on its firmware component."""
    try:
        bom = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{path}: not a CycloneDX JSON SBOM ({exc})") from exc
    firmware = bom.get("metadata", {}).get("component", {})
    return [
        json.loads(p["value"])
        for p in firmware.get("properties", ())
        if p.get("name") == f"{NAMESPACE}:verdict"
    ]


def select(verdicts: list[dict[str, Any]], finding: str) -> list[dict[str, Any]]:
    """Verdicts whose id is `finding`, else whose id or subject contains it."""
    exact = [v for v in verdicts if v["id"] == finding]
    return exact or [v for v in verdicts if finding in v["id"] or finding == v["subject"]]


def render(verdict: dict[str, Any]) -> str:
    lines = [
        f"{verdict['id']}: {verdict['outcome'].upper()}",
        f"  policy {verdict['policy']}, rule {verdict['rule']}, "
        f"{verdict['subject_kind']} {verdict['subject']}",
        f"  why: {verdict['rationale']}",
    ]
    if verdict["evidence"]:
        lines.append("  evidence in the image:")
        for ev in verdict["evidence"]:
            where = f"{ev['path'] or '<image>'}@{ev['offset']}"
            lines.append(f"    {where} ({ev['method']}, {ev['confidence']}): {ev['matched'][:100]}")
    if verdict["facts"]:
        lines.append("  facts used:")
        for fact in verdict["facts"]:
            as_of = f" (recorded {fact['as_of']})" if fact["as_of"] else ""
            lines.append(f"    [{fact['ref']}] {fact['statement']}{as_of}")
            lines += [f"        source: {source}" for source in fact["sources"] if source]
    return "\n".join(lines)
