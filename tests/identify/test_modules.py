"""Radio and cellular modules and Wi-Fi chips: a module the firmware drives is a device
component with its maker, from its own AT banner or firmware revision, its USB ID in a rule
or script, its firmware file; Wi-Fi blobs and one-chip drivers are firmware and device
components. Lists and tables of supported modules (ModemManager's and usb_modeswitch's
device data, the kernel's option driver, a web UI's modem list) claim none of them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from fwaudit.identify.binary import scan_file
from fwaudit.identify.modules import SUPPORTED, find_modules
from fwaudit.identify.rules import RuleSet
from fwaudit.model import Component, FileEntry

RULES = RuleSet()
# The EC25's answer to ATI as an AT log or a module-management tool keeps it (the
# revision is a real EC25-E firmware: pipeserial's README quotes the same session).
EC25_ATI = b"ATI\r\nQuectel\r\nEC25\r\nRevision: EC25EFAR06A06M4G\r\n\r\nOK\r\n"
UDEV_EC25 = (
    b'ACTION=="add", SUBSYSTEM=="usb", ATTRS{idVendor}=="2c7c", ATTRS{idProduct}=="0125", '
    b'RUN+="/sbin/modprobe option"\n'
)
NEW_ID_EC25 = b"#!/bin/sh\necho 2c7c 0125 > /sys/bus/usb-serial/drivers/option1/new_id\n"
# ModemManager-style udev data: one rules file per maker, many makers in one folder
MM_RULES = {
    "quectel": [("2c7c", p) for p in ("0121", "0125", "0296", "0306", "0512", "0800")],
    "simtech": [("1e0e", "9001"), ("1e0e", "9011")],
    "telit": [("1bc7", p) for p in ("1100", "1101", "1201", "1206")],
    "huawei": [("12d1", p) for p in ("1506", "1573", "15c1")],
    "fibocom": [("2cb7", "0104"), ("2cb7", "0105"), ("2cb7", "010b")],
}
# the kernel's option driver: modinfo aliases of dozens of vendors' modems
OPTION_ALIASES = [
    ("0AF0", "5000"), ("0AF0", "6000"), ("12D1", "140C"), ("12D1", "1406"), ("1410", "1100"),
    ("19D2", "0001"), ("19D2", "0015"), ("2C7C", "0121"), ("2C7C", "0125"), ("2C7C", "0296"),
    ("1BC7", "1201"), ("1E0E", "9001"), ("2CB7", "010B"), ("2DEE", "4D22"), ("1199", "90D3"),
    ("1546", "1341"), ("2949", "8241"), ("05C6", "9003"), ("16D8", "6001"), ("1D09", "1026"),
]  # fmt: skip


def _audit(tmp_path: Path, files: dict[str, bytes]) -> tuple[Component, ...]:
    """The module components of a tree holding `files` (each scanned by the rules)."""
    root = tmp_path / "root"
    entries, findings = [], []
    for name, data in sorted(files.items()):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        entry = FileEntry(name, len(data), hashlib.sha256(data).hexdigest(), "data")
        entries.append(entry)
        findings += scan_file(RULES, entry, path)
    return find_modules(findings, tuple(entries), lambda e: root / e.path, RULES)


def _methods(component: Component) -> set[str]:
    return {e.method for e in component.evidence}


def test_the_module_banner_and_its_usb_id_make_one_present_device(tmp_path: Path) -> None:
    found = _audit(
        tmp_path,
        {
            "usr/share/lte/ati.log": EC25_ATI,
            "etc/udev/rules.d/99-lte.rules": UDEV_EC25,
            "etc/init.d/S50lte": NEW_ID_EC25,
        },
    )
    assert [(c.name, c.version, c.type, c.vendor) for c in found] == [
        ("quectel-ec25", "EC25EFAR06A06M4G", "device", "quectel")
    ]
    ec25 = found[0]
    assert _methods(ec25) == {"yara:quectel_module", "usb-id:targeted"}
    assert ec25.confidence >= 0.85
    banner = next(
        e for e in ec25.evidence if e.path == "usr/share/lte/ati.log" and "own" in e.matched
    )
    assert banner.offset == EC25_ATI.index(b"Quectel") and "present" in banner.matched
    udev = next(e for e in ec25.evidence if e.path.endswith("99-lte.rules"))
    assert udev.offset == UDEV_EC25.index(b"idVendor")
    assert "2c7c:0125 EC25" in udev.matched and "likely present" in udev.matched
    assert "QUECTEL_PRODUCT_EC25" in udev.matched  # where the ID was read


def test_a_usb_id_alone_is_a_likely_module_not_a_present_one(tmp_path: Path) -> None:
    found = _audit(tmp_path, {"etc/init.d/S50lte": NEW_ID_EC25})
    assert [(c.name, c.version, c.confidence) for c in found] == [("quectel-ec25", None, 0.6)]


def test_an_id_of_unknown_product_names_the_maker_only(tmp_path: Path) -> None:
    script = b"#!/bin/sh\nlsusb -d 2c7c:0999 && echo lte\n"
    found = _audit(tmp_path, {"etc/init.d/S50lte": script})
    assert [(c.name, c.vendor) for c in found] == [("quectel-module", "quectel")]


def test_modemmanager_rules_of_many_makers_claim_none(tmp_path: Path) -> None:
    files = {}
    for maker, ids in MM_RULES.items():
        lines = [
            f'ATTRS{{idVendor}}=="{v}", ATTRS{{idProduct}}=="{p}", ENV{{ID_MM_PORT_TYPE_QMI}}="1"'
            for v, p in ids
        ]
        files[f"lib/udev/rules.d/77-mm-{maker}-port-types.rules"] = "\n".join(lines).encode()
    assert _audit(tmp_path, files) == ()


def test_usb_modeswitch_data_claims_none(tmp_path: Path) -> None:
    ids = [("12d1", "1446"), ("19d2", "2000"), ("2c7c", "0125"), ("1e0e", "9001"), ("0af0", "6971")]
    files = {
        f"usr/share/usb_modeswitch/{v}:{p}": f"TargetVendor=0x{v}\nTargetProduct=0x{p}\n".encode()
        for v, p in ids
    }
    assert _audit(tmp_path, files) == ()


def test_the_option_driver_table_claims_none_but_backs_a_module_found_otherwise(
    tmp_path: Path,
) -> None:
    modinfo = b"\x00".join(
        f"alias=usb:v{v}p{p}d*dc*dsc*dp*ic*isc*ip*in*".encode() for v, p in OPTION_ALIASES
    )
    option = b"\x7fELF" + b"\x00" * 60 + modinfo + b"\x00license=GPL\x00"
    assert _audit(tmp_path, {"lib/modules/4.14/option.ko": option}) == ()
    found = _audit(
        tmp_path, {"lib/modules/4.14/option.ko": option, "usr/share/lte/ati.log": EC25_ATI}
    )
    assert [c.name for c in found] == ["quectel-ec25"]
    listed = [e for e in found[0].evidence if e.method == "usb-id:supported"]
    assert listed and all(e.confidence == SUPPORTED for e in listed)
    assert all("supported, not shown present" in e.matched for e in listed)
    assert all("2c7c:0125 EC25" in e.matched for e in listed)  # the EC21, BG96 ... IDs not


def test_a_modem_list_in_a_web_page_names_no_module(tmp_path: Path) -> None:
    page = (
        b"<select name='modem'><option>Quectel EC25</option><option>Quectel EC20</option>"
        b"<option>Quectel EG06</option><option>SIMCOM SIM7600</option>"
        b"<option>Huawei ME909s-120</option><option>Fibocom L850-GL</option></select>"
    )
    assert _audit(tmp_path, {"www/lte.html": page}) == ()


def test_a_kernel_storage_quirk_naming_sierra_wireless_is_no_module(tmp_path: Path) -> None:
    # usb-storage's unusual_devs strings as a kernel image keeps them (ofrak_uimage_lzma)
    quirks = b"Mtp device\x00D-Link\x00USB Mass Storage\x00Sierra Wireless\x00USB MMC Storage\x00"
    assert _audit(tmp_path, {"boot/vmlinux": b"\x00" * 64 + quirks}) == ()


def test_a_module_firmware_file_is_present_with_its_revision(tmp_path: Path) -> None:
    found = _audit(tmp_path, {"lib/firmware/SWI9X30C_02.24.05.06_Generic_002.026_000.zip": b"PK"})
    assert [(c.name, c.version) for c in found] == [("sierra-wireless-module", "02.24.05.06")]
    assert _methods(found[0]) == {"module-file"}


def test_sierra_ati_answer_gives_model_and_revision(tmp_path: Path) -> None:
    ati = (
        b"Manufacturer: Sierra Wireless, Incorporated\nModel: EM7455\n"
        b"Revision: SWI9X30C_02.24.05.06 r7040 CARMD-EV-FRMWR2 2017/05/19 06:23:09\n"
    )
    found = _audit(tmp_path, {"etc/modem/ati.txt": ati})
    assert [(c.name, c.version, c.vendor) for c in found] == [
        ("sierra-wireless-em7455", "02.24.05.06", "sierra_wireless")
    ]


def test_one_wifi_blob_is_the_radio_and_many_are_a_bundle(tmp_path: Path) -> None:
    found = _audit(tmp_path, {"lib/firmware/rtlwifi/rtl8188eufw.bin": b"\x00" * 64})
    assert [(c.name, c.type, c.vendor, c.confidence) for c in found] == [
        ("realtek-rtl8188eu-firmware", "firmware", "realtek", 0.6)
    ]
    assert found[0].sha256 == hashlib.sha256(b"\x00" * 64).hexdigest()
    bundle = {
        f"lib/firmware/{name}": b"\x00" * 16
        for name in (
            "rtlwifi/rtl8188eufw.bin",
            "rtlwifi/rtl8192cufw.bin",
            "mt7601u.bin",
            "brcm/brcmfmac43455-sdio.bin",
            "ath10k/QCA988X/hw2.0/firmware-5.bin",
        )
    }
    assert _audit(tmp_path, bundle) == ()


def test_alternative_wifi_chip_drivers_are_each_one_of_two(tmp_path: Path) -> None:
    found = _audit(
        tmp_path,
        {"driver/rtl8189ftv.ko": b"\x7fELF", "driver/atbm603x_wifi_sdio.ko": b"\x7fELF"},
    )
    assert [(c.name, c.type, c.confidence) for c in found] == [
        ("altobeam-atbm603x", "device", 0.45),
        ("realtek-rtl8189ftv", "device", 0.45),
    ]
    assert all("one of 2 Wi-Fi chips" in e.matched for c in found for e in c.evidence)


def test_a_mac_address_or_time_is_no_usb_id(tmp_path: Path) -> None:
    script = b"#!/bin/sh\n# ATTRS{idVendor} rules live elsewhere\nsleep 2c7c:0125\n"
    assert _audit(tmp_path, {"etc/init.d/S10net": script}) == ()


@pytest.mark.parametrize(
    ("banner", "name"),
    [
        (b"SIMCOM_SIM7600E-H\r\nRevision:LE20B04SIM7600M22\r\nOK", "simcom-sim7600"),
        (b"Manufacturer: Huawei Technologies Co., Ltd.\r\nModel: ME909s-120\r\n", "huawei-me909s"),
        (b"Fibocom L850-GL", "fibocom-l850-gl"),
        (b"u-blox SARA-R410M-02B", "u-blox-sara-r410m"),
        (b"Telit LE910C1-NF", "telit-le910c1"),
    ],
)
def test_each_makers_banner_names_maker_and_model(tmp_path: Path, banner: bytes, name: str) -> None:
    found = _audit(tmp_path, {"var/log/modem.log": banner})
    assert [c.name for c in found] == [name]
    assert found[0].type == "device"


def test_a_module_named_once_in_help_text_is_likely_not_present(tmp_path: Path) -> None:
    """Not the module's own answer: a router's help page naming one tested modem."""
    page = b"<p>LTE: tested with the ZTE MF823 USB modem.</p>"
    found = _audit(tmp_path, {"www/help/lte.html": page})
    assert [(c.name, c.confidence) for c in found] == [("zte-mf823", 0.6)]
    assert "likely present" in found[0].evidence[0].matched


def test_the_module_tables_are_consistent_with_the_rules() -> None:
    from fwaudit.identify.selftest import module_data_problems

    assert module_data_problems(RULES) == []
    data = RULES.modules
    assert len(data.usb) >= 25 and all(row.source for row in data.usb.values())
    # every maker of a module rule is reachable from a vendor ID of its own or a product ID
    assert {row.rule for row in data.usb.values()} == {
        m.rule for m in RULES.meta.values() if m.kind == "module"
    }


@pytest.mark.timeout(60)
def test_a_udev_rule_inside_megabytes_without_a_line_break_is_read_in_linear_time(
    tmp_path: Path,
) -> None:
    """A camera application holding a udev rule among megabytes of binary with few line
    breaks: reading the rule's line must not rescan the bytes before it for every position
    (13.5 s on one corpus image before; quadratic)."""
    binary = bytes(range(11, 256)) * 4_000  # ~1 MB without a line break or "idVendor"
    data = binary + b"\n" + UDEV_EC25
    found = _audit(tmp_path, {"usr/bin/app": data})
    udev = next(e for c in found for e in c.evidence if e.path == "usr/bin/app")
    assert udev.offset == len(binary) + 1 + UDEV_EC25.index(b"idVendor")
