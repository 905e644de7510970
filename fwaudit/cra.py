"""EU Cyber Resilience Act readiness: a checklist of what a CycloneDX SBOM covers of what
Regulation (EU) 2024/2847 asks, computed from the SBOM document itself (`checklist`) or
from an audit, on the SBOM fwaudit writes for it (`readiness`).

The requirements are data (`signatures/cra/checklist.yaml`: the Annex I Part II(1) SBOM,
the Annex II information, the guidance fields), each checked by one function here; each
comes out `covered`, `partly` or `missing` with counts, or `not checked` when the SBOM
carries nothing to judge by. What a firmware image cannot show (a vulnerability contact, the
support period) is marked as not derivable, so a missing item says who must supply it.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from ._data import load_yaml, signatures_dir
from .errors import SignatureError
from .model import AuditData

COVERED, PARTLY, MISSING, NOT_CHECKED = "covered", "partly", "missing", "not checked"
STATUSES = (COVERED, PARTLY, MISSING, NOT_CHECKED)


@dataclass(frozen=True)
class Requirement:
    """One row of the checklist data."""

    id: str
    title: str
    basis: str
    sources: tuple[str, ...]
    applies_from: str
    check: str
    derivable: bool
    advice: str


@dataclass(frozen=True)
class Item:
    """One requirement judged on one SBOM: status, how many of how many, what was seen."""

    requirement: Requirement
    status: str
    count: int | None = None
    total: int | None = None
    detail: str = ""

    @property
    def counts(self) -> str:
        return f"{self.count}/{self.total}" if self.total is not None else ""


@dataclass(frozen=True)
class Checklist:
    """Every requirement judged on one SBOM, in the order of the data."""

    subject: str  # the firmware (metadata.component name) or the SBOM file
    items: tuple[Item, ...]
    dates: tuple[tuple[str, str], ...] = ()  # (date, what applies from it)
    sources: tuple[str, ...] = ()

    def summary(self) -> dict[str, int]:
        """How many requirements are covered, partly, missing or not checked."""
        return {s: sum(i.status == s for i in self.items) for s in STATUSES}

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "summary": self.summary(),
            "dates": [{"date": d, "applies": what} for d, what in self.dates],
            "sources": list(self.sources),
            "requirements": [
                {
                    "id": i.requirement.id,
                    "title": i.requirement.title,
                    "basis": i.requirement.basis,
                    "status": i.status,
                    "count": i.count,
                    "total": i.total,
                    "detail": i.detail,
                    "derivable_from_firmware": i.requirement.derivable,
                    "applies_from": i.requirement.applies_from,
                    "advice": i.requirement.advice if i.status != COVERED else "",
                }
                for i in self.items
            ],
        }

    def __str__(self) -> str:
        counts = self.summary()
        lines = [
            f"EU Cyber Resilience Act readiness of the SBOM of {self.subject}: "
            + ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s])
        ]
        lines += [f"  {d}: {what}" for d, what in self.dates]
        for item in self.items:
            mark = {COVERED: "+", PARTLY: "~", MISSING: "-", NOT_CHECKED: "?"}[item.status]
            counts_text = f" ({item.counts})" if item.counts else ""
            lines.append(f"  [{mark}] {item.status:<11} {item.requirement.title}{counts_text}")
            lines.append(f"      {item.requirement.basis}: {item.detail}")
            if item.status != COVERED:
                derivable = "" if item.requirement.derivable else "not derivable from firmware: "
                lines.append(f"      to do: {derivable}{item.requirement.advice}")
        return "\n".join(lines)


@cache
def requirements() -> tuple[tuple[Requirement, ...], dict[str, Any]]:
    """The checklist data, checked: every requirement names a known check."""
    path = signatures_dir() / "cra" / "checklist.yaml"
    raw = load_yaml(path.read_text())
    found = []
    for item in raw.get("requirements") or ():
        if item.get("check") not in CHECKS:
            raise SignatureError(f"{path}: {item.get('id')}: unknown check {item.get('check')!r}")
        found.append(
            Requirement(
                id=str(item["id"]),
                title=str(item["title"]),
                basis=str(item["basis"]),
                sources=tuple(item.get("sources") or ()),
                applies_from=str(item["applies_from"]),
                check=str(item["check"]),
                derivable=bool(item["derivable"]),
                advice=" ".join(str(item.get("advice", "")).split()),
            )
        )
    return tuple(found), raw


def checklist(document: dict[str, Any], *, subject: str | None = None) -> Checklist:
    """The checklist of a CycloneDX JSON SBOM (parsed), fwaudit's or another tool's."""
    found, raw = requirements()
    view = _View(document)
    items = tuple(
        Item(r, *CHECKS[r.check](view)) if r.check in CHECKS else Item(r, NOT_CHECKED)
        for r in found
    )
    name = subject or (view.firmware.get("name") or "the SBOM")
    return Checklist(name, items, _dates(raw), _sources(raw))


def readiness(data: AuditData) -> Checklist:
    """The checklist of the SBOM fwaudit writes for this audit."""
    from .sbom import bom_document

    return checklist(bom_document(data), subject=data.image.name)


# --- the checks: each takes the SBOM and gives (status, count, total, detail) ---------------


@dataclass(frozen=True)
class _View:
    document: dict[str, Any]

    @property
    def metadata(self) -> dict[str, Any]:
        return self.document.get("metadata") or {}

    @property
    def firmware(self) -> dict[str, Any]:
        return self.metadata.get("component") or {}

    @property
    def components(self) -> list[dict[str, Any]]:
        return list(self.document.get("components") or ())

    def properties(self, item: dict[str, Any], name: str) -> list[str]:
        return [p.get("value", "") for p in item.get("properties", ()) if p.get("name") == name]


Result = tuple[str, int | None, int | None, str]


def _share(count: int, total: int, what: str, missing_detail: str = "") -> Result:
    if total == 0:
        return NOT_CHECKED, 0, 0, "the SBOM lists no components"
    status = COVERED if count == total else PARTLY if count else MISSING
    detail = f"{count} of {total} components {what}"
    if status != COVERED and missing_detail:
        detail += f"; {missing_detail}"
    return status, count, total, detail


def _format(view: _View) -> Result:
    kind, version = view.document.get("bomFormat"), view.document.get("specVersion")
    if kind == "CycloneDX" and version:
        status = COVERED if str(version) >= "1.6" else PARTLY
        note = "" if status == COVERED else " (BSI TR-03183-2 asks CycloneDX 1.6 or later)"
        return status, None, None, f"CycloneDX {version}{note}"
    return MISSING, None, None, "not a CycloneDX document"


def _top_level(view: _View) -> Result:
    total = len(view.components)
    ref = view.firmware.get("bom-ref")
    direct = next(
        (
            set(d.get("dependsOn", ()))
            for d in view.document.get("dependencies", ())
            if d.get("ref") == ref
        ),
        set(),
    )
    refs = {c.get("bom-ref") for c in view.components}
    count = len(direct & refs)
    status, _, _, detail = _share(count, total, "are dependencies of the firmware")
    graph = sum(
        1
        for d in view.document.get("dependencies", ())
        if d.get("ref") in refs and d.get("dependsOn")
    )
    if total:
        detail += f"; {graph} components list their own dependencies (shared-library links)"
    return status, count, total, detail


def _versions(view: _View) -> Result:
    count = sum(1 for c in view.components if c.get("name") and c.get("version"))
    unversioned = sorted(c.get("name", "?") for c in view.components if not c.get("version"))
    return _share(
        count,
        len(view.components),
        "have a name and a version",
        f"no version: {', '.join(unversioned[:8])}" + (" ..." if len(unversioned) > 8 else ""),
    )


def _suppliers(view: _View) -> Result:
    count = sum(1 for c in view.components if (c.get("supplier") or {}).get("name"))
    return _share(count, len(view.components), "name a supplier")


def _identifiers(view: _View) -> Result:
    keys = ("purl", "cpe", "swid", "omniborId", "swhid")
    count = sum(1 for c in view.components if any(c.get(k) for k in keys))
    purls = sum(1 for c in view.components if c.get("purl"))
    cpes = sum(1 for c in view.components if c.get("cpe"))
    status, count_, total, detail = _share(count, len(view.components), "have a unique identifier")
    return status, count_, total, f"{detail} ({purls} purl, {cpes} CPE)"


def _hashes(view: _View) -> Result:
    total = len(view.components)
    hashed = [c for c in view.components if c.get("hashes")]
    sha512 = sum(1 for c in hashed if any(h.get("alg") == "SHA-512" for h in c["hashes"]))
    if total == 0:
        return NOT_CHECKED, 0, 0, "the SBOM lists no components"
    if sha512 == total:
        return COVERED, sha512, total, f"all {total} components have a SHA-512 hash"
    algorithms = sorted({h.get("alg", "?") for c in hashed for h in c["hashes"]})
    status = PARTLY if hashed else MISSING
    detail = f"{len(hashed)} of {total} components have a hash ({', '.join(algorithms) or 'none'})"
    return status, len(hashed), total, detail + f", {sha512} a SHA-512 hash"


def _licences(view: _View) -> Result:
    count = sum(1 for c in view.components if c.get("licenses"))
    return _share(count, len(view.components), "state a licence")


def _author_timestamp(view: _View) -> Result:
    when = view.metadata.get("timestamp")
    tools = [t.get("name") for t in (view.metadata.get("tools") or {}).get("components", ())]
    authors = [a.get("name") for a in view.metadata.get("authors", ()) or ()]
    contact = any(a.get("email") for a in view.metadata.get("authors", ()) or ())
    who = ", ".join(filter(None, [*authors, *tools]))
    if when and who:
        status = COVERED if contact else PARTLY
        detail = f"made {when} by {who}"
        if not contact:
            detail += "; no author contact (email or URL), which BSI TR-03183-2 asks"
        return status, None, None, detail
    return (
        (PARTLY if when or who else MISSING),
        None,
        None,
        f"timestamp {when or 'none'}, author {who or 'none'}",
    )


def _manufacturer(view: _View) -> Result:
    maker = view.metadata.get("manufacturer") or view.firmware.get("manufacturer") or {}
    if not maker.get("name"):
        return MISSING, None, None, "no manufacturer in the SBOM"
    address = maker.get("address") or {}
    contact = maker.get("contact") or []
    full = address.get("streetAddress") and (
        any(c.get("email") for c in contact) or maker.get("url")
    )
    country = f" ({address.get('country')})" if address.get("country") else ""
    if full:
        return COVERED, None, None, f"{maker['name']}{country}, with address and contact"
    return (
        PARTLY,
        None,
        None,
        f"{maker['name']}{country} as the firmware shows it; no postal address or contact",
    )


def _product(view: _View) -> Result:
    name, version = view.firmware.get("name"), view.firmware.get("version")
    hashes = [h.get("alg") for h in view.firmware.get("hashes", ())]
    if not name:
        return MISSING, None, None, "no metadata.component"
    if version:
        return COVERED, None, None, f"{name} {version}"
    identified = f" and its {', '.join(hashes)}" if hashes else ""
    return PARTLY, None, None, f"the image file {name}{identified}; no product type or version"


def _vulnerability_contact(view: _View) -> Result:
    refs = [
        r
        for item in (view.firmware, view.metadata.get("manufacturer") or {})
        for r in item.get("externalReferences", ()) or ()
        if r.get("type") in ("security-contact", "rfc-9116")
    ]
    if refs:
        return COVERED, None, None, ", ".join(r.get("url", "") for r in refs)
    return (
        MISSING,
        None,
        None,
        "no security contact in the SBOM; a firmware image does not show one",
    )


def _support_period(view: _View) -> Result:
    # CycloneDX 1.6 has no field for it; a manufacturer may carry it as a property
    ends = [
        p.get("value")
        for p in view.firmware.get("properties", ())
        if "support" in p.get("name", "") and "end" in p.get("name", "")
    ]
    if ends:
        return COVERED, None, None, f"support ends {ends[0]}"
    return MISSING, None, None, "no support period in the SBOM; a firmware image does not show it"


def _vulnerabilities(view: _View) -> Result:
    found = view.document.get("vulnerabilities") or []
    if found:
        return (
            PARTLY,
            len(found),
            None,
            (
                f"{len(found)} vulnerabilities inside the SBOM (BSI TR-03183-2: keep them in "
                "a separate VEX or VDR)"
            ),
        )
    return MISSING, None, None, "no vulnerability analysis with the SBOM (fwaudit works offline)"


def _default_credentials(view: _View) -> Result:
    """From the uk-psti-2024 verdicts the SBOM carries (the same evidence: universal default
    passwords, hard-coded credentials, shells without login)."""
    verdicts = [json.loads(v) for v in view.properties(view.firmware, "fwaudit:verdict")]
    psti = [v for v in verdicts if v.get("policy") == "uk-psti-2024"]
    if not psti:
        return (
            NOT_CHECKED,
            None,
            None,
            (
                "the SBOM holds no uk-psti-2024 verdicts (a fwaudit audit with that policy checks "
                "the credentials the firmware sets)"
            ),
        )
    failing = [v for v in psti if v.get("outcome") == "fail"]
    reviewed = [v for v in psti if v.get("outcome") == "review"]
    if failing:
        shown = "; ".join(f"{v['subject']} ({v['rule']})" for v in failing[:4])
        return MISSING, len(failing), None, f"{len(failing)} universal default credentials: {shown}"
    if reviewed:
        shown = "; ".join(f"{v['subject']} ({v['rule']})" for v in reviewed[:4])
        return PARTLY, len(reviewed), None, f"{len(reviewed)} to review: {shown}"
    if any(v.get("outcome") == "inconclusive" for v in psti):
        return NOT_CHECKED, None, None, "too little of the image was examined to vouch for it"
    found = [json.loads(v) for v in view.properties(view.firmware, "fwaudit:credential")]
    accounts = sum(1 for c in found if c.get("origin") == "account-file")
    where = (
        f"{accounts} account entries, none with a fixed or empty password"
        if accounts
        else "no account database in the image"
    )
    return (
        COVERED,
        0,
        None,
        (
            f"none found: {where}; no hard-coded credential or shell without login in "
            "scripts, configuration or programs"
        ),
    )


CHECKS: dict[str, Callable[[_View], Result]] = {
    "format": _format,
    "top_level_dependencies": _top_level,
    "versions": _versions,
    "suppliers": _suppliers,
    "identifiers": _identifiers,
    "hashes": _hashes,
    "licences": _licences,
    "author_timestamp": _author_timestamp,
    "manufacturer": _manufacturer,
    "product": _product,
    "vulnerability_contact": _vulnerability_contact,
    "support_period": _support_period,
    "vulnerabilities": _vulnerabilities,
    "default_credentials": _default_credentials,
}


def _dates(raw: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The Regulation's dates from the jurisdiction data (lists.yaml eu-cra)."""
    from .jurisdiction.data import load

    ref = str(raw.get("regulation", ""))
    try:
        entry = load().instrument(ref)
    except KeyError:
        return ()
    dates = [(str(entry["effective"]), "in force")]
    dates += [
        (str(d["date"]), " ".join(str(d["meaning"]).split())) for d in entry.get("deadlines", ())
    ]
    return tuple(dates)


def _sources(raw: dict[str, Any]) -> tuple[str, ...]:
    from .jurisdiction.data import load

    found = []
    ref = str(raw.get("regulation", ""))
    with contextlib.suppress(KeyError):
        found += [s["ref"] for s in load().instrument(ref).get("sources", ())]
    for entry in (raw.get("guidance") or {}).values():
        found += [f"{entry['name']}: {s['ref']}" for s in entry.get("sources", ())]
    return tuple(found)
