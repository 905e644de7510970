"""Stage 4: hard-coded endpoints (URLs, host names, IP addresses) and where they point.

Candidates are found around fast byte anchors in each distinct file (binaries and text
alike); host names are checked against the Public Suffix List bundled with
`publicsuffixlist` (never fetched), and every endpoint is classified: outbound (with a role
where evident) or not, with the reason. Classification data lives in `signatures/endpoints/`.
"""

from __future__ import annotations

import ipaddress
import re
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import PurePosixPath

import yaml
from publicsuffixlist import PublicSuffixList

from ._data import signatures_dir
from .inventory import Inventory
from .memo import ContentMemo
from .model import Component, Endpoint, Evidence, FileEntry, Technique

MAX_SCAN_BYTES = 64 << 20
CONFIDENCE = 0.8
# Printable runs first (strings(1)), then dotted tokens inside them: both are plain character
# classes, which Python's regex engine runs at C speed; everything else is done per token.
RUNS = re.compile(rb"[\x20-\x7e\t\r\n]{7,}")
# \b first: a token starts only at a word start, so a long word is not rescanned from each
# of its letters (twice as fast on web UI text).
TOKEN = re.compile(rb"\b(?:[A-Za-z0-9-]+\.)+[A-Za-z0-9-]+")
URL_TAIL = re.compile(rb"[^\s\"'<>()\x00-\x1f\x7f-\xff]{0,200}")
SCHEME = re.compile(rb"([A-Za-z][A-Za-z0-9+]{1,9})://$")
VERSION_BEFORE = re.compile(rb"(?i)\b(?:ver(?:sion)?|v|release|rev|build|linux|kernel)[ :=_-]*$")
PORT = re.compile(rb":(\d{1,5})(?!\d)")
# a line that starts as a comment in shell, Lua, C, JavaScript or INI text
COMMENT = re.compile(rb"[ \t]*(?:#|--|//|/\*|\*|;)")
PRINTABLE = bytes(range(0x20, 0x7F)) + b"\t\r\n"
# IPv6: a literal-first seed (searched at C speed) and the token around it
IPV6_SEED = re.compile(rb":[0-9A-Fa-f]{0,4}:")
IPV6 = re.compile(rb"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")
GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
DOCUMENTATION_V6 = ipaddress.IPv6Network("2001:db8::/32")
# Bare names (outside a URL) are only taken under country codes and the legacy generic TLDs:
# new gTLDs (.call, .select, .menu, .name ...) are mostly code (Array.prototype.slice.call).
LEGACY_TLDS = frozenset({"com", "net", "org", "edu", "gov", "mil", "int", "info", "biz"})
URL_PARTS = re.compile(
    r"^(?P<scheme>[a-z0-9+]+)://(?:[^@/]*@)?(?P<host>\[[0-9a-f:]+\]|[^/:?#]+)"
    r"(?::(?P<port>\d{1,5}))?",
    re.IGNORECASE,
)
# Two-label names whose last label is a file extension that is also a TLD: libc.so, run.sh
FILE_EXTENSIONS = frozenset(
    {
        "so",
        "sh",
        "py",
        "pl",
        "pm",
        "md",
        "zip",
        "mov",
        "rs",
        "cc",
        "ko",
        "ps",
        "in",
        "am",
        "ac",
        "do",
        "at",
        "to",
        "is",
        "it",
        "me",
        "my",
        "no",
        "on",
        "us",
        "be",
        "by",
        "la",
        "sa",
        "se",
        "st",
        "tv",
        "ws",
        "id",
        "co",
        "cf",
        "db",
        "mk",
    }
)
WEB_DOCUMENTS = frozenset({".htm", ".html", ".js", ".css", ".asp", ".php", ".txt"})


@dataclass
class _Sighting:
    evidence: list[Evidence] = field(default_factory=list)
    urls: set[str] = field(default_factory=set)
    ports: set[int] = field(default_factory=set)
    contexts: set[str] = field(default_factory=set)  # "xmlns", "resolver", "web-text", ...


@cache
def public_suffixes() -> PublicSuffixList:
    """The Public Suffix List bundled with `publicsuffixlist`, parsed once per process."""
    return PublicSuffixList(accept_unknown=False)


@cache
def _rules() -> tuple[list[tuple[str, str, tuple[str, ...]]], list[dict]]:
    folder = signatures_dir() / "endpoints"
    lists = yaml.safe_load((folder / "not_outbound.yaml").read_text())
    not_outbound = [
        (name, data["reason"], tuple(h.lower() for h in data["hosts"]))
        for name, data in lists.items()
    ]
    roles = yaml.safe_load((folder / "roles.yaml").read_text())
    return not_outbound, roles


def _suffix_match(host: str, suffixes: tuple[str, ...]) -> bool:
    return any(host == s or host.endswith("." + s) for s in suffixes)


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


