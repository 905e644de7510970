"""Device classes from evidence (fwaudit/jurisdiction/device_class.py): the data and its
fixtures, generated images of each class (and of two at once), nothing from a maker's name,
random or encrypted bytes or a lone package, the policy conditions, the outputs, and every
corpus file against its expected classes (tests/jurisdiction/device_classes.tsv)."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
import yaml

from fwaudit._data import signatures_dir
from fwaudit.accuracy import read_class_labels
from fwaudit.api import Auditor
from fwaudit.batch.tables import image_summary
from fwaudit.cli import main
from fwaudit.errors import ConfigError
from fwaudit.jurisdiction import device_class as dc
from fwaudit.jurisdiction.data import DataError, check, load
from fwaudit.jurisdiction.policy import parse_policy
from fwaudit.model import DEVICE_CLASSES, Attribution, DeviceClass, Outcome
from fwaudit.result import AuditResult
from fwaudit.sbom import to_json
from fwaudit.sbom_read import sbom_to_data
from tests.archives import tar_gz

EXPECTED = Path(__file__).with_name("device_classes.tsv")
SAMPLE_NAME = "ipcam-sample.bin"


def elf_like(*strings: bytes) -> bytes:
    """A program-shaped file: a header, then its strings between NULs, as in .rodata."""
    return b"\x7fELF-not-really\x00" + b"\x00".join(strings) + b"\x00"


def classes_of(result) -> dict[str, DeviceClass]:
    return {c.name: c for c in result.assessment.attribution.device_classes}


@pytest.fixture(scope="module")
def auditor(tmp_path_factory: pytest.TempPathFactory) -> Auditor:
    return Auditor(cache_dir=tmp_path_factory.mktemp("cache"))


# --- the data ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sigs() -> dc.Signatures:
    return dc.signatures(load())


def scan_text(sigs: dc.Signatures, text: bytes) -> set[str]:
    return dc.fixture_cues(sigs, text.decode("latin-1"))


def test_every_class_is_in_the_vocabulary_and_has_a_core_cue(sigs: dc.Signatures) -> None:
    names = {c.device_class for c in sigs.cues}
    assert names == set(DEVICE_CLASSES)
    for name in names:
        assert any(c.core for c in sigs.cues if c.device_class == name), name
    assert 0 < sigs.threshold <= 1


@pytest.mark.parametrize("cue", dc.signatures(load()).cues, ids=lambda c: c.rule)
def test_every_cue_matches_its_fixture(sigs: dc.Signatures, cue: dc.Cue) -> None:
    assert cue.fixture.get("seen"), "a cue says where its evidence was seen"
    if cue.strings:
        text = cue.fixture["text"].encode("latin-1")
        assert cue.rule in scan_text(sigs, text), cue.fixture["text"]
    if cue.paths:
        assert any(p.search("/" + cue.fixture["path"]) for p in cue.paths), cue.fixture["path"]


def test_the_negatives_give_no_cue(sigs: dc.Signatures) -> None:
    assert sigs.negatives
    for text in sigs.negatives:
        assert scan_text(sigs, text) == set(), text


def test_data_check_runs_the_fixtures(tmp_path: Path) -> None:
    folder = tmp_path / "jurisdiction"
    shutil.copytree(signatures_dir() / "jurisdiction", folder)
    assert dc.check(folder) == []
    path = folder / dc.FILE
    raw = yaml.safe_load(path.read_text())
    onvif = next(c for c in raw["classes"]["camera"]["cues"] if c["id"] == "onvif")
    onvif["fixture"]["text"] = "no such words"
    raw["negatives"].append("PPPoE dial-up")
    path.write_text(yaml.safe_dump(raw))
    problems = dc.check(folder)
    assert any("camera/onvif" in p and "fixture" in p for p in problems)
    assert any("PPPoE dial-up" in p for p in problems)
    assert problems == [p for p in check(folder) if p.startswith(dc.FILE)]


def test_malformed_data_is_refused() -> None:
    good = {"id": "x", "weight": 0.5, "components": ["a"], "fixture": {"seen": "here"}}
    with pytest.raises(DataError, match="not one of"):
        dc.parse({"threshold": 0.7, "classes": {"toaster": {"cues": [good]}}}, "t")
    with pytest.raises(DataError, match="weight"):
        dc.parse({"threshold": 0.7, "classes": {"nas": {"cues": [{**good, "weight": 1.5}]}}}, "t")
    with pytest.raises(DataError, match="fixture"):
        bad = {**good, "strings": ["abc"], "fixture": {"seen": "here"}}
        dc.parse({"threshold": 0.7, "classes": {"nas": {"cues": [bad]}}}, "t")
    with pytest.raises(DataError, match="twice"):
        dc.parse({"threshold": 0.7, "classes": {"nas": {"cues": [good, good]}}}, "t")


def test_a_device_class_checks_its_name_and_confidence() -> None:
    with pytest.raises(ValueError, match="not one of"):
        DeviceClass("toaster", 0.9)
    with pytest.raises(ValueError, match="outside"):
        DeviceClass("router", 1.2)
    who = Attribution(None, 0.0, (), device_classes=(DeviceClass("nas", 0.8),))
    assert who.device_class == "nas"  # the best one's name, for the readers of 0.2


# --- generated images of each class ----------------------------------------------------------

ROUTER = {
    "web/userRpm/WanCfgRpm.htm": b"<html><title>WAN</title><form action=WanCfgRpm.htm>"
    b"<select name=wantype><option>Dynamic IP<option>PPPoE</select></form></html>\n",
    "web/userRpm/VirtualServerRpm.htm": b"<html><title>Virtual Servers</title></html>\n",
    "etc/ppp/options": b"noauth\nlcp-echo-interval 30\n",
    "etc/init.d/firewall": b"#!/bin/sh\niptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE\n",
    "usr/bin/hostapd": elf_like(b"hostapd v2.9", b"Copyright (c) 2002-2019, Jouni Malinen"),
}
CAMERA_APP = {
    "app/onvif/device_service.xml": b'<?xml version="1.0"?>\n<tds:GetCapabilities '
    b'xmlns:tds="http://www.onvif.org/ver10/device/wsdl"/>\n',
    "app/bin/ipcd": elf_like(b"open /dev/video0 failed", b"set ircut day mode", b"MotionDetect"),
    "usr/bin/rtspd": elf_like(b"LIVE555 Streaming Media v2020.01.11"),
}


def test_a_router_is_a_router_with_its_evidence(auditor: Auditor, tmp_path: Path) -> None:
    result = auditor.audit_data(tar_gz(tmp_path / "router.tar.gz", ROUTER))
    found = classes_of(result)
    assert set(found) == {"router"}
    router = found["router"]
    assert router.confidence >= 0.85  # pages 0.6, NAT 0.5, PPP 0.3, hostapd 0.15
    methods = {e.method for e in router.evidence}
    assert {"class-string", "class-component"} <= methods
    cues = {e.matched.partition(":")[0] for e in router.evidence}
    assert {"router-web-pages", "nat-firewall", "ppp-client"} <= cues
    for ev in router.evidence:
        assert ev.path and ev.method.startswith("class-") and 0 < ev.confidence < 1
        if ev.method == "class-string":
            assert ev.offset is not None
    assert result.assessment.attribution.device_class == "router"


def test_a_camera_is_a_camera(auditor: Auditor, tmp_path: Path) -> None:
    result = auditor.audit_data(tar_gz(tmp_path / "ipc.tar.gz", CAMERA_APP))
    assert set(classes_of(result)) == {"camera"}
    cues = {e.matched.partition(":")[0] for e in classes_of(result)["camera"].evidence}
    assert {"onvif", "ir-cut-filter", "rtsp-server"} <= cues


def test_a_router_with_a_camera_app_is_both(auditor: Auditor, tmp_path: Path) -> None:
    result = auditor.audit_data(tar_gz(tmp_path / "both.tar.gz", {**ROUTER, **CAMERA_APP}))
    found = classes_of(result)
    assert set(found) == {"router", "camera"}
    for name, cls in found.items():  # each class keeps its own evidence
        assert all(e.matched.partition(":")[0] for e in cls.evidence), name
    router_files = {e.path.rsplit("/", 1)[-1] for e in found["router"].evidence}
    assert not router_files & {"device_service.xml", "ipcd", "rtspd"}


def test_a_drone_shows_mavlink_and_flight_parameters(auditor: Auditor, tmp_path: Path) -> None:
    params = b"".join(
        b"%s,%s\n" % pair
        for pair in (
            (b"ATC_RAT_RLL_P", b"0.135"),
            (b"ATC_RAT_PIT_P", b"0.135"),
            (b"WPNAV_SPEED", b"500"),
            (b"RTL_ALT", b"1500"),
            (b"FENCE_ENABLE", b"1"),
        )
    )
    image = tar_gz(
        tmp_path / "fc.tar.gz",
        {
            "APM/defaults.param": params,
            "usr/bin/telemetry": elf_like(
                b"MAVLink protocol version 2", b"MAVLINK_MSG_ID_HEARTBEAT", b"gimbal pitch limit"
            ),
        },
    )
    result = auditor.audit_data(image)
    assert set(classes_of(result)) == {"drone"}
    cues = {e.matched.partition(":")[0] for e in classes_of(result)["drone"].evidence}
    assert {"mavlink", "flight-parameters"} <= cues


def test_a_cellular_module_shows_its_at_command_set(auditor: Auditor, tmp_path: Path) -> None:
    commands = [b"+CGMI", b"+CGMR", b"+CGSN", b"+CIMI", b"+CSQ", b"+CREG", b"+CGDCONT"]
    image = tar_gz(
        tmp_path / "modem.tar.gz",
        {
            "modem/atcmd": elf_like(*[b"AT" + c for c in commands], b"Revision: EC25EFAR06A06M4G"),
            "usr/sbin/ModemManager": elf_like(b"org.freedesktop.ModemManager1.Modem"),
        },
    )
    result = auditor.audit_data(image)
    assert set(classes_of(result)) == {"cellular-module"}
    cues = {e.matched.partition(":")[0] for e in classes_of(result)["cellular-module"].evidence}
    assert {"at-command-set", "module-revision", "modem-manager"} <= cues


def test_a_few_at_commands_are_no_modem(auditor: Auditor, tmp_path: Path) -> None:
    """A device that sends two AT commands to something is not a modem (min_strings 5)."""
    image = tar_gz(tmp_path / "few.tar.gz", {"bin/probe": elf_like(b"AT+CSQ", b"AT+CGMI")})
    assert classes_of(auditor.audit_data(image)) == {}


@pytest.mark.parametrize(
    ("name", "files"),
    [
        (
            "smart-home",
            {"usr/bin/zbgw": elf_like(b"EmberZNet 6.7.8 Zigbee stack", b"Z-Wave controller")},
        ),
        (
            "nas",
            {
                "sbin/raidctl": elf_like(b"mdadm --assemble --scan", b"/proc/mdstat"),
                "www/raid_config.html": b"<h2>Volume Management</h2><p>RAID 5</p>\n",
                "etc/samba/smb.conf": b"[global]\nworkgroup = WORKGROUP\n",
            },
        ),
        (
            "industrial-controller",
            {"opt/plc/runtime": elf_like(b"CODESYS Control for Linux SL", b"Modbus/TCP server")},
        ),
        (
            "telematics",
            {"app/eld": elf_like(b"J1939 address claim", b"OBD-II PID 0x0C", b"odometer=1234")},
        ),
    ],
)
def test_the_other_classes(auditor: Auditor, tmp_path: Path, name: str, files) -> None:
    result = auditor.audit_data(tar_gz(tmp_path / f"{name}.tar.gz", files))
    assert set(classes_of(result)) == {name}
    assert classes_of(result)[name].evidence


# --- what is no evidence ---------------------------------------------------------------------


def test_no_class_from_random_or_encrypted_bytes_or_a_makers_name(
    auditor: Auditor, tmp_path: Path
) -> None:
    noise = random.Random(13).randbytes(1 << 20)
    (tmp_path / "noise.bin").write_bytes(noise)
    assert classes_of(auditor.audit_data(tmp_path / "noise.bin")) == {}
    # a DJI-style header on an encrypted payload: the maker makes drones, the image shows none
    header = b"DJI\x00" + b"P3X\x00" * 8 + b"Copyright (c) DJI. All rights reserved.\x00"
    (tmp_path / "dji.img").write_bytes(header + noise)
    assert classes_of(auditor.audit_data(tmp_path / "dji.img")) == {}


def test_a_lone_package_is_no_device(auditor: Auditor, tmp_path: Path) -> None:
    """miniupnpd alone (a UPnP IGD server with its NAT rules) is one cue, not a router."""
    image = tar_gz(
        tmp_path / "miniupnpd.tar.gz",
        {
            "usr/sbin/miniupnpd": elf_like(
                b"miniupnpd/2.2.1",
                b"urn:schemas-upnp-org:device:WANDevice:1",
                b"urn:schemas-upnp-org:device:WANConnectionDevice:1",
                b"addmasqueraderule",
                b"MASQUERADE",
            )
        },
    )
    assert classes_of(auditor.audit_data(image)) == {}


def test_camera_helpers_alone_are_no_router(auditor: Auditor, tmp_path: Path) -> None:
    """A camera's set-up access point and PPPoE dial-up are router-like, not a router."""
    files = {
        **CAMERA_APP,
        "etc/hostapd.conf": b"interface=wlan0\nssid=CAM-SETUP\n",
        "usr/bin/hostapd": elf_like(b"hostapd v2.9"),
        "usr/sbin/udhcpd": elf_like(b"udhcpd (v1.31.1) started"),
        "app/pppoe.conf": b"# PPPoE dial-up of the camera\nPPPoE=0\n",
    }
    result = auditor.audit_data(tar_gz(tmp_path / "cam-ap.tar.gz", files))
    assert set(classes_of(result)) == {"camera"}


