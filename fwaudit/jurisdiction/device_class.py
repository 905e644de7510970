"""What kind of device an image is for, from evidence: router, camera, drone, cellular module...

A class is a set of weighted cues (`signatures/jurisdiction/device_classes.yaml`): components
the identify stage found, file paths, strings in real text, outbound endpoints (their
operator or role) and the platform (SoC or SDK vendor). A class's confidence is the noisy-or
of the weights of its cues seen, each cue once; it is reported when it reaches the data's
threshold and a `core` cue (one only that kind of device has) is among them. One image can be
several classes (a router with a camera app). A maker's name is never a cue, and an image
whose content cannot be read (encrypted) has no class: no guessing.

Strings are matched on the bytes the attribution pass already read (`StringScan` is called
once per file from it), so no file is read twice.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
import yara

from .._data import load_yaml
from ..model import (
    DEVICE_CLASSES,
    Component,
    DeviceClass,
    Endpoint,
    Evidence,
    FileEntry,
    PlatformClue,
    Technique,
)
from . import clues as reading
from .data import DataError, Dataset

FILE = "device_classes.yaml"
MATCHERS = ("components", "paths", "strings", "operators", "roles", "platform")
MAX_INSTANCES = 20  # per string and file: enough to get past matches that are not text


@dataclass(frozen=True)
class Cue:
    """One weighted piece of evidence for a class, with the matchers that see it."""

    device_class: str
    id: str
    weight: float
    core: bool
    components: frozenset[str] = frozenset()
    paths: tuple[re.Pattern[str], ...] = ()
    strings: tuple[str, ...] = ()  # YARA string definitions
    min_strings: int = 1
    operators: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()
    platform: frozenset[str] = frozenset()
    soc_models: re.Pattern[str] | None = None
    fixture: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def rule(self) -> str:
        """The cue's YARA rule name."""
        return "c_" + re.sub(r"\W", "_", f"{self.device_class}__{self.id}")


@dataclass(frozen=True, eq=False)
class Signatures:
    """The cues of every class, the threshold and the compiled string rules."""

    threshold: float
    max_evidence: int
    cues: tuple[Cue, ...]
    rules: yara.Rules | None
    negatives: tuple[bytes, ...] = ()

    def by_rule(self, rule: str) -> Cue:
        return next(c for c in self.cues if c.rule == rule)


@cache
def signatures(dataset: Dataset) -> Signatures:
    """The device-class cues of the dataset's folder, checked; `DataError` when malformed."""
    path = dataset.folder / FILE
    try:
        raw = load_yaml(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"{path}: cannot read: {exc}") from exc
    return parse(raw, str(path))


def parse(raw: Any, source: str) -> Signatures:
    if not isinstance(raw, dict) or not isinstance(raw.get("classes"), dict):
        raise DataError(f"{source}: needs `threshold` and `classes`")
    cues = []
    for name, entry in raw["classes"].items():
        if name not in DEVICE_CLASSES:
            raise DataError(f"{source}: class {name!r} is not one of {', '.join(DEVICE_CLASSES)}")
        seen_ids: set[str] = set()
        for item in entry.get("cues") or ():
            cue = _cue(name, item, f"{source}: {name}/{item.get('id')}")
            if cue.id in seen_ids:
                raise DataError(f"{source}: {name}: cue id {cue.id!r} twice")
            seen_ids.add(cue.id)
            cues.append(cue)
    threshold = float(raw.get("threshold", 0))
    if not 0 < threshold <= 1:
        raise DataError(f"{source}: threshold must lie in (0, 1]")
    return Signatures(
        threshold,
        int(raw.get("max_evidence", 6)),
        tuple(cues),
        _compile(cues, source),
        tuple(str(n).encode("latin-1") for n in raw.get("negatives") or ()),
    )


