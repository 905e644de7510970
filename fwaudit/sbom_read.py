"""A fwaudit CycloneDX JSON SBOM read back into `AuditData`, so `fwaudit.load` and
`fwaudit.diff` work on SBOMs handed over without the image.

What the SBOM carries comes back: the firmware and its maker, components with their
occurrences (path, offset, method, matched text), outbound endpoints as services with
operator and evidence, policy outcomes and every verdict with its facts, the coverage
(what share of the image was examined, why a policy could not pass) and the credentials
the image sets (redacted as written). What it does not
carry (the file list, ELF facts, endpoints that are not outbound) stays empty.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import InputError
from .model import (
    Assessment,
    Attribution,
    AuditData,
    Component,
    Coverage,
    Credential,
    CredentialKind,
    DeviceClass,
    Endpoint,
    Evidence,
    Fact,
    Geography,
    Image,
    Outcome,
    Party,
    PlatformClue,
    Technique,
    UnpackOutcome,
    Verdict,
)
from .sbom import COVERAGE_FIELDS, NAMESPACE, region_from_text

TECHNIQUES = {t.value: t for t in Technique}
# component types read back as written (fwaudit.model.COMPONENT_TYPES); others are libraries
OWN_TYPES = ("application", "device", "firmware")


def is_fwaudit_sbom(document: Any) -> bool:
    """Whether a parsed JSON document is a CycloneDX BOM."""
    return isinstance(document, dict) and document.get("bomFormat") == "CycloneDX"


def sbom_to_data(document: dict[str, Any], *, source: Path | None = None) -> AuditData:
    """Rebuild the findings of a fwaudit SBOM (JSON, already parsed)."""
    metadata = document.get("metadata") or {}
    firmware = metadata.get("component") or {}
    if not firmware:
        raise InputError("the SBOM has no metadata.component (not a fwaudit firmware SBOM)")
    props = _properties(firmware)
    sha256 = next(
        (h["content"] for h in firmware.get("hashes", ()) if h.get("alg") == "SHA-256"), ""
    )
    image = Image(
        path=Path(firmware.get("name", "firmware")),
        sha256=sha256,
        size=int(_first(props, "image:size") or 0),
    )
    unpack = UnpackOutcome(
        root=Path(source.parent if source else "."),
        backend=_first(props, "unpack:backend") or "unknown",
        tool_version=_first(props, "unpack:tool") or "unknown",
        nodes=(),
        problems=(),
        seconds=0.0,
    )
    components = tuple(_component(c) for c in document.get("components", ()))
    endpoints = tuple(_endpoint(s) for s in document.get("services", ()))
    verdicts = tuple(_verdict(json.loads(v)) for v in props.get("verdict", ()))
    maker = _party(metadata.get("manufacturer"))
    if maker and _first(props, "maker:org"):  # the data's id, absent for a maker it lacks
        maker = Party(_first(props, "maker:org"), maker.name, maker.country)
    brand = _first(props, "maker:brand")
    attribution = Attribution(
        maker=maker,
        confidence=float(_first(props, "maker:confidence") or 0.0),
        evidence=tuple(_evidence_line(t, "maker") for t in props.get("maker:evidence", ())),
        declared=_first(props, "declared-vendor"),
        mismatch=_first(props, "declared-vendor:mismatch"),
        firmware_date=_first(props, "firmware-date"),
        device_class=_first(props, "device-class") or "unknown",
        platform=tuple(_platform(json.loads(p)) for p in props.get("platform", ())),
        brand=Party(None, brand, None) if brand else None,
        device_classes=tuple(  # best first (the SBOM sorts its properties by value)
            sorted(
                (_device_class(json.loads(c)) for c in props.get("device-class:detail", ())),
                key=lambda c: c.sort_key,
            )
        ),
    )
    policies = tuple(
        (name.removeprefix("policy:"), Outcome(values[0]))
        for name, values in sorted(props.items())
        if name.startswith("policy:")
    )
    suppliers = tuple(
        (f"{c['name']}@{c.get('version') or 'unknown'}", party)
        for c in document.get("components", ())
        if (party := _party(c.get("supplier")))
    )
    geography = tuple(_geography(s) for s in document.get("services", ()))
    return AuditData(
        image=image,
        unpack=unpack,
        fwaudit_version=_tool_version(metadata),
        toolchain=tuple(props.get("toolchain", ())),
        components=tuple(sorted(components, key=lambda c: c.sort_key)),
        endpoints=endpoints,
        coverage=_coverage(props, image.size),
        credentials=tuple(
            sorted(
                (_credential(json.loads(c)) for c in props.get("credential", ())),
                key=lambda c: c.sort_key,
            )
        ),
        assessment=Assessment(
            attribution=attribution,
            suppliers=suppliers,
            geography=geography,
            verdicts=verdicts,
            policies=policies,
            data_as_of=_first(props, "jurisdiction:data-as-of") or "",
            as_of=_first(props, "jurisdiction:as-of") or "",
        ),
    )


def load_sbom(path: Path) -> AuditData:
    """Read a fwaudit CycloneDX JSON SBOM file back into `AuditData`."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{path}: not a CycloneDX JSON SBOM ({exc})") from exc
    if not is_fwaudit_sbom(document):
        raise InputError(f"{path}: not a CycloneDX JSON SBOM")
    return sbom_to_data(document, source=path)


