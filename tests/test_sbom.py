"""The SBOM projection: schema-valid CycloneDX 1.6, stable, compared with a stored snapshot.

Set FWAUDIT_UPDATE_SNAPSHOTS=1 to rewrite the snapshot after an intended change.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from fwaudit import __version__
from fwaudit.model import (
    AuditData,
    Component,
    Endpoint,
    Evidence,
    ExtractedNode,
    Image,
    NodeKind,
    Problem,
    Severity,
    Technique,
    UnpackOutcome,
)
from fwaudit.sbom import to_json, to_xml

SNAPSHOT = Path(__file__).parent / "snapshots" / "minimal.cdx.json"
WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def result() -> AuditData:
    image = Image(Path("/fw/cam.bin"), "ab" * 32, 4096)
    unpack = UnpackOutcome(
        root=Path("/cache/tree"),
        backend="fake",
        tool_version="fake 1.0",
        nodes=(
            ExtractedNode(
                "cam.bin.extracted/40/bin/busybox",
                NodeKind.FILE,
                64,
                1,
                "",
                64,
                "squashfs",
                "fake",
                "cd" * 32,
                True,
            ),
        ),
        problems=(
            Problem(
                "unpack",
                "safety.link_escape",
                Severity.WARNING,
                "etc/passwd",
                "link to '/../etc/passwd' leaves the tree",
            ),
        ),
        seconds=0.1,
    )
    busybox_bin = "cam.bin.extracted/40/bin/busybox"
    busybox = Component(
        name="busybox",
        version="1.01",
        vendor="busybox",
        purl_type="generic",
        cpe="busybox:busybox",
        website="https://busybox.net",
        evidence=(
            Evidence(
                busybox_bin, 1234, "yara:busybox", "BusyBox v1.01 (2015)", Technique.BINARY, 0.95
            ),
        ),
        description="BusyBox multi-call binary banner",
    )
    uclibc = Component(
        name="uclibc",
        version="0.9.30",
        vendor="uclibc",
        purl_type="generic",
        cpe="uclibc:uclibc",
        website="https://uclibc.org",
        evidence=(
            Evidence(
                "cam.bin.extracted/40/lib/libuClibc-0.9.30.so",
                None,
                "file-name",
                "libuClibc-0.9.30.so",
                Technique.FILENAME,
                0.7,
            ),
        ),
    )
    ddns = Endpoint(
        host="members.dyndns.org",
        kind="hostname",
        outbound=True,
        role="ddns",
        evidence=(
            Evidence(
                "cam.bin.extracted/40/usr/bin/httpd",
                9000,
                "endpoint-regex",
                "members.dyndns.org",
                Technique.BINARY,
                0.8,
            ),
        ),
        components=("busybox",),
    )
    namespace = Endpoint(
        host="www.w3.org",
        kind="hostname",
        outbound=False,
        reason="XML/SOAP namespace or schema identifier, never dereferenced",
        evidence=(
            Evidence(
                "web/index.htm",
                10,
                "endpoint-regex",
                "http://www.w3.org/1999/xhtml",
                Technique.BINARY,
                0.8,
            ),
        ),
    )
    return AuditData(
        image=image,
        unpack=unpack,
        fwaudit_version=__version__,
        components=(busybox, uclibc),
        endpoints=(ddns, namespace),
        toolchain=("gcc 4.3.3",),
        dependencies=(("busybox@1.01", ("uclibc@0.9.30",)),),
    )


def test_sbom_is_valid_and_matches_the_snapshot() -> None:
    text = to_json(result(), timestamp=WHEN)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    if os.environ.get("FWAUDIT_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(text)
    assert json.loads(text) == json.loads(SNAPSHOT.read_text())


def test_same_result_gives_byte_identical_sbom() -> None:
    assert to_json(result(), timestamp=WHEN) == to_json(result(), timestamp=WHEN)


def test_occurrences_come_in_one_order_whatever_the_hashing() -> None:
    """Occurrences used to follow set hashing (another order every run, issue 14)."""
    base = result()
    found = [
        Evidence(f"bin/{name}", offset, "yara:busybox", "BusyBox", Technique.BINARY, 0.9)
        for name in ("c", "a", "b")
        for offset in (30, None, 10)
    ]
    data = replace(base, components=(replace(base.components[0], evidence=tuple(found)),))
    texts = {to_json(data, timestamp=WHEN) for _ in range(5)}
    assert len(texts) == 1
    occurrences = json.loads(texts.pop())["components"][0]["evidence"]["occurrences"]
    shown = [(o["location"], o.get("offset")) for o in occurrences]
    assert shown == [(f"bin/{n}", o) for n in "abc" for o in (None, 10, 30)]


def test_components_carry_identity_and_occurrence_evidence() -> None:
    bom = json.loads(to_json(result(), timestamp=WHEN))
    busybox = next(c for c in bom["components"] if c["name"] == "busybox")
    assert busybox["purl"] == "pkg:generic/busybox/busybox@1.01"
    assert busybox["cpe"] == "cpe:2.3:a:busybox:busybox:1.01:*:*:*:*:*:*:*"
    identity = busybox["evidence"]["identity"][0]
    assert identity["field"] == "version" and identity["methods"][0]["technique"] == (
        "binary-analysis"
    )
    assert busybox["evidence"]["occurrences"][0]["offset"] == 1234
    deps = {d["ref"]: d.get("dependsOn", []) for d in bom["dependencies"]}
    assert deps["component:busybox@1.01"] == ["component:uclibc@0.9.30"]


def test_only_outbound_endpoints_become_services() -> None:
    bom = json.loads(to_json(result(), timestamp=WHEN))
    assert [s["name"] for s in bom["services"]] == ["members.dyndns.org"]
    assert bom["services"][0]["data"][0]["flow"] == "outbound"
    props = {p["name"]: p["value"] for p in bom["metadata"]["component"]["properties"]}
    assert props["fwaudit:not-outbound"].startswith("www.w3.org")
    assert props["fwaudit:toolchain"] == "gcc 4.3.3"


def test_xml_is_valid_too() -> None:
    assert "<services>" in to_xml(result(), timestamp=WHEN)


def test_problems_become_namespaced_properties() -> None:
    bom = json.loads(to_json(result(), timestamp=WHEN))
    props = [
        p for p in bom["metadata"]["component"]["properties"] if p["name"] == "fwaudit:problem"
    ]
    assert props == [
        {
            "name": "fwaudit:problem",
            "value": "warning safety.link_escape etc/passwd: link to '/../etc/passwd' "
            "leaves the tree",
        }
    ]


def awkward_result() -> AuditData:
    """Endpoints whose URLs CycloneDX cannot carry as IRIs, evidence with a NUL byte: the
    shapes the corpus batch found (binwalk3_zip, dafang curl, OpenWrt dnsmasq)."""
    base = result()

    def seen(matched: str) -> tuple[Evidence, ...]:
        return (Evidence("usr/bin/app", 10, "endpoint-regex", matched, Technique.BINARY, 0.8),)

    v6 = Endpoint(
        host="2001:1890:1112:1::20",
        kind="ipv6",
        outbound=True,
        urls=("http://[2001:1890:1112:1::20]/",),
        evidence=seen("http://[2001:1890:1112:1::20]/"),
    )
    bare_v6 = Endpoint(host="3ffe:ffff:100::1", kind="ipv6", outbound=True, evidence=seen("x"))
    template = Endpoint(
        host="www.9299.org",
        kind="hostname",
        outbound=True,
        urls=("http://www.9299.org/up.asp?username=%s&mod=%d",),
        evidence=seen("http://www.9299.org/up.asp?username=%s"),
    )
    dnsmasq = Component(
        name="dnsmasq",
        version="2.80",
        vendor="thekelleys",
        purl_type="generic",
        cpe="thekelleys:dnsmasq",
        website="https://thekelleys.org.uk/dnsmasq/doc.html",
        evidence=seen("2.80\x00Dnsmasq version %s"),
    )
    return AuditData(
        image=base.image,
        unpack=base.unpack,
        fwaudit_version=__version__,
        components=(dnsmasq,),
        endpoints=(bare_v6, v6, template),
    )


def test_urls_that_are_not_iris_stay_as_properties_and_the_bom_stays_valid() -> None:
    text = to_json(awkward_result(), timestamp=WHEN)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None  # the slow one
    services = {s["name"]: s for s in json.loads(text)["services"]}
    for host, url in (
        ("3ffe:ffff:100::1", "//[3ffe:ffff:100::1]"),  # the library escapes the brackets
        ("2001:1890:1112:1::20", "http://[2001:1890:1112:1::20]/"),
        ("www.9299.org", "http://www.9299.org/up.asp?username=%s&mod=%d"),
    ):
        assert "endpoints" not in services[host]
        props = {(p["name"], p["value"]) for p in services[host]["properties"]}
        assert ("fwaudit:endpoint:url", url) in props


def test_control_bytes_in_evidence_are_shown_escaped_and_the_xml_is_valid() -> None:
    xml = to_xml(awkward_result(), timestamp=WHEN)
    assert "2.80\\x00Dnsmasq version %s" in xml


def test_fast_iri_check_agrees_with_the_full_grammar() -> None:
    from rfc3987_syntax import is_valid_syntax

    from fwaudit.sbom import is_iri_reference

    # RFC 3986 3.2.2 IP literals; rfc3987-syntax 1.1 rejects compressed ones ("::"), which
    # is why the SBOM never emits them (see the test above)
    assert is_iri_reference("//[3ffe:ffff:100::1]")
    assert not is_valid_syntax("iri_reference", "//[3ffe:ffff:100::1]")
    samples = [
        "http://[1:2:3:4:5:6:7:8]/",
        "//3ffe:ffff:100::1",
        "http://%5B2001::1%5D/",
        "http://a.example/c?x=%s",
        "http://a.example/c?x=%25s",
        "mqtts://m1.tuyaeu.com:8883",
        "//pool.ntp.org:123",
        "http://exa mple.org/",
        "https://例え.jp/パス",
        "",
        "#frag",
    ]
    for text in samples:
        assert is_iri_reference(text) == is_valid_syntax("iri_reference", text), text


def test_modules_are_devices_and_wifi_blobs_firmware_and_read_back_as_such() -> None:
    """A cellular module the firmware drives is a CycloneDX `device`, a Wi-Fi chipset blob a
    `firmware` component (with its own hash); `sbom_read` keeps both types."""
    from dataclasses import replace

    from fwaudit.sbom_read import sbom_to_data

    ec25 = Component(
        name="quectel-ec25",
        version="EC25EFAR06A06M4G",
        vendor="quectel",
        purl_type="generic",
        cpe="quectel:ec25",
        website="https://www.quectel.com",
        evidence=(
            Evidence(
                "usr/share/lte/ati.log",
                5,
                "yara:quectel_module",
                "Quectel EC25 (the module's own banner, maker and model: present)",
                Technique.BINARY,
                0.85,
            ),
        ),
        description="Quectel EC25: Quectel cellular module (AT banner or firmware revision)",
        type="device",
    )
    blob = Component(
        name="realtek-rtl8188eu-firmware",
        version=None,
        vendor="realtek",
        purl_type="generic",
        cpe="realtek:rtl8188eu",
        website="",
        evidence=(
            Evidence(
                "lib/firmware/rtlwifi/rtl8188eufw.bin",
                None,
                "radio-file:firmware",
                "lib/firmware/rtlwifi/rtl8188eufw.bin (firmware blob ...: present)",
                Technique.FILENAME,
                0.6,
            ),
        ),
        type="firmware",
        sha256="ef" * 32,
    )
    data = replace(result(), components=(*result().components, ec25, blob))
    text = to_json(data, timestamp=WHEN)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    types = {c["name"]: c["type"] for c in json.loads(text)["components"]}
    assert types["quectel-ec25"] == "device" and types["realtek-rtl8188eu-firmware"] == "firmware"
    assert types["busybox"] == "library"
    back = {c.name: c for c in sbom_to_data(json.loads(text)).components}
    assert back["quectel-ec25"].type == "device" and back["quectel-ec25"].version == ec25.version
    assert back["realtek-rtl8188eu-firmware"].type == "firmware"
    assert back["realtek-rtl8188eu-firmware"].sha256 == "ef" * 32
    assert back["busybox"].type == "library"
