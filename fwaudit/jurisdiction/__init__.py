"""Stage 5: whose law it is under. Maker attribution, component suppliers, endpoint geography
and policy verdicts, from the sourced data in `signatures/jurisdiction/`.

Offline by default; pass an `RdapClient` for RDAP look-ups of outbound endpoints.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from ..errors import ConfigError
from ..inventory import Inventory
from ..model import (
    Assessment,
    Attribution,
    AuditData,
    Component,
    Coverage,
    Credential,
    Endpoint,
    Geography,
    Party,
    UnpackOutcome,
)
from .attribution import attribute
from .data import Dataset, load
from .dates import resolve_as_of
from .geography import locate
from .policy import Policy, builtin_policies, evaluate, load_policy, overall, subjects
from .rdap import RdapClient

__all__ = [
    "Policy",
    "RdapClient",
    "assess",
    "builtin_policies",
    "judge",
    "load",
    "load_policy",
    "reassess",
]


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
    as_of: date | None = None,
    credentials: tuple[Credential, ...] = (),
) -> Assessment:
    """Attribute the maker, name suppliers, place outbound endpoints, apply the policies
    as they stood on `as_of` (default: today); a policy passes only where the `coverage` of
    the image lets it (else `inconclusive`)."""
    dataset = dataset or load()
    attribution = attribute(
        inventory, components, endpoints, dataset, unpack, declared=declared_vendor
    )
    suppliers = {c.key: p for c in components if (p := supplier_of(c, dataset))}
    if attribution.maker:  # the firmware's own programs come from its maker
        suppliers.update({c.key: attribution.maker for c in components if c.type == "application"})
    geography = {e.host: locate(e, dataset, rdap) for e in endpoints if e.outbound}
    return judge(
        attribution,
        suppliers=suppliers,
        geography=geography,
        components=components,
        endpoints=endpoints,
        policies=policies,
        dataset=dataset,
        coverage=coverage,
        as_of=as_of,
        credentials=credentials,
    )


def judge(
    attribution: Attribution,
    *,
    suppliers: dict[str, Party],
    geography: dict[str, Geography],
    components: tuple[Component, ...],
    endpoints: tuple[Endpoint, ...],
    policies: Sequence[Policy],
    dataset: Dataset,
    coverage: Coverage | None = None,
    as_of: date | None = None,
    credentials: tuple[Credential, ...] = (),
) -> Assessment:
    """Apply the policies, as they stood on `as_of` (default: today), to what attribution,
    suppliers and geography found: the pure last step of `assess`, redone by `reassess`."""
    day = resolve_as_of(as_of)
    judged = subjects(
        attribution,
        components=components,
        suppliers=suppliers,
        endpoints=endpoints,
        geography=geography,
        dataset=dataset,
        credentials=credentials,
    )
    verdicts, outcomes = [], []
    for policy in policies:
        found = evaluate(policy, judged, attribution, dataset, coverage, as_of=day)
        verdicts += found
        outcomes.append((policy.id, overall(found)))
    return Assessment(
        attribution=attribution,
        suppliers=tuple(sorted(suppliers.items())),
        geography=tuple(geography[h] for h in sorted(geography)),
        verdicts=tuple(verdicts),
        policies=tuple(outcomes),
        data_as_of=dataset.as_of,
        as_of=day.isoformat(),
    )


def reassess(
    data: AuditData,
    *,
    as_of: str | date | None = None,
    policies: Sequence[Policy | str | os.PathLike[str]] | None = None,
    dataset: Dataset | None = None,
) -> AuditData:
    """The same audit judged as of another day (default: today): the maker, suppliers and
    endpoint geography it found stay, only the verdicts are redone, so it needs no image and
    works on saved results and SBOMs. `policies` default to the ones judged before (by id: a
    user policy file must be given again)."""
    assessment = data.assessment
    if assessment is None:
        return data
    chosen = list(policies) if policies is not None else [p for p, _ in assessment.policies]
    loaded = []
    for policy in chosen:
        if isinstance(policy, Policy):
            loaded.append(policy)
            continue
        try:
            loaded.append(load_policy(policy))
        except ConfigError as exc:
            raise ConfigError(f"{exc}; to re-judge a user policy, pass its file") from None
    new = judge(
        assessment.attribution,
        suppliers=dict(assessment.suppliers),
        geography={g.host: g for g in assessment.geography},
        components=data.components,
        endpoints=data.endpoints,
        policies=loaded,
        dataset=dataset or load(),
        coverage=data.coverage,
        as_of=resolve_as_of(as_of),
        credentials=data.credentials,
    )
    return replace(data, assessment=new)


def supplier_of(component: Component, dataset: Dataset) -> Party | None:
    """The organisation behind a component: from the data where its vendor is known there,
    else the project or vendor named by its signature (open source: no country)."""
    org_id = dataset.by_signature_vendor(component.vendor)
    if org_id:
        return Party(org_id, dataset.org(org_id)["short"], dataset.country(org_id))
    return Party(None, component.vendor, None) if component.vendor else None