def scan_entry(entry: FileEntry, data: bytes) -> dict[str, _Sighting]:
    """Endpoint candidates in one file, keyed by host (lower case) or IP address."""
    found: dict[str, _Sighting] = defaultdict(_Sighting)
    text_file = entry.kind == "text"
    web_text = PurePosixPath(entry.path).suffix.lower() in WEB_DOCUMENTS
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
        host, url, email = candidate
        if not text_file and not url and right - left < 8 and (left, right) != (start, end):
            continue  # a short printable island inside binary data: noise, not a string
        sighting = _sight(found[host], entry, data, (start, end), (left, right), url=url)
        if email:
            sighting.contexts.add("email")
        if web_text and not url:
            sighting.contexts.add("web-text")
        if _ip(host) and not url and VERSION_BEFORE.search(data, max(left, start - 16), start):
            sighting.contexts.add("version-number")
    for start, end, address in _ipv6_candidates(data, ranges):
        run = _run_around(data, start, end)
        url = (
            _url(data, start - 1, end + 1, f"[{address}]")
            if data[start - 1 : start] == b"["
            else None
        )
        sighting = _sight(found[address], entry, data, (start, end), run, url=url)
        if web_text and not url:
            sighting.contexts.add("web-text")
    return found


def _sight(
    sighting: _Sighting,
    entry: FileEntry,
    data: bytes,
    token: tuple[int, int],
    run: tuple[int, int],
    *,
    url: str | None,
) -> _Sighting:
    """Record one sighting of a token at `token` inside the printable run `run`."""
    (start, end), (left, right) = token, run
    line = _line(data, start, end, left, right)
    sighting.evidence.append(
        Evidence(
            entry.path,
            start,
            "endpoint-regex",
            line.decode("latin-1"),
            Technique.BINARY,
            CONFIDENCE,
        )
    )
    port = PORT.match(data, end + (data[end : end + 1] == b"]"))
    if port and 0 < int(port.group(1)) < 65536:
        sighting.ports.add(int(port.group(1)))
    if url:
        sighting.urls.add(url)
    before = data[max(left, start - 24) : start].lower()
    if b"xmlns" in before or b"namespace" in before or b"schema" in before:
        sighting.contexts.add("xmlns")
    if b"nameserver" in before or b"dns" in before:
        sighting.contexts.add("resolver")
    if b"%" in line:
        sighting.contexts.add("format")
    if b"placeholder" in before:
        sighting.contexts.add("placeholder")
    line_start = data.rfind(b"\n", left, start) + 1 or left
    sighting.contexts.add("comment" if COMMENT.match(data, line_start, start) else "live-line")
    return sighting


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


def _candidate(data: bytes, start: int, end: int, left: int) -> tuple[str, str | None, bool] | None:
    """(host, url, in an e-mail address) for a dotted token, or None when it is no endpoint."""
    # ".data.rel.ro", "->value.cr": a section or member name
    dotted = data[start] == 0x2E or (start > left and data[start - 1] in b".>")
    while start < end and data[start] in b".-":
        start += 1
    while end > start and data[end - 1] in b".-":
        end -= 1
    token = data[start:end]
    host = token.decode("latin-1").lower()
    url = _url(data, start, end, host)
    email = start > left and data[start - 1] == 0x40  # "@"
    if host.replace(".", "").isdigit():
        if host.count(".") != 3 or _ip(host) is None:
            return None
        if start > left and data[start - 1] in b"vV" and url is None:
            return None  # "v1.2.3.4": a version
        return host, url, email
    if url is None and dotted:
        return None
    if url is None and _in_code(data, start, end):
        return None
    return (host, url, email) if _plausible(host, token, url is not None) else None


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


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def classify(
    host: str, sighting: _Sighting, doc_hosts: set[str]
) -> tuple[bool, str | None, str | None]:
    """(outbound, role, reason): the first reason that applies makes it not outbound."""
    address = _ip(host)
    _, roles = _rules()
    if address and any(host in entry.get("ips", ()) for entry in roles):
        return True, _role(host, sighting), None  # well-known public resolvers
    reason = (
        _address_reason(address, sighting) if address else _name_reason(host, sighting, doc_hosts)
    )
    if reason is None and "comment" in sighting.contexts and "live-line" not in sighting.contexts:
        reason = "only in comments or commented-out settings (not in effect)"
    if reason:
        return False, None, reason
    return True, _role(host, sighting), None


def _name_reason(host: str, sighting: _Sighting, doc_hosts: set[str]) -> str | None:
    not_outbound, _ = _rules()
    contexts = sighting.contexts
    if "email" in contexts and not sighting.urls:
        return "domain of an e-mail address (author or support contact)"
    if "format" in contexts and all("%" in e.matched for e in sighting.evidence):
        return "format string or template"
    reason = next((r for _, r, suffixes in not_outbound if _suffix_match(host, suffixes)), None)
    reason = reason or next((r for c, r in CONTEXT_REASONS if c in contexts), None)
    if reason is None and _suffix_match(host, tuple(doc_hosts)):
        reason = "documentation or homepage link of a component found in the same file"
    return reason


CONTEXT_REASONS = (
    ("xmlns", "XML/SOAP namespace or schema identifier, never dereferenced"),
    ("placeholder", "example value shown in a form field (placeholder)"),
)