# --- policies and outputs ---------------------------------------------------------------------


CLASS_POLICY = {
    "id": "classes",
    "rules": [
        {
            "id": "router-or-drone",
            "subject": "device",
            "when": {"device_class": ["router", "drone"]},
            "outcome": "review",
            "rationale": "a {device_class}",
        },
        {
            "id": "camera",
            "subject": "device",
            "when": {"device_class": "camera"},
            "outcome": "fail",
            "rationale": "a camera",
        },
        {
            "id": "not-nas",
            "subject": "device",
            "when": {"not_device_class": "nas"},
            "outcome": "review",
            "rationale": "not a NAS",
        },
        {
            "id": "not-router",
            "subject": "device",
            "when": {"not_device_class": ["router", "nas"]},
            "outcome": "fail",
            "rationale": "not a router",
        },
    ],
}


def test_policy_conditions_test_membership_and_carry_the_evidence(
    auditor: Auditor, tmp_path: Path
) -> None:
    path = tmp_path / "classes.yaml"
    path.write_text(yaml.safe_dump(CLASS_POLICY))
    judge = Auditor(cache_dir=auditor.cache_dir, policies=[path])
    result = judge.audit_data(tar_gz(tmp_path / "both.tar.gz", {**ROUTER, **CAMERA_APP}))
    rules = {v.rule: v for v in result.assessment.verdicts}
    assert {"router-or-drone", "camera", "not-nas"} <= set(rules)
    assert "not-router" not in rules  # the image is a router (and a camera)
    found = classes_of(result)
    assert set(found["router"].evidence) <= set(rules["router-or-drone"].evidence)
    assert set(found["camera"].evidence) <= set(rules["camera"].evidence)
    assert not set(found["camera"].evidence) & set(rules["router-or-drone"].evidence)
    assert rules["router-or-drone"].rationale.startswith("a router")
    assert any(f.ref == "device-class/router" for f in rules["router-or-drone"].facts)
    assert dict(result.assessment.policies)["classes"] is Outcome.FAIL


