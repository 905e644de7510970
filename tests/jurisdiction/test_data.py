"""The jurisdiction data: schema-valid, every entry sourced and dated, references resolve."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from fwaudit._data import signatures_dir
from fwaudit.cli import main
from fwaudit.jurisdiction.data import KINDS, DataError, check, load

DATA = signatures_dir() / "jurisdiction"


def test_shipped_data_checks_clean() -> None:
    assert check() == []


def test_fwaudit_data_check_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "check"]) == 0
    assert "jurisdiction data OK" in capsys.readouterr().out


@pytest.mark.parametrize("kind", KINDS)
def test_every_entry_has_sources_and_a_date(kind: str) -> None:
    entries = yaml.safe_load((DATA / f"{kind}.yaml").read_text())
    assert entries
    for entry_id, entry in entries.items():
        assert entry.get("sources"), f"{kind}/{entry_id} has no source"
        assert all(s.get("ref") for s in entry["sources"]), f"{kind}/{entry_id}"
        assert entry.get("as_of"), f"{kind}/{entry_id} has no date"


def test_unverified_reference_facts_are_left_out() -> None:
    text = "\n".join((DATA / f"{kind}.yaml").read_text() for kind in KINDS)
    assert "hiwatch" not in text.lower()  # the reference marks HiWatch [unverified]
    assert "11.7%" not in text  # Dahua's total state share, [unverified]


def _broken(tmp_path: Path, edit) -> Path:
    folder = tmp_path / "jurisdiction"
    shutil.copytree(DATA, folder)
    path = folder / "organisations.yaml"
    orgs = yaml.safe_load(path.read_text())
    edit(orgs)
    path.write_text(yaml.safe_dump(orgs))
    return folder


def test_an_entry_without_sources_is_refused(tmp_path: Path) -> None:
    folder = _broken(tmp_path, lambda orgs: orgs["hikvision"].pop("sources"))
    assert any("hikvision" in p and "sources" in p for p in check(folder))


def test_a_dangling_parent_is_refused(tmp_path: Path) -> None:
    folder = _broken(tmp_path, lambda orgs: orgs["ezviz"].update(parent="no-such-org"))
    assert "organisations/ezviz: unknown parent no-such-org" in check(folder)
    with pytest.raises(DataError, match="unknown parent"):
        load(folder)


def test_lookups() -> None:
    data = load()
    assert data.by_domain("litedev.hik-connect.com") == "hikvision"
    assert data.by_domain("open.ys7.com") == "ezviz"
    assert data.by_ip("114.114.114.114") == "dns-114"
    assert data.by_name("tp-link") == "tp-link"
    assert data.country("ezviz") == "CN" and data.country("lts") is None
    assert [x[0] for x in data.listings("ezviz")] == ["us-fcc-covered", "us-ndaa-889"]
    assert "prc-national-intelligence-law" in data.regimes_over("hisilicon")


def test_data_show_prints_an_entry(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "show", "EZVIZ"]) == 0
    out = capsys.readouterr().out
    assert "organisations/ezviz" in out and "ys7.com" in out and "sources" in out
