"""Who made the device, and what it is built on, read from the image with evidence.

Two facts, kept apart. The **maker**: the company that made the device (or, for an OEM
relabel in the data, its producer, with the brand kept). The **platform**: the SoC vendor
and the SDK lineage (HiSilicon, Ingenic, the Xiongmai or Tuya stack ...), which says where
the parts come from but not who made the device.

A clue is a place that names an organisation: a vendor container header, a copyright line,
a certificate subject, a device configuration field, the maker's model naming, the web UI,
an SDK or cloud of the maker, a bare mention. Every clue is read from real text (see
`clues.py`): never from compressed or random bytes. An organisation's score is the noisy-or
of its best clue per method; weights and threshold are data (`attribution.yaml`), calibrated
on the corpus. A maker the firmware names but the data does not hold is still reported, with
its evidence and no country, from the places that name a company (header, configuration
field, the web UI's copyright line).
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import PurePosixPath
from typing import Any

import yara

from .._data import load_yaml
from ..inventory import Inventory
from ..model import (
    Attribution,
    Component,
    Endpoint,
    Evidence,
    FileEntry,
    Party,
    PlatformClue,
    Technique,
    UnpackOutcome,
)
from . import clues as reading
from . import device_class as classes
from .data import Dataset

MAKER_KINDS = frozenset({"device-maker", "brand", "oem-relabel"})
PART_TYPES = frozenset({"device", "firmware"})  # component types of modules and radio blobs
PLATFORM_KINDS = frozenset({"chip-vendor", "sdk-vendor", "module-vendor"})
HEADER_BYTES = 512
WEB_UI = frozenset({".htm", ".html", ".js", ".asp", ".php", ".cgi", ".xml", ".json", ".shtml"})
# pictures, fonts and sound carry their tools' text (an sRGB ICC profile names Hewlett-Packard)
MEDIA = frozenset(
    {".jpg", ".jpeg", ".png", ".gif", ".bmp", ".ico", ".ttf", ".otf", ".woff", ".woff2"}
    | {".swf", ".mp3", ".wav", ".aac", ".g711", ".pcm", ".mp4", ".avi"}
)
MEDIA_MAGIC = (b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"ID3", b"OTTO", b"wOF")
MAX_CLUES = 5
MAX_HITS = 40  # per string and file: enough to get past rejected ones
CONFIG_VALUE = re.compile(
    r"""(?ix)
    <(?:manufacturer|vendor)>\s*(?P<xml>[^<>%$]{2,40}?)\s*</
    | manufacturer["']?\s*[:=]\s*["']?(?P<kv>[A-Za-z][^"'<>%$\r\n,;]{1,40})
    """
)
# where a web UI brands itself: page title, logo, header or footer, vendor and product fields
BRANDING = re.compile(rb"(?i)<title|logo|brand|vendor|footer|product|<h1|copyright")
TOOLCHAIN = re.compile(r"(?:GCC: |gcc version [\d.]+ )\(([A-Za-z][A-Za-z0-9]+)")
NOT_VALUES = frozenset({"unknown", "n/a", "none", "null", "vendor", "manufacturer", "default"})


@dataclass(frozen=True)
class Config:
    """The weights and word lists of `signatures/jurisdiction/attribution.yaml`."""

    threshold: float
    max_entropy: float
    min_run: int
    long_run: int
    weights: dict[str, float]
    unlisted_weights: dict[str, float]
    platform_weights: dict[str, float]
    generic_vendors: dict[str, int]  # method -> vendors in one file that make it generic
    not_makers: frozenset[str]
    company_suffixes: frozenset[str]
    not_company_words: frozenset[str]


@cache
def config(dataset: Dataset) -> Config:
    raw: dict[str, Any] = load_yaml((dataset.folder / "attribution.yaml").read_text())
    return Config(
        float(raw["threshold"]),
        float(raw["max_entropy"]),
        int(raw["min_run"]),
        int(raw["long_run"]),
        {k: float(v) for k, v in raw["weights"].items()},
        {k: float(v) for k, v in raw["unlisted_weights"].items()},
        {k: float(v) for k, v in raw["platform_weights"].items()},
        {k: int(v) for k, v in raw["generic_vendors"].items()},
        frozenset(n.lower() for n in raw["not_makers"]),
        frozenset(w.lower() for w in raw["company_suffixes"]),
        frozenset(w.lower() for w in raw["not_company_words"]),
    )


@dataclass(frozen=True)
class Clue:
    """One place naming an organisation. `key` is the data id, or ``name:<plain>`` for a
    company the data does not hold; `side` is "maker" or "platform"."""

    key: str
    name: str
    side: str
    method: str
    evidence: Evidence
    role: str | None = None  # platform: "soc" or "sdk"
    model: str | None = None


def attribute(
    inventory: Inventory,
    components: tuple[Component, ...],
    endpoints: tuple[Endpoint, ...],
    dataset: Dataset,
    unpack: UnpackOutcome,
    *,
    declared: str | None = None,
) -> Attribution:
    """The device maker (or None), its evidence and candidates, the platform (SoC vendor
    and SDK lineage) and the device class."""
    cfg = config(dataset)
    # files of open-source components: a chip vendor's copyright there is upstream code
    upstream = frozenset(
        path for c in components if not dataset.by_signature_vendor(c.vendor) for path in c.files
    )
    text = classes.TextRules(cfg.min_run, cfg.long_run, cfg.max_entropy)
    strings = classes.StringScan(classes.signatures(dataset), text)
    found = list(_file_clues(inventory, dataset, cfg, upstream, also=strings))
    found += _sdk_file_clues(inventory, dataset, cfg)
    found += _supply_clues(components, endpoints, dataset, cfg)
    found = _without_generic(_outside_module_banners(found, components), cfg)
    makers = [c for c in found if c.side == "maker"]
    scores = _scores(makers)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    date = firmware_date(inventory, unpack)
    maker, brand, evidence = None, None, ()
    if ranked and ranked[0][1] >= cfg.threshold:
        key = ranked[0][0]
        maker, brand = _party(dataset, key, makers, date)
        producer = maker.org if brand else None
        evidence = _evidence([c for c in makers if c.key in (key, producer)])
    platform = _platform([c for c in found if c.side == "platform"], dataset, cfg)
    device_classes = classes.classify(
        strings.sigs,
        strings=strings.found,
        paths=(*(f.path for f in inventory.files if f.path), *inventory.links),
        components=components,
        endpoints=endpoints,
        platform=platform,
        dataset=dataset,
    )
    device_class, class_evidence = classes.best(device_classes)
    return Attribution(
        maker=maker,
        confidence=round(ranked[0][1], 2) if maker else 0.0,
        evidence=evidence,
        candidates=tuple((_shown_key(k, makers), round(s, 2)) for k, s in ranked[:5]),
        declared=declared,
        mismatch=_mismatch(dataset, maker, declared),
        firmware_date=date,
        device_class=device_class,
        class_evidence=class_evidence,
        platform=platform,
        brand=brand,
        device_classes=device_classes,
    )


# --- scoring -----------------------------------------------------------------------------


def _weight(clue: Clue) -> float:
    return clue.evidence.confidence


CUMULATIVE = frozenset({"soc-model"})  # two different part numbers say more than one


def _scores(found: list[Clue]) -> dict[str, float]:
    """Noisy-or of each organisation's best clue per method (for SoC part numbers, of the
    two best different ones)."""
    best: dict[str, dict[str, float]] = defaultdict(dict)
    distinct: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for clue in found:
        methods = best[clue.key]
        methods[clue.method] = max(methods.get(clue.method, 0.0), _weight(clue))
        if clue.method in CUMULATIVE:
            distinct[(clue.key, clue.method)][(clue.model or "").lower()] = _weight(clue)
    for (key, method), weights in distinct.items():
        top = sorted(weights.values(), reverse=True)[:2]
        best[key][method] = 1.0 - _product(1.0 - w for w in top)
    return {key: 1.0 - _product(1.0 - w for w in m.values()) for key, m in best.items()}


def _product(values: Iterable[float]) -> float:
    result = 1.0
    for value in values:
        result *= value
    return result


def _evidence(found: list[Clue]) -> tuple[Evidence, ...]:
    """The strongest clue of each method first, then the rest, once each."""
    ordered = sorted(found, key=lambda c: (-_weight(c), c.evidence.sort_key))
    unique: dict[tuple[str, int | None, str], Evidence] = {}
    for clue in ordered:
        ev = clue.evidence
        place = None if ev.offset is None else ev.offset // 64  # one line, once
        unique.setdefault((ev.path, place, clue.method), ev)
    first: dict[str, Evidence] = {}
    for ev in unique.values():
        first.setdefault(ev.method, ev)
    rest = [ev for ev in unique.values() if ev not in first.values()]
    return tuple([*first.values(), *rest][:MAX_CLUES])


def _without_generic(found: list[Clue], cfg: Config) -> list[Clue]:
    """Drop a file's clues of a method when they name many vendors (a generic build), and
    mentions that are only the vendor name beside a part number already counted."""
    vendors: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    parts: dict[tuple[str, str], list[int]] = defaultdict(list)
    for clue in found:
        vendors[(clue.evidence.path, clue.side, clue.method)].add(clue.key)
        if clue.method == "soc-model" and clue.evidence.offset is not None:
            parts[(clue.evidence.path, clue.key)].append(clue.evidence.offset)
    kept = []
    for c in found:
        many = len(vendors[(c.evidence.path, c.side, c.method)])
        if c.method in cfg.generic_vendors and many >= cfg.generic_vendors[c.method]:
            continue
        near = parts.get((c.evidence.path, c.key), ())
        at = c.evidence.offset
        if c.method == "mention" and at is not None and any(abs(at - p) < 64 for p in near):
            continue
        kept.append(c)
    return kept


def _party(
    dataset: Dataset, key: str, found: list[Clue], date: str | None
) -> tuple[Party, Party | None]:
    """(maker, brand): an OEM relabel is made by its producer, the brand is kept."""
    if key.startswith("name:"):
        return Party(None, _shown_key(key, found), None), None
    org_id = _as_of(dataset, key, date)
    entry = dataset.org(org_id)
    party = Party(org_id, entry["short"], dataset.country(org_id))
    if entry.get("relation") == "oem-relabel" and entry.get("parent"):
        producer = entry["parent"]
        made_by = Party(producer, dataset.org(producer)["short"], dataset.country(producer))
        return made_by, party
    return party, None


def _shown_key(key: str, found: list[Clue]) -> str:
    if not key.startswith("name:"):
        return key
    names = [c for c in found if c.key == key]
    return max(names, key=lambda c: (_weight(c), len(c.name))).name if names else key[5:]


def _platform(found: list[Clue], dataset: Dataset, cfg: Config) -> tuple[PlatformClue, ...]:
    by_vendor: dict[tuple[str, str], list[Clue]] = defaultdict(list)
    for clue in found:
        by_vendor[(clue.key, clue.role or "sdk")].append(clue)
    result = []
    for (key, role), clues_ in by_vendor.items():
        score = _scores(clues_)[key]
        if score < cfg.threshold:
            continue
        entry = dataset.org(key)
        parts = {c.model for c in clues_ if c.model and c.method in ("soc-model", "devicetree")}
        models = sorted(parts or {c.model for c in clues_ if c.model})
        result.append(
            PlatformClue(
                role,
                Party(key, entry["short"], dataset.country(key)),
                round(score, 2),
                _evidence(clues_),
                models[0] if models else None,
            )
        )
    return tuple(sorted(result, key=lambda p: (-p.confidence, p.role, p.party.name)))


# --- names and the rules that find them ----------------------------------------------------


@dataclass(frozen=True)
class Names:
    """How the data's organisations are named, for resolving a name read from the image."""

    long: re.Pattern[str]  # aliases, short and full names of 5+ characters, any case
    short: re.Pattern[str] | None  # 4 characters or fewer: case-exact
    by_text: dict[str, str]  # lower-cased name -> org id
    dt_vendors: dict[str, str]  # devicetree vendor prefix -> org id


