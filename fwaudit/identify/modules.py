"""Radio and cellular modules the firmware drives, and the Wi-Fi chips it has firmware for.

A module is a component of type ``device`` (a Quectel EC25, a SIMCom SIM7600), a Wi-Fi
chipset blob one of type ``firmware``; their makers become suppliers with a country in the
jurisdiction stage. The clues are data: AT-command banners and firmware revision strings
(``signatures/components/modules.yar``, rules of kind ``module``), USB vendor/product IDs
(``usb_modules.tsv``, read from the files a ``usb-id`` rule flags) and file paths of Wi-Fi
firmware and chip drivers (``radio_firmware.tsv``).

Naming a module is not driving it. Every sighting is judged by the file it sits in:

- **present**: the module's own answer (an AT banner in the shape the module answers ATI,
  a firmware revision, a firmware file) in a file that names one module;
- **named**: a maker and model named once otherwise (a configuration value, a help text);
- **targeted**: a file naming one or a few USB IDs of one maker (a udev rule, a script that
  binds the ID to a driver): written for the module the device holds, most likely;
- **vendor driver**: a table of many IDs of one maker only (the maker's own driver);
- **one chip** or **alternative**: a Wi-Fi blob or one-chip driver for the one chip an image
  carries, or one of two or three chips it has drivers or blobs for (the unit holds one);
- **supported**: a list or table of many modules or makers (the kernel's option driver,
  ModemManager's or usb_modeswitch's device data, a distribution's linux-firmware).

Every kind but the last makes a component; supported sightings join a component found
otherwise and never make one, so a modem list naming dozens of vendors claims none of them.
The judgement is the evidence's method and its confidence, and it is said in words in the
evidence's text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .._data import signatures_dir
from ..model import Component, Evidence, FileEntry, Technique
from .manifests import Finding
from .rules import RuleMeta, RuleSet

DEVICE = "device"
FIRMWARE = "firmware"

# how sure each kind of sighting makes us that the device holds the module
PRESENT_REVISION = 0.85
NAMED = 0.6  # a maker and model named once, not as the module answers (config, help text)
TARGETED = 0.6
VENDOR_DRIVER = 0.5
RADIO_ONE = 0.6
RADIO_ALTERNATIVE = 0.45
SUPPORTED = 0.3

# a file naming more than this many models, or two makers, is a list of supported modules
LIST_MODELS = 2
# a file naming more than this many USB IDs, or this many vendors, is a table
TARGETED_IDS = 3
TABLE_VENDORS = 3
# an image with drivers or blobs for more than this many Wi-Fi chips carries a bundle
RADIO_ALTERNATIVES = 3
MAX_TABLE_BYTES = 32 << 20
SHOWN = 120

USB_ID_FORMS = (
    # driver aliases (.modinfo of a .ko, modules.alias): usb:v2C7Cp0125d*
    re.compile(rb"usb:v([0-9A-F]{4})p([0-9A-F]{4})d"),
    # C tables and scripts: USB_DEVICE(0x2c7c, 0x0125), { 0x2c7c, 0x0125 }
    re.compile(rb"0x([0-9a-fA-F]{4})\s*,\s*0x([0-9a-fA-F]{4})\b"),
    # echo 2c7c 0125 > /sys/bus/usb-serial/drivers/option1/new_id
    re.compile(rb"\b([0-9a-fA-F]{4})\s+([0-9a-fA-F]{4})\s*>\s*\S*/new_id\b"),
)
# lsusb -d 2c7c:0125, grep 2c7c:0125 (only on a line that mentions USB)
BARE_PAIR = re.compile(rb"\b([0-9a-fA-F]{4}):([0-9a-fA-F]{4})\b")
USB_ID_FORMS += (BARE_PAIR,)
UDEV_VENDOR = re.compile(rb"idVendor\}?\s*[=!]=\s*\"?(?:0x)?([0-9a-fA-F]{4})\b")
UDEV_PRODUCT = re.compile(rb"idProduct\}?\s*[=!]=\s*\"?(?:0x)?([0-9a-fA-F]{4})\b")
MODESWITCH = re.compile(
    rb"(?:Default|Target)Vendor\s*=\s*0x([0-9a-fA-F]{4})\s+(?:Default|Target)Product(?:List)?"
    rb"\s*=\s*(?:\"\s*)?0x([0-9a-fA-F]{4})"
)
# the module's own answer: ATI / AT+CGMI / AT+CGMM lines ("Quectel\r\nEC25",
# "Manufacturer: ...\nModel: EM7455") or the SIMCOM_<model> form AT+CGMM returns
AT_ANSWER = re.compile(r"[\r\n]|Model:|^SIMCOM_", re.I)
ID_FILE_NAME = re.compile(r"^([0-9a-fA-F]{4}):([0-9a-fA-F]{4})$")  # usb_modeswitch.d/2c7c:0125


@dataclass(frozen=True)
class UsbId:
    """A row of usb_modules.tsv: a USB ID (product ``*`` for the whole vendor) of a maker."""

    vid: str
    pid: str
    rule: str
    model: str | None
    source: str


@dataclass(frozen=True)
class RadioFile:
    """A row of radio_firmware.tsv: the path of a Wi-Fi blob or of a one-chip driver."""

    pattern: re.Pattern[str]
    kind: str  # "firmware" or "driver"
    vendor: str
    maker: str
    chip: str
    description: str
    source: str


@dataclass(frozen=True)
class ModuleData:
    """The tables beside the rules, loaded once per `RuleSet`."""

    usb: dict[tuple[str, str], UsbId]
    radio: tuple[RadioFile, ...]

    def usb_id(self, vid: str, pid: str) -> UsbId | None:
        """The product's own row, else the vendor's."""
        return self.usb.get((vid, pid)) or self.usb.get((vid, "*"))


def load_data(folder: Path | None = None) -> ModuleData:
    folder = folder or signatures_dir() / "components"
    usb: dict[tuple[str, str], UsbId] = {}
    path = folder / "usb_modules.tsv"
    for line in path.read_text().splitlines() if path.is_file() else ():
        if line.startswith("#") or not line.strip():
            continue
        vid, pid, rule, model, source = line.split("\t")
        row = UsbId(vid.lower(), pid.lower(), rule, None if model == "-" else model, source)
        usb[(row.vid, row.pid)] = row
    radio = []
    path = folder / "radio_firmware.tsv"
    for line in path.read_text().splitlines() if path.is_file() else ():
        if line.startswith("#") or not line.strip():
            continue
        pattern, kind, vendor, maker, chip, description, source = line.split("\t")
        radio.append(
            RadioFile(re.compile(pattern, re.I), kind, vendor, maker, chip, description, source)
        )
    return ModuleData(usb, tuple(radio))


@dataclass
class _Draft:
    """A module component being assembled: its maker's rule, model, revisions, evidence."""

    meta: RuleMeta | None  # the maker's module rule (cellular); None for a Wi-Fi chip
    vendor: str
    maker: str
    model: str | None
    type: str = DEVICE
    website: str = ""
    description: str = ""
    versions: set[str] = field(default_factory=set)
    evidence: list[Evidence] = field(default_factory=list)
    sha256: str | None = None