def _cue(name: str, item: dict[str, Any], where: str) -> Cue:
    if not isinstance(item, dict) or not item.get("id"):
        raise DataError(f"{where}: a cue needs an id")
    weight = float(item.get("weight", -1))
    if not 0 < weight < 1:
        raise DataError(f"{where}: weight must lie in (0, 1)")
    if not any(item.get(m) for m in MATCHERS):
        raise DataError(f"{where}: a cue needs one of {', '.join(MATCHERS)}")
    unknown = set(item) - {*MATCHERS, "id", "weight", "core", "fixture", "min_strings"}
    unknown -= {"nocase", "fullword", "soc_models"}
    if unknown:
        raise DataError(f"{where}: unknown keys {sorted(unknown)}")
    fixture = item.get("fixture")
    if not isinstance(fixture, dict) or not fixture.get("seen"):
        raise DataError(f"{where}: a cue needs a fixture saying where it was seen")
    if item.get("strings") and "text" not in fixture:
        raise DataError(f"{where}: a string cue needs a fixture `text`")
    if item.get("paths") and "path" not in fixture:
        raise DataError(f"{where}: a path cue needs a fixture `path`")
    try:
        paths = tuple(re.compile(p) for p in item.get("paths") or ())
        models = re.compile(item["soc_models"]) if item.get("soc_models") else None
    except re.error as exc:
        raise DataError(f"{where}: bad regular expression: {exc}") from exc
    nocase = " nocase" if item.get("nocase", False) else ""
    fullword = " fullword" if item.get("fullword", True) else ""
    strings = tuple(
        f"{s} ascii" if _is_regex(s) else f'"{_yara_text(s)}" ascii{nocase}{fullword}'
        for s in map(str, item.get("strings") or ())
    )
    return Cue(
        name,
        str(item["id"]),
        weight,
        bool(item.get("core", False)),
        frozenset(item.get("components") or ()),
        paths,
        strings,
        max(1, min(int(item.get("min_strings", 1)), len(strings) or 1)),
        frozenset(item.get("operators") or ()),
        frozenset(item.get("roles") or ()),
        frozenset(item.get("platform") or ()),
        models,
        {str(k): str(v) for k, v in fixture.items()},
    )


def _is_regex(text: str) -> bool:
    return len(text) > 2 and text.startswith("/") and text.endswith("/")


def _yara_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _compile(cues: Iterable[Cue], source: str) -> yara.Rules | None:
    rules = []
    for cue in cues:
        if cue.strings:
            body = "\n".join(f"    $s{i} = {s}" for i, s in enumerate(cue.strings))
            rules.append(f"rule {cue.rule} {{\n  strings:\n{body}\n  condition: any of them\n}}")
    if not rules:
        return None
    try:
        return yara.compile(source="\n".join(rules))
    except yara.Error as exc:
        raise DataError(f"{source}: cannot compile the string cues: {exc}") from exc


# --- strings: one match per file, on the bytes the attribution pass read --------------------


@dataclass(frozen=True)
class TextRules:
    """When a match counts as text (the attribution reading rules, attribution.yaml)."""

    min_run: int = 4
    long_run: int = 16
    max_entropy: float = 6.0


class StringScan:
    """Collects the string cues seen in each file: call it with every file's entry and bytes.
    Keeps the first sighting of each cue (files come sorted by path, so this is stable)."""

    def __init__(self, sigs: Signatures, text: TextRules = TextRules()) -> None:
        self.sigs, self.text = sigs, text
        self.found: dict[str, Evidence] = {}  # cue rule -> its first sighting

    def __call__(self, entry: FileEntry, data: bytes) -> None:
        if self.sigs.rules is None or not data:
            return
        try:
            matches = self.sigs.rules.match(data=data, timeout=60, warnings_callback=_quiet)
        except yara.Error:
            return  # a timeout: no cue is claimed from this file
        ranges = entry.scan_ranges()
        for match in matches:
            if match.rule in self.found:
                continue
            cue = self.sigs.by_rule(match.rule)
            seen = self._seen(match, data, ranges)
            if len(seen) >= cue.min_strings:
                offset, end = min(seen.values())
                shown = reading.shown(data, offset, end, context=24)
                self.found[match.rule] = Evidence(
                    entry.path,
                    offset,
                    "class-string",
                    f"{cue.id}: {shown}",
                    Technique.BINARY,
                    cue.weight,
                )

    def _seen(
        self, match: Any, data: bytes, ranges: tuple[tuple[int, int], ...]
    ) -> dict[str, tuple[int, int]]:
        """The first place in text of each string of the rule."""
        seen: dict[str, tuple[int, int]] = {}
        for string in match.strings:
            for instance in string.instances[:MAX_INSTANCES]:
                start = instance.offset
                end = start + instance.matched_length
                if not any(a <= start < b for a, b in ranges):
                    continue
                if reading.is_text(
                    data,
                    start,
                    end,
                    min_run=self.text.min_run,
                    long_run=self.text.long_run,
                    max_entropy=self.text.max_entropy,
                ):
                    seen[string.identifier] = (start, end)
                    break
        return seen


def _quiet(*_: Any) -> int:
    return yara.CALLBACK_CONTINUE


# --- the classes ---------------------------------------------------------------------------


