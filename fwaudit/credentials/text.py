"""Credentials written in text files, by the rules of `signatures/credentials/rules.yaml`,
and crypt hashes anywhere in a script or configuration file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from .._data import load_yaml, signatures_dir, table_rules
from ..errors import SignatureError
from ..model import CREDENTIAL_ORIGINS, CredentialKind

KINDS = ("password", "no-authentication")
SCRIPT_PATH = re.compile(
    r"(?i)(\.(sh|ash|bash|rc)$|(^|/)(init\.d|rc\.d|init\d?\.d|rcS\.d)/|(^|/)rcS$)"
)
# `key=value` prefixes of config-device-password: the service the key names
KEY_SERVICES = (
    ("http", "web"),
    ("web", "web"),
    ("ui", "web"),
    ("telnet", "telnet"),
    ("ftp", "ftp"),
    ("ssh", "ssh"),
)
KEY_ACCOUNTS = ("admin", "root", "super", "user")


@dataclass(frozen=True)
class TextRule:
    """One row of the rule table."""

    id: str
    pattern: re.Pattern[str]
    kind: str
    origin: str
    service: str
    confidence: float
    multiline: bool = False
    paths: re.Pattern[str] | None = None
    skip_paths: re.Pattern[str] | None = None
    account: str = ""
    fixtures: tuple[dict[str, Any], ...] = ()
    negatives: tuple[Any, ...] = ()

    def applies(self, path: str) -> bool:
        if self.paths is not None and not self.paths.search(path):
            return False
        return self.skip_paths is None or not self.skip_paths.search(path)


@dataclass(frozen=True)
class Table:
    rules: tuple[TextRule, ...]
    account_names: re.Pattern[str]
    backup: re.Pattern[str]
    no_password: frozenset[str]
    no_login_shells: frozenset[str]


@dataclass(frozen=True)
class Match:
    """A rule's match in one file: where, the line, the account and the secret as written."""

    rule: TextRule
    offset: int
    line: str
    user: str
    secret: str
    key: str = ""


@cache
def table() -> Table:
    """`signatures/credentials/rules.yaml`, checked and compiled once."""
    path = signatures_dir() / "credentials" / "rules.yaml"
    return parse_table(load_yaml(path.read_text()), str(path))


def parse_table(raw: dict[str, Any], source: str) -> Table:
    """Check and compile a rule table; a malformed one is a `SignatureError`."""
    rules = []
    for rule_id, item in table_rules(raw, source):
        if item.get("kind") not in KINDS or item.get("origin") not in CREDENTIAL_ORIGINS:
            raise SignatureError(f"{source}: {rule_id}: kind {KINDS}, origin {CREDENTIAL_ORIGINS}")
        if not 0 < float(item.get("confidence", 0)) <= 1:
            raise SignatureError(f"{source}: {rule_id}: confidence in (0, 1]")
        try:
            compiled = {
                key: re.compile(item[key]) if item.get(key) else None
                for key in ("pattern", "paths", "skip_paths")
            }
        except re.error as exc:
            raise SignatureError(f"{source}: {rule_id}: {exc}") from exc
        if compiled["pattern"] is None:
            raise SignatureError(f"{source}: {rule_id}: no pattern")
        rules.append(
            TextRule(
                rule_id,
                compiled["pattern"],
                item["kind"],
                item["origin"],
                str(item.get("service", "login")),
                float(item["confidence"]),
                bool(item.get("multiline", False)),
                compiled["paths"],
                compiled["skip_paths"],
                str(item.get("account", "")),
                tuple(item["fixtures"]),
                tuple(item.get("negatives") or ()),
            )
        )
    files = raw.get("account_files") or {}
    return Table(
        tuple(rules),
        re.compile(files["names"]),
        re.compile(files["backup"]),
        frozenset(raw.get("no_password") or ()),
        frozenset(raw.get("no_login_shells") or ()),
    )


def is_script(path: str, text: str) -> bool:
    return text.startswith("#!") or bool(SCRIPT_PATH.search(path))


def matches(rules: tuple[TextRule, ...], path: str, text: str) -> list[Match]:
    """Every rule match in one text file (latin-1 decoded: offsets are byte offsets)."""
    found = []
    starts = _line_starts(text)
    for rule in rules:
        if not rule.applies(path):
            continue
        if rule.multiline:
            for hit in rule.pattern.finditer(text):
                line_no = _line_of(starts, hit.start())
                line_start = starts[line_no]
                if text[line_start : hit.start()].lstrip().startswith("#"):
                    continue
                found.append(_match(rule, hit, hit.start(), text[line_start : hit.end()]))
            continue
        for line_no, start in enumerate(starts):
            end = starts[line_no + 1] if line_no + 1 < len(starts) else len(text)
            line = text[start:end].rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            for hit in rule.pattern.finditer(line):
                found.append(_match(rule, hit, start + hit.start(), line))
    return found


def _match(rule: TextRule, hit: re.Match[str], offset: int, line: str) -> Match:
    groups = hit.groupdict()
    key = groups.get("key") or ""
    user = groups.get("user") or _account_of_key(key) or rule.account
    return Match(rule, offset, line.strip()[:300], user, groups.get("password") or "", key)


def service_of(rule: TextRule, key: str) -> str:
    """A config key's service (``http_passwd``: web), else the rule's."""
    lowered = key.lower()
    return next((s for prefix, s in KEY_SERVICES if lowered.startswith(prefix)), rule.service)


def _account_of_key(key: str) -> str:
    lowered = key.lower()
    return next((a for a in KEY_ACCOUNTS if lowered.startswith(a)), "")


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts += [m.end() for m in re.finditer("\n", text) if m.end() < len(text)]
    return starts


def _line_of(starts: list[int], offset: int) -> int:
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= offset:
            low = middle
        else:
            high = middle - 1
    return low


def resolve(text: str, value: str) -> tuple[str, str | None] | None:
    """A shell variable's value set in the same script: ("literal", None) for
    ``var="literal"``, ("", "/etc/file") for ``var=`cat /etc/file``` or ``$(cat ...)``;
    None when the script does not set it."""
    name = re.fullmatch(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", value)
    if not name:
        return None
    var = re.escape(name.group(1))
    read = re.search(
        rf"(?m)^[ \t]*{var}=(?:`cat[ \t]+([^`\s]+)[ \t]*`|\$\(cat[ \t]+([^)\s]+)[ \t]*\))", text
    )
    if read:
        return "", read.group(1) or read.group(2)
    literal = re.search(rf"(?m)^[ \t]*{var}=[\"']?([^\"'\s$`;]+)[\"']?[ \t]*$", text)
    return (literal.group(1), None) if literal else None


def credential_kind(rule: TextRule, secret: str, algorithm: str | None) -> CredentialKind:
    if rule.kind == "no-authentication":
        return CredentialKind.NO_AUTHENTICATION
    return CredentialKind.PASSWORD_HASH if algorithm else CredentialKind.PASSWORD
