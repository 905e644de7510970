"""The account databases (passwd, shadow and their backups): every account's password
state, told apart as a login would read it.

A passwd entry whose password field is ``x`` or ``*`` defers to the shadow file beside it
(glibc, busybox and uClibc logins all do); any other value is the password itself, and the
shadow entry is then not in effect. An empty field is no password at all; ``*``, ``!`` and
the like open nothing (a locked or disabled account).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Credential, CredentialKind, Evidence, Technique
from . import crypt
from .secrets import defaults, fingerprint, known_description, known_password, redact

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Entry:
    """One line of an account file."""

    name: str
    field: str  # the password field as written
    offset: int
    line: str
    shell: str | None = None  # passwd only
    uid: str | None = None


@dataclass(frozen=True)
class AccountFile:
    path: str
    shadow: bool
    backup: bool
    entries: tuple[Entry, ...]

    @property
    def folder(self) -> str:
        return self.path.rpartition("/")[0]


def parse(path: str, data: bytes, *, backup: bool) -> AccountFile | None:
    """The entries of a passwd or shadow file (None when the text is no account file)."""
    name = path.rpartition("/")[2]
    shadow = "shadow" in name
    entries = []
    offset = 0
    text = data.decode("latin-1")
    for line in text.splitlines(keepends=True):
        here, offset = offset, offset + len(line.encode("latin-1"))
        stripped = line.rstrip("\r\n")
        if not stripped or stripped.startswith(("#", "+", "-")):
            continue
        fields = stripped.split(":")
        if len(fields) < 2 or not re.fullmatch(r"[A-Za-z0-9_.][\w.$-]*", fields[0]):
            return None  # not an account file after all
        if not shadow and len(fields) >= 7:
            entries.append(Entry(fields[0], fields[1], here, stripped, fields[6], fields[2]))
        else:
            entries.append(Entry(fields[0], fields[1], here, stripped))
    return AccountFile(path, shadow, backup, tuple(entries)) if entries else None


def credentials(
    files: list[AccountFile], no_password: frozenset[str], no_login: frozenset[str]
) -> list[Credential]:
    """One credential per account entry that decides a password, in every folder."""
    found = []
    folders: dict[tuple[str, bool], dict[str, AccountFile]] = {}
    for account_file in files:
        kind = "shadow" if account_file.shadow else "passwd"
        folders.setdefault((account_file.folder, account_file.backup), {})[kind] = account_file
    for (_, backup), pair in sorted(folders.items()):
        passwd, shadow = pair.get("passwd"), pair.get("shadow")
        shells = {e.name: e for e in passwd.entries} if passwd else {}
        shadowed = {e.name for e in shadow.entries} if shadow else set()
        for entry in passwd.entries if passwd else ():
            if entry.field in ("x", "*") and entry.name in shadowed:
                continue  # the shadow entry decides
            note = ""
            if entry.field == "x":
                note = "the password field says x but no shadow entry is in the image"
            found.append(
                _credential(
                    passwd,
                    entry,
                    entry,
                    not_in_effect=backup,
                    no_password=no_password,
                    no_login=no_login,
                    note=note,
                )
            )
        for entry in shadow.entries if shadow else ():
            owner = shells.get(entry.name)
            overridden = owner is not None and owner.field not in ("x", "*")
            note = "not in effect: passwd holds this account's password" if overridden else ""
            found.append(
                _credential(
                    shadow,
                    entry,
                    owner,
                    not_in_effect=backup or overridden,
                    no_password=no_password,
                    no_login=no_login,
                    note=note,
                )
            )
    return found


def _credential(
    account_file: AccountFile,
    entry: Entry,
    owner: Entry | None,
    *,
    not_in_effect: bool,
    no_password: frozenset[str],
    no_login: frozenset[str],
    note: str,
) -> Credential:
    value = entry.field
    if owner is not None and owner.shell is not None:
        login: bool | None = owner.shell.strip() not in no_login
    else:
        login = True if entry.name == "root" else None
    if note == "" and account_file.backup:
        note = "a backup copy, not in effect"
    base = {
        "account": entry.name,
        "path": account_file.path,
        "origin": "account-file",
        "service": "login",
        "in_effect": not not_in_effect,
        "login": login,
        "note": note,
    }
    method = f"account-file:{'shadow' if account_file.shadow else 'passwd'}"
    if value == "":
        listed = defaults().listed(entry.name, "")
        return Credential(
            kind=CredentialKind.EMPTY,
            evidence=(_evidence(account_file, entry, entry.line, method),),
            known=known_description(listed, entry.name, "") if listed else None,
            shown="" if listed else None,
            **base,
        )
    if value in no_password or value.startswith(("!", "*")):
        return Credential(
            kind=CredentialKind.LOCKED,
            evidence=(_evidence(account_file, entry, entry.line, method),),
            algorithm=None,
            **base,
        )
    algorithm = crypt.algorithm(value) or "unrecognised"
    known = known_password(value, entry.name)
    line = redact(entry.line, value, algorithm, shown=known is not None)
    return Credential(
        kind=CredentialKind.PASSWORD_HASH,
        evidence=(_evidence(account_file, entry, line, method),),
        algorithm=algorithm,
        fingerprint=fingerprint(value),
        known=known_description(known[1], entry.name, known[0]) if known else None,
        shown=known[0] if known else None,
        **base,
    )


def _evidence(account_file: AccountFile, entry: Entry, line: str, method: str) -> Evidence:
    return Evidence(account_file.path, entry.offset, method, line, Technique.MANIFEST, CONFIDENCE)
