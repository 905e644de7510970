"""CycloneDX projection of an `AuditResult`: the only module that imports cyclonedx.

The BOM is checked with the library's strict JSON-schema validator (CycloneDX 1.6) before it
is returned as text; an invalid BOM is a bug and raises.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from cyclonedx.model import HashAlgorithm, HashType, Property
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.output.json import JsonV1Dot6
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from . import __version__
from .model import AuditResult

NAMESPACE = "fwaudit"
SERIAL_NAMESPACE = uuid.UUID("6f1c63e2-5a0b-4f55-9c7e-2f3b1d0a9e41")


class InvalidBom(AssertionError):
    """The produced BOM failed schema validation: a bug in this module."""


def build_bom(result: AuditResult, *, timestamp: datetime | None = None) -> Bom:
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
    firmware = Component(
        type=ComponentType.FIRMWARE,
        name=image.name,
        bom_ref=f"firmware:{image.sha256}",
        hashes=[HashType(alg=HashAlgorithm.SHA_256, content=image.sha256)],
        properties=properties,
    )
    bom = Bom(serial_number=uuid.uuid5(SERIAL_NAMESPACE, f"{image.sha256}/{__version__}"))
    bom.metadata.timestamp = timestamp or datetime.now(tz=UTC)
    bom.metadata.component = firmware
    bom.metadata.tools.components.add(
        Component(type=ComponentType.APPLICATION, name="fwaudit", version=__version__)
    )
    return bom


def to_json(result: AuditResult, *, timestamp: datetime | None = None) -> str:
    """The BOM as CycloneDX 1.6 JSON, validated against the official schema."""
    text = JsonV1Dot6(build_bom(result, timestamp=timestamp)).output_as_string(indent=2)
    errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    if errors is not None:
        raise InvalidBom(f"CycloneDX 1.6 validation failed: {errors}")
    return text