def _coverage(props: dict[str, list[str]], size: int) -> Coverage | None:
    """The coverage the `fwaudit:coverage:*` properties carry (its problems are the
    `fwaudit:problem` properties, not read back); None in an SBOM without them."""
    if "coverage:examined-bytes" not in props:
        return None
    fields: dict[str, Any] = {}
    for name, attribute, kind in COVERAGE_FIELDS:
        value = _first(props, name)
        if value is not None:
            fields[attribute] = value == "true" if kind is bool else kind(value)
    regions = (region_from_text(t) for t in props.get("coverage:unexplained", ()))
    return Coverage(
        image_size=size,
        **fields,
        unexplained=tuple(sorted(r for r in regions if r is not None)),
        reasons=tuple(props.get("coverage:reason", ())),
    )


def _properties(item: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for prop in item.get("properties", ()):
        name = prop.get("name", "")
        if name.startswith(f"{NAMESPACE}:"):
            found.setdefault(name.removeprefix(f"{NAMESPACE}:"), []).append(prop.get("value", ""))
    return found


def _first(props: dict[str, list[str]], name: str) -> str | None:
    values = props.get(name)
    return values[0] if values else None


def _party(entity: dict[str, Any] | None) -> Party | None:
    if not entity or not entity.get("name"):
        return None
    country = (entity.get("address") or {}).get("country")
    return Party(org=None, name=entity["name"], country=country)


def _tool_version(metadata: dict[str, Any]) -> str:
    tools = (metadata.get("tools") or {}).get("components", ())
    return next((t.get("version", "") for t in tools if t.get("name") == "fwaudit"), "")


def _component(item: dict[str, Any]) -> Component:
    evidence = item.get("evidence") or {}
    methods: dict[str, tuple[Technique, float]] = {}
    for identity in evidence.get("identity", ()):
        for method in identity.get("methods", ()):
            name = str(method.get("value", "")).split(": ", 1)[0]
            technique = TECHNIQUES.get(method.get("technique", ""), Technique.BINARY)
            methods[name] = (technique, float(method.get("confidence", 0.5)))
    found = []
    for occurrence in evidence.get("occurrences", ()):
        method, _, matched = str(occurrence.get("additionalContext", "")).partition(": ")
        technique, confidence = methods.get(method, (Technique.BINARY, 0.5))
        location = occurrence.get("location", "")
        found.append(
            Evidence(
                path="" if location == "<image>" else location,
                offset=occurrence.get("offset"),
                method=method or "sbom",
                matched=matched,
                technique=technique,
                confidence=confidence,
            )
        )
    purl = item.get("purl", "")
    vendor = purl.split("/")[1] if purl.count("/") >= 2 else ""
    cpe = ":".join(item["cpe"].split(":")[3:5]) if item.get("cpe") else ""
    website = next(
        (r["url"] for r in item.get("externalReferences", ()) if r.get("type") == "website"), ""
    )
    return Component(
        name=item["name"],
        version=item.get("version"),
        vendor=vendor,
        purl_type=purl[4:].split("/")[0] if purl.startswith("pkg:") else "generic",
        cpe=cpe,
        website=website,
        evidence=tuple(found),
        description=item.get("description", ""),
        type=item.get("type") if item.get("type") in OWN_TYPES else "library",
        sha256=next(
            (h["content"] for h in item.get("hashes", ()) if h.get("alg") == "SHA-256"), None
        )
        if item.get("type") in ("application", "firmware")
        else None,
    )


def _endpoint(service: dict[str, Any]) -> Endpoint:
    props = _properties(service)
    evidence = []
    for text in props.get("evidence", ()):
        where, _, matched = text.partition(": ")
        path, _, offset = where.rpartition("@")
        evidence.append(
            Evidence(
                path="" if path == "<image>" else path,
                offset=int(offset) if offset.isdigit() else None,
                method="endpoint-context",
                matched=matched,
                technique=Technique.BINARY,
                confidence=0.8,
            )
        )
    urls = tuple(str(u) for u in service.get("endpoints", ())) + tuple(
        props.get("endpoint:url", ())
    )
    return Endpoint(
        host=service["name"],
        kind=_first(props, "endpoint:kind") or "hostname",
        outbound=True,
        evidence=tuple(evidence),
        urls=urls,
        role=_first(props, "endpoint:role"),
        components=tuple(props.get("component", ())),
        context=_first(props, "endpoint:context"),
        use=_first(props, "endpoint:use"),
    )


def _geography(service: dict[str, Any]) -> Geography:
    """Operator, registration country and its source, RDAP notes of one service. SBOMs written
    before the source had its own property carry `CC (source)` in the country property."""
    props = _properties(service)
    country = _first(props, "endpoint:registration-country")
    source = _first(props, "endpoint:registration-source")
    if country and " (" in country and country.endswith(")"):
        country, _, old_source = country[:-1].partition(" (")
        source = source or old_source
    return Geography(
        host=service["name"],
        operator=_party(service.get("provider")),
        registration_country=country or None,
        registration_source=source if country else None,
        rdap=tuple(props.get("endpoint:rdap", ())),
    )


def _evidence_line(text: str, default_method: str) -> Evidence:
    """Evidence written as `path@offset method: matched` (`fwaudit:maker:evidence`)."""
    where, _, matched = text.partition(": ")
    place, _, method = where.partition(" ")
    path, _, offset = place.rpartition("@")
    return Evidence(
        path="" if path == "<image>" else path,
        offset=int(offset) if offset.isdigit() else None,
        method=method or default_method,
        matched=matched,
        technique=Technique.BINARY,
        confidence=0.5,
    )


def _platform(raw: dict[str, Any]) -> PlatformClue:
    party = raw["party"]
    return PlatformClue(
        role=raw["role"],
        party=Party(party.get("org"), party["name"], party.get("country")),
        confidence=float(raw["confidence"]),
        evidence=tuple(_evidence_record(e) for e in raw.get("evidence", ())),
        model=raw.get("model"),
    )


def _device_class(raw: dict[str, Any]) -> DeviceClass:
    return DeviceClass(
        name=raw["name"],
        confidence=float(raw["confidence"]),
        evidence=tuple(_evidence_record(e) for e in raw.get("evidence", ())),
    )


def _evidence_record(e: dict[str, Any]) -> Evidence:
    return Evidence(
        e["path"],
        e["offset"],
        e["method"],
        e["matched"],
        TECHNIQUES.get(e.get("technique", ""), Technique.BINARY),
        e["confidence"],
    )


def _credential(raw: dict[str, Any]) -> Credential:
    """A `fwaudit:credential` property back (its evidence as written: redacted)."""
    return Credential(
        kind=CredentialKind(raw["kind"]),
        account=raw["account"],
        path=raw["path"],
        origin=raw["origin"],
        service=raw["service"],
        evidence=tuple(_evidence_record(e) for e in raw.get("evidence", ())),
        algorithm=raw.get("algorithm"),
        fingerprint=raw.get("fingerprint"),
        known=raw.get("known"),
        shown=raw.get("shown"),
        in_effect=raw.get("in_effect"),
        login=raw.get("login"),
        note=raw.get("note", ""),
    )


def _verdict(raw: dict[str, Any]) -> Verdict:
    return Verdict(
        policy=raw["policy"],
        rule=raw["rule"],
        subject_kind=raw["subject_kind"],
        subject=raw["subject"],
        outcome=Outcome(raw["outcome"]),
        rationale=raw["rationale"],
        facts=tuple(
            Fact(f["ref"], f["statement"], tuple(f["sources"]), f["as_of"])
            for f in raw.get("facts", ())
        ),
        evidence=tuple(_evidence_record(e) for e in raw.get("evidence", ())),
    )
