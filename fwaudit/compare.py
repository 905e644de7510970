"""What changed between two firmware versions: components added, removed and changed in
version, outbound endpoints added and removed, policy outcomes and verdicts that changed
(inconclusive ones too), and the coverage (share examined, whether a policy can pass).
Works on images (audited now), saved results and fwaudit SBOMs, in any mix.

With ``as_of=(day_old, day_new)`` each side is judged as the law stood on its day, so one
image at two dates shows how its outcome changed (``passes as of 2026-01-01, covered category
(foreign-produced consumer router) as of 2026-06-01``); saved results are re-judged
(`fwaudit.jurisdiction.reassess`), no image needed."""

from __future__ import annotations

import html
import os
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .model import AuditData, Outcome, Verdict
from .result import AuditResult

if TYPE_CHECKING:
    import pandas as pd

Side = AuditResult | AuditData | str | os.PathLike[str]
Day = str | date
# fields of a Diff that say what was compared, not what changed
_HEADER = ("old", "new", "old_as_of", "new_as_of")


@dataclass(frozen=True)
class Diff:
    """The changes from `old` to `new` (image names), each list sorted."""

    old: str
    new: str
    components_added: tuple[str, ...]  # "name@version"
    components_removed: tuple[str, ...]
    components_changed: tuple[tuple[str, str, str], ...]  # (name, old versions, new versions)
    endpoints_added: tuple[str, ...]  # outbound hosts
    endpoints_removed: tuple[str, ...]
    policies_changed: tuple[tuple[str, str | None, str | None], ...]  # (policy, old, new)
    verdicts_changed: tuple[tuple[str, str | None, str | None], ...]  # (verdict id, old, new)
    # ("examined", "99.1%", "48.0%"), ("conclusive", "yes", "no: ..."): both sides measured
    coverage_changed: tuple[tuple[str, str | None, str | None], ...] = ()
    old_as_of: str = ""  # the day each side's policies were judged for
    new_as_of: str = ""
    # one sentence per changed policy: "us-fcc-covered: passes as of 2026-01-01, covered
    # category (foreign-produced consumer router) as of 2026-06-01"
    outcomes_changed: tuple[str, ...] = ()
    # passwords, hashes and logins the image sets (locked accounts left out), as
    # "root (etc/shadow): password-hash md5-crypt ca01a2f408f0": a changed password is one
    # removed and one added
    credentials_added: tuple[str, ...] = ()
    credentials_removed: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """True when nothing changed."""
        return not any(
            getattr(self, name) for name in self.__dataclass_fields__ if name not in _HEADER
        )

    def to_dict(self) -> dict[str, Any]:
        """The changes as plain data (for JSON)."""
        return asdict(self)

    @property
    def table(self) -> pd.DataFrame:
        """One row per change: what (component, endpoint, policy, verdict), change, old, new."""
        import pandas as pd

        rows = [("component", "added", k, None, k) for k in self.components_added]
        rows += [("component", "removed", k, k, None) for k in self.components_removed]
        rows += [("component", "version", n, o, v) for n, o, v in self.components_changed]
        rows += [("endpoint", "added", h, None, h) for h in self.endpoints_added]
        rows += [("endpoint", "removed", h, h, None) for h in self.endpoints_removed]
        rows += [("policy", "outcome", p, o, n) for p, o, n in self.policies_changed]
        rows += [("verdict", "outcome", v, o, n) for v, o, n in self.verdicts_changed]
        rows += [("coverage", what, what, o, n) for what, o, n in self.coverage_changed]
        rows += [("credential", "added", c, None, c) for c in self.credentials_added]
        rows += [("credential", "removed", c, c, None) for c in self.credentials_removed]
        return pd.DataFrame(rows, columns=["what", "change", "name", "old", "new"])

    def __str__(self) -> str:
        lines = [f"{self.old} -> {self.new}"]
        if self.old_as_of and self.old_as_of != self.new_as_of:
            lines[0] += f" (judged as of {self.old_as_of} -> {self.new_as_of})"
        if self.empty:
            return lines[0] + ": no change in components, endpoints or verdicts"
        sections = [
            ("components added", self.components_added),
            ("components removed", self.components_removed),
            ("components changed", [f"{n}: {o} -> {v}" for n, o, v in self.components_changed]),
            ("outbound endpoints added", self.endpoints_added),
            ("outbound endpoints removed", self.endpoints_removed),
            (
                "policies changed",
                self.outcomes_changed or [f"{p}: {o} -> {n}" for p, o, n in self.policies_changed],
            ),
            (
                "verdicts changed",
                [
                    f"{v}: {o or 'no verdict'} -> {n or 'no verdict'}"
                    for v, o, n in self.verdicts_changed
                ],
            ),
            ("coverage changed", [f"{w}: {o} -> {n}" for w, o, n in self.coverage_changed]),
            ("credentials added", self.credentials_added),
            ("credentials removed", self.credentials_removed),
        ]
        for title, items in sections:
            if items:
                lines.append(f"  {title} ({len(items)}):")
                lines += [f"    {item}" for item in items]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(str(self))}</pre>"


