"""The SBOM projection: schema-valid CycloneDX 1.6, stable, compared with a stored snapshot.

Set FWAUDIT_UPDATE_SNAPSHOTS=1 to rewrite the snapshot after an intended change.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from fwaudit import __version__
from fwaudit.model import (
    AuditResult,
    ExtractedNode,
    Image,
    NodeKind,
    Problem,
    Severity,
    UnpackOutcome,
)
from fwaudit.sbom import to_json

SNAPSHOT = Path(__file__).parent / "snapshots" / "minimal.cdx.json"
WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def result() -> AuditResult:
    image = Image(Path("/fw/cam.bin"), "ab" * 32, 4096)
    unpack = UnpackOutcome(
        root=Path("/cache/tree"),
        backend="fake",
        tool_version="fake 1.0",
        nodes=(
            ExtractedNode(
                "cam.bin.extracted/40/bin/busybox",
                NodeKind.FILE,
                64,
                1,
                "",
                64,
                "squashfs",
                "fake",
                "cd" * 32,
                True,
            ),
        ),
        problems=(
            Problem(
                "unpack",
                "safety.link_escape",
                Severity.WARNING,
                "etc/passwd",
                "link to '/../etc/passwd' leaves the tree",
            ),
        ),
        seconds=0.1,
    )
    return AuditResult(image=image, unpack=unpack, fwaudit_version=__version__)


def test_sbom_is_valid_and_matches_the_snapshot() -> None:
    text = to_json(result(), timestamp=WHEN)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    if os.environ.get("FWAUDIT_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(text)
    assert json.loads(text) == json.loads(SNAPSHOT.read_text())


def test_same_result_gives_byte_identical_sbom() -> None:
    assert to_json(result(), timestamp=WHEN) == to_json(result(), timestamp=WHEN)


def test_problems_become_namespaced_properties() -> None:
    bom = json.loads(to_json(result(), timestamp=WHEN))
    props = [
        p for p in bom["metadata"]["component"]["properties"] if p["name"] == "fwaudit:problem"
    ]
    assert props == [
        {
            "name": "fwaudit:problem",
            "value": "warning safety.link_escape etc/passwd: link to '/../etc/passwd' "
            "leaves the tree",
        }
    ]
