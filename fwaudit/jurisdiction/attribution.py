"""Who made the device, read from the image itself, with evidence and a confidence.

Clues, strongest first: the maker's name in the vendor container header, in copyright lines,
in certificates, in the web UI, then SDKs and clouds that belong to a device maker, then bare
mentions. Each organisation's score combines its clues (noisy-or of the best clue per method),
so one strong clue or several independent weak ones make an attribution.
"""

from __future__ import annotations

import re
import struct
from collections import defaultdict
from datetime import UTC, datetime
from functools import cache
from pathlib import PurePosixPath

import yara

from ..inventory import Inventory
from ..model import Attribution, Component, Endpoint, Evidence, Party, Technique, UnpackOutcome
from .data import Dataset

MAKER_KINDS = frozenset({"device-maker", "brand", "oem-relabel"})
HEADER_BYTES = 512
CERTIFICATES = frozenset({".pem", ".crt", ".cer", ".der"})
WEB_UI = frozenset({".htm", ".html", ".js", ".asp", ".php", ".cgi", ".xml", ".json"})
COPYRIGHT = re.compile(rb"(?i)(copyright|\(c\)|\xc2\xa9|\xa9|manufacturer|vendor)")
# method -> weight of one clue
WEIGHTS = {
    "vendor-header": 0.9,
    "copyright-string": 0.8,
    "certificate": 0.8,
    "web-ui": 0.6,
    "maker-sdk": 0.6,
    "maker-cloud": 0.5,
    "mention": 0.3,
}
THRESHOLD = 0.5
MAX_CLUES = 5


def attribute(
    inventory: Inventory,
    components: tuple[Component, ...],
    endpoints: tuple[Endpoint, ...],
    dataset: Dataset,
    unpack: UnpackOutcome,
    *,
    declared: str | None = None,
) -> Attribution:
    """The device maker (or None), the evidence, the candidates and the device class."""
    clues: dict[str, list[Evidence]] = defaultdict(list)
    for org_id, evidence in _name_clues(inventory, dataset):
        clues[org_id].append(evidence)
    for org_id, evidence in _supply_clues(components, endpoints, dataset):
        clues[org_id].append(evidence)
    scores = {org_id: _score(found) for org_id, found in clues.items()}
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    date = firmware_date(inventory, unpack)
    maker = None
    evidence: tuple[Evidence, ...] = ()
    if ranked and ranked[0][1] >= THRESHOLD:
        org_id = _as_of(dataset, ranked[0][0], date)
        entry = dataset.org(org_id)
        maker = Party(org_id, entry["short"], dataset.country(org_id))
        unique = {(e.path, e.offset, e.method): e for e in clues[ranked[0][0]]}
        evidence = tuple(sorted(unique.values(), key=lambda e: (-e.confidence, e.sort_key)))
    device_class, class_evidence = _device_class(components, endpoints, dataset)
    return Attribution(
        maker=maker,
        confidence=round(ranked[0][1], 2) if maker else 0.0,
        evidence=evidence[:MAX_CLUES],
        candidates=tuple((o, round(s, 2)) for o, s in ranked[:5]),
        declared=declared,
        mismatch=_mismatch(dataset, maker, declared),
        firmware_date=date,
        device_class=device_class,
        class_evidence=class_evidence,
    )


@cache
def _alias_rules(dataset: Dataset) -> yara.Rules:
    sources = []
    for org_id, entry in dataset.organisations.items():
        if not entry.get("aliases"):
            continue
        strings = "\n".join(
            f'    $a{i} = "{alias}" ascii wide nocase fullword'
            for i, alias in enumerate(entry["aliases"])
        )
        sources.append(
            f"rule {_rule_name(org_id)} {{\n  strings:\n{strings}\n  condition: any of them\n}}"
        )
    return yara.compile(source="\n".join(sources))


def _rule_name(org_id: str) -> str:
    return "org_" + org_id.replace("-", "_")


