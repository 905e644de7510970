"""The full result document: what a batch keeps per image and `fwaudit.load` reopens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fwaudit import audit
from fwaudit.errors import InputError
from fwaudit.results import load_result, result_from_json, result_to_json
from tests.jurisdiction.cameras import CN_CLOUDS, camera_image


@pytest.fixture(scope="module")
def camera_result(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("camera")
    image = camera_image(folder / "cam.tar.gz", CN_CLOUDS, "cn")
    return audit(image, cache_dir=folder / "cache").data


def test_round_trip_rebuilds_the_same_result(camera_result, tmp_path: Path) -> None:
    text = result_to_json(camera_result)
    (tmp_path / "r.json").write_text(text)
    again = load_result(tmp_path / "r.json")
    assert again == camera_result
    assert again.assessment is not None and again.assessment.verdicts  # the CN clouds fail
    assert again.assessment.verdicts == camera_result.assessment.verdicts
    assert dict(again.timings).keys() == {
        "unpack",
        "inventory",
        "identify",
        "endpoints",
        "credentials",
        "coverage",
        "jurisdiction",
    }
    header = json.loads(text)
    assert header["format"] == "fwaudit-result" and header["signatures_version"]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("not json", "not JSON"),
        ('{"bomFormat": "CycloneDX"}', "not a fwaudit result"),
        ('{"format": "fwaudit-result", "format_version": 99}', "not supported"),
        ('{"format": "fwaudit-result", "format_version": 1, "result": {"x": 1}}', "damaged"),
    ],
)
def test_other_documents_are_refused_with_a_reason(text: str, why: str) -> None:
    with pytest.raises(InputError, match=why):
        result_from_json(text)


def test_a_tampered_field_type_is_refused(camera_result) -> None:
    document = json.loads(result_to_json(camera_result))
    document["result"]["image"]["size"] = "big"
    with pytest.raises(InputError, match="expected int"):
        result_from_json(json.dumps(document))
