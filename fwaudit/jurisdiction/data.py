"""The jurisdiction data (`signatures/jurisdiction/*.yaml`): loaded, schema-checked, looked up.

Regimes are laws that can oblige an organisation to help a state; lists are government lists
(FCC Covered List, NDAA s.889, Entity List, ...); organisations are makers, brands, chip and
SDK vendors and service operators. Every entry carries its sources and the date it was
recorded; `check()` enforces the schema and the cross references.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from .._data import load_yaml, signatures_dir
from ..errors import SignatureError
from ..model import Fact
from . import dates

KINDS = ("regimes", "lists", "organisations")


class DataError(SignatureError):
    """The jurisdiction data is malformed or inconsistent."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """All jurisdiction entries, by kind and id, and the place tables (ccTLDs, camera cues)."""

    regimes: dict[str, dict[str, Any]]
    lists: dict[str, dict[str, Any]]
    organisations: dict[str, dict[str, Any]]
    places: dict[str, Any]
    folder: Path

    @property
    def as_of(self) -> str:
        dates = [e["as_of"] for kind in KINDS for e in getattr(self, kind).values()]
        return str(max(dates)) if dates else ""

    def org(self, org_id: str) -> dict[str, Any]:
        return self.organisations[org_id]

    def lineage(self, org_id: str) -> list[str]:
        """The organisation and its owners, nearest first."""
        chain = [org_id]
        while (parent := self.organisations[chain[-1]].get("parent")) and parent not in chain:
            chain.append(parent)
        return chain

    def country(self, org_id: str) -> str | None:
        """The organisation's own country, or for a brand its owner's. An OEM relabel has none
        here: its products' producer is reached through `lineage` instead."""
        entry = self.organisations[org_id]
        if entry.get("country") or entry.get("relation") != "brand":
            return entry.get("country")
        return self.country(entry["parent"])

    def regimes_over(self, org_id: str) -> list[str]:
        """Regimes the organisation is subject to through its own or an owner's country."""
        countries = {self.organisations[o].get("country") for o in self.lineage(org_id)}
        return [r for r, entry in self.regimes.items() if entry["country"] in countries]

    def listings(
        self, org_id: str, as_of: date | None = None
    ) -> list[tuple[str, str, dict[str, Any]]]:
        """(list id, listed org id, entry) for each list naming the organisation or, where
        the list covers affiliates, one of its owners; with `as_of`, only entries in force on
        that day (added or effective by then, not removed, not suspended)."""
        found = []
        for list_id, entry in self.lists.items():
            reach = self.lineage(org_id) if entry["covers_affiliates"] else [org_id]
            for item in entry["entries"]:
                if item["org"] in reach and (as_of is None or dates.holds(item, as_of)):
                    found.append((list_id, item["org"], item))
        return found

    def category(self, ref: str) -> dict[str, Any]:
        """A list's product category by ``list-id/category-id``."""
        list_id, _, category_id = ref.partition("/")
        for item in self.lists.get(list_id, {}).get("categories", ()):
            if item["id"] == category_id:
                return item
        raise KeyError(ref)

    def instrument(self, ref: str) -> dict[str, Any]:
        """A list's instrument (order, rule) by ``list-id/instrument-id``."""
        list_id, _, instrument_id = ref.partition("/")
        for item in self.lists.get(list_id, {}).get("instruments", ()):
            if item["id"] == instrument_id:
                return item
        raise KeyError(ref)

    def dated(self) -> list[tuple[str, dict[str, Any]]]:
        """(ref, entry) of every dated entry: list entries, categories, instruments."""
        found = []
        for list_id, entry in self.lists.items():
            found += [(f"lists/{list_id}/{i['org']}", i) for i in entry["entries"]]
            for kind in ("categories", "instruments"):
                found += [(f"lists/{list_id}/{i['id']}", i) for i in entry.get(kind, ())]
        return found

    def epoch(self, as_of: date) -> str:
        """The latest day on or before `as_of` on which a dated entry changes (or
        ``before-all``): two days with the same epoch are judged alike."""
        latest = dates.epoch((e for _, e in self.dated()), as_of)
        return latest.isoformat() if latest else "before-all"

    def production(self, org_id: str) -> dict[str, Any] | None:
        """Where the organisation's products are produced, as its sources say; a brand or
        an OEM relabel is produced by its owner."""
        entry = self.organisations[org_id]
        if entry.get("production"):
            return entry["production"]
        if entry.get("parent") and entry.get("relation") in ("brand", "oem-relabel"):
            return self.production(entry["parent"])
        return None

    def by_domain(self, host: str) -> str | None:
        """The organisation operating the longest matching domain suffix of `host`."""
        best: tuple[int, str] | None = None
        for org_id, entry in self.organisations.items():
            for domain in entry.get("domains", ()):
                if (host == domain or host.endswith("." + domain)) and (
                    best is None or len(domain) > best[0]
                ):
                    best = (len(domain), org_id)
        return best[1] if best else None

    def by_ip(self, address: str) -> str | None:
        return next((o for o, e in self.organisations.items() if address in e.get("ips", ())), None)

    def by_signature_vendor(self, vendor: str) -> str | None:
        return next(
            (o for o, e in self.organisations.items() if vendor in e.get("signature_vendors", ())),
            None,
        )

    def by_name(self, name: str) -> str | None:
        """The organisation called `name` (id, short name, full name or alias), any case."""
        wanted = name.strip().lower()
        for org_id, entry in self.organisations.items():
            names = [org_id, entry["short"], entry["name"], *entry.get("aliases", ())]
            if wanted in (n.lower() for n in names):
                return org_id
        return None

    def fact(self, kind: str, entry_id: str, statement: str) -> Fact:
        entry = getattr(self, kind)[entry_id]
        return Fact(f"{kind}/{entry_id}", statement, _sources(entry), str(entry["as_of"]))

    def find(self, name: str) -> tuple[str, str, dict[str, Any]] | None:
        """(kind, id, entry) for an id in any kind, or an organisation's name or alias."""
        for kind in KINDS:
            if name in getattr(self, kind):
                return kind, name, getattr(self, kind)[name]
        org_id = self.by_name(name)
        return ("organisations", org_id, self.organisations[org_id]) if org_id else None


