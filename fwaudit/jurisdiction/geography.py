"""Where an endpoint points. The operator (from the data: who runs the service, under whose
law) is kept apart from the registration country (offline: the ccTLD of a name, the regional
registry allocation of an address via `iptocc`; online: what RDAP says)."""

from __future__ import annotations

import ipaddress
from functools import cache
from importlib.metadata import version

import iptocc

from ..model import Endpoint, Geography, Party
from .data import Dataset
from .rdap import RdapClient, RdapError, RdapUnavailable


def locate(endpoint: Endpoint, dataset: Dataset, rdap: RdapClient | None = None) -> Geography:
    """The operator and registration country of one endpoint; RDAP only when a client is given."""
    host = endpoint.host
    org_id = dataset.by_ip(host) or dataset.by_domain(host)
    operator = None
    if org_id:
        entry = dataset.org(org_id)
        operator = Party(org_id, entry["short"], dataset.country(org_id))
    if endpoint.kind == "hostname":
        country, source = cctld_country(host, dataset)
    else:
        country = iptocc.country_code(host) or None
        source = _rir_source() if country else None
    notes: tuple[str, ...] = ()
    if rdap is not None:
        notes = _rdap_notes(rdap, endpoint)
    return Geography(host, operator, country, source, notes)


@cache
def _rir_source() -> str:
    return f"RIR allocation data (iptocc {version('iptocc')})"


def cctld_country(host: str, dataset: Dataset) -> tuple[str | None, str | None]:
    tld = host.rsplit(".", 1)[-1].lower()
    exceptions = dataset.places["cctld_exceptions"]
    if tld in exceptions:
        country = exceptions[tld]
    elif len(tld) == 2 and tld.isalpha():
        country = tld.upper()
    else:
        return None, None
    return country, (f"ccTLD .{tld}" if country else None)


def _rdap_notes(rdap: RdapClient, endpoint: Endpoint) -> tuple[str, ...]:
    """What RDAP says of one endpoint; nothing when it was not asked (an unreachable service
    is one problem of the audit, `RdapClient.problems`, not a note on every endpoint)."""
    try:
        if endpoint.kind == "hostname":
            answer = rdap.domain(endpoint.host)
        else:
            answer = rdap.ip(str(ipaddress.ip_address(endpoint.host)))
    except RdapUnavailable:
        return ()
    except RdapError as exc:
        return (f"rdap-error: {exc}",)
    if answer is None:
        return ("rdap: not found",)
    return tuple(f"rdap-{key}: {value}" for key, value in summarize(answer).items())


def summarize(answer: dict) -> dict[str, str]:
    """The RFC 9083 fields an analyst wants: network name and country, registrar, registrant
    country, registration date, and which server answered."""
    found: dict[str, str] = {}
    for key in ("name", "country", "handle", "ldhName"):
        if answer.get(key):
            found[key.lower()] = str(answer[key])
    for event in answer.get("events", ()):
        if event.get("eventAction") == "registration":
            found["registered"] = str(event.get("eventDate", ""))[:10]
    for entity in answer.get("entities", ()):
        roles = entity.get("roles", ())
        card = _vcard(entity)
        if "registrar" in roles and card.get("fn"):
            found["registrar"] = card["fn"]
        if "registrant" in roles and card.get("country"):
            found["registrant-country"] = card["country"]
    if answer.get("port43"):
        found["server"] = str(answer["port43"])
    return found


def _vcard(entity: dict) -> dict[str, str]:
    card: dict[str, str] = {}
    properties = (entity.get("vcardArray") or [None, []])[1]
    for item in properties:
        if item[0] == "fn":
            card["fn"] = str(item[3])
        if item[0] == "adr":
            params, value = item[1], item[3]
            if isinstance(params, dict) and params.get("cc"):
                card["country"] = str(params["cc"])
            elif isinstance(value, list) and value and value[-1]:
                card["country"] = str(value[-1])
    return card
