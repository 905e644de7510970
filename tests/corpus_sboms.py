"""The corpus SBOM snapshot: each corpus image's CycloneDX JSON, normalised (what varies
from run to run left out), as a digest plus a short summary to read when it changes.

Shared by `scripts/snapshot_corpus_sboms.py` (writes or checks the snapshot) and
`tests/test_corpus_sboms.py` (asserts it). Issue 15's refactor must keep every digest."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

from fwaudit.api import Auditor
from fwaudit.errors import FwauditError
from fwaudit.sbom import InvalidBom, serialize

REPO = Path(__file__).resolve().parent.parent
SNAPSHOT = REPO / "tests" / "snapshots" / "corpus_sboms.json"
AS_OF = "2026-06-01"  # the day the built-in policies judge for: fixed, not today
VERSION = "<fwaudit-version>"  # a release bump is not a change of analysis

Entry = dict[str, Any]


def corpus_images(corpus: Path) -> list[str]:
    """The image file names SOURCES.tsv lists (the ground-truth notes are not images)."""
    with (corpus / "SOURCES.tsv").open(newline="") as rows:
        names = [row["filename"] for row in csv.DictReader(rows, delimiter="\t")]
    return sorted(n for n in names if not n.endswith((".tsv", ".json")))


def normalise(doc: dict[str, Any]) -> dict[str, Any]:
    """The BOM without what differs between two audits of the same image: the serial
    number and timestamp, and fwaudit's own version. Everything else is kept."""
    doc = json.loads(json.dumps(doc))  # a private copy
    doc.pop("serialNumber", None)
    meta = doc.get("metadata", {})
    meta.pop("timestamp", None)
    for tool in meta.get("tools", {}).get("components", []):
        if tool.get("name") == "fwaudit":
            tool["version"] = VERSION
    return doc


def canonical(doc: dict[str, Any]) -> str:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _properties(doc: dict[str, Any]) -> Iterator[dict[str, str]]:
    firmware = doc.get("metadata", {}).get("component", {})
    for item in (firmware, *doc.get("components", []), *doc.get("services", [])):
        yield from item.get("properties", [])


def summary(doc: dict[str, Any]) -> dict[str, Any]:
    """What a reviewer reads first when a digest changes."""
    firmware = doc.get("metadata", {}).get("component", {})
    policies = {
        p["name"].removeprefix("fwaudit:policy:"): p["value"]
        for p in firmware.get("properties", [])
        if p["name"].startswith("fwaudit:policy:")
    }
    return {
        "components": sorted(
            f"{c['name']}@{c.get('version', '')}" for c in doc.get("components", [])
        ),
        "outbound": sorted(s["name"] for s in doc.get("services", [])),
        "policies": dict(sorted(policies.items())),
        "services": len(doc.get("services", [])),
        "properties": sum(1 for _ in _properties(doc)),
        "dependencies": len(doc.get("dependencies", [])),
    }


def entry(doc: dict[str, Any], dump: Path | None = None) -> Entry:
    """The snapshot entry of one SBOM document; `dump` gets the normalised SBOM."""
    doc = normalise(doc)
    if dump is not None:
        dump.write_text(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return {
        "sha256": hashlib.sha256(canonical(doc).encode()).hexdigest(),
        "summary": summary(doc),
    }


def audit_entry(auditor: Auditor, image: Path, dump_dir: Path | None = None) -> Entry:
    """Audit `image` and snapshot its SBOM; a failure is recorded as such (its kind).
    `dump_dir` gets the normalised SBOM, to diff against another run's."""
    try:
        text = serialize(auditor.audit_data(image), "json")
    except (FwauditError, InvalidBom) as exc:  # an image fwaudit refuses, as it refuses
        return {"error": type(exc).__name__}
    dump = dump_dir / f"{image.name}.cdx.json" if dump_dir else None
    return entry(json.loads(text), dump)


@cache
def make_auditor(cache_dir: Path | None = None) -> Auditor:
    """One auditor per process and cache folder (its rules compiled once)."""
    return Auditor(as_of=AS_OF, cache_dir=cache_dir)


def _one(image: Path, cache_dir: Path | None, dump_dir: Path | None) -> Entry:
    return audit_entry(make_auditor(cache_dir), image, dump_dir)


def snapshot(
    corpus: Path,
    names: Iterable[str],
    *,
    cache_dir: Path | None = None,
    workers: int = 2,
    dump_dir: Path | None = None,
) -> dict[str, Entry]:
    """Entries of the named corpus images, `workers` processes (one auditor each)."""
    names = list(names)
    images = [corpus / n for n in names]
    caches, dumps = [cache_dir] * len(names), [dump_dir] * len(names)
    if workers <= 1:
        return dict(zip(names, map(_one, images, caches, dumps), strict=True))
    with ProcessPoolExecutor(workers) as pool:
        return dict(zip(names, pool.map(_one, images, caches, dumps), strict=True))


def load(path: Path = SNAPSHOT) -> dict[str, Entry]:
    return json.loads(path.read_text())["images"]


def dump(entries: Mapping[str, Entry], path: Path = SNAPSHOT) -> None:
    document = {
        "about": "tests/corpus_sboms.py: normalised CycloneDX JSON digest per corpus image",
        "as_of": AS_OF,
        "images": dict(sorted(entries.items())),
    }
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")


def diff(expected: Entry | None, actual: Entry | None) -> list[str]:
    """Readable lines on how two entries differ (empty when the digests agree)."""
    if expected == actual:
        return []
    if expected is None or actual is None:
        return [f"  {'new image' if expected is None else 'image gone'}"]
    if "error" in expected or "error" in actual:
        return [f"  error: {expected.get('error')} -> {actual.get('error')}"]
    lines = []
    old, new = expected["summary"], actual["summary"]
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if isinstance(a, list) and isinstance(b, list):
            lines += [f"  {key}: - {x}" for x in sorted(set(a) - set(b))]
            lines += [f"  {key}: + {x}" for x in sorted(set(b) - set(a))]
        elif isinstance(a, dict) and isinstance(b, dict):
            lines += [
                f"  {key}: {k}: {a.get(k)} -> {b.get(k)}"
                for k in sorted(a.keys() | b.keys())
                if a.get(k) != b.get(k)
            ]
        else:
            lines.append(f"  {key}: {a} -> {b}")
    return lines or ["  digest differs; the summary does not show where (diff the SBOMs)"]


def report(expected: Mapping[str, Entry], actual: Mapping[str, Entry]) -> list[str]:
    """Per changed image, its name then its diff lines."""
    lines = []
    for name in sorted(expected.keys() | actual.keys()):
        if changed := diff(expected.get(name), actual.get(name)):
            lines += [f"{name}:", *changed]
    return lines