def find_modules(
    findings: list[Finding],
    files: tuple[FileEntry, ...],
    locate: Callable[[FileEntry], Path],
    rules: RuleSet,
    data: ModuleData | None = None,
) -> tuple[Component, ...]:
    """Module and Wi-Fi chip components from module-rule findings, the USB ID tables of the
    files a ``usb-id`` rule flagged, and the file paths of the image; sorted."""
    data = data or rules.modules
    by_path = {entry.path: entry for entry in files}
    drafts: dict[tuple[str, str | None], _Draft] = {}
    supported: list[tuple[str, str | None, Evidence]] = []  # (vendor, model, evidence)
    banners = [f for f in findings if _meta(rules, f).kind == "module"]
    sightings = list(_judged_banners(banners, rules, by_path))
    sightings += _firmware_file_names(files, rules)
    for sighting in sightings:
        meta, model, version, evidence = sighting
        if evidence.confidence <= SUPPORTED:
            supported.append((meta.vendor, model, evidence))
            continue
        draft = _draft(drafts, meta, model)
        draft.evidence.append(evidence)
        if version:
            draft.versions.add(version)
    flagged = sorted({f.evidence.path for f in findings if _meta(rules, f).kind == "usb-id"})
    ids = [s for path in flagged if path in by_path for s in _usb_ids(by_path[path], locate)]
    ids += _usb_id_file_names(files)
    for row, evidence in _judged_ids(ids, data):
        meta = rules.meta.get(row.rule)
        if meta is None:
            continue
        if evidence.confidence <= SUPPORTED:
            supported.append((meta.vendor, row.model, evidence))
            continue
        model = row.model or _only_model(drafts, meta.vendor)
        _draft(drafts, meta, model).evidence.append(evidence)
    for vendor, model, evidence in supported:  # joins what was found otherwise, makes nothing
        for (draft_vendor, draft_model), draft in drafts.items():
            if draft_vendor == vendor and (model is None or draft_model in (None, model)):
                draft.evidence.append(evidence)
    _join_unknown_models(drafts)
    for draft in _radio_files(files, data):
        drafts[(draft.vendor, draft.model)] = draft
    return tuple(sorted((_component(d) for d in drafts.values()), key=lambda c: c.sort_key))


