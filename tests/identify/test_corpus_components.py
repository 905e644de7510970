"""Component recall with exact versions on the corpus ground truth, and on the sample."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fwaudit.api import Auditor


@pytest.fixture(scope="module")
def auditor(session_cache: Path) -> Auditor:
    return Auditor(cache_dir=session_cache)


@pytest.mark.slow
def test_every_expected_component_with_its_exact_version(corpus: Path, auditor: Auditor) -> None:
    images = json.loads((corpus / "expected.json").read_text())["images"]
    missing, wrong = [], []
    for name, truth in images.items():
        result = auditor.audit_data(corpus / name)
        found = {(c.name, c.version) for c in result.components}
        names = {c.name for c in result.components}
        for expected in truth.get("components", []):
            if (expected["name"], expected["version"]) not in found:
                missing.append((name, expected["name"], expected["version"]))
        wrong += [(name, n) for n in truth.get("not_components", []) if n in names]
        for component in result.components:
            assert component.evidence, component
            assert all(e.method and e.path is not None for e in component.evidence)
    assert missing == [] and wrong == []


def test_sample_components_from_dpkg_and_binaries(sample: Path, auditor: Auditor) -> None:
    result = auditor.audit_data(sample)
    by_name = {c.name: c for c in result.components}
    for name in ("busybox", "dropbear", "curl", "openssl", "glibc", "zlib"):
        assert name in by_name, sorted(by_name)
    busybox = by_name["busybox"]
    techniques = {e.technique.value for e in busybox.evidence}
    assert techniques >= {"manifest-analysis", "binary-analysis"}
    assert any(e.offset is not None and "bin/busybox" in e.path for e in busybox.evidence)
    assert not any(c.name == "gcc" for c in result.components)
