"""Endpoint candidates in one file: URLs, host names and IP addresses, each sighting with the
text around it (`Hit`), for the context rules to judge.

Candidates are found around fast byte anchors (binaries and text alike); host names are
checked against the Public Suffix List bundled with `publicsuffixlist` (never fetched).
"""

from __future__ import annotations

import ipaddress
import re
import sqlite3
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import cache

from publicsuffixlist import PublicSuffixList

from ..model import FileEntry
from .contexts import Hit

MAX_SCAN_BYTES = 64 << 20
SQLITE_MAGIC = b"SQLite format 3\x00"
MAX_DATABASE_VALUES = 100_000
# Printable runs first (strings(1)), then dotted tokens inside them: both are plain character
# classes, which Python's regex engine runs at C speed; everything else is done per token.
RUNS = re.compile(rb"[\x20-\x7e\t\r\n]{7,}")
# \b first: a token starts only at a word start, so a long word is not rescanned from each
# of its letters (twice as fast on web UI text).
TOKEN = re.compile(rb"\b(?:[A-Za-z0-9-]+\.)+[A-Za-z0-9-]+")
URL_TAIL = re.compile(rb"[^\s\"'<>()\x00-\x1f\x7f-\xff]{0,200}")
SCHEME = re.compile(rb"([A-Za-z][A-Za-z0-9+]{1,9})://$")
PORT = re.compile(rb":(\d{1,5})(?!\d)")
# the head of a printf template host: optional letters, then %s, %d, %u, %x, %02d ... (the
# conversion letter is the token's first character)
TEMPLATE_HEAD = re.compile(rb"[A-Za-z0-9-]*%[0-9.]*[sdux]")
PRINTABLE = bytes(range(0x20, 0x7F)) + b"\t\r\n"
BEFORE, AFTER = 200, 80
PROSE_WINDOW = 300
MARKUP = re.compile(rb"<[^<>]{0,200}>|&nbsp;|&[a-z]{2,6};")
WORD = re.compile(rb"\(?[A-Za-z][a-z]+[,.:;!?)]?")  # a word of a sentence, not a path or URL
CODE_MARKS = re.compile(rb"[=;{}$]|^\s*(#|//|--)|\b(var|function|if|else|return)\b")
# IPv6: a literal-first seed (searched at C speed) and the token around it
IPV6_SEED = re.compile(rb":[0-9A-Fa-f]{0,4}:")
IPV6 = re.compile(rb"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")
GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
# Bare names (outside a URL) are only taken under country codes and the legacy generic TLDs:
# new gTLDs (.call, .select, .menu, .name ...) are mostly code (Array.prototype.slice.call).
LEGACY_TLDS = frozenset({"com", "net", "org", "edu", "gov", "mil", "int", "info", "biz"})
# Two-label names whose last label is a file extension that is also a TLD: libc.so, run.sh
FILE_EXTENSIONS = frozenset(
    {"so", "sh", "py", "pl", "pm", "md", "zip", "mov", "rs", "cc", "ko", "ps", "in", "am"}
    | {"ac", "do", "at", "to", "is", "it", "me", "my", "no", "on", "us", "be", "by", "la"}
    | {"sa", "se", "st", "tv", "ws", "id", "co", "cf", "db", "mk", "bb"}
)


@dataclass
class Sighting:
    """Everything one file (or, merged, one image) shows of one host."""

    hits: list[Hit] = field(default_factory=list)
    urls: set[str] = field(default_factory=set)
    ports: set[int] = field(default_factory=set)
    resolver: bool = False  # named after "nameserver" or "dns"


@cache
def public_suffixes() -> PublicSuffixList:
    """The Public Suffix List bundled with `publicsuffixlist`, parsed once per process."""
    return PublicSuffixList(accept_unknown=False)


