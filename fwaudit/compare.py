"""What changed between two firmware versions: components added, removed and changed in
version, outbound endpoints added and removed, policy outcomes and verdicts that changed
(inconclusive ones too), and the coverage (share examined, whether a policy can pass).
Works on images (audited now), saved results and fwaudit SBOMs, in any mix."""

from __future__ import annotations

import html
import os
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .model import AuditData, Outcome
from .result import AuditResult

if TYPE_CHECKING:
    import pandas as pd

Side = AuditResult | AuditData | str | os.PathLike[str]


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

    @property
    def empty(self) -> bool:
        """True when nothing changed."""
        return not any(
            getattr(self, name) for name in self.__dataclass_fields__ if name not in ("old", "new")
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
        return pd.DataFrame(rows, columns=["what", "change", "name", "old", "new"])

    def __str__(self) -> str:
        lines = [f"{self.old} -> {self.new}"]
        if self.empty:
            return lines[0] + ": no change in components, endpoints or verdicts"
        sections = [
            ("components added", self.components_added),
            ("components removed", self.components_removed),
            ("components changed", [f"{n}: {o} -> {v}" for n, o, v in self.components_changed]),
            ("outbound endpoints added", self.endpoints_added),
            ("outbound endpoints removed", self.endpoints_removed),
            ("policies changed", [f"{p}: {o} -> {n}" for p, o, n in self.policies_changed]),
            ("verdicts changed", [f"{v}: {o} -> {n}" for v, o, n in self.verdicts_changed]),
            ("coverage changed", [f"{w}: {o} -> {n}" for w, o, n in self.coverage_changed]),
        ]
        for title, items in sections:
            if items:
                lines.append(f"  {title} ({len(items)}):")
                lines += [f"    {item}" for item in items]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(str(self))}</pre>"


def diff(old: Side, new: Side, **audit_options: Any) -> Diff:
    """Compare two firmware audits. Each side is an `AuditResult`, `AuditData`, an image
    path (audited with `audit_options`, e.g. ``cache_dir=``, ``policy=``), a saved result
    or a fwaudit SBOM (``.json``)."""
    a, b = _data(old, audit_options), _data(new, audit_options)
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
    )


def _data(side: Side, options: dict[str, Any]) -> AuditData:
    if isinstance(side, AuditResult):
        return side.data
    if isinstance(side, AuditData):
        return side
    path = Path(side)
    if path.suffix.lower() == ".json":
        from .loading import load

        return load(path).data
    from .api import audit

    return audit(path, **options).data


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
