"""Maker attribution, endpoint geography and policy verdicts on real and generated images."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from fwaudit.api import Auditor
from fwaudit.cli import main
from fwaudit.errors import ConfigError
from fwaudit.jurisdiction import load_policy
from fwaudit.jurisdiction.policy import parse_policy
from fwaudit.model import Outcome
from fwaudit.sbom import to_json

from .cameras import CN_CLOUDS, NEUTRAL_CLOUDS, camera_image

REPO = Path(__file__).resolve().parents[2]
USER_POLICY = REPO / "docs" / "policies" / "no-cn-ru-endpoints.yaml"


def outcomes(result) -> dict[str, Outcome]:
    return dict(result.assessment.policies)


def verdicts(result, policy: str) -> dict[str, Outcome]:
    return {v.subject: v.outcome for v in result.assessment.verdicts if v.policy == policy}


@pytest.fixture(scope="module")
def auditor(tmp_path_factory: pytest.TempPathFactory) -> Auditor:
    policies = ["uk-2022-sensitive-sites", "us-ndaa-889", "us-fcc-covered", "us-entity-list"]
    return Auditor(cache_dir=tmp_path_factory.mktemp("cache"), policies=[*policies, USER_POLICY])


@pytest.fixture(scope="module")
def cn_camera(auditor: Auditor, tmp_path_factory: pytest.TempPathFactory):
    image = camera_image(tmp_path_factory.mktemp("cn") / "ipc.tar.gz", CN_CLOUDS, "cn")
    return auditor.audit_data(image)


def test_camera_with_cn_clouds_fails_uk_2022_and_ndaa_889_per_finding(cn_camera) -> None:
    assert cn_camera.assessment.attribution.device_class == "camera"
    assert outcomes(cn_camera)["uk-2022-sensitive-sites"] is Outcome.FAIL
    assert outcomes(cn_camera)["us-ndaa-889"] is Outcome.FAIL
    uk = verdicts(cn_camera, "uk-2022-sensitive-sites")
    for host in (
        "litedev.hik-connect.com",
        "open.ys7.com",
        "www.easy4ipcloud.com",
        "pub-cfg.secu100.net",
        "m1.tuyaeu.com",
        "114.114.114.114",
    ):
        assert uk[host] is Outcome.FAIL, host
    ndaa = verdicts(cn_camera, "us-ndaa-889")
    assert {h for h, o in ndaa.items() if o is Outcome.FAIL} == {
        "litedev.hik-connect.com",
        "open.ys7.com",
        "www.easy4ipcloud.com",
    }
    for verdict in cn_camera.assessment.verdicts:
        assert verdict.rationale and "{" not in verdict.rationale
        if verdict.outcome is not Outcome.PASS:
            assert verdict.facts and all(f.sources for f in verdict.facts)
            assert verdict.evidence and all(e.offset is not None for e in verdict.evidence)


def test_ezviz_verdict_explains_the_brand_and_the_listing(cn_camera) -> None:
    verdict = next(
        v
        for v in cn_camera.assessment.verdicts
        if v.policy == "us-ndaa-889" and v.subject == "open.ys7.com"
    )
    refs = {f.ref for f in verdict.facts}
    assert {"organisations/ezviz", "organisations/hikvision", "lists/us-ndaa-889"} <= refs
    assert "EZVIZ" in verdict.rationale


def test_camera_with_neutral_endpoints_passes(auditor: Auditor, tmp_path: Path) -> None:
    image = camera_image(tmp_path / "ipc.tar.gz", NEUTRAL_CLOUDS, "neutral")
    result = auditor.audit_data(image, declared_vendor="Wyze")
    assert result.outbound, "the neutral endpoints are still found"
    assert set(outcomes(result).values()) == {Outcome.PASS}
    assert all(v.rule == "no-finding" for v in result.assessment.verdicts)


def test_no_maker_and_no_finding_is_inconclusive_not_pass(auditor: Auditor, tmp_path: Path) -> None:
    """Fail closed: with no maker named by the firmware (and none declared), rules about the
    maker were not checked, so no policy that has them passes."""
    image = camera_image(tmp_path / "ipc.tar.gz", NEUTRAL_CLOUDS, "neutral")
    result = auditor.audit_data(image)
    found = outcomes(result)
    # a policy about endpoints only (the user policy) still passes: it has no maker rule
    assert found.pop("no-cn-ru-endpoints") is Outcome.PASS
    assert set(found.values()) == {Outcome.INCONCLUSIVE}
    for verdict in result.assessment.verdicts:
        if verdict.policy == "no-cn-ru-endpoints":
            continue
        assert verdict.rule == "maker-not-identified" and "--declared-vendor" in verdict.rationale
        assert verdict.evidence and verdict.facts


def test_declared_vendor_that_relabels_is_flagged(auditor: Auditor, tmp_path: Path) -> None:
    image = camera_image(
        tmp_path / "lts.tar.gz",
        NEUTRAL_CLOUDS,
        "neutral",
        copyright_line="Copyright (c) 2022 Hangzhou Hikvision Digital Technology Co., Ltd.",
    )
    result = auditor.audit_data(image, declared_vendor="LTS")
    who = result.assessment.attribution
    assert who.maker and who.maker.org == "hikvision" and who.maker.country == "CN"
    assert who.evidence[0].method == "copyright-string"
    assert "oem-relabel of Hikvision" in who.mismatch
    assert outcomes(result)["us-ndaa-889"] is Outcome.FAIL  # the maker is covered


def test_offline_audit_makes_no_network_call(
    auditor: Auditor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def refuse(self, address):
        calls.append(address)
        raise OSError("network disabled by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    image = camera_image(tmp_path / "ipc.tar.gz", CN_CLOUDS, "cn")
    result = auditor.audit_data(image)
    assert result.assessment.geography and calls == []


def test_policy_errors_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown policy"):
        load_policy("no-such-policy")
    with pytest.raises(ConfigError, match="unknown conditions"):
        parse_policy(
            {
                "id": "x",
                "rules": [
                    {"id": "r", "subject": "endpoint", "when": {"colour": 1}, "outcome": "fail"}
                ],
            },
            "test",
        )
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nrules: [{id: r, subject: planet, outcome: fail}]\n")
    with pytest.raises(ConfigError, match="subject"):
        load_policy(bad)


@pytest.mark.slow
def test_wr841n_maker_services_and_user_policy(
    corpus: Path, auditor: Auditor, tmp_path: Path
) -> None:
    result = auditor.audit_data(corpus / "tplink_wr841nv10_en_3_16_9_up_boot_150310.bin")
    who = result.assessment.attribution
    assert (who.maker.org, who.maker.country) == ("tp-link", "CN")
    assert who.firmware_date.startswith("2015") and who.evidence[0].method == "vendor-header"
    bom = json.loads(to_json(result))
    assert bom["metadata"]["manufacturer"] == {"name": "TP-Link", "address": {"country": "CN"}}
    providers = {s["name"]: s.get("provider") for s in bom["services"]}
    for host in ("phservice2.oray.net", "dns.comexe.cn"):
        assert providers[host]["address"]["country"] == "CN", host
    user = [v for v in result.assessment.verdicts if v.policy == "no-cn-ru-endpoints"]
    failing = {v.subject for v in user if v.outcome is Outcome.FAIL}
    assert {"phservice2.oray.net", "dns.comexe.cn"} <= failing
    assert all("under CN law" in v.rationale for v in user if v.outcome is Outcome.FAIL)


@pytest.mark.slow
def test_openwrt_has_no_finding_under_uk_2022(corpus: Path, auditor: Auditor) -> None:
    """A generic OpenWrt build: nothing to fail or review, but no maker to vouch for."""
    result = auditor.audit_data(corpus / "ofrak_bcm53xx-generic-carved.ubi")
    assert outcomes(result)["uk-2022-sensitive-sites"] is Outcome.INCONCLUSIVE
    uk = [v for v in result.assessment.verdicts if v.policy == "uk-2022-sensitive-sites"]
    assert [v.rule for v in uk] == ["maker-not-identified"]


def test_scan_prints_verdicts_and_explain_reads_the_sbom(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    image = camera_image(tmp_path / "ipc.tar.gz", CN_CLOUDS, "cn")
    sbom = tmp_path / "ipc.cdx.json"
    args = ["scan", str(image), "-o", str(sbom), "--cache-dir", str(tmp_path / "c")]
    assert main([*args, "--policy", "us-ndaa-889"]) == 0
    out = capsys.readouterr().out
    assert "us-ndaa-889: FAIL (3 fail)" in out
    assert main(["explain", str(sbom), "open.ys7.com"]) == 0
    chain = capsys.readouterr().out
    assert "us-ndaa-889/service-covered/open.ys7.com: FAIL" in chain
    assert "etc/cloud.conf@" in chain and "source: Pub. L. 115-232" in chain