@cache
def valid_host(host: str) -> bool:
    """A registrable name under a real public suffix, not a file name that looks like one."""
    labels = host.split(".")
    if len(labels) < 2 or len(host) > 253 or any(not label for label in labels):
        return False
    if len(labels) == 2 and labels[-1] in FILE_EXTENSIONS:
        return False
    suffix = public_suffixes().publicsuffix(host)
    return suffix is not None and suffix != host


def scan_entry(entry: FileEntry, data: bytes) -> dict[str, Sighting]:
    """Endpoint candidates in one file, keyed by host (lower case) or IP address. An SQLite
    database is read through SQLite, value by value (its records glue each value to its
    neighbours, so a byte scan would cut names wrongly)."""
    if data.startswith(SQLITE_MAGIC):
        values = database_values(data)
        if values is not None:
            return _scan_values(entry, data, values)
    found: dict[str, Sighting] = defaultdict(Sighting)
    text_file = entry.kind == "text"
    ranges = entry.scan_ranges()
    spans = [m.span() for a, b in ranges for m in RUNS.finditer(data, a, b)]
    joined = b"\x00".join(data[a:b] for a, b in spans)
    starts, offset = [], 0
    for a, b in spans:
        starts.append(offset)
        offset += b - a + 1
    for token in TOKEN.finditer(joined):
        index = bisect_right(starts, token.start()) - 1
        left, right = spans[index]
        start = left + token.start() - starts[index]
        end = start + token.end() - token.start()
        candidate = _candidate(data, start, end, left)
        if candidate is None:
            continue
        host, url, first, last = candidate
        if not text_file and not url and right - left < 8 and (left, right) != (start, end):
            continue  # a short printable island inside binary data: noise, not a string
        _sight(found[host], data, (first, last), (left, right), url=url, address=_is_ip(host))
    for start, end, address in _ipv6_candidates(data, ranges):
        run = _run_around(data, start, end)
        url = (
            _url(data, start - 1, end + 1, f"[{address}]")
            if data[start - 1 : start] == b"["
            else None
        )
        _sight(found[address], data, (start, end), run, url=url, address=True)
    return found