@cache
def names(dataset: Dataset) -> Names:
    by_text: dict[str, str] = {}
    for org_id, entry in dataset.organisations.items():
        for name in (*entry.get("aliases", ()), entry["short"], entry["name"]):
            by_text.setdefault(name.lower(), org_id)
    long = sorted((n for n in by_text if len(n) > 4), key=len, reverse=True)
    short = sorted(
        {
            n
            for entry in dataset.organisations.values()
            for n in (*entry.get("aliases", ()), entry["short"])
            if len(n) <= 4
        },
        key=len,
        reverse=True,
    )
    word = r"(?<![A-Za-z0-9_])({})(?![A-Za-z0-9_])"
    dt = {p: o for o, e in dataset.organisations.items() for p in e.get("dt_vendors", ())}
    return Names(
        re.compile(word.format("|".join(map(re.escape, long))), re.I),
        re.compile(word.format("|".join(map(re.escape, short)))) if short else None,
        by_text,
        dt,
    )


def resolve(dataset: Dataset, text: str) -> list[str]:
    """The organisations `text` names as whole words (short names case-exact), first first."""
    table = names(dataset)
    hits = [(m.start(), m.group(1).lower()) for m in table.long.finditer(text)]
    if table.short:
        hits += [(m.start(), m.group(1).lower()) for m in table.short.finditer(text)]
    found = []
    for _, name in sorted(hits):
        org_id = table.by_text[name]
        if org_id not in found:
            found.append(org_id)
    return found


