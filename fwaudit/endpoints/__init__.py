"""Stage 4: hard-coded endpoints (URLs, host names, IP addresses) and whether the device may
contact them.

Each sighting of an endpoint-like string gets a context from the rules in
`signatures/endpoints/contexts.yaml` (configuration value, code string, UI option, help text,
comment, licence line, filter target, ...). An endpoint is outbound when at least one sighting
is in an outbound context and nothing about the host itself rules it out (a private address, a
namespace, a reserved example name); it then carries its role and its kind of use (a default
server, an option the user selects, a probe).
"""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .._data import load_yaml, signatures_dir
from ..identify.programs import APPLICATION, is_program, owner
from ..inventory import Inventory
from ..memo import ContentMemo
from ..model import Component, Endpoint, Evidence, Problem, Severity, Technique
from .contexts import Hit, context_table
from .scan import MAX_SCAN_BYTES, Sighting, public_suffixes, scan_entry, valid_host

__all__ = [
    "Decision",
    "Sighted",
    "classify",
    "find_endpoints",
    "public_suffixes",
    "scan_entry",
    "skipped_files",
    "valid_host",
]

CONFIDENCE = 0.8
DOCUMENTATION_V6 = ipaddress.IPv6Network("2001:db8::/32")
SIXBONE = ipaddress.IPv6Network("3ffe::/16")
TEMPLATE_FIELD = re.compile(r"%[0-9.]*[sdux]")
URL_PARTS = re.compile(
    r"^(?P<scheme>[a-z0-9+]+)://(?:[^@/]*@)?(?P<host>\[[0-9a-f:]+\]|[^/:?#]+)", re.IGNORECASE
)
ADDRESS_CHECKS = (
    ("is_loopback", "loopback address"),
    ("is_link_local", "link-local address"),
    ("is_multicast", "multicast address"),
    ("is_unspecified", "unspecified address"),
    ("is_private", "private address"),
    ("is_reserved", "reserved address"),
)


@dataclass(frozen=True)
class Judged:
    """One sighting in one file, with the context rule that decided it."""

    path: str
    hit: Hit
    rule: str
    context: str

    @property
    def evidence(self) -> Evidence:
        return Evidence(
            self.path,
            self.hit.offset,
            f"endpoint-context:{self.rule}",
            self.hit.line,
            Technique.BINARY,
            CONFIDENCE,
        )


@dataclass
class Sighted:
    """Every sighting of one host in one image, judged."""

    judged: list[Judged] = field(default_factory=list)
    urls: set[str] = field(default_factory=set)
    ports: set[int] = field(default_factory=set)
    resolver: bool = False


@dataclass(frozen=True)
class Decision:
    """Outbound or not, why, in what context, with which role and kind of use."""

    outbound: bool
    context: str
    role: str | None = None
    reason: str | None = None


@cache
def _lists() -> tuple[list[tuple[str, tuple[str, ...]]], list[dict[str, Any]]]:
    folder = signatures_dir() / "endpoints"
    lists = load_yaml((folder / "not_outbound.yaml").read_text())
    not_outbound = [
        (data["reason"], tuple(h.lower() for h in data["hosts"])) for data in lists.values()
    ]
    roles = load_yaml((folder / "roles.yaml").read_text())
    return not_outbound, roles


def _suffix_match(host: str, suffixes: tuple[str, ...] | set[str]) -> bool:
    return any(host == s or host.endswith("." + s) for s in suffixes)


def judge(
    host: str, sighting: Sighting, path: str, kind: str, websites: set[str] = frozenset()
) -> Sighted:
    """Decide the context of each sighting of `host` in one file."""
    table = context_table()
    found = Sighted(urls=set(sighting.urls), ports=set(sighting.ports), resolver=sighting.resolver)
    for hit in sighting.hits:
        rule, context = table.decide(hit, path, kind)
        if context == "code" and websites and _suffix_match(host.removeprefix("www."), websites):
            rule, context = "component-website", "link"
        found.judged.append(Judged(path, hit, rule, context))
    return found


def classify(host: str, sighted: Sighted) -> Decision:
    """Outbound when a sighting is in an outbound context and the host itself is not ruled
    out (address class, namespaces, reserved names, local administration names)."""
    table = context_table()
    address = _ip(host)
    role = _role(host, sighted)
    live = [j for j in sighted.judged if j.context in table.outbound]
    reason = _address_reason(address, sighted) if address else _name_reason(host)
    if reason:
        context = live[0].context if live else sighted.judged[0].context
        return Decision(False, context, reason=reason)
    vetoed = next((j for j in sighted.judged if j.context in table.veto), None)
    if vetoed:
        return Decision(False, vetoed.context, reason=_why(vetoed))
    if live:
        return Decision(True, live[0].context, role=role)
    first = sighted.judged[0]
    return Decision(False, first.context, reason=_why(first))


def _why(judged: Judged) -> str:
    meaning = context_table().meaning(judged.context)
    return f"{meaning} (rule {judged.rule} at {judged.path or '<image>'}@{judged.hit.offset})"


def _name_reason(host: str) -> str | None:
    not_outbound, _ = _lists()
    return next((r for r, suffixes in not_outbound if _suffix_match(host, suffixes)), None)


