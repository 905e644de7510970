"""EU CRA readiness: the checklist on the sample's SBOM, on SBOMs of other tools, through the
CLI; the checklist data names only known checks and its regulation is dated data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fwaudit.api import Auditor
from fwaudit.cli import main
from fwaudit.cra import CHECKS, COVERED, MISSING, NOT_CHECKED, PARTLY, checklist, readiness
from fwaudit.cra import requirements as cra_requirements
from fwaudit.model import AuditData
from fwaudit.sbom import to_json


@pytest.fixture(scope="module")
def sample_data(sample: Path, session_cache: Path) -> AuditData:
    return Auditor(cache_dir=session_cache).audit_data(sample)


def _statuses(found) -> dict[str, tuple[str, int | None, int | None]]:
    return {i.requirement.id: (i.status, i.count, i.total) for i in found.items}


def test_the_samples_sbom(sample_data: AuditData) -> None:
    found = readiness(sample_data)
    status = _statuses(found)
    components = len(sample_data.components)
    assert status["sbom-format"] == (COVERED, None, None)
    assert status["top-level-dependencies"] == (COVERED, components, components)
    assert status["unique-identifier"] == (COVERED, components, components)
    versioned = sum(1 for c in sample_data.components if c.version)
    assert status["component-version"] == (PARTLY, versioned, components)
    assert status["component-licence"] == (MISSING, 0, components)
    assert status["component-hash"][0] == PARTLY  # SHA-256 of single-file components only
    assert status["vulnerability-contact"][0] == MISSING
    assert status["support-period"][0] == MISSING
    assert status["unauthorised-access"][0] == COVERED  # the sample sets no credential
    contact = next(i for i in found.items if i.requirement.id == "vulnerability-contact")
    assert not contact.requirement.derivable and "firmware image does not show" in contact.detail
    assert ("2027-12-11", found.dates[-1][1]) == found.dates[-1]
    assert any(d == "2026-09-11" for d, _ in found.dates)
    text = str(found)
    assert "not derivable from firmware" in text and "[+] covered" in text
    assert found.summary() == {
        s: sum(1 for v in status.values() if v[0] == s)
        for s in (COVERED, PARTLY, MISSING, NOT_CHECKED)
    }
    # the same checklist from the SBOM file as from the audit
    again = checklist(json.loads(to_json(sample_data)), subject=sample_data.image.name)
    assert _statuses(again) == status


def test_an_sbom_of_another_tool() -> None:
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "metadata": {
            "timestamp": "2026-01-01T00:00:00Z",
            "authors": [{"name": "Acme build", "email": "sbom@acme.example"}],
            "component": {
                "bom-ref": "fw",
                "name": "acme-cam",
                "version": "2.1.0",
                "externalReferences": [
                    {"type": "security-contact", "url": "mailto:psirt@acme.example"}
                ],
            },
            "manufacturer": {
                "name": "Acme Ltd",
                "address": {"country": "DE", "streetAddress": "1 Main St"},
                "contact": [{"email": "info@acme.example"}],
            },
        },
        "components": [
            {
                "bom-ref": "a",
                "name": "busybox",
                "version": "1.36.1",
                "purl": "pkg:generic/busybox@1.36.1",
                "supplier": {"name": "BusyBox"},
                "hashes": [{"alg": "SHA-512", "content": "00"}],
                "licenses": [{"license": {"id": "GPL-2.0-only"}}],
            },
            {"bom-ref": "b", "name": "libfoo", "hashes": [{"alg": "SHA-256", "content": "11"}]},
        ],
        "dependencies": [{"ref": "fw", "dependsOn": ["a"]}],
    }
    status = _statuses(checklist(document))
    assert status["sbom-format"][0] == PARTLY  # CycloneDX 1.5: BSI asks 1.6
    assert status["top-level-dependencies"] == (PARTLY, 1, 2)
    assert status["component-hash"] == (PARTLY, 2, 2)
    assert status["component-licence"] == (PARTLY, 1, 2)
    assert status["sbom-author-timestamp"][0] == COVERED
    assert status["manufacturer"][0] == COVERED
    assert status["product-identification"][0] == COVERED
    assert status["vulnerability-contact"][0] == COVERED
    assert status["unauthorised-access"][0] == NOT_CHECKED  # no fwaudit credential analysis
    assert checklist(document).subject == "acme-cam"


def test_the_cli_on_an_sbom_and_its_json(
    sample_data: AuditData, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sbom = tmp_path / "sample.cdx.json"
    sbom.write_text(to_json(sample_data))
    assert main(["cra", str(sbom)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("EU Cyber Resilience Act readiness of the SBOM of ipcam-sample.bin")
    assert "The SBOM covers at the very least the top-level dependencies" in out
    assert main(["cra", str(sbom), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["summary"] == readiness(sample_data).summary()
    assert {r["id"] for r in document["requirements"]} >= {"vulnerability-contact", "sbom-format"}
    bad = tmp_path / "not.json"
    bad.write_text("{}")
    assert main(["cra", str(bad)]) == 2


def test_the_checklist_data() -> None:
    found, raw = cra_requirements()
    assert {r.check for r in found} == set(CHECKS)
    assert len({r.id for r in found}) == len(found)
    assert raw["regulation"] == "eu-cra/regulation-2024-2847"
    for entry in raw["guidance"].values():
        assert any(s["ref"].startswith("https://") for s in entry["sources"])
