"""What may be said about a secret: whether it is a well-known default (then it is shown),
its fingerprint (otherwise), placeholders that are no secret at all, crypt self-tests, and
evidence text with the secret taken out. Data: `signatures/credentials/defaults.yaml`."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from .._data import load_yaml, signatures_dir
from ..errors import SignatureError
from . import crypt

FINGERPRINT_ROUNDS = 20_000  # PBKDF2: equal secrets match, guesses cost a little
FINGERPRINT_SALT = b"fwaudit credential fingerprint"


@dataclass(frozen=True)
class Defaults:
    """The well-known pairs (user, password) with the list each is on, the self-test
    hashes, the placeholder patterns and the account names of the binary pair rule."""

    pairs: tuple[tuple[str, str, str], ...]  # (user, password, list name)
    self_tests: dict[str, str]  # hash -> what it is
    placeholders: tuple[re.Pattern[str], ...]
    pair_users: frozenset[str]
    lists: dict[str, dict[str, Any]]
    pair_words: frozenset[str] = frozenset()

    @property
    def passwords(self) -> tuple[str, ...]:
        """Every well-known password once, in list order."""
        return tuple(dict.fromkeys(p for _, p, _ in self.pairs))

    def listed(self, user: str, password: str) -> str | None:
        """The list naming this pair, or else this password for any user."""
        exact = next((name for u, p, name in self.pairs if (u, p) == (user, password)), None)
        return exact or next((name for _, p, name in self.pairs if p == password), None)

    def placeholder(self, value: str) -> bool:
        """Whether `value` stands in for a password (a variable, a format, a label)."""
        return any(p.search(value) for p in self.placeholders)


@cache
def defaults() -> Defaults:
    """`signatures/credentials/defaults.yaml`, checked and compiled once."""
    path = signatures_dir() / "credentials" / "defaults.yaml"
    return parse_defaults(load_yaml(path.read_text()), str(path))


def parse_defaults(raw: dict[str, Any], source: str) -> Defaults:
    pairs = []
    for list_id, entry in (raw.get("well_known") or {}).items():
        if not entry.get("sources") or not entry.get("name"):
            raise SignatureError(f"{source}: well_known/{list_id}: needs a name and sources")
        for pair in entry.get("pairs") or ():
            if len(pair) != 2:
                raise SignatureError(f"{source}: well_known/{list_id}: {pair!r} is no pair")
            pairs.append((str(pair[0]), str(pair[1]), list_id))
    try:
        placeholders = tuple(re.compile(p) for p in raw.get("placeholders") or ())
    except re.error as exc:
        raise SignatureError(f"{source}: placeholders: {exc}") from exc
    tests = {str(t["hash"]): str(t["what"]) for t in raw.get("self_tests") or ()}
    return Defaults(
        tuple(pairs),
        tests,
        placeholders,
        frozenset(raw.get("pair_users") or ()),
        dict(raw.get("well_known") or {}),
        frozenset(raw.get("pair_words") or ()),
    )


def known_description(list_id: str, user: str, password: str) -> str:
    """``root/xmhdipc on the Mirai botnet telnet credential list (2016)``."""
    entry = defaults().lists[list_id]
    year = str(entry["sources"][0].get("published", ""))[:4]
    shown = f"{user}/{password}" if password else f"{user} with no password"
    return f"{shown} on the {entry['name']}" + (f" ({year})" if year else "")


@lru_cache(maxsize=4096)
def known_password(hashed: str, account: str) -> tuple[str, str] | None:
    """(password, list id) when a well-known default reproduces the crypt hash `hashed`
    (the account's own pairs are tried first); None otherwise or for a format not
    recomputed (DES, bcrypt)."""
    table = defaults()
    if crypt.algorithm(hashed) not in crypt.RECOMPUTED:
        return None
    ordered = [p for u, p, _ in table.pairs if u == account] + list(table.passwords)
    for password in dict.fromkeys(ordered):
        if crypt.recompute(password, hashed) == hashed:
            listed = table.listed(account, password)
            return (password, listed) if listed else None
    return None


@lru_cache(maxsize=4096)
def fingerprint(secret: str) -> str:
    """12 hex digits of PBKDF2-SHA256 of the secret: the same for the same secret, and
    no cheap way back to it."""
    digest = hashlib.pbkdf2_hmac(
        "sha256", secret.encode("utf-8", "surrogateescape"), FINGERPRINT_SALT, FINGERPRINT_ROUNDS
    )
    return digest[:6].hex()


def redacted(secret: str, algorithm: str | None) -> str:
    """How a secret is written in evidence: a hash keeps its algorithm and salt
    (``$1$GTN.gpri$…``), anything else only its length; both with the fingerprint."""
    if not secret:
        return secret
    if algorithm and algorithm not in ("plain", "unrecognised"):
        return f"{crypt.setting(secret)}…[{algorithm} {fingerprint(secret)}]"
    return f"…[{len(secret)} characters, {fingerprint(secret)}]"


def redact(text: str, secret: str, algorithm: str | None, shown: bool) -> str:
    """`text` with every occurrence of `secret` redacted, unless the secret may be shown."""
    if shown or not secret:
        return text
    return text.replace(secret, redacted(secret, algorithm))