def _maker_eligible(dataset: Dataset, org_id: str) -> bool:
    return bool(MAKER_KINDS & set(dataset.org(org_id)["kinds"]))


def _platform_eligible(dataset: Dataset, org_id: str) -> bool:
    return bool(PLATFORM_KINDS & set(dataset.org(org_id)["kinds"]))


def _soc_role(dataset: Dataset, org_id: str) -> str:
    kinds = set(dataset.org(org_id)["kinds"])
    return "soc" if "chip-vendor" in kinds and "device-maker" not in kinds else "sdk"


def _rule_name(prefix: str, org_id: str) -> str:
    return f"{prefix}_{org_id.replace('-', '_')}"


ANCHORS = """
rule anchor_copyright {
  strings:
    $a = "copyright" ascii nocase
    $b = "(c)" ascii nocase
    $c = { C2 A9 }
    $d = "&copy;" ascii nocase
    $e = "all rights reserved" ascii nocase
  condition: any of them
}
rule anchor_config {
  strings:
    $m = "manufacturer" ascii nocase
    $v = "<vendor>" ascii nocase
  condition: any of them
}
rule anchor_toolchain {
  strings:
    $g = "GCC: (" ascii
    $v = "gcc version " ascii
  condition: any of them
}
rule anchor_user_agent {
  strings:
    $u = "User-Agent:" ascii nocase
  condition: any of them
}
rule anchor_devicetree {
  strings:
    $f = { D0 0D FE ED }
  condition: any of them
}
rule anchor_certificate {
  strings:
    $der = { 30 82 ?? ?? 30 82 }
    $pem = "-----BEGIN CERTIFICATE-----"
  condition: any of them
}
"""