def database_values(data: bytes) -> list[tuple[str, str, str]] | None:
    """(table, column, text) of every text value of an SQLite database, at most
    MAX_DATABASE_VALUES; None when SQLite cannot read it (then its bytes are scanned)."""
    connection = sqlite3.connect(":memory:")
    try:
        connection.deserialize(data)
        connection.execute("PRAGMA query_only = 1")
        tables = [
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        values: list[tuple[str, str, str]] = []
        for table in tables:
            quoted = table.replace('"', '""')  # a table name from the file, quoted as SQL wants
            cursor = connection.execute(f'SELECT * FROM "{quoted}"')  # noqa: S608
            columns = [c[0] for c in cursor.description]
            for row in cursor:
                values += [
                    (table, column, value)
                    for column, value in zip(columns, row, strict=False)
                    if isinstance(value, str) and "." in value
                ]
                if len(values) > MAX_DATABASE_VALUES:
                    return values[:MAX_DATABASE_VALUES]
        return values
    except (sqlite3.DatabaseError, OverflowError, MemoryError):
        return None
    finally:
        connection.close()


def _scan_values(
    entry: FileEntry, data: bytes, values: list[tuple[str, str, str]]
) -> dict[str, Sighting]:
    """Sightings in database values, each value scanned as a setting `table.column=value`
    and placed at the value's offset in the file."""
    found: dict[str, Sighting] = defaultdict(Sighting)
    for table, column, value in values:
        head = f"sqlite:{table}.{column}=".encode()
        raw = value.encode("utf-8", "replace")
        text = head + raw + b"\n"
        at = data.find(raw)
        for host, sighting in scan_entry(
            FileEntry(entry.path, len(text), "", "text"), text
        ).items():
            target = found[host]
            target.hits += [
                replace(hit, offset=max(0, at) + max(0, hit.offset - len(head)))
                for hit in sighting.hits
            ]
            target.urls |= sighting.urls
            target.ports |= sighting.ports
            target.resolver |= sighting.resolver
    return found


def _sight(
    sighting: Sighting,
    data: bytes,
    token: tuple[int, int],
    run: tuple[int, int],
    *,
    url: str | None,
    address: bool,
) -> None:
    """Record one sighting of a token at `token` inside the printable run `run`."""
    (start, end), (left, right) = token, run
    after_end = data.find(b"\n", end, min(right, end + AFTER))
    sighting.hits.append(
        Hit(
            offset=start,
            token=data[start:end].decode("latin-1"),
            line=_line(data, start, end, left, right).decode("latin-1"),
            before=data[max(left, start - BEFORE) : start].decode("latin-1"),
            after=data[end : after_end if after_end >= 0 else min(right, end + AFTER)].decode(
                "latin-1"
            ),
            url=url is not None,
            address=address,
            run_lines=data.count(b"\n", left, right) + 1,
            prose_lines=_prose_lines(data, start, end, left, right),
            next=_next_string(data, right),
        )
    )
    port = PORT.match(data, end + (data[end : end + 1] == b"]"))
    if port and 0 < int(port.group(1)) < 65536:
        sighting.ports.add(int(port.group(1)))
    if url:
        sighting.urls.add(url)
    before = data[max(left, start - 24) : start].lower()
    if b"nameserver" in before or b"dns" in before:
        sighting.resolver = True


def _prose_lines(data: bytes, start: int, end: int, left: int, right: int) -> int:
    """Lines of prose within 300 bytes of a token: sentences of six or more words, outside
    markup, with none of the punctuation of code or settings."""
    window = data[max(left, start - PROSE_WINDOW) : min(right, end + PROSE_WINDOW)]
    text = MARKUP.sub(b" ", window)
    return sum(
        1
        for line in text.split(b"\n")
        if not CODE_MARKS.search(line) and sum(map(bool, map(WORD.fullmatch, line.split()))) >= 6
    )


def _next_string(data: bytes, right: int) -> str:
    """The printable string that follows a run after at most 16 bytes of NUL padding (the
    source file name stored beside an assertion's text, for one)."""
    start = right
    while start < min(len(data), right + 16) and data[start] == 0:
        start += 1
    run = RUNS.match(data, start, start + 200)
    return run.group().decode("latin-1") if run and start > right else ""


def _ipv6_candidates(data: bytes, ranges: tuple[tuple[int, int], ...]):
    """(start, end, compressed address) of IPv6 host addresses: seeded by a fast literal
    search for `:hex:`, then the whole token around each seed is parsed."""
    for low, high in ranges:
        position = low
        while seed := IPV6_SEED.search(data, position, high):
            position = seed.end()
            for match in IPV6.finditer(
                data, max(low, seed.start() - 40), min(high, seed.end() + 40)
            ):
                if match.start() <= seed.start() < match.end():
                    position = max(position, match.end())
                    address = _ipv6_host(match.group().decode("ascii"))
                    if address:
                        yield match.start(), match.end(), address
                    break


def _ipv6_host(text: str) -> str | None:
    """The compressed form of a plausible IPv6 host address, or None for noise (`d::`, `::3`,
    C++ `std::`), unspecified `::` and prefixes ending in `::`."""
    try:
        address = ipaddress.IPv6Address(text)
    except ValueError:
        return None
    if address.is_loopback:
        return address.compressed
    if len([g for g in text.split(":") if g]) < 2 or text.endswith("::"):
        return None
    special = address.is_link_local or address.is_multicast
    global_unicast = address in GLOBAL_UNICAST
    return address.compressed if special or global_unicast or address.is_private else None


def _run_around(data: bytes, start: int, end: int) -> tuple[int, int]:
    """The printable run (at most 200 bytes each side) that contains data[start:end]."""
    low, high = max(0, start - 200), min(len(data), end + 200)
    left = low + len(data[low:start].rstrip(PRINTABLE))
    right = high - len(data[end:high].lstrip(PRINTABLE))
    return left, right


def _line(data: bytes, start: int, end: int, left: int, right: int) -> bytes:
    """The text line around a token, within its printable run: the evidence an analyst reads."""
    first = data.rfind(b"\n", left, start) + 1 or left
    last = data.find(b"\n", end, right)
    line = data[max(first, start - 100) : last if last >= 0 else right]
    return line[:200].strip()


def _candidate(
    data: bytes, start: int, end: int, left: int
) -> tuple[str, str | None, int, int] | None:
    """(host, url, start, end) for a dotted token, or None when it is no endpoint."""
    # ".data.rel.ro", "->value.cr": a section or member name
    dotted = data[start] == 0x2E or (start > left and data[start - 1] == 0x2E)
    dotted = dotted or (start > left + 1 and data[start - 2 : start] == b"->")
    while start < end and data[start] in b".-":
        start += 1
    while end > start and data[end - 1] in b".-":
        end -= 1
    token = data[start:end]
    host = token.decode("latin-1").lower()
    template = _template(data, (start, end), left)
    if template:
        return template
    url = _url(data, start, end, host)
    if host.replace(".", "").isdigit():
        version = start > left and data[start - 1] in b"vV" and url is None  # "v1.2.3.4"
        address = host.count(".") == 3 and _is_ip(host) and not version
        return (host, url, start, end) if address else None
    if url is None and (dotted or _in_code(data, start, end)):
        return None
    return (host, url, start, end) if _plausible(host, token, url is not None) else None


def _template(data: bytes, token: tuple[int, int], left: int) -> tuple[str, None, int, int] | None:
    """`%s-api.vendor.cn`, `p2p%d.vendor.cn`: a name the program completes at run time, kept
    whole as a templated endpoint."""
    start, end = token
    head = TEMPLATE_HEAD.search(data, max(left, start - 24), start + 1)
    if not head or head.end() != start + 1 or not url_free(data, head.start()):
        return None
    rest = data[start + 1 : end].decode("latin-1").lstrip("-.")
    if "." in rest and valid_host(rest.lower()) and rest.islower():
        return data[head.start() : end].decode("latin-1").lower(), None, head.start(), end
    return None


def url_free(data: bytes, start: int) -> bool:
    """No `://` right before `start` (a template host is judged bare)."""
    return data[max(0, start - 3) : start] != b"://"


def _in_code(data: bytes, start: int, end: int) -> bool:
    """`process.info(`, `net.netfilter.nf_conntrack`, `$sys.log`: a call or part of a
    longer identifier, not a host name."""
    after = data[end : end + 1]
    before = data[start - 1 : start] if start else b""
    return after in (b"(", b"_") or before in (b"_", b"$")


def _url(data: bytes, start: int, end: int, host: str) -> str | None:
    scheme = SCHEME.search(data, max(0, start - 12), start)
    if not scheme or scheme.end() != start:
        return None
    tail = URL_TAIL.match(data, end).group(0).decode("latin-1").rstrip(".,;:")
    return f"{scheme.group(1).decode().lower()}://{host}{tail}"


def _plausible(host: str, token: bytes, in_url: bool) -> bool:
    if not valid_host(host):
        return False
    if in_url:
        return True
    labels = host.split(".")
    if labels[-1] not in LEGACY_TLDS and len(labels[-1]) != 2:
        return False
    if labels[-1] in FILE_EXTENSIONS and labels[-1] not in LEGACY_TLDS:
        return False  # t.61.so, build.sh: file names, not hosts
    if len(labels) < 3 and (len(labels[-2]) < 3 or labels[-1] not in LEGACY_TLDS):
        return False  # value.cr, he.net: two-label country-code names are mostly code
    return not any(c.isupper() for c in token[1:].decode("latin-1"))  # camelCase is code


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