def _address_reason(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, sighted: Sighted
) -> str | None:
    if address.version == 4 and address.packed[0] == 255:
        return "broadcast or netmask"
    if address in DOCUMENTATION_V6:
        return "documentation address (RFC 3849)"
    if address in SIXBONE:
        return "6bone test address (3ffe::/16, returned in 2006, RFC 3701)"
    reason = next((r for attr, r in ADDRESS_CHECKS if getattr(address, attr)), None)
    if reason is None and address.version == 4:
        octets = address.packed
        if octets[3] == 0:
            return "network address, not a host"
        oid_like = octets[0] <= 2 and octets[1] <= 5  # 1.3.6.1..., 2.5.4..., 1.2.840...
        if not sighted.urls and (all(o < 10 for o in octets) or oid_like):
            return "a version or OID-like dotted number, not an address"
    return reason


def _role(host: str, sighted: Sighted) -> str | None:
    _, roles = _lists()
    host = TEMPLATE_FIELD.sub("0", host)  # "p2p%d.vendor.cn" reads as "p2p0.vendor.cn"
    for entry in roles:
        if host in entry.get("ips", ()):
            return entry["role"]
        if any(re.search(p, host) for p in entry.get("hosts", ())):
            return entry["role"]
        if set(entry.get("ports", ())) & sighted.ports:
            return entry["role"]
    if any(u.lower().startswith(("mqtt://", "mqtts://")) for u in sighted.urls):
        return "mqtt"
    if sighted.resolver and _ip(host):
        return "dns-resolver"
    return None


def _website_host(url: str) -> str | None:
    parts = URL_PARTS.match(url)
    return parts.group("host").lower().removeprefix("www.") if parts else None


# sightings by content, scan ranges and file type: the same file in the next image is not
# read again (contexts are decided per path afterwards)
_SCANNED: ContentMemo[dict[str, Sighting]] = ContentMemo()


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
    # a program's file belongs to the program alone
    programs = {p: c.name for c in components if c.type == APPLICATION for p in c.files}
    for entry in inventory.files:
        name = programs.get(entry.path)
        if name is None and is_program(entry) and (found := owner(entry, components)):
            name = found.name
        if name:
            components_in[entry.path] = {name}
    merged: dict[str, Sighted] = defaultdict(Sighted)
    where: dict[str, set[str]] = defaultdict(set)
    for entry in inventory.files:
        if entry.size > MAX_SCAN_BYTES:
            continue
        sightings = _SCANNED.get(
            (entry.sha256, entry.kind, entry.scan_ranges()),
            lambda entry=entry: scan_entry(entry, inventory.locate(entry).read_bytes()),
        )
        for host, sighting in sightings.items():
            found = judge(host, sighting, entry.path, entry.kind, websites_in.get(entry.path))
            target = merged[host]
            target.judged += found.judged
            target.urls |= found.urls
            target.ports |= found.ports
            target.resolver |= found.resolver
            where[host] |= components_in.get(entry.path, set())
    decided = {host: classify(host, sighted) for host, sighted in merged.items()}
    ddns = sum(d.outbound and d.role == "ddns" for d in decided.values())
    endpoints = []
    for host, sighted in merged.items():
        decision = decided[host]
        endpoints.append(
            Endpoint(
                host=host,
                kind=_kind(host),
                outbound=decision.outbound,
                evidence=_evidence(sighted),
                urls=tuple(sorted(sighted.urls)),
                ports=tuple(sorted(sighted.ports)),
                role=decision.role,
                reason=decision.reason,
                components=tuple(sorted(where[host])),
                context=decision.context,
                use=_use(decision, sighted, ddns) if decision.outbound else None,
            )
        )
    return tuple(sorted(endpoints, key=lambda e: (not e.outbound, e.host)))


def _evidence(sighted: Sighted) -> tuple[Evidence, ...]:
    """Every sighting once, those in an outbound context first."""
    outbound = context_table().outbound
    unique = {(j.path, j.hit.offset): j for j in sighted.judged}
    ordered = sorted(
        unique.values(), key=lambda j: (j.context not in outbound, j.evidence.sort_key)
    )
    return tuple(j.evidence for j in ordered)


def _use(decision: Decision, sighted: Sighted, ddns_providers: int) -> str:
    """How the firmware uses an outbound endpoint: a default server, an option the user
    selects (a drop-down entry, one of several DDNS providers), or a probe."""
    live = {j.context for j in sighted.judged if j.context in context_table().outbound}
    if live == {"ui-option"} or (decision.role == "ddns" and ddns_providers > 1):
        return "selectable"
    if decision.role == "connectivity-check":
        return "probe"
    return "default"


def _kind(host: str) -> str:
    if "%" in host:
        return "template"
    address = _ip(host)
    return "hostname" if address is None else f"ipv{address.version}"


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def skipped_files(inventory: Inventory) -> tuple[Problem, ...]:
    """A problem for every file `find_endpoints` does not read (over `MAX_SCAN_BYTES`):
    no file is dropped silently (`fwaudit.coverage` counts them as unexamined)."""
    return tuple(
        Problem(
            "endpoints",
            "scan.skipped",
            Severity.WARNING,
            entry.path,
            f"{entry.size:,} bytes, over the endpoint scan cap of {MAX_SCAN_BYTES:,}",
        )
        for entry in inventory.files
        if entry.size > MAX_SCAN_BYTES
    )