@cache
def _rules(dataset: Dataset) -> tuple[yara.Rules, dict[str, str]]:
    """One compiled set (structural clues, anchors, the data's aliases, models and SoC
    parts) and the organisation of each generated rule."""
    sources = {"clues": (dataset.folder / "clues.yar").read_text(), "anchors": ANCHORS}
    generated = []
    owners = {}
    for org_id, entry in dataset.organisations.items():
        aliases = [a for a in entry.get("aliases", ()) if len(a) > 4]
        for prefix, strings in (
            ("alias", [f'"{_yara_text(a)}" ascii nocase fullword' for a in aliases]),
            ("model", [f"/{p}/ ascii" for p in entry.get("models", ())]),
            ("soc", [f"/{p}/ ascii" for p in entry.get("soc_models", ())]),
        ):
            if strings:
                rule = _rule_name(prefix, org_id)
                owners[rule] = org_id
                body = "\n".join(f"    $s{i} = {s}" for i, s in enumerate(strings))
                generated.append(
                    f"rule {rule} {{\n  strings:\n{body}\n  condition: any of them\n}}"
                )
    sources["names"] = "\n".join(generated)
    return yara.compile(sources=sources), owners


def _yara_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


# --- the file pass -------------------------------------------------------------------------


def _file_clues(
    inventory: Inventory,
    dataset: Dataset,
    cfg: Config,
    upstream: frozenset[str] = frozenset(),
    *,
    also: Callable[[FileEntry, bytes], None] | None = None,
) -> Iterator[Clue]:
    """The clues of every file, read once; `also` sees each file's bytes too (the device
    class strings)."""
    rules, owners = _rules(dataset)
    seen: set[str] = set()
    for entry in inventory.files:
        if entry.sha256 in seen and entry.path:
            continue
        seen.add(entry.sha256)
        try:
            data = inventory.locate(entry).read_bytes()
        except OSError:
            continue
        if not data:
            continue
        if PurePosixPath(entry.path).suffix.lower() in MEDIA or data.startswith(MEDIA_MAGIC):
            continue
        if also is not None:
            also(entry, data)
        reader = _FileReader(
            entry, data, dataset, cfg, owners=owners, upstream=entry.path in upstream
        )
        try:
            matches = rules.match(data=data, timeout=60, warnings_callback=_quiet)
        except yara.Error:
            continue  # a timeout: the file's clues are lost, no claim is made from it
        yield from reader.read(matches)


def _quiet(*_: Any) -> int:
    """A string matching too often (a hostile file) is capped by YARA; say nothing."""
    return yara.CALLBACK_CONTINUE


