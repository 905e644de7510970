"""The public entry points: `audit()` is a thin wrapper over a reusable `Auditor`."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from . import __version__
from .coverage import measure
from .credentials import find_credentials
from .endpoints import find_endpoints, skipped_files
from .identify import RuleSet, identify_all
from .identify.dependencies import component_dependencies
from .image import open_image
from .inventory import take_inventory
from .jurisdiction import RdapClient, assess, builtin_policies, load_policy
from .jurisdiction.dates import resolve_as_of
from .limits import Limits
from .model import AuditData
from .result import AuditResult
from .unpack import DEFAULT_BACKENDS, get_backend, unpack_image
from .unpack.cache import default_cache_dir


class Auditor:
    """Holds configuration and compiled rules across many audits."""

    def __init__(
        self,
        *,
        limits: Limits = Limits(),
        backends: Sequence[str] = DEFAULT_BACKENDS,
        cache_dir: Path | None = None,
        policies: Sequence[str | os.PathLike[str]] | None = None,
        online: bool = False,
        as_of: str | date | None = None,
    ) -> None:
        # the day policies are judged for (the law as it stood then); None: the day of each audit
        self.as_of = resolve_as_of(as_of) if as_of is not None else None
        for name in backends:
            get_backend(name)  # fail early on a caller's typo
        self.limits = limits
        self.backends = tuple(backends)
        self.cache_dir = cache_dir
        self.rules = RuleSet()
        self.policies = tuple(load_policy(p) for p in (policies or builtin_policies()))
        self.online = online

    def audit(
        self, image: str | os.PathLike[str], *, declared_vendor: str | None = None
    ) -> AuditResult:
        """Audit one image file for the analyst (see `AuditResult`)."""
        return AuditResult(self.audit_data(image, declared_vendor=declared_vendor))

    def audit_data(
        self, image: str | os.PathLike[str], *, declared_vendor: str | None = None
    ) -> AuditData:
        """Audit one image file into the typed, frozen findings. Raises `InputError` only
        when it cannot be read at all.

        `declared_vendor` is the vendor the procurement record names; a firmware that names
        another maker is flagged (an OEM relabel)."""
        fw = open_image(Path(image))
        clock = _StageClock()
        with clock("unpack"):
            outcome = unpack_image(
                fw, backends=self.backends, limits=self.limits, cache_dir=self.cache_dir
            )
        with clock("inventory"):
            inventory = take_inventory(fw, outcome)
        with clock("identify"):
            identified = identify_all(inventory, self.rules)
            components, toolchain = identified.components, identified.toolchain
        with clock("endpoints"):
            endpoints = find_endpoints(inventory, components)
        with clock("credentials"):
            credentials, unread = find_credentials(inventory)
        problems = (
            *inventory.problems,
            *identified.problems,
            *skipped_files(inventory),
            *unread,
        )
        with clock("coverage"):
            coverage = measure(fw, outcome, inventory, components, problems)
        # a client per audit: its breaker and network budget are this audit's
        rdap = RdapClient(self.cache_dir or default_cache_dir()) if self.online else None
        with clock("jurisdiction"):
            assessment = assess(
                inventory,
                outcome,
                components,
                endpoints,
                policies=self.policies,
                declared_vendor=declared_vendor,
                rdap=rdap,
                coverage=coverage,
                as_of=self.as_of,
                credentials=credentials,
            )
        if rdap is not None:  # each unreachable service once, not on every endpoint
            problems = (*problems, *rdap.problems())
        return AuditData(
            image=fw,
            unpack=outcome,
            fwaudit_version=__version__,
            problems=tuple(sorted(set(problems))),
            files=inventory.files,
            components=components,
            toolchain=toolchain,
            endpoints=endpoints,
            dependencies=component_dependencies(inventory.files, components),
            assessment=assessment,
            coverage=coverage,
            credentials=credentials,
            timings=tuple(clock.seconds.items()),
        )


class _StageClock:
    """Wall-clock seconds per pipeline stage."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = round(time.perf_counter() - started, 4)


def audit(
    image: str | os.PathLike[str],
    /,
    *,
    limits: Limits = Limits(),
    backends: Sequence[str] = DEFAULT_BACKENDS,
    cache_dir: str | os.PathLike[str] | None = None,
    policy: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
    declared_vendor: str | None = None,
    online: bool = False,
    as_of: str | date | None = None,
) -> AuditResult:
    """Audit one firmware image and return everything found, with evidence.

    `policy` is a built-in policy id or a YAML file, or a list of them (default: every
    built-in); the first of `backends` unpacks, the next runs only when that result shows
    signs of loss and the one that recovered more is kept (see `fwaudit.unpack`); `online`
    allows RDAP look-ups of outbound endpoints (no network otherwise). `declared_vendor` is
    the vendor the procurement record names. `as_of` (``"2026-06-01"`` or a `date`, default
    today) judges the policies as they stood on that day.
    """
    policies = [policy] if isinstance(policy, str | os.PathLike) else policy
    auditor = Auditor(
        limits=limits,
        backends=backends,
        cache_dir=Path(cache_dir) if cache_dir is not None else None,
        policies=policies,
        online=online,
        as_of=as_of,
    )
    return auditor.audit(image, declared_vendor=declared_vendor)