def _meta(rules: RuleSet, finding: Finding) -> RuleMeta:
    return rules.meta[finding.evidence.method.removeprefix("yara:")]


def _draft(drafts: dict, meta: RuleMeta, model: str | None) -> _Draft:
    key = (meta.vendor, model)
    if key not in drafts:
        drafts[key] = _Draft(
            meta, meta.vendor, meta.maker, model, DEVICE, meta.website, meta.description
        )
    return drafts[key]


def _join_unknown_models(drafts: dict[tuple[str, str | None], _Draft]) -> None:
    """A maker's sightings of unknown model join its one module of known model."""
    for vendor, model in list(drafts):
        if model is not None:
            continue
        known = [m for v, m in drafts if v == vendor and m is not None]
        if len(known) == 1:
            unknown = drafts.pop((vendor, None))
            drafts[(vendor, known[0])].evidence += unknown.evidence
            drafts[(vendor, known[0])].versions |= unknown.versions


def _only_model(drafts: dict, vendor: str) -> str | None:
    """The model of the maker's one module found so far (an ID of unknown product joins it)."""
    models = {model for v, model in drafts if v == vendor}
    return next(iter(models)) if len(models) == 1 else None


# --- AT banners and firmware revisions --------------------------------------------------


def _judged_banners(
    findings: list[Finding], rules: RuleSet, by_path: dict[str, FileEntry]
) -> Iterable[tuple[RuleMeta, str | None, str | None, Evidence]]:
    """Each sighting with its maker's rule, model, revision and judged evidence: a file
    naming more than LIST_MODELS models or two makers lists supported modules."""
    per_file: dict[str, list[tuple[RuleMeta, str | None, Finding]]] = defaultdict(list)
    for finding in findings:
        entry = by_path.get(finding.evidence.path)
        if entry is not None and _unpacked(entry, finding.evidence.offset):
            continue  # seen again in the file extracted from this container
        meta = _meta(rules, finding)
        per_file[finding.evidence.path].append((meta, _model(meta, finding), finding))
    for path in sorted(per_file):
        seen = per_file[path]
        makers = {meta.vendor for meta, _, _ in seen}
        models = {(meta.vendor, model) for meta, model, _ in seen if model}
        listed = len(makers) > 1 or len(models) > LIST_MODELS
        for meta, named, finding in seen:
            own = [m for vendor, m in models if vendor == meta.vendor]
            # a revision beside the banner of the file's one model is that model's
            model = named or (own[0] if len(own) == 1 else None)
            ev = finding.evidence
            shown = _shown(ev.matched)
            if listed:
                reading = (
                    f"{shown} (named in a list of {len(models)} modules of {len(makers)} "
                    "makers: supported, not shown present)"
                )
                yield meta, model, None, _ev(ev, "module-list", reading, SUPPORTED)
                continue
            revised = any(f.version for m, _, f in seen if m.vendor == meta.vendor)
            if finding.version:
                reading = f"{shown} (the module's firmware revision: present)"
                confidence = max(ev.confidence, PRESENT_REVISION)
            elif revised or AT_ANSWER.search(ev.matched):
                reading = f"{shown} (the module's own answer, maker and model: present)"
                confidence = ev.confidence
            else:  # "Quectel EC25" in a configuration, a page or a help text
                reading = (
                    f"{shown} (the firmware names this one module, not in the shape of the "
                    "module's own answer: likely present)"
                )
                confidence = NAMED
            yield meta, model, finding.version, _ev(ev, ev.method, reading, confidence)