class _FileReader:
    """The clues of one file, from one YARA pass over its bytes."""

    def __init__(
        self,
        entry: FileEntry,
        data: bytes,
        dataset: Dataset,
        cfg: Config,
        *,
        owners: dict[str, str],
        upstream: bool,
    ) -> None:
        self.entry, self.data, self.dataset, self.cfg = entry, data, dataset, cfg
        self.owners, self.upstream = owners, upstream
        self.path = entry.path
        self.web = PurePosixPath(entry.path).suffix.lower() in WEB_UI and entry.kind == "text"
        ranges = list(entry.scan_ranges())
        if entry.path == "":
            ranges.append((0, min(HEADER_BYTES, entry.size)))
        self.ranges = ranges

    def read(self, matches: Iterable[Any]) -> Iterator[Clue]:
        for match in matches:
            kind, _, org = match.rule.partition("_")
            instances = [i for s in match.strings for i in s.instances[:MAX_HITS]]
            instances.sort(key=lambda i: i.offset)
            if match.meta.get("method"):
                yield from self._structural(match, instances)
            elif kind == "anchor":
                yield from getattr(self, f"_{org}")(instances)
            else:
                org_id = self.owners[match.rule]
                for instance in instances:
                    yield from self._named(kind, org_id, instance.offset, instance.matched_length)

    def _scanned(self, offset: int) -> bool:
        return any(start <= offset < end for start, end in self.ranges)

    def _text(self, start: int, end: int) -> bool:
        return reading.is_text(
            self.data,
            start,
            end,
            min_run=self.cfg.min_run,
            long_run=self.cfg.long_run,
            max_entropy=self.cfg.max_entropy,
        )

    def _header(self, offset: int) -> bool:
        return self.path == "" and offset < HEADER_BYTES

    def _evidence(self, offset: int, method: str, matched: str, weight: float) -> Evidence:
        return Evidence(self.path, offset, method, matched, Technique.BINARY, weight)

    def _clue(
        self,
        org_id: str,
        method: str,
        offset: int,
        length: int,
        *,
        side: str = "maker",
        role: str | None = None,
        model: str | None = None,
    ) -> Clue | None:
        weights = self.cfg.weights if side == "maker" else self.cfg.platform_weights
        if method not in weights or (
            side == "platform" and self.upstream and method == "copyright-string"
        ):
            return None
        entry = self.dataset.org(org_id)
        matched = reading.shown(self.data, offset, offset + length)
        return Clue(
            org_id,
            entry["short"],
            side,
            method,
            self._evidence(offset, method, matched, weights[method]),
            role,
            model,
        )

    # names of the data: aliases, model naming, SoC part numbers
    def _named(self, kind: str, org_id: str, offset: int, length: int) -> Iterator[Clue]:
        end = offset + length
        if not (self._scanned(offset) and reading.whole_word(self.data, offset, end)):
            return
        if not self._text(offset, end):
            return
        text = self.data[offset:end].decode("latin-1")
        if kind == "soc":
            if clue := self._clue(
                org_id, "soc-model", offset, length, side="platform", role="soc", model=text
            ):
                yield clue
            return
        if kind == "model":
            if _maker_eligible(self.dataset, org_id) and (
                clue := self._clue(org_id, "model-name", offset, length, model=text)
            ):
                yield clue
            return
        method = self._place(offset, end)
        if (
            _maker_eligible(self.dataset, org_id)
            and method != "toolchain"
            and (clue := self._clue(org_id, method, offset, length))
        ):
            yield clue
        if _platform_eligible(self.dataset, org_id):
            platform = "mention" if method in ("web-ui", "vendor-header") else method
            role = "soc" if method == "toolchain" else _soc_role(self.dataset, org_id)
            if clue := self._clue(org_id, platform, offset, length, side="platform", role=role):
                yield clue

    def _place(self, start: int, end: int) -> str:
        """The method a name gets from where it stands."""
        if self._in_address(start, end):
            return "mention"  # a mail address or host name: names a domain, not a holder
        if self._header(start):
            return "vendor-header"
        line_start, line_end = reading.line_at(self.data, start, end)
        before = self.data[max(line_start, start - 100) : start].decode("latin-1")
        if reading.COPYRIGHT_MARK.search(before):
            return "copyright-string"
        if "GCC: (" in before:
            return "toolchain"
        line = self.data[max(line_start, start - 200) : min(line_end, end + 200)]
        return "web-ui" if self.web and BRANDING.search(line) else "mention"

    def _in_address(self, start: int, end: int) -> bool:
        before = self.data[max(0, start - 1) : start]
        after = self.data[end : end + 2]
        return before in (b"@", b".", b"/") or (after[:1] == b"." and after[1:].isalpha())

    # structural rules of clues.yar
    def _structural(self, match: Any, instances: list[Any]) -> Iterator[Clue]:
        method = match.meta["method"]
        for instance in instances[:3]:
            offset = instance.offset
            if org_id := match.meta.get("org"):
                clue = self._clue(org_id, method, offset, instance.matched_length)
                if clue:
                    yield clue
                continue
            window = self.data[offset : offset + 200].decode("latin-1")
            found = re.search(match.meta["capture"], window)
            if found:
                name = found.group(1).strip()
                yield from self._name_clues(name, method, offset + found.start(1), len(name))

    def _name_clues(
        self, name: str, method: str, offset: int, length: int, *, unlisted: bool = True
    ) -> Iterator[Clue]:
        """Clues for a company name read from a field or header: the organisations of the
        data it names, else (where the method allows) the name itself."""
        resolved = resolve(self.dataset, name)
        makers = [o for o in resolved if _maker_eligible(self.dataset, o)]
        platform = [o for o in resolved if _platform_eligible(self.dataset, o)]
        for org_id in makers[:1]:
            if clue := self._clue(org_id, method, offset, length):
                yield clue
        for org_id in platform[:1]:
            role = _soc_role(self.dataset, org_id)
            kind = "copyright-string" if method == "copyright-string" else "mention"
            if clue := self._clue(org_id, kind, offset, length, side="platform", role=role):
                yield clue
        if makers or platform or not unlisted or method not in self.cfg.unlisted_weights:
            return
        if method == "device-config" and self.entry.kind != "text" and not self._header(offset):
            return  # a default in a program or library (an ONVIF SDK's) is not the device's
        first = name.split(maxsplit=1)[0].lower() if name.strip() else ""
        if name.lower() in NOT_VALUES or self.cfg.not_makers & {name.lower(), first}:
            return
        operator = resolved[0] if resolved else None
        weight = self.cfg.unlisted_weights[method]
        matched = reading.shown(self.data, offset, offset + length)
        if operator:  # a company the data holds as a service operator only
            entry = self.dataset.org(operator)
            key, shown_name = operator, entry["short"]
        else:
            key, shown_name = "name:" + _plain(name), name
        yield Clue(
            key,
            shown_name,
            "maker",
            method,
            self._evidence(offset, method, matched, weight),
        )

    # anchors
    def _text_lines(self, instances: list[Any], min_length: int = 0) -> Iterator[tuple[int, int]]:
        """(start, end) of each distinct line of real text that holds a match."""
        done: set[int] = set()
        for instance in instances:
            start, end = instance.offset, instance.offset + instance.matched_length
            if not self._scanned(start) or not self._text(start, end):
                continue
            line_start, line_end = reading.line_at(self.data, start, end)
            if line_start in done or line_end - line_start < min_length:
                continue
            done.add(line_start)
            yield line_start, line_end

    def _copyright(self, instances: list[Any]) -> Iterator[Clue]:
        for line_start, line_end in self._text_lines(instances, min_length=10):
            line = self.data[line_start:line_end].decode("utf-8", errors="replace")
            holders = {h.name: h for h in reversed(reading.copyright_holders(line))}
            for holder in sorted(holders.values(), key=lambda h: h.start):
                offset = line_start + len(line[: holder.start].encode("utf-8", "replace"))
                method = "vendor-header" if self._header(offset) else "copyright-string"
                unlisted = method == "vendor-header" or self.web
                name = holder.name
                if unlisted and not resolve(self.dataset, name):
                    company = reading.company_name(
                        name,
                        self.cfg.company_suffixes,
                        self.cfg.not_company_words,
                        self.cfg.not_makers,
                    )
                    if not company:
                        continue
                yield from self._name_clues(
                    name, method, offset, len(name.encode()), unlisted=unlisted
                )

    def _config(self, instances: list[Any]) -> Iterator[Clue]:
        for line_start, line_end in self._text_lines(instances):
            line = self.data[line_start:line_end].decode("latin-1")
            for found in CONFIG_VALUE.finditer(line):
                value = (found.group("xml") or found.group("kv") or "").strip()
                if not value or not value[0].isalpha():
                    continue
                at = found.start("xml") if found.group("xml") else found.start("kv")
                yield from self._name_clues(value, "device-config", line_start + at, len(value))

    def _toolchain(self, instances: list[Any]) -> Iterator[Clue]:
        """A cross compiler named after the SoC vendor ("GCC: (Ingenic r2.3.3)", "gcc version
        4.4.1 (Hisilicon_v100(...))") says what the firmware was built for."""
        done: set[str] = set()
        for instance in instances[:MAX_HITS]:
            start, end = instance.offset, instance.offset + instance.matched_length
            if not self._text(start, end):
                continue
            _, line_end = reading.line_at(self.data, start, end)
            banner = self.data[start : min(line_end, end + 80)].decode("latin-1")
            found = TOOLCHAIN.search(banner)
            name = found.group(1) if found else ""
            if len(name) < 3 or name.lower() in done:
                continue
            done.add(name.lower())
            for org_id in resolve(self.dataset, name)[:1]:
                if _platform_eligible(self.dataset, org_id) and (
                    clue := self._clue(
                        org_id, "toolchain", start, line_end - start, side="platform", role="soc"
                    )
                ):
                    yield clue

    def _user_agent(self, instances: list[Any]) -> Iterator[Clue]:
        for instance in instances:
            start, end = instance.offset, instance.offset + instance.matched_length
            if not self._scanned(start) or not self._text(start, end):
                continue
            _, line_end = reading.line_at(self.data, start, end)
            value = self.data[end : min(line_end, end + 60)].decode("latin-1")
            for org_id in resolve(self.dataset, value)[:1]:
                if _maker_eligible(self.dataset, org_id):
                    clue = self._clue(org_id, "user-agent", start, line_end - start)
                    if clue:
                        yield clue

    def _devicetree(self, instances: list[Any]) -> Iterator[Clue]:
        table = names(self.dataset)
        for instance in instances[:8]:
            tree = reading.devicetree(self.data, instance.offset)
            if not tree or not tree.compatible:
                continue
            for position, compatible in enumerate(tree.compatible):
                vendor, _, board = compatible.partition(",")
                org_id = table.dt_vendors.get(vendor)
                if not org_id:
                    continue
                text = f'compatible = "{compatible}"'
                evidence = (instance.offset, text)
                if position == 0 and _maker_eligible(self.dataset, org_id):
                    yield self._tree_clue(org_id, "device-config", "maker", evidence, board)
                if _platform_eligible(self.dataset, org_id):
                    yield self._tree_clue(org_id, "devicetree", "platform", evidence, board)

    def _tree_clue(
        self, org_id: str, method: str, side: str, evidence: tuple[int, str], board: str
    ) -> Clue:
        weights = self.cfg.weights if side == "maker" else self.cfg.platform_weights
        offset, text = evidence
        return Clue(
            org_id,
            self.dataset.org(org_id)["short"],
            side,
            method,
            self._evidence(offset, method, text, weights[method]),
            "soc" if side == "platform" else None,
            board or None,
        )

    def _certificate(self, instances: list[Any]) -> Iterator[Clue]:
        if self.data.count(b"-----BEGIN CERTIFICATE-----") > 3:
            return  # a CA bundle names the CAs, not the device
        for instance in instances[:20]:
            offset = instance.offset
            der, at = self.data, offset
            if self.data.startswith(b"-----BEGIN", offset):
                der, at = _pem(self.data, offset), 0
            org = reading.certificate_subject_org(der, at) if der else None
            if not org:
                continue
            for org_id in resolve(self.dataset, org)[:1]:
                if _maker_eligible(self.dataset, org_id):
                    matched = f"certificate subject O={org}"
                    weight = self.cfg.weights["certificate"]
                    ev = self._evidence(offset, "certificate", matched, weight)
                    yield Clue(
                        org_id, self.dataset.org(org_id)["short"], "maker", "certificate", ev
                    )


