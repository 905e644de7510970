"""Where fwaudit's data files are (packaged in the wheel, or the checkout's `signatures/`),
and which version of them this is."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any


def signatures_dir() -> Path:
    """`fwaudit/_signatures` in an installed wheel, else the repository's `signatures/`."""
    packaged = Path(__file__).resolve().parent / "_signatures"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "signatures"


@cache
def signatures_version() -> str:
    """A digest of every signature and data file (names and bytes): two runs with the same
    value used the same rules, aliases and policies."""
    digest = hashlib.sha256()
    root = signatures_dir()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load_yaml(text: str) -> Any:
    """`yaml.safe_load` with libyaml's C loader where it is built in (8x faster on the data
    files, the same objects)."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506


def table_rules(raw: dict[str, Any], source: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(id, entry) of each rule of a rule table (context rules, credential rules): every rule
    has an id of its own and at least one fixture, else a `SignatureError` naming `source`."""
    from .errors import SignatureError

    seen: set[str] = set()
    for item in raw.get("rules") or ():
        rule_id = item.get("id")
        if not rule_id or rule_id in seen:
            raise SignatureError(f"{source}: a rule without an id, or {rule_id!r} twice")
        seen.add(rule_id)
        if not item.get("fixtures"):
            raise SignatureError(f"{source}: {rule_id}: a rule needs at least one fixture")
        yield rule_id, item