def classify(
    sigs: Signatures,
    *,
    strings: dict[str, Evidence],
    paths: Iterable[str],
    components: tuple[Component, ...],
    endpoints: tuple[Endpoint, ...],
    platform: tuple[PlatformClue, ...],
    dataset: Dataset,
) -> tuple[DeviceClass, ...]:
    """The classes the evidence shows, best first: `strings` from a `StringScan`, `paths`
    the image's file paths."""
    seen: dict[Cue, Evidence] = {}
    paths = tuple(paths)
    for cue in sigs.cues:
        evidence = (
            strings.get(cue.rule)
            or _component(cue, components)
            or _path(cue, paths)
            or _endpoint(cue, endpoints, dataset)
            or _platform(cue, platform)
        )
        if evidence:
            seen[cue] = evidence
    found = []
    for name in DEVICE_CLASSES:
        cues = sorted((c for c in seen if c.device_class == name), key=lambda c: -c.weight)
        if not any(c.core for c in cues):
            continue
        confidence = round(1.0 - _product(1.0 - c.weight for c in cues), 2)
        if confidence >= sigs.threshold:
            evidence = tuple(seen[c] for c in cues[: sigs.max_evidence])
            found.append(DeviceClass(name, confidence, evidence))
    return tuple(sorted(found, key=lambda c: c.sort_key))


def _product(values: Iterable[float]) -> float:
    result = 1.0
    for value in values:
        result *= value
    return result


def _component(cue: Cue, components: tuple[Component, ...]) -> Evidence | None:
    for component in components:
        if component.name in cue.components and component.evidence:
            first = component.evidence[0]
            what = f"{cue.id}: component {component.key}"
            return _at(first, "class-component", what, cue.weight)
    return None


def _path(cue: Cue, paths: tuple[str, ...]) -> Evidence | None:
    for path in paths:
        if any(p.search("/" + path) for p in cue.paths):
            what = f"{cue.id}: file {PurePosixPath(path).name}"
            return Evidence(path, None, "class-path", what, Technique.FILENAME, cue.weight)
    return None


def _endpoint(cue: Cue, endpoints: tuple[Endpoint, ...], dataset: Dataset) -> Evidence | None:
    if not (cue.operators or cue.roles):
        return None
    for endpoint in endpoints:
        if not endpoint.outbound or not endpoint.evidence:
            continue
        if endpoint.role in cue.roles:
            what = f"{cue.id}: {endpoint.role} endpoint {endpoint.host}"
            return _at(endpoint.evidence[0], "class-endpoint", what, cue.weight)
        if cue.operators:
            operator = dataset.by_ip(endpoint.host) or dataset.by_domain(endpoint.host)
            if operator in cue.operators:
                what = f"{cue.id}: endpoint {endpoint.host} of {dataset.org(operator)['short']}"
                return _at(endpoint.evidence[0], "class-endpoint", what, cue.weight)
    return None


def _platform(cue: Cue, platform: tuple[PlatformClue, ...]) -> Evidence | None:
    for clue in platform:
        if clue.party.org not in cue.platform or not clue.evidence:
            continue
        if cue.soc_models and not (clue.model and cue.soc_models.search(clue.model)):
            continue
        part = f" {clue.model}" if clue.model else ""
        what = f"{cue.id}: {clue.party.name} {clue.role}{part}"
        return _at(clue.evidence[0], "class-platform", what, cue.weight)
    return None


def _at(evidence: Evidence, method: str, what: str, weight: float) -> Evidence:
    return Evidence(evidence.path, evidence.offset, method, what, evidence.technique, weight)


def best(classes: tuple[DeviceClass, ...]) -> tuple[str, tuple[Evidence, ...]]:
    """(name, evidence) of the best class, or ("unknown", ()): `Attribution.device_class`."""
    return (classes[0].name, classes[0].evidence) if classes else ("unknown", ())


def check(folder: Path) -> list[str]:
    """Every problem with `device_classes.yaml` in `folder`: malformed entries, a cue that
    does not match its own fixture, a negative that gives a cue (`fwaudit data check`)."""
    try:
        sigs = parse(load_yaml((folder / FILE).read_text()), FILE)
    except (OSError, yaml.YAMLError, DataError) as exc:
        return [f"{FILE}: {exc}"]
    problems = []
    for cue in sigs.cues:
        where = f"{FILE}: {cue.device_class}/{cue.id}"
        if cue.strings and cue.rule not in fixture_cues(sigs, cue.fixture["text"]):
            problems.append(f"{where}: its strings do not match its fixture text")
        if cue.paths and not any(p.search("/" + cue.fixture["path"]) for p in cue.paths):
            problems.append(f"{where}: its paths do not match its fixture path")
    for text in sigs.negatives:
        if found := fixture_cues(sigs, text.decode("latin-1")):
            problems.append(f"{FILE}: negative {text[:40]!r} gives {sorted(found)}")
    return problems


def fixture_cues(sigs: Signatures, text: str) -> set[str]:
    """The string cues (rule names) a fixture text gives, read as one text file."""
    data = text.encode("latin-1")
    scan = StringScan(sigs)
    scan(FileEntry("fixture", len(data), hashlib.sha256(data).hexdigest(), "text"), data)
    return set(scan.found)
