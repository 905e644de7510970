"""The credentials stage: passwords, password hashes and missing logins the image sets.

Runs after the endpoints stage over the same inventory. It reads the account databases
(passwd, shadow and their backups), applies the text rules of
`signatures/credentials/rules.yaml` to scripts, configuration and web server user files,
finds crypt hashes in any script, configuration file or program, and well-known default
pairs stored as adjacent strings in programs. Each finding is a `Credential` with the file,
offset, method and the redacted line; the secret itself is kept only when it is a
well-known default (`signatures/credentials/defaults.yaml`), otherwise a fingerprint.
"""

from __future__ import annotations

import re

from ..endpoints.scan import MAX_SCAN_BYTES
from ..inventory import Inventory
from ..memo import ContentMemo
from ..model import (
    Credential,
    CredentialKind,
    Evidence,
    FileEntry,
    Problem,
    Severity,
    Technique,
    inner_path,
)
from . import accounts, crypt, program
from .secrets import defaults, fingerprint, known_description, known_password, redact
from .text import Match, credential_kind, is_script, matches, resolve, service_of, table

__all__ = ["find_credentials"]

HASH_CONFIDENCE = 0.85  # a crypt hash string in a script, configuration file or program
PAIR_CONFIDENCE = 0.6  # two adjacent strings that make a well-known default pair

# binary hits by content and scan ranges: the same file in the next image is not read again
_PROGRAMS: ContentMemo[tuple[program.Hit, ...]] = ContentMemo()


def find_credentials(inventory: Inventory) -> tuple[tuple[Credential, ...], tuple[Problem, ...]]:
    """Every credential the image sets, sorted, and a problem for each file not read."""
    rules = table()
    account_files, found, problems = [], [], []
    for entry in inventory.files:
        if entry.size > MAX_SCAN_BYTES:
            problems.append(
                Problem(
                    "credentials",
                    "scan.skipped",
                    Severity.WARNING,
                    entry.path,
                    f"{entry.size:,} bytes, over the credential scan cap of {MAX_SCAN_BYTES:,}",
                )
            )
            continue
        name = entry.path.rpartition("/")[2]
        if entry.kind == "text":
            data = inventory.locate(entry).read_bytes()
            if rules.account_names.fullmatch(name):
                parsed = accounts.parse(entry.path, data, backup=bool(rules.backup.search(name)))
                if parsed is not None:
                    account_files.append(parsed)
                    continue
            found += _text_credentials(inventory, entry, data.decode("latin-1"))
        elif entry.kind in ("elf", "data") and entry.size:
            hits = _PROGRAMS.get(
                (entry.sha256, entry.scan_ranges()),
                lambda entry=entry: program.scan(
                    inventory.locate(entry).read_bytes(), entry.scan_ranges(), defaults()
                ),
            )
            found += [_program_credential(entry, hit) for hit in hits]
    found += accounts.credentials(account_files, rules.no_password, rules.no_login_shells)
    unique = {(c.path, c.account, c.kind, c.evidence[0].offset): c for c in found}
    return tuple(sorted(unique.values(), key=lambda c: c.sort_key)), tuple(problems)


def _text_credentials(inventory: Inventory, entry: FileEntry, text: str) -> list[Credential]:
    found = []
    seen: set[int] = set()
    script = is_script(entry.path, text)
    for match in matches(table().rules, entry.path, text):
        made = _rule_credential(inventory, entry, text, match)
        if made is not None:
            found.append(made)
            seen.update(range(match.offset, match.offset + len(match.line)))
    encoded = text.encode("latin-1")
    for hit in crypt.EMBEDDED.finditer(encoded):
        if hit.start() in seen or hit.group().decode() in defaults().self_tests:
            continue
        secret = hit.group().decode()
        line_start = encoded.rfind(b"\n", 0, hit.start()) + 1
        line_end = encoded.find(b"\n", hit.end())
        line = encoded[line_start : line_end if line_end >= 0 else len(encoded)].decode("latin-1")
        if line.lstrip().startswith("#"):
            continue
        user = re.search(r"([A-Za-z_][\w.-]{0,31}):$", text[line_start : hit.start()])
        found.append(
            _hash_credential(
                entry,
                hit.start(),
                secret,
                user.group(1) if user else "",
                line.strip()[:300],
                origin="script" if script else "config",
                method="crypt-hash-in-text",
                technique=Technique.SOURCE if script else Technique.MANIFEST,
            )
        )
    return found


