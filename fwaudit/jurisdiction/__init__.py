"""Stage 5: whose law it is under. Maker attribution, component suppliers, endpoint geography
and policy verdicts, from the sourced data in `signatures/jurisdiction/`.

Offline by default; pass an `RdapClient` for RDAP look-ups of outbound endpoints.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..inventory import Inventory
from ..model import Assessment, Component, Coverage, Endpoint, Party, UnpackOutcome
from .attribution import attribute
from .data import Dataset, load
from .geography import locate
from .policy import Policy, builtin_policies, evaluate, load_policy, overall, subjects
from .rdap import RdapClient

__all__ = ["Policy", "RdapClient", "assess", "builtin_policies", "load", "load_policy"]


def assess(
    inventory: Inventory,
    unpack: UnpackOutcome,
    components: tuple[Component, ...],
    endpoints: tuple[Endpoint, ...],
    *,
    policies: Sequence[Policy],
    dataset: Dataset | None = None,
    declared_vendor: str | None = None,
    rdap: RdapClient | None = None,
    coverage: Coverage | None = None,
) -> Assessment:
    """Attribute the maker, name suppliers, place outbound endpoints, apply the policies;
    a policy passes only where the `coverage` of the image lets it (else `inconclusive`)."""
    dataset = dataset or load()
    attribution = attribute(
        inventory, components, endpoints, dataset, unpack, declared=declared_vendor
    )
    suppliers = {c.key: p for c in components if (p := supplier_of(c, dataset))}
    if attribution.maker:  # the firmware's own programs come from its maker
        suppliers.update({c.key: attribution.maker for c in components if c.type == "application"})
    geography = {e.host: locate(e, dataset, rdap) for e in endpoints if e.outbound}
    judged = subjects(
        attribution,
        components=components,
        suppliers=suppliers,
        endpoints=endpoints,
        geography=geography,
        dataset=dataset,
    )
    verdicts, outcomes = [], []
    for policy in policies:
        found = evaluate(policy, judged, attribution, dataset, coverage)
        verdicts += found
        outcomes.append((policy.id, overall(found)))
    return Assessment(
        attribution=attribution,
        suppliers=tuple(sorted(suppliers.items())),
        geography=tuple(geography[h] for h in sorted(geography)),
        verdicts=tuple(verdicts),
        policies=tuple(outcomes),
        data_as_of=dataset.as_of,
    )


def supplier_of(component: Component, dataset: Dataset) -> Party | None:
    """The organisation behind a component: from the data where its vendor is known there,
    else the project or vendor named by its signature (open source: no country)."""
    org_id = dataset.by_signature_vendor(component.vendor)
    if org_id:
        return Party(org_id, dataset.org(org_id)["short"], dataset.country(org_id))
    return Party(None, component.vendor, None) if component.vendor else None
