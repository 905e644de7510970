""" "Why?" for any finding: the chain from a verdict, component or endpoint down to the
bytes in the image (file, offset, a hex dump when the unpacked tree is at hand), the rule or
parser that matched, and the dated, sourced facts a verdict relied on."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import AuditData, Component, Endpoint, Evidence, Fact, Verdict

DUMP_BYTES = 48


@dataclass(frozen=True)
class Place:
    """One piece of evidence, with the bytes found there when the file is readable."""

    evidence: Evidence
    dump: str | None = None


@dataclass(frozen=True)
class Explanation:
    """The evidence chain of one finding. `str()` for text, rich HTML in Jupyter."""

    kind: str  # "verdict", "component", "endpoint"
    subject: str
    headline: str
    details: tuple[str, ...] = ()
    places: tuple[Place, ...] = ()
    facts: tuple[Fact, ...] = ()
    verdicts: tuple[Verdict, ...] = field(default=())

    def __str__(self) -> str:
        lines = [f"{self.kind} {self.subject}: {self.headline}"]
        lines += [f"  {d}" for d in self.details]
        if self.places:
            lines.append("  evidence in the image:")
        for place in self.places:
            ev = place.evidence
            lines.append(
                f"    {ev.path or '<image>'}@{ev.offset} ({ev.method}, {ev.technique.value}, "
                f"confidence {ev.confidence}): {ev.matched[:100]!r}"
            )
            if place.dump:
                lines += [f"      {row}" for row in place.dump.splitlines()]
        for verdict in self.verdicts:
            lines.append(f"  verdict {verdict.id}: {verdict.outcome.value}: {verdict.rationale}")
        if self.facts:
            lines.append("  facts used:")
        for fact in self.facts:
            recorded = f" (recorded {fact.as_of})" if fact.as_of else ""
            lines.append(f"    [{fact.ref}] {fact.statement}{recorded}")
            lines += [f"      source: {s}" for s in fact.sources if s]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        out = [
            f"<div><strong>{html.escape(self.kind)} {html.escape(self.subject)}</strong>: "
            f"{html.escape(self.headline)}"
        ]
        out += [f"<br>{html.escape(d)}" for d in self.details]
        if self.places:
            out.append("<ol>")
            for place in self.places:
                ev = place.evidence
                dump = f"<pre>{html.escape(place.dump)}</pre>" if place.dump else ""
                out.append(
                    f"<li><code>{html.escape(ev.path or '<image>')}@{ev.offset}</code> "
                    f"{html.escape(ev.method)} ({ev.confidence}): "
                    f"<code>{html.escape(ev.matched[:120])}</code>{dump}</li>"
                )
            out.append("</ol>")
        for verdict in self.verdicts:
            out.append(
                f"<br>verdict <code>{html.escape(verdict.id)}</code>: "
                f"<b>{verdict.outcome.value}</b>: {html.escape(verdict.rationale)}"
            )
        if self.facts:
            out.append("<ul>")
            for fact in self.facts:
                sources = "".join(
                    f'<br><a href="{html.escape(s)}">{html.escape(s)}</a>'
                    if s.startswith("http")
                    else f"<br>{html.escape(s)}"
                    for s in fact.sources
                    if s
                )
                recorded = f", recorded {html.escape(fact.as_of)}" if fact.as_of else ""
                out.append(
                    f"<li>{html.escape(fact.statement)} <small>[{html.escape(fact.ref)}"
                    f"{recorded}]</small>{sources}</li>"
                )
            out.append("</ul>")
        return "".join(out) + "</div>"


def explain(data: AuditData, item: Any) -> Explanation:
    """Explain a verdict, component or endpoint of `data` (see `AuditResult.explain`)."""
    found = _resolve(data, item)
    if isinstance(found, Verdict):
        return _verdict(data, found)
    if isinstance(found, Component):
        return _component(data, found)
    return _endpoint(data, found)


def _resolve(data: AuditData, item: Any) -> Verdict | Component | Endpoint:
    if isinstance(item, Verdict | Component | Endpoint):
        return item
    if hasattr(item, "get") and not isinstance(item, str | dict):  # a pandas row
        item = dict(item)
    if isinstance(item, dict):
        if item.get("policy") and item.get("id"):
            item = item["id"]
        elif item.get("host"):
            item = item["host"]
        elif item.get("name"):
            item = f"{item['name']}@{item.get('version') or 'unknown'}"
    text = str(item)
    verdicts = data.assessment.verdicts if data.assessment else ()
    for candidates in (
        [v for v in verdicts if v.id == text],
        [c for c in data.components if text in (c.key, c.name)],
        [e for e in data.endpoints if e.host == text.lower()],
        [v for v in verdicts if text in v.id],
    ):
        if candidates:
            return candidates[0]
    known = [v.id for v in verdicts[:3]] + [c.key for c in data.components[:3]]
    raise KeyError(f"no verdict, component or endpoint {text!r} (try one of {known})")


def _places(data: AuditData, evidence: tuple[Evidence, ...], limit: int = 8) -> tuple[Place, ...]:
    ranked = sorted(evidence, key=lambda e: (-e.confidence, e.sort_key))[:limit]
    return tuple(Place(e, _dump(data, e)) for e in ranked)


def _dump(data: AuditData, evidence: Evidence) -> str | None:
    """A hex dump of the bytes at the evidence's offset, if the file is still on disk."""
    if evidence.offset is None or not data.files:  # no files: read from an SBOM, no tree
        return None
    path = data.image.path if evidence.path == "" else Path(data.unpack.root) / evidence.path
    try:
        with path.open("rb") as handle:
            handle.seek(evidence.offset)
            chunk = handle.read(DUMP_BYTES)
    except OSError:
        return None
    rows = []
    for start in range(0, len(chunk), 16):
        part = chunk[start : start + 16]
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in part)
        rows.append(f"{evidence.offset + start:08x}  {part.hex(' '):<47}  {text}")
    return "\n".join(rows)