def _rule_credential(
    inventory: Inventory, entry: FileEntry, text: str, match: Match
) -> Credential | None:
    rule = match.rule
    table_ = defaults()
    technique = Technique.SOURCE if rule.origin == "script" else Technique.MANIFEST
    evidence = [
        Evidence(
            entry.path, match.offset, f"credential-rule:{rule.id}", "", technique, rule.confidence
        )
    ]
    if rule.kind == "no-authentication":
        evidence[0] = _with_text(evidence[0], match.line)
        return Credential(
            kind=CredentialKind.NO_AUTHENTICATION,
            account=match.user,
            path=entry.path,
            origin=rule.origin,
            service=rule.service,
            evidence=tuple(evidence),
            in_effect=True,
            note="a shell is served with no login at all",
        )
    secret, note = match.secret, ""
    if match.user and table_.placeholder(match.user):
        return None
    if table_.placeholder(secret) and not crypt.algorithm(secret):
        resolved = _resolve(inventory, entry, text, secret, rule.confidence)
        if resolved is None:
            return None
        secret, note, extra = resolved
        evidence += extra
    algorithm = crypt.algorithm(secret)
    if algorithm in ("des-crypt", "bsdi-des-crypt"):
        algorithm = None  # 13 letters in a script are more likely a password than DES
    kind = credential_kind(rule, secret, algorithm)
    known: tuple[str, str] | None
    if kind is CredentialKind.PASSWORD_HASH:
        known = known_password(secret, match.user)
    else:
        listed = table_.listed(match.user, secret)
        known = (secret, listed) if listed else None
    evidence[0] = _with_text(
        evidence[0], redact(match.line, secret, algorithm or "plain", known is not None)
    )
    if known is None and len(evidence) > 1:
        evidence[1] = _with_text(evidence[1], redact(secret, secret, "plain", False))
    elif known is not None and len(evidence) > 1:
        evidence[1] = _with_text(evidence[1], secret)
    return Credential(
        kind=kind,
        account=match.user,
        path=entry.path,
        origin=rule.origin,
        service=service_of(rule, match.key),
        evidence=tuple(evidence),
        algorithm=algorithm or "plain",
        fingerprint=fingerprint(secret),
        known=known_description(known[1], match.user or "any account", known[0]) if known else None,
        shown=known[0] if known else None,
        in_effect=True,
        note=note,
    )


def _resolve(
    inventory: Inventory, entry: FileEntry, text: str, variable: str, confidence: float
) -> tuple[str, str, list[Evidence]] | None:
    """The value of a shell variable the script sets (a literal, or the first line of a file
    it reads with `cat`), the note saying so and the evidence of the file; None when unset."""
    resolved = resolve(text, variable)
    if resolved is None:
        return None
    literal, source = resolved
    if source is None:
        return literal, f"the password is set by {variable} in the same script", []
    target = _locate(inventory, entry.path, source)
    if target is None:
        return None
    raw = inventory.locate(target).read_bytes()[:256].decode("latin-1")
    literal = raw.splitlines()[0].strip() if raw.strip() else ""
    if not literal:
        return None
    note = f"the password is the content of {source} ({inner_path(target.path)})"
    evidence = Evidence(
        target.path, 0, "credential-rule:variable-file", "", Technique.MANIFEST, confidence
    )
    return literal, note, [evidence]


def _hash_credential(
    entry: FileEntry,
    offset: int,
    secret: str,
    user: str,
    context: str,
    *,
    origin: str,
    method: str,
    technique: Technique,
    confidence: float = HASH_CONFIDENCE,
) -> Credential:
    algorithm = crypt.algorithm(secret) or "unrecognised"
    known = known_password(secret, user)
    return Credential(
        kind=CredentialKind.PASSWORD_HASH,
        account=user,
        path=entry.path,
        origin=origin,
        service="login",
        evidence=(
            Evidence(
                entry.path,
                offset,
                method,
                redact(context, secret, algorithm, known is not None),
                technique,
                confidence,
            ),
        ),
        algorithm=algorithm,
        fingerprint=fingerprint(secret),
        known=known_description(known[1], user or "any account", known[0]) if known else None,
        shown=known[0] if known else None,
        note="a crypt hash written in the file; what uses it is not known",
    )


def _program_credential(entry: FileEntry, hit: program.Hit) -> Credential:
    if hit.kind == "hash":
        return _hash_credential(
            entry,
            hit.offset,
            hit.secret,
            hit.user,
            hit.context,
            origin="program",
            method="crypt-hash-in-program",
            technique=Technique.BINARY,
        )
    listed = defaults().listed(hit.user, hit.secret)
    return Credential(
        kind=CredentialKind.PASSWORD,
        account=hit.user,
        path=entry.path,
        origin="program",
        service="unknown",
        evidence=(
            Evidence(
                entry.path,
                hit.offset,
                "binary-pair",
                hit.context,
                Technique.BINARY,
                PAIR_CONFIDENCE,
            ),
        ),
        algorithm="plain",
        fingerprint=fingerprint(hit.secret),
        known=known_description(listed, hit.user, hit.secret) if listed else None,
        shown=hit.secret if listed else None,
        note="two adjacent strings in a program that make a well-known default account and "
        "password; what the program does with them is not known",
    )


def _with_text(ev: Evidence, text: str) -> Evidence:
    return Evidence(ev.path, ev.offset, ev.method, text, ev.technique, ev.confidence)


def _locate(inventory: Inventory, near: str, wanted: str) -> FileEntry | None:
    """The file a script names by its path on the device (``/etc/config/image_sign``):
    the one in the same extracted file system as the script."""
    tail = wanted.lstrip("/")
    candidates = [e for e in inventory.files if e.path == tail or e.path.endswith("/" + tail)]
    if not candidates:
        return None
    return max(candidates, key=lambda e: len(_common_prefix(e.path, near)))


def _common_prefix(a: str, b: str) -> str:
    size = 0
    while size < min(len(a), len(b)) and a[size] == b[size]:
        size += 1
    return a[:size]