def diff(
    old: Side,
    new: Side,
    *,
    as_of: Day | tuple[Day | None, Day | None] | None = None,
    **audit_options: Any,
) -> Diff:
    """Compare two firmware audits. Each side is an `AuditResult`, `AuditData`, an image
    path (audited with `audit_options`, e.g. ``cache_dir=``, ``policy=``), a saved result
    or a fwaudit SBOM (``.json``). `as_of` is the day both sides are judged for, or a pair
    (old side's day, new side's day): ``diff(img, img, as_of=("2026-01-01", "2026-06-01"))``
    shows how one image's outcomes changed between two dates."""
    days = as_of if isinstance(as_of, tuple) else (as_of, as_of)
    audited: dict[Path, AuditData] = {}
    a = _data(old, audit_options, days[0], audited)
    b = _data(new, audit_options, days[1], audited)
    return Diff(
        old=a.image.name,
        new=b.image.name,
        components_added=_only_in(b, a),
        components_removed=_only_in(a, b),
        components_changed=_version_changes(a, b),
        endpoints_added=tuple(sorted(_outbound(b) - _outbound(a))),
        endpoints_removed=tuple(sorted(_outbound(a) - _outbound(b))),
        policies_changed=_changes(_policies(a), _policies(b)),
        verdicts_changed=_changes(_flagged(a), _flagged(b)),
        coverage_changed=_changes(_coverage(a), _coverage(b)) if a.coverage and b.coverage else (),
        old_as_of=_judged(a),
        new_as_of=_judged(b),
        outcomes_changed=_outcome_sentences(a, b),
        credentials_added=tuple(sorted(_credentials(b) - _credentials(a))),
        credentials_removed=tuple(sorted(_credentials(a) - _credentials(b))),
    )


def _credentials(data: AuditData) -> set[str]:
    """What each credential is, by its fingerprint (never the secret)."""
    found = set()
    for c in data.credentials:
        if c.kind.value == "locked":
            continue
        what = c.kind.value
        if c.algorithm and c.algorithm != "plain":
            what += f" {c.algorithm}"
        if c.fingerprint:
            what += f" {c.fingerprint}"
        if c.in_effect is False:
            what += " (not in effect)"
        found.add(f"{c.subject}: {what}")
    return found


def _data(
    side: Side, options: dict[str, Any], day: Day | None, audited: dict[Path, AuditData]
) -> AuditData:
    """The side's findings, judged as of `day` when one is given (an image seen on the
    other side already is re-judged, not audited again)."""
    if isinstance(side, AuditResult):
        data = side.data
    elif isinstance(side, AuditData):
        data = side
    elif Path(side).suffix.lower() == ".json":
        from .loading import load

        data = load(Path(side)).data
    elif Path(side).resolve() in audited:
        data = audited[Path(side).resolve()]
    else:
        from .api import audit

        data = audit(Path(side), as_of=day, **options).data
        audited[Path(side).resolve()] = data
    return _judged_for(data, day, options.get("policy"))


def _judged_for(data: AuditData, day: Day | None, policy: Any) -> AuditData:
    if day is None or data.assessment is None:
        return data
    from .jurisdiction import reassess
    from .jurisdiction.dates import resolve_as_of

    wanted = resolve_as_of(day).isoformat()
    if data.assessment.as_of == wanted:
        return data
    policies = [policy] if isinstance(policy, str | os.PathLike) else policy
    return reassess(data, as_of=wanted, policies=policies)