def _firmware_file_names(
    files: tuple[FileEntry, ...], rules: RuleSet
) -> list[tuple[RuleMeta, str | None, str | None, Evidence]]:
    """Module firmware files named by their revision (SWI9X30C_02.24.05.06_Generic_002.026_000
    .zip, EC25EFAR06A06M4G.zip): present, unless one folder holds many models' firmware."""
    metas = [m for m in rules.meta.values() if m.kind == "module"]
    found: dict[str, list[tuple[RuleMeta, str | None, str, FileEntry]]] = defaultdict(list)
    for entry in files:
        name = PurePosixPath(entry.path).name.encode("latin-1", "replace")
        for meta in metas:
            revision = meta.version_regex.search(name)
            if revision and revision.start() == 0:
                model = meta.model_regex.search(name) if meta.model_regex else None
                version = revision.group(1).decode("latin-1")
                shown = model.group(1).decode("latin-1").upper() if model else None
                found[str(PurePosixPath(entry.path).parent)].append((meta, shown, version, entry))
                break
    sightings = []
    for folder in sorted(found):
        items = found[folder]
        makers = {meta.vendor for meta, _, _, _ in items}
        models = {(meta.vendor, model) for meta, model, _, _ in items if model}
        listed = len(makers) > 1 or len(models) > LIST_MODELS
        for meta, model, version, entry in items:
            if listed:
                reading = (
                    f"one of {len(models)} modules' firmware files in {folder}: supported, "
                    "not shown present"
                )
                confidence = SUPPORTED
            else:
                reading = f"module firmware file, revision {version}: present"
                confidence = PRESENT_REVISION - 0.05
            evidence = Evidence(
                entry.path,
                None,
                "module-file" if not listed else "module-list",
                f"{PurePosixPath(entry.path).name} ({reading})",
                Technique.FILENAME,
                confidence,
            )
            sightings.append((meta, model, None if listed else version, evidence))
    return sightings


def _model(meta: RuleMeta, finding: Finding) -> str | None:
    if meta.model_regex is None:
        return None
    found = meta.model_regex.search(finding.evidence.matched.encode("latin-1"))
    return found.group(1).decode("latin-1").upper() if found else None


def _unpacked(entry: FileEntry, offset: int | None) -> bool:
    return offset is not None and any(start <= offset < end for start, end in entry.unpacked)


# --- USB vendor and product IDs ---------------------------------------------------------


@dataclass(frozen=True)
class _IdSighting:
    path: str
    offset: int | None
    vid: str
    pid: str | None
    line: str
    group: str  # the file (or, for ID-named files, the folder) the ID is judged with


def _usb_ids(entry: FileEntry, locate: Callable[[FileEntry], Path]) -> list[_IdSighting]:
    """Every USB ID in a flagged file, with its offset and line."""
    if entry.size > MAX_TABLE_BYTES:
        return []
    try:
        data = locate(entry).read_bytes()
    except OSError:
        return []
    found: dict[tuple[int, str, str | None], _IdSighting] = {}

    def add(start: int, vid: bytes, pid: bytes | None) -> None:
        if _unpacked(entry, start):
            return
        line_start = data.rfind(b"\n", 0, start) + 1
        line_end = data.find(b"\n", start)
        line = data[line_start : line_end if line_end >= 0 else len(data)]
        key = (start, vid.decode().lower(), pid.decode().lower() if pid else None)
        found[key] = _IdSighting(
            entry.path, start, key[1], key[2], _shown(line.decode("latin-1")), entry.path
        )

    for form in USB_ID_FORMS:
        for match in form.finditer(data):
            if form is BARE_PAIR and not _usb_line(data, match.start()):
                continue  # "1234:abcd" counts only on a line about USB (lsusb, a device path)
            add(match.start(), match.group(1), match.group(2))
    for match in MODESWITCH.finditer(data):
        add(match.start(), match.group(1), match.group(2))
    lines: set[int] = set()
    for hit in re.finditer(rb"idVendor", data):  # not [^\n]*idVendor: quadratic on binaries
        start = data.rfind(b"\n", 0, hit.start()) + 1
        if start in lines:
            continue
        lines.add(start)
        end = data.find(b"\n", hit.start())
        line = data[start : end if end >= 0 else len(data)]
        vendor = UDEV_VENDOR.search(line)
        if vendor:
            product = UDEV_PRODUCT.search(line)
            pid = product.group(1) if product else None
            add(start + vendor.start(), vendor.group(1), pid)
    return [found[k] for k in sorted(found, key=lambda k: (k[0], k[1], k[2] or ""))]


