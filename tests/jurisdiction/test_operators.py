"""Operator data (operators.yaml), and endpoints judged when no operator is known: the
registration country (ccTLD of a name, RIR allocation of an address) still speaks."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from fwaudit._data import signatures_dir
from fwaudit.api import Auditor
from fwaudit.jurisdiction.attribution import MAKER_KINDS
from fwaudit.jurisdiction.data import load
from fwaudit.jurisdiction.policy import Subject, evaluate, load_policy
from fwaudit.model import Attribution, Geography, Outcome, Party
from fwaudit.sbom import to_json
from fwaudit.sbom_read import _geography, sbom_to_data

from .cameras import camera_image

OPERATORS = signatures_dir() / "jurisdiction" / "operators.yaml"
USER_POLICY = Path(__file__).resolve().parents[2] / "docs" / "policies" / "no-cn-ru-endpoints.yaml"
OPERATOR_KINDS = {
    "cloud-operator",
    "cdn-operator",
    "dns-operator",
    "ntp-operator",
    "ddns-operator",
    "p2p-operator",
    "iot-platform",
    "mqtt-operator",
    "telecom-operator",
    "certificate-authority",
    "software-vendor",
    "government-agency",
    "registry",
}
# Services of a camera none of which an operator in the data runs, except the Tuya one:
# a name under .cn, one under .com, an address allocated to China, one allocated to Russia.
UNKNOWN_CLOUDS = """\
# cloud and P2P services of the camera
p2p_server=p2p.ipcam-relay.cn:32100
api_url=https://api.ipcam-relay.com/v1/device
relay_server=47.104.1.1:8000
stun_server=5.255.255.5:3478
tuya_mqtt=mqtts://m1.tuyaeu.com:8883
"""


# --- the data ------------------------------------------------------------------------------
def test_operator_data_has_150_sourced_dated_organisations() -> None:
    """Every operator entry is sourced at a URL and dated, and operates something; with the
    makers that run their own clouds (organisations.yaml) 150 organisations or more name the
    services they operate."""
    entries = yaml.safe_load(OPERATORS.read_text())
    assert len(entries) >= 120
    for org_id, entry in entries.items():
        assert entry.get("sources"), org_id
        refs = [s.get("ref", "") for s in entry["sources"]]
        assert all(re.fullmatch(r"https?://\S+", ref) for ref in refs), org_id
        assert entry.get("as_of"), org_id
        assert entry.get("domains") or entry.get("ips"), f"{org_id} operates nothing"
    organisations = load().organisations
    assert len(organisations) >= len(entries)  # merged with organisations.yaml
    operating = [o for o, e in organisations.items() if e.get("domains") or e.get("ips")]
    assert len(operating) >= 150


def test_operator_data_cannot_name_a_device_maker() -> None:
    """Aliases are matched in firmware text as maker names, and a domain of an organisation
    with a maker kind is a maker clue: an operator entry has neither."""
    for org_id, entry in yaml.safe_load(OPERATORS.read_text()).items():
        assert "aliases" not in entry, org_id
        assert set(entry["kinds"]) <= OPERATOR_KINDS, org_id
        assert not MAKER_KINDS & set(entry["kinds"]), org_id


def test_no_domain_or_address_has_two_operators() -> None:
    claims: dict[str, list[str]] = defaultdict(list)
    for org_id, entry in load().organisations.items():
        for name in (*entry.get("domains", ()), *entry.get("ips", ())):
            claims[name].append(org_id)
    assert {name: orgs for name, orgs in claims.items() if len(orgs) > 1} == {}


@pytest.mark.parametrize(
    ("host", "org", "country"),
    [
        ("8.8.8.8", "google", "US"),
        ("time.windows.com", "microsoft", "US"),
        ("ntp.nict.jp", "nict", "JP"),
        ("9.9.9.9", "quad9", "CH"),
        ("s3.eu-west-1.amazonaws.com", "aws", "US"),
        ("s3.cn-north-1.amazonaws.com.cn", "sinnet", "CN"),  # the subsidiary zone wins
        ("cm.iotcplatform.com", "throughtek", "TW"),  # Kalay master servers
        ("www.qq.com", "tencent", "CN"),
        ("wap.tplinkcloud.com", "tp-link", "CN"),  # the lineage root: a maker clue follows the date
        ("api.xbcs.net", "belkin", "US"),
        ("223.5.5.5", "alidns", "CN"),  # a brand: its owner's country
        ("119.29.29.29", "dnspod", "CN"),
        ("ntp.ntsc.ac.cn", "ntsc", "CN"),
        ("77.88.8.8", "yandex", "RU"),
        ("members.dyndns.org", "dyn", "US"),
    ],
)
def test_operator_lookups(host: str, org: str, country: str) -> None:
    data = load()
    assert (data.by_ip(host) or data.by_domain(host)) == org
    assert data.country(org) == country


@pytest.mark.parametrize(
    "host",
    [
        "0.openwrt.pool.ntp.org",  # no source says where the NTP Pool is incorporated
        "members.3322.org",  # PubYun's operating company and country unconfirmed
        "up-z0.qiniup.com",
        "64.6.64.6",  # former Verisign Public DNS, now named as Neustar's
        "openwrt.org",  # not an SPI project (Software Freedom Conservancy since 2020)
    ],
)
def test_unconfirmed_operators_are_left_unknown(host: str) -> None:
    """Fail closed: an operator or country that could not be confirmed at a source is not in
    the data, so the host is judged by its registration country alone."""
    data = load()
    assert (data.by_ip(host) or data.by_domain(host)) is None


# --- a host with no known operator ---------------------------------------------------------
def _endpoint(host: str, where: Geography) -> Subject:
    return Subject("endpoint", host, where.operator, role="p2p", use="default", geography=where)


@pytest.mark.parametrize(
    ("where", "outcome"),
    [
        (Geography("p2p.ipcam-relay.cn", None, "CN", "ccTLD .cn"), Outcome.REVIEW),
        (Geography("api.ipcam-relay.com", None), Outcome.PASS),  # no registration country
        (Geography("relay.example.de", None, "DE", "ccTLD .de"), Outcome.PASS),
        (Geography("m1.tuyaeu.com", Party("tuya", "Tuya", "CN")), Outcome.FAIL),
    ],
)
def test_uk_2022_judges_registration_when_the_operator_is_unknown(
    where: Geography, outcome: Outcome
) -> None:
    data = load()
    device = Subject("device", "Wyze", Party("wyze", "Wyze", "US"))  # a maker the rules can judge
    found = evaluate(
        load_policy("uk-2022-sensitive-sites"),
        [device, _endpoint(where.host, where)],
        Attribution(maker=None, confidence=0.0, evidence=()),
        data,
    )
    about = [v for v in found if v.subject == where.host]
    if outcome is Outcome.PASS:
        assert about == [] and [v.outcome for v in found] == [Outcome.PASS]
        return
    (verdict,) = about
    assert verdict.outcome is outcome
    if outcome is Outcome.REVIEW:
        assert verdict.rule == "service-unknown-operator-registered-in-prc"
        assert "operator is unknown" in verdict.rationale
        assert "registered in CN (source: ccTLD .cn)" in verdict.rationale
        assert "{" not in verdict.rationale
        assert verdict.facts and verdict.facts[0].sources == ("ccTLD .cn",)


@pytest.fixture(scope="module")
def unknown_camera(tmp_path_factory: pytest.TempPathFactory):
    auditor = Auditor(
        cache_dir=tmp_path_factory.mktemp("cache"),
        policies=["uk-2022-sensitive-sites", "us-ndaa-889", USER_POLICY],
    )
    image = camera_image(tmp_path_factory.mktemp("unknown") / "ipc.tar.gz", UNKNOWN_CLOUDS, "cn")
    return auditor.audit_data(image)


def _verdicts(result, policy: str) -> dict[str, tuple[Outcome, str]]:
    return {
        v.subject: (v.outcome, v.rationale)
        for v in result.assessment.verdicts
        if v.policy == policy and v.subject_kind == "endpoint"
    }


def test_camera_talking_to_an_unknown_prc_cloud_is_reviewed(unknown_camera) -> None:
    hosts = {e.host for e in unknown_camera.endpoints if e.outbound}
    assert {"p2p.ipcam-relay.cn", "api.ipcam-relay.com", "47.104.1.1"} <= hosts
    uk = _verdicts(unknown_camera, "uk-2022-sensitive-sites")
    outcome, rationale = uk["p2p.ipcam-relay.cn"]
    assert outcome is Outcome.REVIEW
    assert "operator is unknown" in rationale and "source: ccTLD .cn" in rationale
    outcome, rationale = uk["47.104.1.1"]
    assert outcome is Outcome.REVIEW and "source: RIR allocation data" in rationale
    assert "api.ipcam-relay.com" not in uk  # .com: no registration country offline
    assert "5.255.255.5" not in uk  # registered in Russia: not a PRC-law question
    assert uk["m1.tuyaeu.com"][0] is Outcome.FAIL  # a known operator fails as before
    assert dict(unknown_camera.assessment.policies)["uk-2022-sensitive-sites"] is Outcome.FAIL
    assert "47.104.1.1" not in _verdicts(unknown_camera, "us-ndaa-889")


def test_user_policy_reviews_unknown_operators_registered_in_cn_or_ru(unknown_camera) -> None:
    user = _verdicts(unknown_camera, "no-cn-ru-endpoints")
    assert user["p2p.ipcam-relay.cn"][0] is Outcome.REVIEW
    outcome, rationale = user["5.255.255.5"]
    assert outcome is Outcome.REVIEW and "registered in RU (source: RIR allocation" in rationale
    assert user["m1.tuyaeu.com"][0] is Outcome.FAIL
    assert "api.ipcam-relay.com" not in user


def test_sbom_carries_the_bare_registration_country_and_its_source(unknown_camera) -> None:
    bom = json.loads(to_json(unknown_camera))
    props = {
        s["name"]: {p["name"]: p["value"] for p in s.get("properties", ())} for s in bom["services"]
    }
    cn = props["p2p.ipcam-relay.cn"]
    assert cn["fwaudit:endpoint:registration-country"] == "CN"
    assert cn["fwaudit:endpoint:registration-source"] == "ccTLD .cn"
    assert props["47.104.1.1"]["fwaudit:endpoint:registration-source"].startswith(
        "RIR allocation data (iptocc "
    )
    assert "fwaudit:endpoint:registration-country" not in props["api.ipcam-relay.com"]
    back = sbom_to_data(bom).assessment
    for host in ("p2p.ipcam-relay.cn", "47.104.1.1", "api.ipcam-relay.com"):
        read, written = back.where(host), unknown_camera.assessment.where(host)
        assert (read.registration_country, read.registration_source) == (
            written.registration_country,
            written.registration_source,
        ), host


def test_sbom_reader_accepts_the_older_combined_registration_property() -> None:
    service = {
        "name": "p2p.ipcam-relay.cn",
        "properties": [
            {"name": "fwaudit:endpoint:registration-country", "value": "CN (ccTLD .cn)"}
        ],
    }
    where = _geography(service)
    assert (where.registration_country, where.registration_source) == ("CN", "ccTLD .cn")