def _about(data: AuditData, kind: str, subject: str) -> tuple[Verdict, ...]:
    verdicts = data.assessment.verdicts if data.assessment else ()
    return tuple(v for v in verdicts if v.subject_kind == kind and v.subject == subject)


def _verdict(data: AuditData, verdict: Verdict) -> Explanation:
    details = (
        f"policy {verdict.policy}, rule {verdict.rule}, {verdict.subject_kind} {verdict.subject}",
    )
    places = _places(data, verdict.evidence)
    if verdict.subject_kind == "credential":  # the bytes there are the secret: no hex dump
        places = tuple(Place(p.evidence, None) for p in places)
        details += ("the bytes at the evidence are not shown: they hold the credential",)
    return Explanation(
        kind="verdict",
        subject=verdict.id,
        headline=f"{verdict.outcome.value.upper()}: {verdict.rationale}",
        details=details,
        places=places,
        facts=verdict.facts,
    )


def _component(data: AuditData, component: Component) -> Explanation:
    supplier = data.assessment.supplier(component) if data.assessment else None
    details = [f"{len(component.evidence)} pieces of evidence in {len(component.files)} files"]
    if supplier:
        details.append(f"supplier {supplier.name} ({supplier.country or 'country unknown'})")
    if component.cpe:
        details.append(f"CPE vendor:product {component.cpe}")
    verdicts = _about(data, "component", component.name) + _about(data, "component", component.key)
    return Explanation(
        kind="component",
        subject=component.key,
        headline=component.description or f"{component.name} {component.version or ''}".strip(),
        details=tuple(details),
        places=_places(data, component.evidence),
        facts=tuple(f for v in verdicts for f in v.facts),
        verdicts=verdicts,
    )


def _endpoint(data: AuditData, endpoint: Endpoint) -> Explanation:
    where = data.assessment.where(endpoint.host) if data.assessment else None
    if endpoint.outbound:
        headline = f"outbound{f' ({endpoint.role})' if endpoint.role else ''}"
    else:
        headline = f"not outbound: {endpoint.reason}"
    details = []
    if where and where.operator:
        details.append(
            f"operated by {where.operator.name} ({where.operator.country or 'country unknown'})"
        )
    if where and where.registration_country:
        details.append(f"registered in {where.registration_country} ({where.registration_source})")
    if endpoint.urls:
        details.append("URLs: " + ", ".join(endpoint.urls[:5]))
    if endpoint.components:
        details.append("near components: " + ", ".join(endpoint.components))
    verdicts = _about(data, "endpoint", endpoint.host)
    return Explanation(
        kind="endpoint",
        subject=endpoint.host,
        headline=headline,
        details=tuple(details),
        places=_places(data, endpoint.evidence),
        facts=tuple(f for v in verdicts for f in v.facts),
        verdicts=verdicts,
    )