def _sources(entry: dict[str, Any]) -> tuple[str, ...]:
    return tuple(
        f"{s['ref']} ({s['published']})" if s.get("published") else s["ref"]
        for s in entry["sources"]
    )


# Organisations are split over files by what they are: makers, brands, chip and SDK vendors in
# organisations.yaml; service operators (clouds, resolvers, time, DDNS, P2P, IoT) in operators.yaml
ORGANISATION_FILES = ("organisations.yaml", "operators.yaml")


def _read(folder: Path) -> dict[str, Any]:
    raw = {kind: load_yaml((folder / f"{kind}.yaml").read_text()) or {} for kind in KINDS}
    for name in ORGANISATION_FILES[1:]:
        path = folder / name
        extra = (load_yaml(path.read_text()) or {}) if path.is_file() else {}
        twice = sorted(set(extra) & set(raw["organisations"]))
        if twice:
            raise DataError(f"{name}: organisations defined twice: {', '.join(twice)}")
        raw["organisations"].update(extra)
    return raw


def check(folder: Path | None = None) -> list[str]:
    """Every problem with the data: schema violations and dangling references (the full check
    of `fwaudit data check` and the test suite)."""
    import jsonschema  # 1 s to import: only here, never on the audit path

    folder = folder or signatures_dir() / "jurisdiction"
    raw = _read(folder)
    schema = load_yaml((folder / "schema.yaml").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    problems = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in sorted(validator.iter_errors(_jsonable(raw)), key=lambda e: e.json_path)
    ]
    from .device_class import check as device_class_problems  # imports this module

    return problems + references(raw) + dated_problems(raw) + device_class_problems(folder)


