"""A generated image with a Quectel module's own answer and its USB ID in a udev rule: the
module is a device component supplied by Quectel (CN), and the DoD 1260H (7 Jan 2025; FY2024
NDAA s.805 goods bar 30 Jun 2027) and FCC 25-71 (26 Dec 2025) rules apply to it with their
dates, judged on each side of every transition. A Huawei module is a covered modular
transmitter from 26 Dec 2025."""

from __future__ import annotations

from pathlib import Path

import pytest

from fwaudit.api import Auditor
from fwaudit.jurisdiction import reassess
from fwaudit.model import AuditData, Outcome, Verdict
from tests.archives import tar_gz

EC25_ATI = b"ATI\r\nQuectel\r\nEC25\r\nRevision: EC25EFAR06A06M4G\r\n\r\nOK\r\n"
EC25_UDEV = (
    b'ACTION=="add", SUBSYSTEM=="usb", ATTRS{idVendor}=="2c7c", ATTRS{idProduct}=="0125", '
    b'RUN+="/sbin/modprobe option"\n'
)
ME909_ATI = b"ATI\r\nManufacturer: Huawei Technologies Co., Ltd.\r\nModel: ME909s-120\r\nOK\r\n"
POLICIES = ("us-dod-1260h", "us-fcc-covered", "uk-2022-sensitive-sites")


def _image(path: Path, files: dict[str, bytes]) -> Path:
    """A tar.gz root file system of text files (examined in full, so policies can speak)."""
    return tar_gz(path, files, mtime=1735689600)  # 2025-01-01


def _base_files() -> dict[str, bytes]:
    return {
        "etc/version": b"LTE gateway firmware 2.1.0 build 250101\n",
        "etc/resolv.conf": b"nameserver 9.9.9.9\n",
    }


@pytest.fixture(scope="module")
def quectel(tmp_path_factory: pytest.TempPathFactory) -> AuditData:
    work = tmp_path_factory.mktemp("quectel")
    files = {
        **_base_files(),
        "usr/share/lte/ati.log": EC25_ATI,
        "etc/udev/rules.d/99-lte.rules": EC25_UDEV,
    }
    auditor = Auditor(cache_dir=work / "cache", policies=POLICIES, as_of="2026-11-30")
    return auditor.audit_data(_image(work / "lte-gw.tar.gz", files), declared_vendor="Quectel")


@pytest.fixture(scope="module")
def huawei(tmp_path_factory: pytest.TempPathFactory) -> AuditData:
    work = tmp_path_factory.mktemp("huawei")
    files = {**_base_files(), "usr/share/lte/ati.log": ME909_ATI}
    auditor = Auditor(cache_dir=work / "cache", policies=POLICIES, as_of="2026-11-30")
    return auditor.audit_data(_image(work / "lte-gw.tar.gz", files))


def _module_verdicts(data: AuditData, day: str, policy: str) -> list[Verdict]:
    judged = reassess(data, as_of=day)
    return [
        v
        for v in judged.assessment.verdicts
        if v.policy == policy and v.subject_kind == "component"
    ]


def test_the_quectel_module_is_found_with_its_maker_and_country(quectel: AuditData) -> None:
    modules = [c for c in quectel.components if c.type == "device"]
    assert [(c.name, c.version) for c in modules] == [("quectel-ec25", "EC25EFAR06A06M4G")]
    ec25 = modules[0]
    supplier = quectel.assessment.supplier(ec25)
    assert (supplier.org, supplier.name, supplier.country) == ("quectel", "Quectel", "CN")
    methods = {e.method for e in ec25.evidence}
    assert methods == {"yara:quectel_module", "usb-id:targeted"}
    banner = next(e for e in ec25.evidence if e.method == "yara:quectel_module")
    assert banner.path.endswith("usr/share/lte/ati.log") and banner.offset is not None
    udev = next(e for e in ec25.evidence if e.method == "usb-id:targeted")
    assert udev.path.endswith("99-lte.rules") and "2c7c:0125 EC25" in udev.matched
    # a module is a part, never the maker or the platform
    assert not any(p.party.org == "quectel" for p in quectel.assessment.attribution.platform)
    maker = quectel.assessment.attribution.maker
    assert maker is None or maker.org != "quectel"


@pytest.mark.parametrize(
    ("day", "rule", "outcome"),
    [
        ("2025-01-06", None, None),  # before the 7 Jan 2025 update listed Quectel
        ("2025-01-07", "module-maker-listed", Outcome.REVIEW),
        ("2027-06-29", "module-maker-listed", Outcome.REVIEW),
        ("2027-06-30", "module-maker-listed-goods-bar", Outcome.FAIL),  # s.805(a)(1)(B)
    ],
)
def test_the_1260h_rule_applies_to_the_module_with_its_dates(
    quectel: AuditData, day: str, rule: str | None, outcome: Outcome | None
) -> None:
    verdicts = _module_verdicts(quectel, day, "us-dod-1260h")
    assert [(v.rule, v.outcome) for v in verdicts] == ([(rule, outcome)] if rule else [])
    if rule:
        text = verdicts[0].rationale
        assert "Quectel EC25, firmware revision EC25EFAR06A06M4G" in text
        assert "(added 2025-01-07)" in " ".join(f.statement for f in verdicts[0].facts)
        assert "2027-06-30" in text and f"Judged as of {day}." in text
        assert "shows it present" in text
        assert any(e.method == "yara:quectel_module" for e in verdicts[0].evidence)