def _pem(data: bytes, offset: int) -> bytes | None:
    end = data.find(b"-----END CERTIFICATE-----", offset)
    if end < 0 or end - offset > 20_000:
        return None
    body = data[offset + len(b"-----BEGIN CERTIFICATE-----") : end]
    try:
        return base64.b64decode(b"".join(body.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def _plain(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


# --- clues from the other stages ----------------------------------------------------------


def _sdk_file_clues(inventory: Inventory, dataset: Dataset, cfg: Config) -> list[Clue]:
    """An SDK's file layout (two of its paths or more) points at its vendor."""
    found = []
    paths = ["/" + f.path for f in inventory.files if f.path]
    for org_id, entry in dataset.organisations.items():
        patterns = entry.get("sdk_files", ())
        if not patterns:
            continue
        hits = {p: next((x for x in paths if p in x), None) for p in patterns}
        hits = {p: x for p, x in hits.items() if x}
        if len(hits) < 2:
            continue
        first = min(hits.values())
        matched = "files " + ", ".join(sorted(hits))
        name = entry["short"]
        if _platform_eligible(dataset, org_id):
            weight = cfg.platform_weights["sdk-files"]
            ev = Evidence(first[1:], 0, "sdk-files", matched, Technique.FILENAME, weight)
            found.append(Clue(org_id, name, "platform", "sdk-files", ev, "sdk"))
        if _maker_eligible(dataset, org_id):
            weight = cfg.weights["maker-sdk"]
            ev = Evidence(first[1:], 0, "maker-sdk", matched, Technique.FILENAME, weight)
            found.append(Clue(org_id, name, "maker", "maker-sdk", ev))
    return found


# a module's own answer to ATI ("Manufacturer: Huawei Technologies Co., Ltd.\r\nModel:
# ME909s-120") names the module's maker, not the device's: clues this near one do not count
MODULE_BANNER_REACH = 256


def _outside_module_banners(found: list[Clue], components: Iterable[Component]) -> list[Clue]:
    """The clues that are not part of a radio or cellular module's banner or revision."""
    banners: dict[str, list[int]] = defaultdict(list)
    for component in components:
        if component.type in PART_TYPES:
            for ev in component.evidence:
                if ev.method.startswith("yara:") and ev.offset is not None:
                    banners[ev.path].append(ev.offset)
    if not banners:
        return found
    return [
        c
        for c in found
        if c.evidence.offset is None
        or not any(
            abs(c.evidence.offset - at) <= MODULE_BANNER_REACH
            for at in banners.get(c.evidence.path, ())
        )
    ]


def _supply_clues(components, endpoints, dataset: Dataset, cfg: Config) -> list[Clue]:
    """SDKs and clouds of a device maker point at that maker; SDKs of chip and SDK vendors
    make the platform. A radio or cellular module or a Wi-Fi blob (component type device or
    firmware) is a part the device holds: it says neither who made the device nor what it is
    built on."""
    found = []
    for component in components:
        if component.type in PART_TYPES:
            continue
        org_id = dataset.by_signature_vendor(component.vendor)
        if not org_id or not component.evidence:
            continue
        name = dataset.org(org_id)["short"]
        first = component.evidence[0]
        if _maker_eligible(dataset, org_id):
            what = f"{component.name} SDK of {name}"
            found.append(
                Clue(org_id, name, "maker", "maker-sdk", _clue(first, what, cfg, "maker-sdk"))
            )
        if _platform_eligible(dataset, org_id):
            what = f"component {component.key} of {name}"
            ev = _clue(first, what, cfg, "component", platform=True)
            role = _soc_role(dataset, org_id)
            found.append(Clue(org_id, name, "platform", "component", ev, role, component.name))
    for endpoint in endpoints:
        if not endpoint.outbound or not endpoint.evidence:
            continue
        org_id = dataset.by_ip(endpoint.host) or dataset.by_domain(endpoint.host)
        if org_id and _maker_eligible(dataset, org_id):
            name = dataset.org(org_id)["short"]
            ev = _clue(endpoint.evidence[0], f"cloud endpoint {endpoint.host}", cfg, "maker-cloud")
            found.append(Clue(org_id, name, "maker", "maker-cloud", ev))
    return found


def _clue(
    evidence: Evidence, what: str, cfg: Config, method: str, *, platform: bool = False
) -> Evidence:
    """Evidence pointing at the component's or endpoint's own first sighting."""
    weight = (cfg.platform_weights if platform else cfg.weights)[method]
    return Evidence(evidence.path, evidence.offset, method, what, evidence.technique, weight)


def _as_of(dataset: Dataset, org_id: str, date: str | None) -> str:
    """The organisation that made firmware of that date: a successor takes over from its
    start date (TP-Link's overseas business became TP-Link Systems Inc. in Oct 2024)."""
    successor = dataset.org(org_id).get("successor")
    if successor and date and date >= successor["from"]:
        return successor["org"]
    return org_id


def _mismatch(dataset: Dataset, maker: Party | None, declared: str | None) -> str | None:
    if not declared or maker is None:
        return None
    declared_id = dataset.by_name(declared)
    if declared_id is None:
        return f"declared vendor {declared!r} is not in the data; the firmware says {maker.name}"
    name = dataset.org(declared_id)["short"]
    if maker.org is None:
        return _not_held(name, maker)
    if declared_id == maker.org or declared_id in dataset.lineage(maker.org):
        return None  # the declared vendor, or a brand of it the firmware names
    if maker.org in dataset.lineage(declared_id):
        relation = dataset.org(declared_id).get("relation", "affiliate")
        return (
            f"declared vendor {name} is a {relation} of {maker.name}, which the firmware "
            f"names: the device is {maker.name}'s product"
        )
    return f"declared vendor {name} but the firmware names {maker.name}: possibly an OEM relabel"


def _not_held(declared: str, maker: Party) -> str:
    return (
        f"declared vendor {declared} but the firmware names {maker.name}, a maker the data "
        "does not hold"
    )


def firmware_date(inventory: Inventory, unpack: UnpackOutcome) -> str | None:
    """The newest plausible build time in SquashFS 4 superblocks and uImage headers."""
    stamps = []
    for chunk in unpack.chunks:
        if chunk.format.startswith("squashfs_v4_le"):
            fmt, at = "<I", 8
        elif chunk.format in ("uimage", "uImage"):
            fmt, at = ">I", 8
        else:
            continue
        path = inventory.image if chunk.container == "" else inventory.root / chunk.container
        try:
            with path.open("rb") as handle:
                handle.seek(chunk.offset + at)
                (stamp,) = struct.unpack(fmt, handle.read(4))
        except (OSError, struct.error):
            continue
        if 788918400 <= stamp <= datetime.now(UTC).timestamp():  # 1995 .. now
            stamps.append(stamp)
    return datetime.fromtimestamp(max(stamps), UTC).date().isoformat() if stamps else None