ADDRESS_CHECKS = (
    ("is_loopback", "loopback address"),
    ("is_link_local", "link-local address"),
    ("is_multicast", "multicast address"),
    ("is_unspecified", "unspecified address"),
    ("is_private", "private address"),
    ("is_reserved", "reserved address"),
)


def _address_reason(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, sighting: _Sighting
) -> str | None:
    if address.version == 4 and address.packed[0] == 255:
        return "broadcast or netmask"
    if address in DOCUMENTATION_V6:
        return "documentation address (RFC 3849)"
    reason = next((r for attr, r in ADDRESS_CHECKS if getattr(address, attr)), None)
    if reason is None and address.version == 4:
        reason = _dotted_number_reason(address, sighting)
    web_only = all(PurePosixPath(e.path).suffix.lower() in WEB_DOCUMENTS for e in sighting.evidence)
    if (
        reason is None
        and "web-text" in sighting.contexts
        and web_only
        and ("resolver" not in sighting.contexts)
    ):
        reason = "address in web UI help or example text"
    return reason


def _dotted_number_reason(address: ipaddress.IPv4Address, sighting: _Sighting) -> str | None:
    octets = address.packed
    if octets[3] == 0:
        return "network address, not a host"
    oid_like = octets[0] <= 2 and octets[1] <= 5  # 1.3.6.1..., 2.5.4..., 1.2.840...
    if not sighting.urls and (
        "version-number" in sighting.contexts or all(o < 10 for o in octets) or oid_like
    ):
        return "a version or OID-like dotted number, not an address"
    return None


def _role(host: str, sighting: _Sighting) -> str | None:
    _, roles = _rules()
    for entry in roles:
        if host in entry.get("ips", ()):
            return entry["role"]
        if any(re.search(p, host) for p in entry.get("hosts", ())):
            return entry["role"]
        if set(entry.get("ports", ())) & sighting.ports:
            return entry["role"]
    if any(u.lower().startswith(("mqtt://", "mqtts://")) for u in sighting.urls):
        return "mqtt"
    if "resolver" in sighting.contexts and _ip(host):
        return "dns-resolver"
    return None


def _website_host(url: str) -> str | None:
    parts = URL_PARTS.match(url)
    return parts.group("host").lower().removeprefix("www.") if parts else None


# sightings by content, scan ranges and file type: the same file in the next image is not
# read again (evidence paths are re-attached below)
_SCANNED: ContentMemo[dict[str, _Sighting]] = ContentMemo()


def find_endpoints(inventory: Inventory, components: tuple[Component, ...]) -> tuple[Endpoint, ...]:
    """Every endpoint in the image, classified, with evidence and the components around it."""
    components_in: dict[str, set[str]] = defaultdict(set)
    websites_in: dict[str, set[str]] = defaultdict(set)
    for component in components:
        host = _website_host(component.website) if component.website else None
        for path in component.files:
            components_in[path].add(component.name)
            if host:
                websites_in[path].add(host)
    merged: dict[str, _Sighting] = defaultdict(_Sighting)
    doc_hosts: dict[str, set[str]] = defaultdict(set)
    where: dict[str, set[str]] = defaultdict(set)
    for entry in inventory.files:
        if entry.size > MAX_SCAN_BYTES:
            continue
        web_text = PurePosixPath(entry.path).suffix.lower() in WEB_DOCUMENTS
        sightings = _SCANNED.get(
            (entry.sha256, entry.kind, entry.scan_ranges(), web_text),
            lambda entry=entry: scan_entry(entry, inventory.locate(entry).read_bytes()),
        )
        for host, sighting in sightings.items():
            target = merged[host]
            target.evidence += [_at(e, entry.path) for e in sighting.evidence]
            target.urls |= sighting.urls
            target.ports |= sighting.ports
            target.contexts |= sighting.contexts
            doc_hosts[host] |= websites_in.get(entry.path, set())
            where[host] |= components_in.get(entry.path, set())
    endpoints = []
    for host, sighting in merged.items():
        outbound, role, reason = classify(host, sighting, doc_hosts[host])
        evidence = tuple(sorted(set(sighting.evidence), key=lambda e: e.sort_key))
        endpoints.append(
            Endpoint(
                host=host,
                kind=_kind(host),
                outbound=outbound,
                evidence=evidence,
                urls=tuple(sorted(sighting.urls)),
                ports=tuple(sorted(sighting.ports)),
                role=role,
                reason=reason,
                components=tuple(sorted(where[host])),
            )
        )
    return tuple(sorted(endpoints, key=lambda e: (not e.outbound, e.host)))


def _kind(host: str) -> str:
    address = _ip(host)
    return "hostname" if address is None else f"ipv{address.version}"


def _at(evidence: Evidence, path: str) -> Evidence:
    if evidence.path == path:
        return evidence
    return Evidence(
        path,
        evidence.offset,
        evidence.method,
        evidence.matched,
        evidence.technique,
        evidence.confidence,
    )
