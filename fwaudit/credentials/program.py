"""Credentials compiled into programs and binary data: crypt hash strings (a crypt
library's own self-test excepted) and a well-known default pair stored as two adjacent
strings (``admin\\0admin``: a default account table). Results depend only on the bytes, so
they are remembered by content (`fwaudit.memo`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import crypt
from .secrets import Defaults

PAIR_GAP = 16  # at most this many NUL bytes between the two strings of a pair


@dataclass(frozen=True)
class Hit:
    """A hash string (`user` the account written before it, if any) or a pair."""

    offset: int
    kind: str  # "hash" or "pair"
    secret: str
    user: str
    context: str  # the printable text around it, as evidence


def scan(data: bytes, ranges: tuple[tuple[int, int], ...], table: Defaults) -> tuple[Hit, ...]:
    """Every hash and well-known pair in `data` within `ranges` (the string-bearing spans)."""
    hits: list[Hit] = []
    for start, end in ranges:
        chunk = data[start:end]
        for found in crypt.EMBEDDED.finditer(chunk):
            text = found.group().decode("ascii")
            if text in table.self_tests:
                continue
            before = chunk[max(0, found.start() - 64) : found.start()]
            user = re.search(rb"([A-Za-z_][\w.-]{0,31}):$", before)
            context = _printable(chunk, found.start(), found.end())
            hits.append(
                Hit(
                    start + found.start(),
                    "hash",
                    text,
                    user.group(1).decode() if user else "",
                    context,
                )
            )
        if table.pair_users:
            hits += _pairs(chunk, start, table)
    return tuple(sorted(hits, key=lambda h: (h.offset, h.kind)))


def _pairs(chunk: bytes, base: int, table: Defaults) -> list[Hit]:
    wanted = {
        (u, p)
        for u, p, _ in table.pairs
        if p and u in table.pair_users and (p == u or p not in table.pair_words)
    }
    users = b"|".join(re.escape(u.encode()) for u in sorted({u for u, _ in wanted}))
    pattern = re.compile(
        rb"(?<![\x20-\x7e])(" + users + rb")\x00{1,%d}([\x20-\x7e]{1,64})\x00" % PAIR_GAP
    )
    hits = []
    for found in pattern.finditer(chunk):
        user, password = found.group(1).decode(), found.group(2).decode()
        if (user, password) in wanted:
            context = f"{user}\\0{password}"
            hits.append(Hit(base + found.start(), "pair", password, user, context))
    return hits


def _printable(chunk: bytes, start: int, end: int) -> str:
    """The printable run around a match (at most 200 characters)."""
    left = start
    while left > 0 and start - left < 100 and 0x20 <= chunk[left - 1] < 0x7F:
        left -= 1
    right = end
    while right < len(chunk) and right - end < 100 and 0x20 <= chunk[right] < 0x7F:
        right += 1
    return chunk[left:right].decode("ascii")