@pytest.mark.parametrize(
    ("day", "rule"),
    [
        ("2025-12-25", None),
        ("2025-12-26", "module-not-covered"),
        ("2026-11-30", "module-not-covered"),
    ],
)
def test_fcc_25_71_is_checked_for_the_module_from_26_dec_2025(
    quectel: AuditData, day: str, rule: str | None
) -> None:
    """Quectel is not on the FCC Covered List: from the day FCC 25-71 holds, the module is
    checked against it and the verdict says so (a pass, with the instrument's dates)."""
    verdicts = _module_verdicts(quectel, day, "us-fcc-covered")
    assert [v.rule for v in verdicts] == ([rule] if rule else [])
    if rule:
        assert verdicts[0].outcome is Outcome.PASS
        text = verdicts[0].rationale
        assert "FCC 25-71" in text and "2025-12-26" in text and "not on US FCC Covered List" in text
        refs = {f.ref for f in verdicts[0].facts}
        assert {"lists/us-fcc-covered/fcc-25-71", "lists/us-fcc-covered"} <= refs


@pytest.mark.parametrize(
    ("day", "rule", "outcome"),
    [
        ("2025-12-25", "covered-module-before-fcc-25-71", Outcome.REVIEW),
        ("2025-12-26", "covered-modular-transmitter", Outcome.FAIL),
    ],
)
def test_a_huawei_module_is_a_covered_modular_transmitter_from_26_dec_2025(
    huawei: AuditData, day: str, rule: str, outcome: Outcome
) -> None:
    modules = [c for c in huawei.components if c.type == "device"]
    assert [c.name for c in modules] == ["huawei-me909s"]
    verdicts = _module_verdicts(huawei, day, "us-fcc-covered")
    assert [(v.rule, v.outcome) for v in verdicts] == [(rule, outcome)]
    assert "2025-12-26" in verdicts[0].rationale and "Huawei" in verdicts[0].rationale
    judged = reassess(huawei, as_of=day)
    assert dict(judged.assessment.policies)["us-fcc-covered"] is outcome
    # the module's "Manufacturer: Huawei Technologies" does not make Huawei the device's maker
    assert judged.assessment.attribution.maker is None


def test_a_likely_module_is_reviewed_not_failed(tmp_path: Path) -> None:
    """Only a USB ID for a Huawei modem: possibly a covered modular transmitter (review)."""
    bind = b"#!/bin/sh\necho 12d1 15c1 > /sys/bus/usb-serial/drivers/option1/new_id\n"
    files = {**_base_files(), "etc/init.d/S50lte": bind}
    auditor = Auditor(cache_dir=tmp_path / "cache", policies=["us-fcc-covered"], as_of="2026-01-01")
    data = auditor.audit_data(_image(tmp_path / "gw.tar.gz", files))
    verdicts = [v for v in data.assessment.verdicts if v.subject_kind == "component"]
    assert [(v.subject, v.rule, v.outcome) for v in verdicts] == [
        ("huawei-module@unknown", "covered-modular-transmitter-likely", Outcome.REVIEW)
    ]
    assert "likely, not shown present" in verdicts[0].rationale


def test_uk_2022_reviews_a_prc_module_as_a_part(quectel: AuditData) -> None:
    verdicts = _module_verdicts(quectel, "2026-11-30", "uk-2022-sensitive-sites")
    assert [(v.rule, v.outcome) for v in verdicts] == [("module-under-prc-nil", Outcome.REVIEW)]
    assert "PRC National Intelligence Law" in verdicts[0].rationale


def test_scan_prints_each_module_with_maker_country_and_presence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from fwaudit.cli import main

    files = {
        **_base_files(),
        "usr/share/lte/ati.log": EC25_ATI,
        "etc/udev/rules.d/99-lte.rules": EC25_UDEV,
    }
    image = _image(tmp_path / "gw.tar.gz", files)
    args = ["scan", str(image), "-o", str(tmp_path / "gw.cdx.json"), "--policy", "us-dod-1260h"]
    assert main([*args, "--cache-dir", str(tmp_path / "cache"), "--as-of", "2025-06-01"]) in (
        0,
        1,
        2,
        3,
    )
    out = capsys.readouterr().out
    assert "module: Quectel EC25, revision EC25EFAR06A06M4G from Quectel (CN), present" in out
    assert "us-dod-1260h/module-maker-listed/quectel-ec25@EC25EFAR06A06M4G" in out


def test_the_analyst_table_shows_the_module_type_and_maker(quectel: AuditData) -> None:
    from fwaudit.result import AuditResult

    table = AuditResult(quectel).components
    row = table[table.name == "quectel-ec25"].iloc[0]
    assert (row["type"], row["supplier"], row["supplier_country"]) == ("device", "Quectel", "CN")