def _usb_line(data: bytes, offset: int) -> bool:
    start = data.rfind(b"\n", 0, offset) + 1
    end = data.find(b"\n", offset)
    return b"usb" in data[start : end if end >= 0 else len(data)].lower()


def _usb_id_file_names(files: tuple[FileEntry, ...]) -> list[_IdSighting]:
    """Files named by a USB ID (usb_modeswitch.d/2c7c:0125), judged with their folder."""
    found = []
    for entry in files:
        name = PurePosixPath(entry.path)
        match = ID_FILE_NAME.match(name.name)
        if match:
            found.append(
                _IdSighting(
                    entry.path,
                    None,
                    match.group(1).lower(),
                    match.group(2).lower(),
                    f"file named {name.name}",
                    str(name.parent),
                )
            )
    return found


def _judged_ids(sightings: list[_IdSighting], data: ModuleData) -> Iterable[tuple[UsbId, Evidence]]:
    """Each sighting of a module maker's ID, judged by the table it sits in, and by its
    folder: a folder whose tables name two or more makers' modules (ModemManager's per-maker
    udev rules, usb_modeswitch's settings) is device data for what is supported."""
    groups: dict[str, list[_IdSighting]] = defaultdict(list)
    for sighting in sightings:
        groups[sighting.group].append(sighting)
    judged: dict[str, tuple[str, float, str]] = {}
    folder_makers: dict[str, set[str]] = defaultdict(set)
    for group, seen in groups.items():
        ids = {(s.vid, s.pid) for s in seen}
        vendors = {s.vid for s in seen}
        rows = {key: data.usb_id(key[0], key[1] or "*") for key in ids}
        makers = {row.rule for row in rows.values() if row}
        others = {key for key, row in rows.items() if row is None}
        judged[group] = _table_reading(ids, vendors, makers, others)
        if makers and judged[group][1] > SUPPORTED:
            folder_makers[_folder(group)] |= makers
    for group in sorted(groups):
        judgement, confidence, reading = judged[group]
        makers = folder_makers[_folder(group)]
        if confidence > SUPPORTED and len(makers) > 1:
            judgement, confidence = "supported", SUPPORTED
            reading = (
                f"in a folder of USB ID tables for {len(makers)} makers' modules (device "
                "data such as ModemManager's or usb_modeswitch's): supported, not shown present"
            )
        for sighting in groups[group]:
            row = data.usb_id(sighting.vid, sighting.pid or "*")
            if row is None:
                continue
            what = f"{sighting.vid}:{sighting.pid or '*'}"
            model = f" {row.model}" if row.model else ""
            text = f"{sighting.line} ({what}{model}; {reading}; ID source: {row.source})"
            yield (
                row,
                Evidence(
                    sighting.path,
                    sighting.offset,
                    f"usb-id:{judgement}",
                    _shown(text, 400),
                    Technique.BINARY if sighting.offset is not None else Technique.FILENAME,
                    confidence,
                ),
            )