def _judged(data: AuditData) -> str:
    return data.assessment.as_of if data.assessment else ""


def _outcome_sentences(a: AuditData, b: AuditData) -> tuple[str, ...]:
    """``policy: passes as of D1, covered category (...) as of D2`` for each policy whose
    outcome changed (the days are left out when both sides were judged for the same one)."""
    if a.assessment is None or b.assessment is None:
        return ()
    old, new = dict(a.assessment.policies), dict(b.assessment.policies)
    dated = a.assessment.as_of != b.assessment.as_of
    sentences = []
    for policy in sorted(old.keys() | new.keys()):
        if old.get(policy) == new.get(policy):
            continue
        parts = []
        for data, outcome in ((a, old.get(policy)), (b, new.get(policy))):
            text = _outcome_phrase(data, policy, outcome)
            if dated and data.assessment is not None:
                text += f" as of {data.assessment.as_of}"
            parts.append(text)
        sentences.append(f"{policy}: {', '.join(parts)}")
    return tuple(sentences)


def _outcome_phrase(data: AuditData, policy: str, outcome: Outcome | None) -> str:
    """``passes``, ``not judged``, ``inconclusive``, or the labels of the rules that gave
    the policy its outcome (``covered category (foreign-produced consumer router)``)."""
    if outcome is None:
        return "not judged"
    if outcome is Outcome.PASS:
        return "passes"
    if outcome is Outcome.INCONCLUSIVE:
        return "inconclusive"
    assert data.assessment is not None
    worst = [v for v in data.assessment.verdicts if v.policy == policy and v.outcome is outcome]
    labels = sorted({_label(v) for v in worst})
    prefix = "review: " if outcome is Outcome.REVIEW else ""
    return prefix + "; ".join(labels)


def _label(verdict: Verdict) -> str:
    """The rule's label from its built-in policy, else the rule id."""
    return _rule_labels(verdict.policy).get(verdict.rule) or verdict.rule


@cache
def _rule_labels(policy_id: str) -> dict[str, str]:
    from .errors import ConfigError
    from .jurisdiction import load_policy

    try:
        return {r.id: r.label for r in load_policy(policy_id).rules if r.label}
    except ConfigError:
        return {}


def _versions(data: AuditData) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for c in data.components:
        found[c.name].add(c.version or "unknown")
    return found


def _only_in(data: AuditData, other: AuditData) -> tuple[str, ...]:
    """Components of `data` whose name `other` lacks (a version change is not add+remove)."""
    mine, theirs = _versions(data), _versions(other)
    return tuple(
        f"{name}@{', '.join(sorted(mine[name]))}" for name in sorted(mine.keys() - theirs.keys())
    )


def _version_changes(a: AuditData, b: AuditData) -> tuple[tuple[str, str, str], ...]:
    old, new = _versions(a), _versions(b)
    return tuple(
        (name, ", ".join(sorted(old[name])), ", ".join(sorted(new[name])))
        for name in sorted(old.keys() & new.keys())
        if old[name] != new[name]
    )


def _outbound(data: AuditData) -> set[str]:
    return {e.host for e in data.outbound}


def _policies(data: AuditData) -> dict[str, str]:
    return {p: o.value for p, o in data.assessment.policies} if data.assessment else {}


def _flagged(data: AuditData) -> dict[str, str]:
    verdicts = data.assessment.verdicts if data.assessment else ()
    return {v.id: v.outcome.value for v in verdicts if v.outcome is not Outcome.PASS}


def _coverage(data: AuditData) -> dict[str, str]:
    """The examined share (to 0.1 %) and whether a policy can pass, as text."""
    coverage = data.coverage
    if coverage is None:
        return {}
    conclusive = "yes" if coverage.conclusive else "no: " + "; ".join(coverage.reasons)
    return {"examined": f"{coverage.share:.1%}", "conclusive": conclusive}


def _changes(
    old: dict[str, str], new: dict[str, str]
) -> tuple[tuple[str, str | None, str | None], ...]:
    return tuple(
        (key, old.get(key), new.get(key))
        for key in sorted(old.keys() | new.keys())
        if old.get(key) != new.get(key)
    )
