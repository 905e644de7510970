"""CycloneDX projection of an `AuditData`: with `sbom_schema`, the only modules importing cyclonedx.

The BOM is checked against the official CycloneDX 1.6 strict JSON schema (XML: the XSD)
before it is returned as text; an invalid BOM is a bug and raises.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from cyclonedx.exception.model import InvalidUriException
from cyclonedx.model import (
    DataClassification,
    DataFlow,
    ExternalReference,
    ExternalReferenceType,
    HashAlgorithm,
    HashType,
    Property,
    XsUri,
)
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.component_evidence import (
    AnalysisTechnique,
    ComponentEvidence,
    Identity,
    IdentityField,
    Method,
    Occurrence,
)
from cyclonedx.model.contact import OrganizationalEntity, PostalAddress
from cyclonedx.model.service import Service
from cyclonedx.output.json import JsonV1Dot6
from cyclonedx.output.xml import XmlV1Dot6
from packageurl import PackageURL
from sortedcontainers import SortedSet

from . import __version__
from .model import (
    Assessment,
    AuditData,
    Coverage,
    Credential,
    DeviceClass,
    Endpoint,
    Evidence,
    Party,
    PlatformClue,
    Region,
    Verdict,
)
from .model import Component as Found
from .sbom_schema import is_iri_reference, json_errors, xml_errors

MAX_OCCURRENCES = 50

NAMESPACE = "fwaudit"
SERIAL_NAMESPACE = uuid.UUID("6f1c63e2-5a0b-4f55-9c7e-2f3b1d0a9e41")


class InvalidBom(AssertionError):
    """The produced BOM failed schema validation: a bug in this module."""


def build_bom(result: AuditData, *, timestamp: datetime | None = None) -> Bom:
    """Map the audit result onto a CycloneDX BOM (firmware as `metadata.component`)."""
    image, unpack = result.image, result.unpack
    properties = [
        Property(name=f"{NAMESPACE}:image:size", value=str(image.size)),
        Property(name=f"{NAMESPACE}:unpack:backend", value=unpack.backend),
        Property(name=f"{NAMESPACE}:unpack:tool", value=unpack.tool_version),
        Property(name=f"{NAMESPACE}:unpack:files", value=str(len(unpack.files))),
        Property(name=f"{NAMESPACE}:unpack:elf-files", value=str(len(unpack.elf_files))),
    ]
    properties += [
        Property(
            name=f"{NAMESPACE}:problem",
            value=f"{p.severity} {p.kind} {p.path or '<image>'}: {p.detail}",
        )
        for p in result.all_problems
    ]
    properties += [Property(name=f"{NAMESPACE}:toolchain", value=t) for t in result.toolchain]
    properties += [
        Property(name=f"{NAMESPACE}:not-outbound", value=f"{e.host}: {e.reason}")
        for e in result.endpoints
        if not e.outbound
    ]
    if result.coverage is not None:
        properties += [
            Property(name=f"{NAMESPACE}:{name}", value=value)
            for name, value in coverage_properties(result.coverage)
        ]
    # credentials the image sets, secrets redacted (docs/taxonomy.md)
    properties += [
        Property(name=f"{NAMESPACE}:credential", value=credential_json(c))
        for c in result.credentials
    ]
    assessment = result.assessment
    maker = assessment.attribution.maker if assessment else None
    if assessment:
        properties += _assessment_properties(assessment)
    firmware = Component(
        type=ComponentType.FIRMWARE,
        name=image.name,
        bom_ref=f"firmware:{image.sha256}",
        hashes=[HashType(alg=HashAlgorithm.SHA_256, content=image.sha256)],
        manufacturer=_entity(maker) if maker else None,
        properties=properties,
    )
    bom = Bom(serial_number=uuid.uuid5(SERIAL_NAMESPACE, f"{image.sha256}/{__version__}"))
    bom.metadata.timestamp = timestamp or datetime.now(tz=UTC)
    bom.metadata.component = firmware
    if maker:
        bom.metadata.manufacturer = _entity(maker)
    bom.metadata.tools.components.add(
        Component(type=ComponentType.APPLICATION, name="fwaudit", version=__version__)
    )
    hashes = {f.path: f.sha256 for f in result.files}
    made = {found.key: _component(found, hashes, assessment) for found in result.components}
    for component in made.values():
        bom.components.add(component)
    bom.register_dependency(firmware, list(made.values()))
    for key, needs in result.dependencies:
        bom.register_dependency(made[key], [made[n] for n in needs if n in made])
    for endpoint in result.outbound:
        bom.services.add(_service(endpoint, assessment))
    return bom


# Coverage as `fwaudit:coverage:*` properties: (property, Coverage field, type). The SBOM
# reader (`fwaudit.sbom_read`) reads them back through the same table; docs/taxonomy.md
# describes them.
COVERAGE_FIELDS: tuple[tuple[str, str, type], ...] = (
    ("coverage:examined-bytes", "examined_bytes", int),
    ("coverage:padding-bytes", "padding_bytes", int),
    ("coverage:opaque-bytes", "opaque_bytes", int),
    ("coverage:basis", "basis", str),
    ("coverage:files", "files", int),
    ("coverage:skipped-files", "skipped_files", int),
    ("coverage:recognised", "recognised", bool),
)


def coverage_properties(coverage: Coverage) -> list[tuple[str, str]]:
    """(name, value) of the coverage properties, namespace left off."""
    found = [
        ("coverage:share", f"{coverage.share:.4f}"),
        ("coverage:conclusive", str(coverage.conclusive).lower()),
    ]
    for name, attribute, kind in COVERAGE_FIELDS:
        value = getattr(coverage, attribute)
        found.append((name, str(value).lower() if kind is bool else str(value)))
    found += [("coverage:reason", reason) for reason in coverage.reasons]
    found += [("coverage:unexplained", region_text(r)) for r in coverage.unexplained]
    return found


def region_text(region: Region) -> str:
    """``<image>@0+1048576 entropy 8.00: encrypted or compressed (entropy 8.00)``"""
    where = region.container or "<image>"
    return f"{where}@{region.offset}+{region.size} entropy {region.entropy:.2f}: {region.label}"


def region_from_text(text: str) -> Region | None:
    """The `Region` of a `region_text` (None when it is not one)."""
    head, _, label = text.partition(": ")
    where, _, rest = head.rpartition("@")
    span, _, entropy = rest.partition(" entropy ")
    offset, _, size = span.partition("+")
    try:
        return Region(
            "" if where == "<image>" else where, int(offset), int(size), float(entropy), label
        )
    except ValueError:
        return None


def _entity(party: Party) -> OrganizationalEntity:
    address = PostalAddress(country=party.country) if party.country else None
    return OrganizationalEntity(name=party.name, address=address)


def _assessment_properties(assessment: Assessment) -> list[Property]:
    """Maker attribution, device class, policy outcomes and every verdict (as JSON, so
    `fwaudit explain` can reopen it) on the firmware component."""
    who = assessment.attribution
    found = {
        "maker": who.maker.name if who.maker else None,
        "maker:country": who.maker.country if who.maker else None,
        "maker:confidence": str(who.confidence) if who.maker else None,
        "maker:org": who.maker.org if who.maker else None,
        "maker:not-in-data": "true" if who.maker and who.maker.org is None else None,
        "maker:brand": who.brand.name if who.brand else None,
        "declared-vendor": who.declared,
        "declared-vendor:mismatch": who.mismatch,
        "firmware-date": who.firmware_date,
        "device-class": who.device_class,
        "jurisdiction:data-as-of": assessment.data_as_of,
        "jurisdiction:as-of": assessment.as_of,
    }
    properties = [
        Property(name=f"{NAMESPACE}:{key}", value=value) for key, value in found.items() if value
    ]
    properties += [
        Property(name=f"{NAMESPACE}:maker:evidence", value=_evidence_text(ev))
        for ev in who.evidence
    ]
    properties += [
        Property(name=f"{NAMESPACE}:maker:candidate", value=f"{org} {score}")
        for org, score in who.candidates
    ]
    properties += [
        Property(name=f"{NAMESPACE}:platform", value=platform_json(p)) for p in who.platform
    ]
    properties += [
        Property(name=f"{NAMESPACE}:device-class:detail", value=device_class_json(c))
        for c in who.device_classes
    ]
    properties += [
        Property(name=f"{NAMESPACE}:policy:{policy}", value=outcome.value)
        for policy, outcome in assessment.policies
    ]
    properties += [
        Property(name=f"{NAMESPACE}:verdict", value=verdict_json(v)) for v in assessment.verdicts
    ]
    return properties


def platform_json(clue: PlatformClue) -> str:
    """A platform clue (SoC vendor or SDK lineage, with its evidence) as the JSON text the
    SBOM carries (`fwaudit:platform`)."""
    record = asdict(clue)
    for ev in record["evidence"]:
        ev["technique"] = str(ev["technique"])
    return json.dumps(record, sort_keys=True, ensure_ascii=False)


def device_class_json(found: DeviceClass) -> str:
    """A device class (name, confidence, evidence) as the JSON text the SBOM carries
    (`fwaudit:device-class:detail`, one per class, best first)."""
    record = asdict(found)
    for ev in record["evidence"]:
        ev["technique"] = str(ev["technique"])
    return json.dumps(record, sort_keys=True, ensure_ascii=False)


def credential_json(credential: Credential) -> str:
    """A credential as the JSON text the SBOM carries (`fwaudit:credential`): its evidence
    is already redacted, and `shown` is set only for a well-known default."""
    record = asdict(credential)
    record["kind"] = credential.kind.value
    for ev in record["evidence"]:
        ev["technique"] = str(ev["technique"])
    return json.dumps(record, sort_keys=True, ensure_ascii=False)


def verdict_json(verdict: Verdict) -> str:
    """A verdict as the JSON text the SBOM carries (`fwaudit:verdict`)."""
    record = asdict(verdict)
    record["id"] = verdict.id
    record["outcome"] = verdict.outcome.value
    for ev in record["evidence"]:
        ev["technique"] = str(ev["technique"])
    return json.dumps(record, sort_keys=True, ensure_ascii=False)


def _verdict_properties(assessment: Assessment | None, kind: str, subject: str) -> list[Property]:
    if assessment is None:
        return []
    return [
        Property(name=f"{NAMESPACE}:verdict:{v.policy}", value=f"{v.outcome.value}: {v.rationale}")
        for v in assessment.verdicts
        if v.subject_kind == kind and v.subject == subject
    ]


def _evidence_text(ev: Evidence) -> str:
    return f"{ev.path or '<image>'}@{ev.offset} {ev.method}: {_shown(ev.matched, 120)}"


# control characters XML 1.0 cannot carry, shown as \xNN (the bytes evidence matched)
_CONTROL = {c: f"\\x{c:02x}" for c in (*range(9), 11, 12, *range(14, 32))}


def _shown(matched: str, limit: int) -> str:
    return matched[:limit].translate(_CONTROL)


def _service(endpoint: Endpoint, assessment: Assessment | None) -> Service:
    """An outbound endpoint as a service the firmware calls (data flows outbound)."""
    host = f"[{endpoint.host}]" if endpoint.kind == "ipv6" else endpoint.host
    uris = list(endpoint.urls) or [f"//{host}:{port}" for port in endpoint.ports] or [f"//{host}"]
    checked = {uri: _service_uri(uri) for uri in uris}
    valid = [xs for xs in checked.values() if xs is not None]
    properties = [Property(name=f"{NAMESPACE}:endpoint:kind", value=endpoint.kind)]
    # what CycloneDX cannot carry as an endpoint IRI (format strings, IPv6 literals the
    # library escapes) stays visible as text
    properties += [
        Property(name=f"{NAMESPACE}:endpoint:url", value=uri)
        for uri, xs in checked.items()
        if xs is None
    ]
    if endpoint.role:
        properties.append(Property(name=f"{NAMESPACE}:endpoint:role", value=endpoint.role))
    for key in ("context", "use"):
        if getattr(endpoint, key):
            properties.append(
                Property(name=f"{NAMESPACE}:endpoint:{key}", value=getattr(endpoint, key))
            )
    properties += [
        Property(
            name=f"{NAMESPACE}:evidence",
            value=f"{ev.path or '<image>'}@{ev.offset}: {_shown(ev.matched, 120)}",
        )
        for ev in endpoint.evidence[:10]
    ]
    properties += [Property(name=f"{NAMESPACE}:component", value=c) for c in endpoint.components]
    where = assessment.where(endpoint.host) if assessment else None
    provider = None
    if where:
        if where.operator:
            provider = _entity(where.operator)
            properties.append(
                Property(
                    name=f"{NAMESPACE}:endpoint:operator-country",
                    value=where.operator.country or "unknown",
                )
            )
        if where.registration_country:  # the bare code; where it came from apart
            properties.append(
                Property(
                    name=f"{NAMESPACE}:endpoint:registration-country",
                    value=where.registration_country,
                )
            )
            if where.registration_source:
                properties.append(
                    Property(
                        name=f"{NAMESPACE}:endpoint:registration-source",
                        value=where.registration_source,
                    )
                )
        properties += [
            Property(name=f"{NAMESPACE}:endpoint:rdap", value=note) for note in where.rdap
        ]
    properties += _verdict_properties(assessment, "endpoint", endpoint.host)
    return Service(
        name=endpoint.host,
        provider=provider,
        bom_ref=f"service:{endpoint.host}",
        endpoints=valid,
        data=[
            DataClassification(
                flow=DataFlow.OUTBOUND, classification=endpoint.role or "unclassified"
            )
        ],
        properties=properties,
    )


def _service_uri(text: str) -> XsUri | None:
    """`text` as a schema-valid endpoint IRI, or None."""
    try:
        uri = XsUri(text)
    except InvalidUriException:
        return None
    return uri if is_iri_reference(str(uri)) else None


def _component(found: Found, hashes: dict[str, str], assessment: Assessment | None) -> Component:
    """A found component with its identity evidence and every occurrence in the image."""
    technique = {
        "binary-analysis": AnalysisTechnique.BINARY_ANALYSIS,
        "manifest-analysis": AnalysisTechnique.MANIFEST_ANALYSIS,
        "filename": AnalysisTechnique.FILENAME,
    }
    methods = {}
    for ev in found.evidence:
        key = (ev.technique, ev.method)
        if key not in methods or methods[key].confidence < ev.confidence:
            methods[key] = ev
    identity = Identity(
        field=IdentityField.VERSION if found.version else IdentityField.NAME,
        confidence=Decimal(str(found.confidence)),
        methods=[
            Method(
                technique=technique.get(ev.technique.value, AnalysisTechnique.BINARY_ANALYSIS),
                confidence=Decimal(str(ev.confidence)),
                value=f"{ev.method}: {_shown(ev.matched, 200)}",
            )
            for ev in sorted(methods.values(), key=lambda e: e.sort_key)
        ],
    )
    occurrences = [_occurrence(ev) for ev in found.evidence[:MAX_OCCURRENCES]]
    files = found.files
    supplier = assessment.supplier(found) if assessment else None
    return Component(
        type=_component_type(found),
        name=found.name,
        version=found.version,
        bom_ref=f"component:{found.key}",
        description=found.description or None,
        purl=PackageURL(
            type=found.purl_type,
            namespace=found.vendor or None,
            name=found.name,
            version=found.version,
        ),
        cpe=_cpe(found),
        hashes=[HashType(alg=HashAlgorithm.SHA_256, content=found.sha256)]
        if found.sha256
        else [HashType(alg=HashAlgorithm.SHA_256, content=hashes[files[0]])]
        if len(files) == 1 and hashes.get(files[0])
        else None,
        external_references=[
            ExternalReference(type=ExternalReferenceType.WEBSITE, url=XsUri(found.website))
        ]
        if found.website
        else None,
        evidence=_evidence(identity, occurrences),
        supplier=_entity(supplier) if supplier else None,
        properties=[
            Property(name=f"{NAMESPACE}:evidence-files", value=str(len(files))),
            *_verdict_properties(assessment, "component", found.key),
        ],
    )


def _component_type(found: Found) -> ComponentType:
    if found.type == "application":
        return ComponentType.APPLICATION
    if found.type == "device":  # a radio or cellular module, a Wi-Fi chip
        return ComponentType.DEVICE
    if found.type == "firmware":  # a Wi-Fi chipset blob
        return ComponentType.FIRMWARE
    if found.name in {"linux", "vxworks", "openwrt"}:
        return ComponentType.OPERATING_SYSTEM
    return ComponentType.LIBRARY


def _evidence(identity: Identity, occurrences: list[Occurrence]) -> ComponentEvidence:
    """The library orders occurrences by a tuple led by their unset bom-ref, which never
    compares, so their order would follow set hashing (another one every run): order them
    by location, offset and context instead."""
    evidence = ComponentEvidence(identity=[identity])
    evidence._occurrences = SortedSet(occurrences, key=_occurrence_order)
    return evidence


def _occurrence_order(occurrence: Occurrence) -> tuple[str, int, str]:
    offset = -1 if occurrence.offset is None else occurrence.offset
    return occurrence.location, offset, occurrence.additional_context or ""


def _occurrence(ev: Evidence) -> Occurrence:
    return Occurrence(
        location=ev.path or "<image>",
        offset=ev.offset,
        additional_context=f"{ev.method}: {_shown(ev.matched, 120)}",
    )


def _cpe(found: Found) -> str | None:
    if not found.cpe:
        return None
    vendor, product = found.cpe.split(":")
    version = (found.version or "*").replace(":", "\\:")
    return f"cpe:2.3:a:{vendor}:{product}:{version}:*:*:*:*:*:*:*"


FORMATS = {"json": (JsonV1Dot6, json_errors), "xml": (XmlV1Dot6, xml_errors)}


def serialize(result: AuditData, fmt: str = "json", *, timestamp: datetime | None = None) -> str:
    """The BOM as CycloneDX 1.6 JSON or XML, validated against the official schema."""
    writer, validate = FORMATS[fmt]
    text = writer(build_bom(result, timestamp=timestamp)).output_as_string(indent=2)
    if (errors := validate(text)) is not None:
        raise InvalidBom(f"CycloneDX 1.6 {fmt} validation failed: {errors}")
    return text


def bom_document(result: AuditData, *, timestamp: datetime | None = None) -> dict[str, Any]:
    """The CycloneDX 1.6 JSON BOM as a parsed document, not validated (for readers of the
    BOM fwaudit writes, such as `fwaudit.cra`)."""
    return json.loads(JsonV1Dot6(build_bom(result, timestamp=timestamp)).output_as_string())


def to_json(result: AuditData, *, timestamp: datetime | None = None) -> str:
    """The CycloneDX 1.6 JSON SBOM, validated."""
    return serialize(result, "json", timestamp=timestamp)


def to_xml(result: AuditData, *, timestamp: datetime | None = None) -> str:
    """The CycloneDX 1.6 XML SBOM, validated."""
    return serialize(result, "xml", timestamp=timestamp)
