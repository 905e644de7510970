"""The whole corpus as one batch: a fleet row per file, no image crashes its audit, the
realistic images are all ok and the non-firmware files are error rows. Two workers; the
unpacked trees land in the session cache, which the later corpus tests read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fwaudit import audit_many
from fwaudit.unpack import BACKENDS

CRASHES = {"internal", "worker-died", "timeout", "memory", "sbom"}


@pytest.mark.slow
def test_every_corpus_file_gets_a_fleet_row_and_none_crashes(
    corpus: Path, session_cache: Path, tmp_path: Path
) -> None:
    report = audit_many(
        [corpus], out=tmp_path / "fleet", workers=2, cache_dir=session_cache, progress="quiet"
    )
    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    rows = {Path(r["path"]): r for r in report.rows}
    assert sorted(rows) == [f.absolute() for f in files]
    assert not [(r["image"], r["error"]) for r in report.rows if r["error_kind"] in CRASHES]
    assert {r["unpack_backend"] for r in report.rows if r["status"] == "ok"} <= {
        b.name for b in BACKENDS
    }
    realistic = json.loads((corpus / "expected.json").read_text())["images"]
    assert all(rows[(corpus / name).absolute()]["status"] == "ok" for name in realistic)
    for notes in ("expected.json", "SOURCES.tsv"):
        assert rows[(corpus / notes).absolute()]["error_kind"] == "unrecognised"
    assert len(report.fleet) == len(files)