def test_a_policy_naming_an_unknown_class_is_refused() -> None:
    with pytest.raises(ConfigError, match="toaster"):
        parse_policy(
            {
                "id": "p",
                "rules": [
                    {
                        "id": "r",
                        "subject": "device",
                        "when": {"device_class": "toaster"},
                        "outcome": "fail",
                    }
                ],
            },
            "test",
        )


def test_every_output_shows_every_class(
    auditor: Auditor, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    image = tar_gz(tmp_path / "both.tar.gz", {**ROUTER, **CAMERA_APP})
    data = auditor.audit_data(image)
    who = data.assessment.attribution
    # SBOM: one JSON property per class, read back best first with the evidence
    document = json.loads(to_json(data))
    names = [p["name"] for p in document["metadata"]["component"]["properties"]]
    assert names.count("fwaudit:device-class:detail") == 2
    reread = sbom_to_data(document).assessment.attribution
    assert reread.device_classes == who.device_classes
    assert reread.device_class == who.device_class == who.device_classes[0].name
    # the analyst's table, the fleet row, the report header
    table = AuditResult(data).device_classes
    assert list(table["device_class"]) == [c.name for c in who.device_classes]
    assert table["path"].notna().all()
    row = image_summary(data)
    assert row["device_classes"] == ";".join(f"{c.name} {c.confidence}" for c in who.device_classes)
    html = AuditResult(data).to_html(tmp_path / "report.html").read_text()
    header = html.split('id="device-class"', 1)[1].split("</div>", 1)[0]
    assert "router" in header and "camera" in header and "confidence" in header
    # the CLI summary line
    out = tmp_path / "s.cdx.json"
    assert main(["scan", str(image), "-o", str(out), "--cache-dir", str(auditor.cache_dir)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "device class:" in x)
    assert "router" in line and "camera" in line


# --- the corpus ---------------------------------------------------------------------------------


def test_the_expectations_list_every_corpus_file(corpus: Path) -> None:
    expected = read_class_labels(EXPECTED)
    files = {p.name for p in corpus.iterdir() if p.is_file() and p.suffix not in (".tsv", ".json")}
    assert files | {SAMPLE_NAME} == set(expected)
    for classes, _ in expected.values():
        assert classes <= set(DEVICE_CLASSES)


@pytest.mark.slow
@pytest.mark.corpus
def test_device_classes_on_the_corpus(corpus: Path, sample: Path, session_cache: Path) -> None:
    auditor = Auditor(cache_dir=session_cache)
    wrong = []
    for name, (wanted, exact) in sorted(read_class_labels(EXPECTED).items()):
        path = sample if name == SAMPLE_NAME else corpus / name
        who = auditor.audit_data(path).assessment.attribution
        found = {c.name for c in who.device_classes}
        if (found != wanted) if exact else not wanted <= found:  # "at-least": a superset
            wrong.append((name, sorted(found), sorted(wanted)))
        for cls in who.device_classes:  # every class with evidence: path, method, weight
            assert cls.evidence and all(e.method.startswith("class-") for e in cls.evidence)
    assert wrong == []
