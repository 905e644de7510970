"""Policies: rules over the device, its components and its endpoints, as YAML data.

The built-ins live in `signatures/jurisdiction/policies/`; a user policy is a YAML file of the
same form. A rule names a subject kind, conditions (`when`) that must all hold, an outcome and
a rationale template. Each rule that holds for a subject gives one `Verdict` with the facts
(and their sources) it used; a policy without any gives one `pass` verdict saying what it
checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .._data import load_yaml, signatures_dir
from ..endpoints.uses import use_phrase
from ..errors import ConfigError
from ..model import (
    DEVICE_CLASSES,
    Attribution,
    Component,
    Coverage,
    Credential,
    DeviceClass,
    Endpoint,
    Evidence,
    Fact,
    Geography,
    Outcome,
    Party,
    Severity,
    Technique,
    Verdict,
    inner_path,
)
from . import dates
from .data import Dataset

SUBJECTS = ("device", "component", "endpoint", "platform", "credential")
# conditions of a device rule that need the maker's data (its country, owners, listings)
MAKER_CONDITIONS = frozenset({"subject_to", "on_list", "country_in", "produced_outside"})
CONDITIONS = frozenset(
    {
        "subject_to",
        "on_list",
        "country_in",
        "proprietary",
        "device_class",
        "not_device_class",
        "operator_known",
        "registration_country_in",
        "role_in",
        # dated product categories (lists.yaml `categories`) and the maker's production
        "category",
        "produced_outside",
        "production_unknown",
        # a dated instrument of a list in force (lists.yaml `instruments`: fcc-25-71, ...)
        "instrument",
        # credentials the image sets (fwaudit.credentials): kind, origin, state
        "credential_kind",
        "origin_in",
        "in_effect",
        "login",
        "confident",
        # the instruments (lists.yaml `instruments`, ``list-id/instrument-id``) in force
        "in_force",
        # radio and cellular modules (fwaudit.identify.modules): the component's type, whether
        # its evidence shows it present, a list it is not on, a dated instrument not yet in
        # force and a transition deadline of one
        "component_type",
        "present",
        "not_on_list",
        "not_in_force",
        "deadline",
    }
)
CONFIDENT = 0.8  # a credential finding this sure is evidence enough for a fail
# a module or Wi-Fi chip this sure is shown present (its own banner, firmware revision or
# file); a USB ID, a one-chip driver or an alternative is less (fwaudit.identify.modules)
PRESENT = 0.75
# how bad an outcome is: a policy's overall outcome is its worst verdict's. Inconclusive
# ranks above pass (it is no assurance) and below review and fail (those are findings).
SEVERITY = {Outcome.PASS: 0, Outcome.INCONCLUSIVE: 1, Outcome.REVIEW: 2, Outcome.FAIL: 3}
FINDINGS = (Outcome.FAIL, Outcome.REVIEW)


@dataclass(frozen=True)
class Rule:
    id: str
    subject: str
    when: dict[str, Any]
    outcome: Outcome
    rationale: str
    label: str = ""  # a short phrase for diffs ("covered category"); the rule id otherwise


@dataclass(frozen=True)
class Policy:
    id: str
    name: str
    rules: tuple[Rule, ...]
    description: str = ""
    basis: str | None = None  # the list or statement it implements
    source: str = ""  # the file it came from


@dataclass(frozen=True)
class Subject:
    """What a rule looks at: a device, component or endpoint, with its organisation."""

    kind: str
    name: str
    party: Party | None
    evidence: tuple[Evidence, ...] = ()
    role: str | None = None
    use: str | None = None  # an endpoint's kind of use: default, selectable, probe
    proprietary: bool = False
    geography: Geography | None = None
    extra_facts: tuple[Fact, ...] = field(default=())
    credential: Credential | None = None
    component_type: str | None = None  # a component's type: library, device, firmware ...
    confidence: float | None = None  # a component's confidence (a module's: is it present)


def builtin_policies() -> list[str]:
    return sorted(p.stem for p in (signatures_dir() / "jurisdiction" / "policies").glob("*.yaml"))


def load_policy(name_or_path: str | Path) -> Policy:
    """A built-in policy by id, or a user policy from a YAML file; errors are `ConfigError`."""
    path = Path(name_or_path)
    if not path.suffix:
        path = signatures_dir() / "jurisdiction" / "policies" / f"{name_or_path}.yaml"
        if not path.is_file():
            known = ", ".join(builtin_policies())
            raise ConfigError(f"unknown policy {name_or_path!r} (built-in: {known})")
    try:
        raw = load_yaml(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read policy: {exc}") from exc
    return parse_policy(raw, str(path))


def parse_policy(raw: Any, source: str) -> Policy:
    if not isinstance(raw, dict) or not raw.get("id") or not raw.get("rules"):
        raise ConfigError(f"{source}: a policy needs an id and rules")
    rules = []
    for item in raw["rules"]:
        unknown = set(item.get("when", {})) - CONDITIONS
        if item.get("subject") not in SUBJECTS:
            raise ConfigError(f"{source}: rule {item.get('id')}: subject must be one of {SUBJECTS}")
        if unknown:
            raise ConfigError(f"{source}: rule {item.get('id')}: unknown conditions {unknown}")
        for key in ("device_class", "not_device_class"):
            if key in item.get("when", {}):
                bad = set(_class_names(item["when"][key])) - set(DEVICE_CLASSES)
                if bad:
                    raise ConfigError(
                        f"{source}: rule {item.get('id')}: {key} {sorted(bad)} not one of "
                        f"{', '.join(DEVICE_CLASSES)}"
                    )
        try:
            outcome = Outcome(item["outcome"])
        except (KeyError, ValueError) as exc:
            raise ConfigError(f"{source}: rule {item.get('id')}: outcome fail|review|pass") from exc
        rules.append(
            Rule(
                str(item["id"]),
                item["subject"],
                dict(item.get("when", {})),
                outcome,
                " ".join(str(item.get("rationale", "")).split()),
                " ".join(str(item.get("label", "")).split()),
            )
        )
    return Policy(
        str(raw["id"]),
        str(raw.get("name", raw["id"])),
        tuple(rules),
        " ".join(str(raw.get("description", "")).split()),
        raw.get("basis"),
        source,
    )


def subjects(
    attribution: Attribution,
    *,
    components: tuple[Component, ...],
    suppliers: dict[str, Party],
    endpoints: tuple[Endpoint, ...],
    geography: dict[str, Geography],
    dataset: Dataset,
    credentials: tuple[Credential, ...] = (),
) -> list[Subject]:
    """Everything a policy can judge: the device, each component, each outbound endpoint,
    each platform vendor (SoC, SDK lineage), each credential the image sets."""
    maker = attribution.maker
    device_facts: tuple[Fact, ...] = ()
    if maker is None and attribution.declared:
        declared = dataset.by_name(attribution.declared)
        if declared:
            entry = dataset.org(declared)
            maker = Party(declared, entry["short"], dataset.country(declared))
        else:  # a declared vendor the data does not hold: its rules say review, not pass
            maker = Party(None, attribution.declared, None)
        if maker:
            device_facts = (
                Fact(
                    "input/declared-vendor",
                    f"declared vendor: {attribution.declared}",
                    ("procurement record (--declared-vendor)",),
                    "",
                ),
            )
    found = [
        Subject(
            "device",
            maker.name if maker else "device",
            maker,
            attribution.evidence,
            extra_facts=device_facts,
        )
    ]
    for component in components:
        party = suppliers.get(component.key)
        # the maker's own programs are judged with the maker (the device verdict), not one
        # review each
        proprietary = component.type != "application" and bool(
            party and party.org and _proprietary(dataset, party.org, component)
        )
        found.append(
            Subject(
                "component",
                component.key,
                party,
                component.evidence[:3],
                role=_part_role(component),
                proprietary=proprietary,
                component_type=component.type,
                confidence=component.confidence,
            )
        )
    for endpoint in endpoints:
        if endpoint.outbound:
            where = geography.get(endpoint.host)
            found.append(
                Subject(
                    "endpoint",
                    endpoint.host,
                    where.operator if where else None,
                    endpoint.evidence[:3],
                    role=endpoint.role or "role unknown",
                    use=endpoint.use,
                    geography=where,
                )
            )
    for clue in attribution.platform:
        what = "SoC" if clue.role == "soc" else "SDK"
        found.append(
            Subject(
                "platform",
                f"{clue.party.name} {what}" + (f" ({clue.model})" if clue.model else ""),
                clue.party,
                clue.evidence[:3],
                role=f"{what} vendor",
            )
        )
    found += [_credential_subject(c) for c in credentials]
    return found


def _credential_subject(credential: Credential) -> Subject:
    """A credential as a subject; a well-known default brings the list it is on as a fact."""
    facts: tuple[Fact, ...] = ()
    if credential.known:
        from ..credentials.secrets import defaults

        for list_id, entry in defaults().lists.items():
            if entry["name"] in credential.known:
                sources = tuple(
                    f"{s['ref']} ({s['published']})" if s.get("published") else s["ref"]
                    for s in entry["sources"]
                )
                facts = (
                    Fact(
                        f"credentials/well-known/{list_id}",
                        f"{credential.known}: a published default credential",
                        sources,
                        str(entry.get("as_of", "")),
                    ),
                )
    return Subject(
        "credential",
        credential.subject,
        None,
        credential.evidence[:3],
        role=credential.service,
        extra_facts=facts,
        credential=credential,
    )


def _part_role(component: Component) -> str | None:
    """A module's or Wi-Fi chip's name as people say it ("Quectel EC25, firmware revision
    EC25EFAR06A06M4G"), the {role} of its rationales; None for other components."""
    if component.type not in ("device", "firmware"):
        return None
    name = component.description.split(":")[0] or component.name
    if component.type == "firmware":
        return f"{name} Wi-Fi firmware"
    return f"{name}, firmware revision {component.version}" if component.version else name


def _proprietary(dataset: Dataset, org_id: str, component: Component) -> bool:
    entry = dataset.org(org_id)
    return component.name not in entry.get("open_source_components", ())


def evaluate(
    policy: Policy,
    subjects_: list[Subject],
    attribution: Attribution,
    dataset: Dataset,
    coverage: Coverage | None = None,
    *,
    as_of: date | None = None,
) -> list[Verdict]:
    """Every verdict of one policy; one `pass` verdict when no rule holds, or an
    `inconclusive` one when no fail or review holds and the `coverage` of the image does
    not let it pass (fail and review findings are evidence and stay). The policy is judged
    as it stood on `as_of` (default: today): list entries and categories not in force that
    day do not count, and every rationale ends naming the day."""
    day = as_of or dates.today()
    verdicts = []
    for rule in policy.rules:
        for subject in subjects_:
            if subject.kind != rule.subject:
                continue
            held = _holds(rule.when, subject, attribution, dataset, day)
            if held is None:
                continue
            facts, values = held
            if subject.kind == "credential" and policy.basis in dataset.lists:
                facts = [*facts, _basis_fact(dataset, policy.basis)]
            evidence = subject.evidence
            if "device_class" in rule.when:
                evidence = evidence + class_evidence(attribution, rule.when["device_class"])
            verdicts.append(
                Verdict(
                    policy.id,
                    rule.id,
                    subject.kind,
                    subject.name,
                    rule.outcome,
                    _render(rule.rationale, subject, values),
                    tuple(facts),
                    tuple(evidence),
                )
            )
    verdicts += _maker_not_held(policy, subjects_, attribution)
    if coverage is not None and not coverage.conclusive:
        if not any(v.outcome in FINDINGS for v in verdicts):
            verdicts.append(_inconclusive(policy, subjects_, coverage))
    elif not any(v.outcome in FINDINGS for v in verdicts):  # none, or only rules that pass
        unknown = _maker_unknown(policy, subjects_, coverage)
        passed = len(verdicts)
        verdicts.append(
            unknown or _pass(policy, subjects_, attribution, dataset, coverage, passed=passed)
        )
    return [replace(v, rationale=f"{v.rationale} Judged as of {day}.") for v in verdicts]


def _basis_fact(dataset: Dataset, list_id: str) -> Fact:
    entry = dataset.lists[list_id]
    return dataset.fact("lists", list_id, f"{entry['name']}: {' '.join(entry['meaning'].split())}")


def _maker_unknown(
    policy: Policy, subjects_: list[Subject], coverage: Coverage | None
) -> Verdict | None:
    """`inconclusive` instead of a pass when the policy has rules about the maker and the
    firmware names none (and no declared vendor stands in): those rules were not checked,
    and a pass would vouch for a maker nobody identified."""
    device = subjects_[0]
    rules = [r.id for r in policy.rules if r.subject == "device" and MAKER_CONDITIONS & set(r.when)]
    if not rules or device.party is not None:
        return None
    counts = {kind: sum(s.kind == kind for s in subjects_) for kind in SUBJECTS}
    examined = f"{coverage.summary()}: " if coverage is not None else ""
    rationale = (
        f"{policy.id} cannot pass: the firmware does not name its maker (no vendor header, "
        "copyright holder, device certificate, configuration field or maker SDK was found), so "
        f"its rules about the maker ({', '.join(rules)}) were not checked; give the procurement "
        f"record's vendor (--declared-vendor) to judge it. {examined}{counts['component']} "
        f"components and {counts['endpoint']} outbound endpoints found, none that the policy "
        "fails or reviews."
    )
    fact = Fact(
        "attribution/maker",
        "no maker was identified from the image",
        ("fwaudit maker attribution (signatures/jurisdiction/attribution.yaml)",),
        "",
    )
    evidence = Evidence(
        "", 0, "attribution:none", "no maker clue in the image", Technique.BINARY, 1.0
    )
    return Verdict(
        policy.id,
        "maker-not-identified",
        "device",
        device.name,
        Outcome.INCONCLUSIVE,
        rationale,
        (fact,),
        (evidence,),
    )


def _maker_not_held(
    policy: Policy, subjects_: list[Subject], attribution: Attribution
) -> list[Verdict]:
    """A `review` when the firmware names a maker the data does not hold and the policy has
    rules about the maker: they cannot be judged, so the policy cannot pass."""
    device = subjects_[0]
    rules = [r.id for r in policy.rules if r.subject == "device" and MAKER_CONDITIONS & set(r.when)]
    if not rules or device.party is None or device.party.org is not None:
        return []
    seen = "; ".join(
        f"{e.path or '<image>'}@{e.offset} {e.method}" for e in attribution.evidence[:3]
    )
    named = (
        f"The firmware names its maker {device.party.name}"
        if attribution.maker
        else f"The declared vendor {device.party.name} (the firmware names none)"
    )
    fact = Fact(
        "attribution/maker",
        f"{named}; the jurisdiction data does not hold it (country, owners and listings unknown)",
        (f"firmware evidence: {seen}" if seen else "procurement record (--declared-vendor)",),
        "",
    )
    rationale = (
        f"{named}, which is not in the jurisdiction data: its country, owners and listings "
        f"are unknown, so the rules of {policy.id} about the maker ({', '.join(rules)}) cannot "
        "be judged. Review the maker."
    )
    return [
        Verdict(
            policy.id,
            "maker-not-in-data",
            "device",
            device.name,
            Outcome.REVIEW,
            rationale,
            (fact,),
            attribution.evidence
            or (Evidence("", 0, "declared-vendor", device.party.name, Technique.MANIFEST, 1.0),),
        )
    ]


def overall(verdicts: list[Verdict]) -> Outcome:
    return max((v.outcome for v in verdicts), key=SEVERITY.__getitem__, default=Outcome.PASS)


@dataclass
class _Check:
    """One rule's evaluation of one subject: the facts it used and the template values."""

    subject: Subject
    attribution: Attribution
    dataset: Dataset
    facts: list[Fact] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    as_of: date = field(default_factory=dates.today)

    @property
    def org_id(self) -> str | None:
        return self.subject.party.org if self.subject.party else None

    def subject_to(self, wanted: list[str]) -> bool:
        over = self.dataset.regimes_over(self.org_id) if self.org_id else []
        regimes = [r for r in over if r in wanted]
        self.facts += [
            self.dataset.fact("regimes", r, _regime_statement(self.dataset, r)) for r in regimes
        ]
        self.values["regimes"] = " and ".join(self.dataset.regimes[r]["name"] for r in regimes)
        return bool(regimes)

    def on_list(self, wanted: list[str]) -> bool:
        found = self.dataset.listings(self.org_id, self.as_of) if self.org_id else []
        listings = [x for x in found if x[0] in wanted]
        self.facts += [
            self.dataset.fact(
                "lists", list_id, _listing_statement(self.dataset, list_id, org, item)
            )
            for list_id, org, item in listings
        ]
        names = sorted({self.dataset.lists[x[0]]["name"] for x in listings})
        self.values["lists"] = " and ".join(names)
        return bool(listings)

    def country_in(self, wanted: list[str]) -> bool:
        return bool(self.subject.party) and self.subject.party.country in wanted

    def proprietary(self, wanted: bool) -> bool:
        return self.subject.proprietary == bool(wanted)

    def device_class(self, wanted: str | list[str]) -> bool:
        """The image shows one of the wanted classes (`Attribution.device_classes`)."""
        names = _class_names(wanted)
        found = [c for c in self.attribution.device_classes if c.name in names] or [
            DeviceClass(n, 1.0, self.attribution.class_evidence)  # an SBOM of 0.2 read back
            for n in classes_of(self.attribution)
            if n in names
        ]
        self.facts += [_class_fact(c) for c in found]
        self.values["device_class"] = " and ".join(c.name for c in found)
        return bool(found)

    def not_device_class(self, wanted: str | list[str]) -> bool:
        return not set(classes_of(self.attribution)) & set(_class_names(wanted))

    def operator_known(self, wanted: bool) -> bool:
        return (self.org_id is not None) == bool(wanted)

    def role_in(self, wanted: list[str]) -> bool:
        return self.subject.role in wanted

    def credential_kind(self, wanted: list[str]) -> bool:
        found = self.subject.credential
        return found is not None and found.kind.value in wanted

    def origin_in(self, wanted: list[str]) -> bool:
        found = self.subject.credential
        return found is not None and found.origin in wanted

    def in_effect(self, wanted: bool) -> bool:
        found = self.subject.credential
        return found is not None and found.in_effect is bool(wanted)

    def login(self, wanted: bool | str) -> bool:
        """The account can log in (true), cannot (false), or the image does not say
        (``unknown``)."""
        found = self.subject.credential
        if found is None:
            return False
        return found.login is None if wanted == "unknown" else found.login is bool(wanted)

    def in_force(self, wanted: str | list[str]) -> bool:
        """Every named instrument holds on the day judged for; each becomes a fact."""
        for ref in [wanted] if isinstance(wanted, str) else wanted:
            try:
                entry = self.dataset.instrument(ref)
            except KeyError:
                return False
            if not dates.holds(entry, self.as_of):
                return False
            list_id = ref.partition("/")[0]
            statement = f"{entry['name']}: in force from {entry['effective']}"
            self.facts.append(
                Fact(
                    f"lists/{ref}",
                    statement,
                    tuple(s["ref"] for s in entry.get("sources", ())),
                    str(self.dataset.lists[list_id]["as_of"]),
                )
            )
        return True

    def not_in_force(self, wanted: str) -> bool:
        """The named instrument is adopted but not yet in force on the day judged (it becomes a
        fact, with the day it takes effect)."""
        try:
            entry = self.dataset.instrument(wanted)
        except KeyError:
            raise ConfigError(f"unknown instrument {wanted!r} (lists.yaml instruments)") from None
        if dates.status(entry, self.as_of) != "not yet in force":
            return False
        list_id = wanted.partition("/")[0]
        self.facts.append(
            Fact(
                f"lists/{wanted}",
                f"{entry['name']} ({dates.dates_text(entry)}): not yet in force on "
                f"{self.as_of}; {' '.join(str(entry['meaning']).split())}",
                tuple(s["ref"] for s in entry.get("sources", ())),
                str(self.dataset.lists[list_id]["as_of"]),
            )
        )
        self.values.update(  # as the `instrument` condition fills them
            instrument=entry["name"],
            instrument_since=str(entry.get("effective") or entry.get("added") or ""),
            deadlines=dates.deadline_text(entry, self.as_of),
        )
        return True

    def deadline(self, wanted: dict[str, Any]) -> bool:
        """A transition deadline of a dated instrument (``{instrument: list/id, id: ...,
        passed: true|false}``) has or has not passed on the day judged; its sentence for the
        day is {deadline}."""
        try:
            entry = self.dataset.instrument(str(wanted["instrument"]))
            item = next(d for d in entry.get("deadlines", ()) if d["id"] == wanted["id"])
        except (KeyError, StopIteration, TypeError):
            raise ConfigError(f"unknown instrument deadline {wanted!r}") from None
        passed = self.as_of >= dates.parse_date(item["date"])
        if passed != bool(wanted.get("passed", True)):
            return False
        text = item.get("after") if passed else item["meaning"]
        self.values["deadline"] = " ".join(str(text or item["meaning"]).split())
        self.values["deadline_date"] = str(item["date"])
        return True

    def component_type(self, wanted: str | list[str]) -> bool:
        return self.subject.component_type in ([wanted] if isinstance(wanted, str) else wanted)

    def present(self, wanted: bool) -> bool:
        """A module's or Wi-Fi chip's evidence shows it present (its own banner, firmware
        revision or firmware file: confidence PRESENT or more), or only points at it (a USB ID
        in a rule or script, a driver, one of alternative chips); {presence} says which."""
        return ((self.subject.confidence or 0.0) >= PRESENT) == bool(wanted)

    def not_on_list(self, wanted: list[str]) -> bool:
        """The organisation is in the data and on none of the lists on the day judged (each
        list it was checked against becomes a fact); an organisation the data does not hold is
        not known to be off any list."""
        if not self.org_id:
            return False
        if [x for x in self.dataset.listings(self.org_id, self.as_of) if x[0] in wanted]:
            return False
        names = [self.dataset.lists[list_id]["name"] for list_id in wanted]
        self.facts += [
            self.dataset.fact(
                "lists",
                list_id,
                f"{self.dataset.lists[list_id]['name']} does not list "
                f"{self.subject.party.name if self.subject.party else self.org_id} or an owner "
                f"of it on {self.as_of}",
            )
            for list_id in wanted
        ]
        self.values["lists_checked"] = " and ".join(names)
        return True

    def confident(self, wanted: bool) -> bool:
        found = self.subject.credential
        return found is not None and (found.confidence >= CONFIDENT) == bool(wanted)

    def registration_country_in(self, wanted: list[str]) -> bool:
        where = self.subject.geography
        if not where or where.registration_country not in wanted:
            return False
        self.facts.append(
            Fact(
                f"geography/{self.subject.name}",
                f"{self.subject.name} is registered in {where.registration_country}",
                (where.registration_source or "",),
                "",
            )
        )
        self.values["registration_country"] = where.registration_country or ""
        self.values["registration_source"] = where.registration_source or "source not recorded"
        return True

    def category(self, wanted: str) -> bool:
        """The list's product category (``list-id/category-id``) is in force on the day
        judged; its dates, open exceptions and deadlines become a fact and template values."""
        try:
            entry = self.dataset.category(wanted)
        except KeyError:
            raise ConfigError(f"unknown category {wanted!r} (lists.yaml categories)") from None
        if not dates.holds(entry, self.as_of):
            return False
        exceptions = dates.exceptions_open(entry, self.as_of)
        since = f"{entry['effective']}"
        if entry.get("determination"):
            since += f" (National Security Determination of {entry['determination']})"
        list_name = self.dataset.lists[wanted.partition("/")[0]]["name"]
        self.facts.append(self._dated_fact(wanted, entry, f"{list_name}: "))
        self.values.update(
            category=entry["name"],
            category_since=since,
            exceptions=" or ".join(e["name"] for e in exceptions) or "no exception in the data",
            deadlines=dates.deadline_text(entry, self.as_of),
        )
        return True

    def produced_outside(self, wanted: list[str]) -> bool:
        """The maker's sourced production names a country not in `wanted` (any major stage:
        design, development, manufacturing or assembly)."""
        production = self.dataset.production(self.org_id) if self.org_id else None
        if not production or not [c for c in production["countries"] if c not in wanted]:
            return False
        name = self.subject.party.name if self.subject.party else self.org_id
        countries = ", ".join(production["countries"])
        stages = " ".join(str(production.get("stages", "")).split())
        self.facts.append(
            Fact(
                f"organisations/{self.org_id}/production",
                f"{name} produces in {countries}" + (f": {stages}" if stages else ""),
                _ref_texts(production["sources"]),
                str(production["as_of"]),
            )
        )
        self.values["production"] = countries
        return True

    def production_unknown(self, wanted: bool) -> bool:
        """Where the device was produced is unknown: no maker named, a maker the data does
        not hold, or one whose production no source in the data gives."""
        party = self.subject.party
        known = bool(self.org_id and self.dataset.production(self.org_id))
        if known or not wanted:
            return known and not wanted
        if party is None:
            gap = (
                "the firmware names no maker (no vendor header, copyright holder, device "
                "certificate, configuration field or maker SDK), so where it was produced "
                "is unknown"
            )
        elif party.org is None:
            gap = (
                f"its maker {party.name} is not in the jurisdiction data, so where it "
                "produces is unknown"
            )
        else:
            gap = (
                f"no source in the data says where its maker {party.name} "
                f"({party.country or 'country unknown'}) designs, develops, makes or assembles "
                "its products"
            )
        self.values["production_gap"] = gap
        self.facts.append(
            Fact(
                "attribution/production",
                gap,
                ("fwaudit jurisdiction data (organisations.yaml production)",),
                "",
            )
        )
        return True

    def instrument(self, wanted: str) -> bool:
        """The list's instrument (``list-id/instrument-id``: an order or rule such as
        ``us-fcc-covered/fcc-25-71``) is in force on the day judged; its dates and deadlines
        become a fact and the template values ``instrument``, ``instrument_since`` and
        ``deadlines``."""
        try:
            entry = self.dataset.instrument(wanted)
        except KeyError:
            raise ConfigError(f"unknown instrument {wanted!r} (lists.yaml instruments)") from None
        if not dates.holds(entry, self.as_of):
            return False
        self.facts.append(self._dated_fact(wanted, entry))
        self.values.update(
            instrument=entry["name"],
            instrument_since=str(entry["effective"]),
            deadlines=dates.deadline_text(entry, self.as_of),
        )
        return True

    def _dated_fact(self, wanted: str, entry: dict[str, Any], prefix: str = "") -> Fact:
        """The fact a dated category or instrument gives: its dates, meaning and sources."""
        meaning = " ".join(str(entry["meaning"]).split())
        return Fact(
            f"lists/{wanted}",
            f"{prefix}{entry['name']} ({dates.dates_text(entry)}): {meaning}",
            _ref_texts(entry["sources"]),
            str(self.dataset.lists[wanted.partition("/")[0]]["as_of"]),
        )


def _ref_texts(sources: Any) -> tuple[str, ...]:
    return tuple(
        f"{s['ref']} ({s['published']})" if s.get("published") else str(s["ref"]) for s in sources
    )


def _class_names(wanted: str | list[str]) -> list[str]:
    return [wanted] if isinstance(wanted, str) else [str(w) for w in wanted]


def classes_of(attribution: Attribution) -> tuple[str, ...]:
    """The device classes the image shows, best first (from `device_class` alone for an
    attribution that has no `device_classes`, such as one read from an older SBOM)."""
    if attribution.device_classes:
        return tuple(c.name for c in attribution.device_classes)
    return () if attribution.device_class == "unknown" else (attribution.device_class,)


def class_evidence(attribution: Attribution, wanted: str | list[str]) -> tuple[Evidence, ...]:
    """The evidence of the wanted classes the image shows."""
    names = _class_names(wanted)
    if not attribution.device_classes:
        return attribution.class_evidence if attribution.device_class in names else ()
    return tuple(e for c in attribution.device_classes if c.name in names for e in c.evidence)


def _class_fact(found: DeviceClass) -> Fact:
    """The class as a fact of the verdict: its confidence and first cues (the full paths and
    offsets are the verdict's evidence)."""
    cues = "; ".join(
        f"{e.matched} ({(e.path or '<image>').rsplit('_extract/', 1)[-1]})"
        for e in found.evidence[:3]
    )
    return Fact(
        f"device-class/{found.name}",
        f"the image shows a {found.name} (confidence {found.confidence:.2f})"
        + (f": {cues}" if cues else ""),
        ("fwaudit device classes (signatures/jurisdiction/device_classes.yaml)",),
        "",
    )


def _holds(
    when: dict[str, Any],
    subject: Subject,
    attribution: Attribution,
    dataset: Dataset,
    as_of: date | None = None,
) -> tuple[list[Fact], dict[str, str]] | None:
    """(facts used, template values) when every condition holds on `as_of`, else None."""
    check = _Check(
        subject, attribution, dataset, list(subject.extra_facts), as_of=as_of or dates.today()
    )
    if check.org_id:
        check.facts += _org_facts(dataset, check.org_id)
    if all(getattr(check, condition)(wanted) for condition, wanted in when.items()):
        return check.facts, check.values
    return None


def _org_facts(dataset: Dataset, org_id: str) -> list[Fact]:
    facts = []
    for current in dataset.lineage(org_id):
        entry = dataset.org(current)
        text = f"{entry['name']}: country {entry.get('country') or 'not recorded'}"
        if entry.get("parent"):
            parent = dataset.org(entry["parent"])["short"]
            text += f"; {entry.get('relation', 'affiliate')} of {parent}"
        if entry.get("ownership"):
            text += f"; {entry['ownership']}"
        facts.append(dataset.fact("organisations", current, text))
    return facts


def _regime_statement(dataset: Dataset, regime_id: str) -> str:
    entry = dataset.regimes[regime_id]
    return f"{entry['name']} ({entry['country']}): {' '.join(entry['articles'].split())}"


def _listing_statement(dataset: Dataset, list_id: str, listed: str, item: dict) -> str:
    text = f"{dataset.lists[list_id]['name']} lists {dataset.org(listed)['short']}"
    if item.get("added"):
        text += f" (added {item['added']})"
    if item.get("scope"):
        text += f" for {item['scope']}"
    return text


def _render(template: str, subject: Subject, values: dict[str, str]) -> str:
    party = subject.party
    fields = {
        "subject": subject.name,
        "org": party.name if party else "an unknown operator",
        "country": (party.country if party else None) or "country unknown",
        "role": subject.role or "",
        "use": use_phrase(subject.use),
        "regimes": "",
        "lists": "",
        "registration_country": "",
        "registration_source": "",
        "category": "",
        "category_since": "",
        "exceptions": "",
        "deadlines": "",
        "production": "",
        "production_gap": "",
        "presence": _presence(subject),
        "deadline": "",
        "deadline_date": "",
        "lists_checked": "",
        "instrument": "",
        "instrument_since": "",
        **_credential_fields(subject.credential),
        **values,
    }
    try:
        return template.format(**fields)
    except (KeyError, IndexError, ValueError):
        return template


def _presence(subject: Subject) -> str:
    """How sure the image makes it that a module or Wi-Fi chip is in the device."""
    if subject.component_type not in ("device", "firmware"):
        return ""
    if (subject.confidence or 0.0) >= PRESENT:
        return "its own answer, firmware revision or firmware file in the image shows it present"
    return "only a USB ID, a driver or firmware for it points at it: likely, not shown present"


def _credential_fields(credential: Credential | None) -> dict[str, str]:
    """Template values of a credential: {account}, {path}, {secret} (what was found, never
    the secret unless it is a well-known default), {where} (file and offset), {note}."""
    if credential is None:
        return {"account": "", "path": "", "secret": "", "where": "", "note": "", "service": ""}
    first = credential.evidence[0] if credential.evidence else None
    if credential.shown is not None:
        found = f"the well-known default {credential.known}"
    elif credential.kind.value == "password-hash":
        found = f"a fixed {credential.algorithm} hash (fingerprint {credential.fingerprint})"
    elif credential.kind.value == "password":
        found = f"a fixed plain-text password (fingerprint {credential.fingerprint})"
    elif credential.kind.value == "empty-password":
        found = "an empty password"
    else:
        found = "no login at all"
    return {
        "account": credential.account or "the account",
        "path": inner_path(credential.path),
        "secret": found,
        "where": f"{first.path or '<image>'}@{first.offset} ({first.method})" if first else "",
        "note": f" ({credential.note})" if credential.note else "",
        "service": credential.service,
    }


def _credentials_checked(policy: Policy, subjects_: list[Subject]) -> str:
    """`; 3 account entries (all locked) and every script, configuration file and program
    searched for credentials` when the policy has credential rules, else ""."""
    if not any(r.subject == "credential" for r in policy.rules):
        return ""
    found = [s.credential for s in subjects_ if s.credential is not None]
    accounts = [c for c in found if c.origin == "account-file"]
    locked = sum(c.kind.value == "locked" for c in accounts)
    if accounts:
        state = "all locked" if locked == len(accounts) else f"{locked} locked"
        text = f"; {len(accounts)} account entries ({state}), {len(found) - len(accounts)} other"
        text += " credential findings"
    else:
        text = "; no account database (passwd, shadow) in the image, no other credential"
    return text + " (every script, configuration file and program searched)"


def _pass(
    policy: Policy,
    subjects_: list[Subject],
    attribution: Attribution,
    dataset: Dataset,
    coverage: Coverage | None = None,
    *,
    passed: int = 0,
) -> Verdict:
    device = subjects_[0]
    counts = {kind: sum(s.kind == kind for s in subjects_) for kind in SUBJECTS}
    maker = (
        f"maker {device.party.name} ({device.party.country or 'country unknown'})"
        if device.party
        else "maker not identified"
    )
    # rules whose outcome is pass (a module checked against a list) said so on their own
    applies = f"fails or reviews ({passed} passed)" if passed else "applies"
    rationale = (
        f"No rule of {policy.id} {applies}: {maker}, {counts['component']} components and "
        f"{counts['endpoint']} outbound endpoints checked"
    )
    rationale += _credentials_checked(policy, subjects_)
    rationale += f"; {coverage.summary()}." if coverage else "."
    facts = _org_facts(dataset, device.party.org) if device.party and device.party.org else []
    return Verdict(
        policy.id,
        "no-finding",
        "device",
        device.name,
        Outcome.PASS,
        rationale,
        tuple(facts),
        attribution.evidence,
    )


def _inconclusive(policy: Policy, subjects_: list[Subject], coverage: Coverage) -> Verdict:
    """No fail or review, but too little of the image was examined for a pass: the reasons,
    what was examined, and where the unexamined bytes and the problems are."""
    device = subjects_[0]
    counts = {kind: sum(s.kind == kind for s in subjects_) for kind in SUBJECTS}
    rationale = (
        f"{policy.id} cannot pass: {'; '.join(coverage.reasons)}. "
        f"{coverage.summary()}: {counts['component']} components and "
        f"{counts['endpoint']} outbound endpoints found"
        f"{_credentials_checked(policy, subjects_)}, none that the policy fails or reviews."
    )
    fact = Fact(
        "coverage",
        f"{coverage.summary()}; {'; '.join(coverage.reasons)}",
        ("fwaudit coverage of this image; thresholds in signatures/coverage.yaml",),
        "",
    )
    return Verdict(
        policy.id,
        "insufficient-coverage",
        "device",
        device.name,
        Outcome.INCONCLUSIVE,
        rationale,
        (fact,),
        coverage_evidence(coverage),
    )


def coverage_evidence(coverage: Coverage, limit: int = 5) -> tuple[Evidence, ...]:
    """Where the image was not examined: its largest unexplained regions and the problems
    that cut the examination short, as evidence (path, offset, what is there)."""
    regions = sorted(coverage.unexplained, key=lambda r: -r.size)[:limit]
    evidence = [
        Evidence(
            r.container,
            r.offset,
            "coverage:unexplained",
            f"{r.size:,} bytes: {r.label}",
            Technique.BINARY,
            1.0,
        )
        for r in regions
    ]
    evidence += [
        Evidence(p.path, None, f"problem:{p.kind}", p.detail[:200], Technique.BINARY, 1.0)
        for p in coverage.problems
        if p.severity is Severity.ERROR or p.kind.startswith(("limit.", "scan."))
    ][:limit]
    return tuple(evidence)