def _table_reading(
    ids: set[tuple[str, str | None]], vendors: set[str], makers: set[str], others: set
) -> tuple[str, float, str]:
    """(judgement, confidence, reading) of one file's (or ID-named folder's) USB IDs."""
    if len(makers) > 1 or (len(vendors) >= TABLE_VENDORS and len(others) > TARGETED_IDS):
        return (
            "supported",
            SUPPORTED,
            f"listed among {len(ids)} USB IDs of {len(vendors)} vendors in a table of "
            "supported devices: supported, not shown present",
        )
    if len(ids) > TARGETED_IDS:
        return (
            "vendor-driver",
            VENDOR_DRIVER,
            f"one of {len(ids)} USB IDs, all but {len(others)} of this maker: a driver or "
            "table for its modules, likely present",
        )
    count = "the only USB ID" if len(ids) == 1 else f"one of {len(ids)} USB IDs"
    return (
        "targeted",
        TARGETED,
        f"{count} in this file, of one maker: written for the module the device holds, "
        "likely present",
    )


def _folder(group: str) -> str:
    return str(PurePosixPath(group).parent)


# --- Wi-Fi firmware blobs and chip drivers ----------------------------------------------


def _radio_files(files: tuple[FileEntry, ...], data: ModuleData) -> list[_Draft]:
    """A draft per Wi-Fi chip whose blob or one-chip driver the image carries, judged by how
    many chips it carries (one: present; a few: alternatives; many: supported, none made)."""
    hits: dict[tuple[str, str], list[tuple[FileEntry, RadioFile]]] = defaultdict(list)
    for entry in files:
        if not entry.path:
            continue
        for row in data.radio:
            found = row.pattern.search(entry.path)
            if found:
                chip = row.chip.format(chip=found.groupdict().get("chip") or "").upper()
                hits[(row.vendor, chip)].append((entry, row))
                break
    chips = len(hits)
    if chips > RADIO_ALTERNATIVES:
        return []  # a bundle of many chips' firmware: supported, not the device's radio
    confidence = RADIO_ONE if chips == 1 else RADIO_ALTERNATIVE
    drafts = []
    for (vendor, chip), items in sorted(hits.items()):
        kinds = {row.kind for _, row in items}
        first = items[0][1]
        blob = kinds == {"firmware"}
        draft = _Draft(
            None,
            vendor,
            first.maker,
            chip,
            FIRMWARE if blob else DEVICE,
            "",
            f"{first.maker} {chip}: {first.description}",
        )
        for entry, row in items:
            what = "firmware blob" if row.kind == "firmware" else "driver written for this chip"
            reading = (
                f"{what} for {row.maker} {chip}, the only Wi-Fi chip the image carries: present"
                if chips == 1
                else f"{what} for {row.maker} {chip}, one of {chips} Wi-Fi chips the image "
                "carries drivers or firmware for (alternatives: the unit holds one)"
            )
            draft.evidence.append(
                Evidence(
                    entry.path,
                    None,
                    f"radio-file:{row.kind}",
                    f"{entry.path} ({reading}; naming source: {row.source})",
                    Technique.FILENAME,
                    confidence,
                )
            )
        if blob and len({entry.sha256 for entry, _ in items}) == 1:
            draft.sha256 = items[0][0].sha256
        drafts.append(draft)
    return drafts


# --- components -------------------------------------------------------------------------


def _component(draft: _Draft) -> Component:
    evidence = tuple(sorted(set(draft.evidence), key=lambda e: e.sort_key))
    base = draft.meta.name.removesuffix("-module") if draft.meta else draft.vendor
    model = (draft.model or "").lower()
    name = f"{base}-{model}" if model else f"{base}-module"
    if draft.type == FIRMWARE:
        name += "-firmware"
    cpe_vendor = draft.meta.cpe.split(":")[0] if draft.meta else draft.vendor
    shown_model = draft.model or "module (model not shown)"
    description = (
        f"{draft.maker} {shown_model}: {draft.description}" if draft.meta else draft.description
    )
    return Component(
        name=name,
        version=min(draft.versions) if len(draft.versions) == 1 else None,
        vendor=draft.vendor,
        purl_type="generic",
        cpe=f"{cpe_vendor}:{model.replace('-', '_') or 'module'}",
        website=draft.website,
        evidence=evidence,
        description=description,
        type=draft.type,
        sha256=draft.sha256,
    )


def _ev(evidence: Evidence, method: str, matched: str, confidence: float) -> Evidence:
    return Evidence(evidence.path, evidence.offset, method, matched, evidence.technique, confidence)


def _shown(text: str, limit: int = SHOWN) -> str:
    flat = " ".join(text.replace("\r", " ").replace("\n", " ").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