# list entries added from this day on are "new": each carries its own sources, one a URL
NEW_FROM = date(2025, 1, 1)


def dated_problems(raw: dict[str, Any]) -> list[str]:
    """Dated entries that cannot be judged on a date: a new list entry without a URL
    source, dates out of order, categories or instruments naming no date."""
    problems = []
    for ref, entry in _dated_entries(raw):
        try:
            begun = dates.start(entry)
            if entry.get("removed") and begun and dates.parse_date(entry["removed"]) <= begun:
                problems.append(f"{ref}: removed {entry['removed']} before it started {begun}")
            for window in entry.get("suspended", ()):
                if dates.parse_date(window["from"]) > dates.parse_date(window["to"]):
                    problems.append(f"{ref}: suspension from {window['from']} after its end")
            for item in entry.get("exceptions", ()):
                if item.get("until") and dates.parse_date(item["until"]) <= dates.parse_date(
                    item["from"]
                ):
                    problems.append(f"{ref}: exception {item['id']} ends before it starts")
        except ValueError as exc:
            problems.append(f"{ref}: {exc}")
            continue
        new = begun is not None and begun >= NEW_FROM
        if "org" in entry and new and not _has_url(entry.get("sources", ())):
            problems.append(f"{ref}: added {begun} but no source URL of its own")
        if "org" not in entry and begun is None:
            problems.append(f"{ref}: no date it holds from (effective)")
    return problems


def _dated_entries(raw: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for list_id, entry in raw["lists"].items():
        found += [(f"lists/{list_id}/{i['org']}", i) for i in entry.get("entries", ())]
        for kind in ("categories", "instruments"):
            found += [(f"lists/{list_id}/{i.get('id')}", i) for i in entry.get(kind, ())]
    return found


def _has_url(sources: Any) -> bool:
    return any(str(s.get("ref", "")).startswith(("http://", "https://")) for s in sources)


def references(raw: dict[str, Any]) -> list[str]:
    """Dangling references between entries (cheap: checked on every load)."""
    problems = []
    orgs = raw["organisations"]
    for org_id, entry in orgs.items():
        for key in ("parent",):
            if entry.get(key) and entry[key] not in orgs:
                problems.append(f"organisations/{org_id}: unknown {key} {entry[key]}")
        successor = entry.get("successor", {}).get("org")
        if successor and successor not in orgs:
            problems.append(f"organisations/{org_id}: unknown successor {successor}")
        if not entry.get("country") and not entry.get("parent"):
            problems.append(f"organisations/{org_id}: neither a country nor a parent")
    for list_id, entry in raw["lists"].items():
        problems += [
            f"lists/{list_id}: unknown organisation {item['org']}"
            for item in entry.get("entries", ())
            if item["org"] not in orgs
        ]
        if entry.get("regime") and entry["regime"] not in raw["regimes"]:
            problems.append(f"lists/{list_id}: unknown regime {entry['regime']}")
    return problems


def _jsonable(value: Any) -> Any:
    """YAML dates become ISO strings, so the schema sees what a JSON file would hold."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def load(folder: Path | None = None) -> Dataset:
    """The dataset, its references checked; broken references are a `DataError`. The schema
    is enforced by `check()` (`fwaudit data check`, the test suite)."""
    folder = folder or signatures_dir() / "jurisdiction"
    return _load(folder.resolve())


@cache
def _load(folder: Path) -> Dataset:
    raw = _jsonable(_read(folder))
    problems = references(raw)
    if problems:
        raise DataError("jurisdiction data: " + "; ".join(problems[:10]))
    places = load_yaml((folder / "places.yaml").read_text())
    return Dataset(raw["regimes"], raw["lists"], raw["organisations"], places, folder)
