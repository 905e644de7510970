"""The context of one sighting of an endpoint-like string, decided by the rules in
`signatures/endpoints/contexts.yaml`: a configuration value, a code string or a UI option
makes an outbound endpoint; a help page, a licence line or a filter rule does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from .._data import load_yaml, signatures_dir, table_rules
from ..errors import SignatureError

PATTERNS = ("before", "line_before", "after", "line", "token", "path", "next")
CONDITIONS = frozenset(PATTERNS) | {"kinds", "form", "address", "run_lines", "prose_lines"}


@dataclass(frozen=True)
class Hit:
    """One sighting of an endpoint-like string and the text around it (no file path: hits are
    remembered by file content, the path is given when the context is decided)."""

    offset: int
    token: str  # as written, case kept
    line: str  # the line around it: the evidence an analyst reads
    before: str  # at most 200 characters of its printable run before it
    after: str  # at most 80 characters after it, up to the line end
    url: bool  # the host of a URL
    address: bool  # an IP address
    run_lines: int  # lines in its printable run
    prose_lines: int = 0  # lines of prose (sentences, not code or settings) around it
    next: str = ""  # the next string after its run (within 16 bytes of padding)

    @property
    def line_before(self) -> str:
        return self.before.rsplit("\n", 1)[-1]


@dataclass(frozen=True)
class ContextRule:
    """One row of the context table: conditions, the context they mean, fixtures."""

    id: str
    context: str
    conditions: dict[str, Any]
    fixtures: tuple[dict[str, Any], ...]

    def holds(self, hit: Hit, path: str, kind: str) -> bool:
        found = self.conditions
        checks = (
            ("before", hit.before),
            ("line_before", hit.line_before),
            ("after", hit.after),
            ("token", hit.token),
            ("path", path),
            ("next", hit.next),
        )
        for key, text in checks:
            if key in found and not found[key].search(text):
                return False
        if "line" in found and not found["line"].search(hit.line.replace(hit.token, " ", 1)):
            return False
        if "kinds" in found and kind not in found["kinds"]:
            return False
        if "form" in found and found["form"] != ("url" if hit.url else "bare"):
            return False
        if "address" in found and found["address"] != hit.address:
            return False
        return hit.run_lines >= found.get("run_lines", 0) and hit.prose_lines >= found.get(
            "prose_lines", 0
        )


@dataclass(frozen=True)
class ContextTable:
    """The rules in order, what each context means, which contexts are outbound."""

    rules: tuple[ContextRule, ...]
    meanings: dict[str, str]
    outbound: frozenset[str]
    veto: frozenset[str] = frozenset()  # one such sighting rules the host out

    def decide(self, hit: Hit, path: str, kind: str) -> tuple[str, str]:
        """(rule id, context) of a sighting; with no rule: configuration in text files, a
        code string elsewhere."""
        for rule in self.rules:
            if rule.holds(hit, path, kind):
                return rule.id, rule.context
        return ("default-config", "config") if kind == "text" else ("default-code", "code")

    def meaning(self, context: str) -> str:
        return self.meanings[context]


@cache
def context_table() -> ContextTable:
    """The context rules of `signatures/endpoints/contexts.yaml`, compiled once."""
    path = signatures_dir() / "endpoints" / "contexts.yaml"
    return parse_table(load_yaml(path.read_text()), str(path))


def parse_table(raw: dict[str, Any], source: str) -> ContextTable:
    """Check and compile a context table; a malformed one is a `SignatureError`."""
    outbound = dict(raw.get("outbound") or {})
    meanings = {**outbound, **(raw.get("contexts") or {})}
    rules = []
    for rule_id, item in table_rules(raw, source):
        if item.get("context") not in meanings:
            raise SignatureError(f"{source}: {rule_id}: unknown context {item.get('context')!r}")
        conditions = {k: v for k, v in item.items() if k not in ("id", "context", "fixtures")}
        if not conditions or set(conditions) - CONDITIONS:
            raise SignatureError(f"{source}: {rule_id}: conditions must be some of {CONDITIONS}")
        for key in PATTERNS:
            if key in conditions:
                try:
                    conditions[key] = re.compile(conditions[key])
                except re.error as exc:
                    raise SignatureError(f"{source}: {rule_id}: {key}: {exc}") from exc
        rules.append(ContextRule(rule_id, item["context"], conditions, tuple(item["fixtures"])))
    veto = frozenset(raw.get("veto") or ())
    if unknown := sorted(veto - set(meanings)):
        raise SignatureError(f"{source}: veto names unknown contexts {unknown}")
    return ContextTable(tuple(rules), meanings, frozenset(outbound), veto)
