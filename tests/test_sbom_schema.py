"""Schema validation of written SBOMs: built once per process, and it still rejects."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from fwaudit import sbom
from fwaudit.sbom_schema import is_iri_reference, json_errors, xml_errors
from tests.test_sbom import WHEN, result


def test_an_invalid_json_document_is_rejected() -> None:
    document = json.loads(sbom.to_json(result(), timestamp=WHEN))
    assert json_errors(json.dumps(document)) is None
    document["metadata"]["component"]["type"] = "gadget"
    assert "gadget" in (json_errors(json.dumps(document)) or "")
    document = json.loads(sbom.to_json(result(), timestamp=WHEN))
    document["metadata"]["component"]["externalReferences"] = [
        {"type": "website", "url": "http://exa mple.org/"}
    ]
    assert json_errors(json.dumps(document)) is not None  # the IRI format is checked


def test_an_invalid_xml_document_is_rejected() -> None:
    text = sbom.to_xml(result(), timestamp=WHEN)
    assert xml_errors(text) is None
    assert xml_errors(text.replace('type="firmware"', 'type="gadget"', 1)) is not None


def test_serialize_raises_on_a_document_the_schema_rejects(monkeypatch: pytest.MonkeyPatch) -> None:
    writer, _ = sbom.FORMATS["json"]
    monkeypatch.setitem(sbom.FORMATS, "json", (writer, lambda text: "broken on purpose"))
    with pytest.raises(sbom.InvalidBom, match="broken on purpose"):
        sbom.serialize(result(), "json", timestamp=WHEN)


def test_the_validator_leaves_the_iri_grammar_unloaded_until_a_non_ascii_iri() -> None:
    code = (
        "import sys\nfrom fwaudit.sbom_schema import json_validator, is_iri_reference\n"
        "json_validator()\nprint('rfc3987_syntax' in sys.modules)\n"
        "print(is_iri_reference('https://例え.jp/パス'), 'rfc3987_syntax' in sys.modules)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert run.stdout.split() == ["False", "True", "True"]
    assert not is_iri_reference("http://exa mple.org/")
