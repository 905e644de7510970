"""The law as of a date: when a dated entry of the jurisdiction data holds.

A list entry, a product category of a list and an instrument (an order, a rule) each carry
the dates they hold (`signatures/jurisdiction/schema.yaml`, `$defs/dated`):

    added        listed, adopted or published        (the day it counts from, if no `effective`)
    effective    in force from this day
    removed      no longer holds from this day
    suspended    windows [{from, to}] (both days included) in which it does not hold
    exceptions   windows [{id, name, from, until}] (`until` excluded) of an exception the
                 firmware cannot show (a Conditional Approval, the Blue UAS list ...)
    deadlines    [{id, date, meaning}]: transition dates that change what the entry means
                 (the router update waiver until 2027-03-01), not whether it holds

`holds(entry, day)` answers for one day; `transitions(entry)` lists the days on which the
answer (or its wording) can change, so two days between the same transitions judge alike.
An entry with no date at all holds on every day (it predates the dated data).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..errors import ConfigError

Entry = Mapping[str, Any]


def today() -> date:
    """Today in UTC: the default date policies are judged for."""
    return datetime.now(UTC).date()


def parse_date(value: Any) -> date:
    """A data date (``2025``, ``2025-12`` or ``2025-12-22``, or a `date`) as the first day
    it can mean."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    parts = text.split("-")
    try:
        year, month, day = ([int(p) for p in parts] + [1, 1])[:3]
        return date(year, month, day)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a date: {text!r}") from exc


def resolve_as_of(value: str | date | None) -> date:
    """The date to judge for: `value` (``YYYY-MM-DD`` or a `date`), or today. A malformed
    date is the caller's mistake (`ConfigError`)."""
    if value is None or value == "":
        return today()
    if isinstance(value, date):
        return value if not isinstance(value, datetime) else value.date()
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ConfigError(f"as-of date (--as-of) wants YYYY-MM-DD, got {value!r}") from None


def start(entry: Entry) -> date | None:
    """The day the entry holds from (`effective`, else `added`), or None when undated."""
    for key in ("effective", "added"):
        if entry.get(key):
            return parse_date(entry[key])
    return None


def holds(entry: Entry, day: date) -> bool:
    """True when the entry is in force on `day`: started, not removed, not suspended."""
    return status(entry, day) == "in force"


def status(entry: Entry, day: date) -> str:
    """``in force``, ``not yet in force``, ``suspended`` or ``removed`` on `day`."""
    begun = start(entry)
    if begun is not None and day < begun:
        return "not yet in force"
    if entry.get("removed") and day >= parse_date(entry["removed"]):
        return "removed"
    for window in entry.get("suspended", ()):
        if parse_date(window["from"]) <= day <= parse_date(window["to"]):
            return "suspended"
    return "in force"


def exceptions_open(entry: Entry, day: date) -> list[Entry]:
    """The entry's exceptions that are open on `day`."""
    return [
        e
        for e in entry.get("exceptions", ())
        if parse_date(e["from"]) <= day and (not e.get("until") or day < parse_date(e["until"]))
    ]


def transitions(entry: Entry) -> list[date]:
    """Every day on which the entry's standing or wording can change."""
    days = [start(entry)]
    if entry.get("removed"):
        days.append(parse_date(entry["removed"]))
    for window in entry.get("suspended", ()):
        days += [parse_date(window["from"]), parse_date(window["to"]) + timedelta(days=1)]
    for item in entry.get("exceptions", ()):
        days += [parse_date(item["from"]), parse_date(item["until"]) if item.get("until") else None]
    days += [parse_date(d["date"]) for d in entry.get("deadlines", ())]
    return sorted({d for d in days if d is not None})


def epoch(entries: Iterable[Entry], day: date) -> date | None:
    """The latest transition of any of `entries` on or before `day` (None: before all).
    Two days with the same epoch are judged alike by every dated entry."""
    passed = [t for e in entries for t in transitions(e) if t <= day]
    return max(passed) if passed else None


def dates_text(entry: Entry) -> str:
    """The entry's dates as one line: ``added 2025-01-07; removed 2026-06-08``."""
    parts = []
    for key in ("determination", "adopted", "added", "effective", "removed"):
        if entry.get(key):
            parts.append(f"{key} {entry[key]}")
    parts += [f"suspended {w['from']} to {w['to']}" for w in entry.get("suspended", ())]
    for item in entry.get("exceptions", ()):
        until = f" until {item['until']}" if item.get("until") else ""
        parts.append(f"exception '{item['name']}' from {item['from']}{until}")
    parts += [f"{d['id']} {d['date']}" for d in entry.get("deadlines", ())]
    return "; ".join(parts) if parts else "undated"


def deadline_text(entry: Entry, day: date) -> str:
    """What each deadline of the entry says on `day`: its `meaning` before the date, its
    `after` (or that the date has passed) from the date on."""
    sentences = []
    for item in entry.get("deadlines", ()):
        when = parse_date(item["date"])
        if day < when:
            sentences.append(" ".join(str(item["meaning"]).split()))
        else:
            after = item.get("after") or f"{item['meaning']}: that date has passed"
            sentences.append(" ".join(str(after).split()))
    return " ".join(s if s.endswith(".") else s + "." for s in sentences)