def _name_clues(inventory: Inventory, dataset: Dataset):
    """(org id, evidence) for each place an organisation's name appears, weighed by where."""
    rules = _alias_rules(dataset)
    by_rule = {_rule_name(o): o for o in dataset.organisations}
    seen: set[str] = set()
    for entry in inventory.files:
        if entry.sha256 in seen and entry.path:
            continue
        seen.add(entry.sha256)
        data = inventory.locate(entry).read_bytes()
        if entry.path == "":  # the image: its header, and whatever no extractor opened
            data = data if not entry.unpacked else data[:HEADER_BYTES]
        for match in rules.match(data=data, timeout=30):
            org_id = by_rule[match.rule]
            for string in match.strings:
                for instance in string.instances[:3]:
                    method = _method(entry.path, entry.kind, data, instance.offset)
                    line = _context(data, instance.offset, instance.matched_length)
                    yield (
                        org_id,
                        Evidence(
                            entry.path,
                            instance.offset,
                            method,
                            line,
                            Technique.BINARY,
                            WEIGHTS[method],
                        ),
                    )


def _method(path: str, kind: str, data: bytes, offset: int) -> str:
    if path == "" and offset < HEADER_BYTES:
        return "vendor-header"
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in CERTIFICATES:
        return "certificate"
    if COPYRIGHT.search(data, max(0, offset - 48), offset):
        return "copyright-string"
    if suffix in WEB_UI and kind == "text":
        return "web-ui"
    return "mention"


def _context(data: bytes, offset: int, length: int) -> str:
    start = max(0, offset - 48)
    text = data[start : offset + length + 48].decode("latin-1")
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())[:160]


def _supply_clues(components, endpoints, dataset: Dataset):
    """SDKs and clouds that belong to a device maker point at that maker."""
    for component in components:
        org_id = dataset.by_signature_vendor(component.vendor)
        if org_id and MAKER_KINDS & set(dataset.org(org_id)["kinds"]):
            first = component.evidence[0]
            yield (
                org_id,
                _clue(
                    first, f"{component.name} SDK of {dataset.org(org_id)['short']}", "maker-sdk"
                ),
            )
    for endpoint in endpoints:
        if not endpoint.outbound:
            continue
        org_id = dataset.by_ip(endpoint.host) or dataset.by_domain(endpoint.host)
        if org_id and MAKER_KINDS & set(dataset.org(org_id)["kinds"]):
            yield (
                org_id,
                _clue(endpoint.evidence[0], f"cloud endpoint {endpoint.host}", "maker-cloud"),
            )


def _clue(evidence: Evidence, what: str, method: str, confidence: float | None = None) -> Evidence:
    """Evidence pointing at the component's or endpoint's own first sighting."""
    weight = WEIGHTS[method] if confidence is None else confidence
    return Evidence(evidence.path, evidence.offset, method, what, evidence.technique, weight)


def _score(evidence: list[Evidence]) -> float:
    best: dict[str, float] = {}
    for item in evidence:
        best[item.method] = max(best.get(item.method, 0.0), item.confidence)
    miss = 1.0
    for weight in best.values():
        miss *= 1.0 - weight
    return 1.0 - miss


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
    if declared_id == maker.org:
        return None
    if maker.org in dataset.lineage(declared_id):
        relation = dataset.org(declared_id).get("relation", "affiliate")
        return (
            f"declared vendor {dataset.org(declared_id)['short']} is a {relation} of "
            f"{maker.name}, which the firmware names: the device is {maker.name}'s product"
        )
    if declared_id in dataset.lineage(maker.org or ""):
        return None  # the firmware names a brand of the declared vendor
    return (
        f"declared vendor {dataset.org(declared_id)['short']} but the firmware names "
        f"{maker.name}: possibly an OEM relabel"
    )


def _device_class(components, endpoints, dataset: Dataset) -> tuple[str, tuple[Evidence, ...]]:
    camera = dataset.places["camera"]
    found = [
        _clue(c.evidence[0], f"camera component {c.name}", "camera-component", c.confidence)
        for c in components
        if c.name in camera["components"]
    ]
    for endpoint in endpoints:
        org_id = dataset.by_domain(endpoint.host) if endpoint.outbound else None
        if org_id in camera["operators"]:
            found.append(
                _clue(
                    endpoint.evidence[0],
                    f"camera cloud {endpoint.host}",
                    "camera-cloud",
                    endpoint.evidence[0].confidence,
                )
            )
    return ("camera", tuple(found[:MAX_CLUES])) if found else ("unknown", ())


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
