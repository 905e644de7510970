"""An RDAP client (RFC 9082/9083, bootstrap RFC 9224) for `--online` runs only.

Servers come from the IANA bootstrap files (``$FWAUDIT_RDAP_BOOTSTRAP`` names another);
every answer (a 404 too) is cached on disk, a failure to connect never is. Requests have a
short connect timeout, a minimum interval per server, and retries with exponential backoff on
429 and 5xx (honouring Retry-After). Without a network it fails fast: a connection failure
(refused, DNS, timeout) is retried at once, and after `BREAKER_FAILURES` in a row a service
(the host of a server) is asked nothing more by this client; the time lost to failures is
capped by `NETWORK_BUDGET`, after which no one is asked. Each stop is reported once, by
`problems()`. Nothing here runs unless the caller creates a client: offline audits make no
network call.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from .. import __version__
from ..endpoints import public_suffixes
from ..errors import FwauditError
from ..model import Problem, Severity

IANA_BOOTSTRAP = "https://data.iana.org/rdap/"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 60.0
#: Seconds to connect and to wait for an answer: a server that hangs costs at most this.
TIMEOUT = (3.05, 10.0)
#: Connection failures in a row after which a service is not asked again (the breaker opens).
BREAKER_FAILURES = 3
#: Seconds a client may lose to failed requests and retry waits before it asks no one.
NETWORK_BUDGET = 30.0


class RdapError(FwauditError):
    """An RDAP look-up failed after its retries (the audit records it and goes on)."""


class RdapUnavailable(RdapError):
    """A look-up not made: its service is unreachable or the network budget is spent."""


class RdapClient:
    """Looks up domains and IP addresses over RDAP, politely and with a disk cache."""

    def __init__(
        self,
        cache_dir: Path,
        *,
        bootstrap: str | None = None,
        timeout: float | tuple[float, float] = TIMEOUT,
        retries: int = 3,
        backoff: float = 1.0,
        min_interval: float = 1.0,
        max_age_days: float = 30.0,
        breaker: int = BREAKER_FAILURES,
        budget: float = NETWORK_BUDGET,
        session: requests.Session | None = None,
    ) -> None:
        self.cache = Path(cache_dir) / "rdap"
        bootstrap = bootstrap or os.environ.get("FWAUDIT_RDAP_BOOTSTRAP") or IANA_BOOTSTRAP
        self.bootstrap = bootstrap.rstrip("/") + "/"
        self.timeout = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        self.retries = retries
        self.backoff = backoff
        self.min_interval = min_interval
        self.max_age = max_age_days * 86400
        self.session = session or requests.Session()
        self.session.headers.update(
            {"Accept": "application/rdap+json", "User-Agent": f"fwaudit/{__version__}"}
        )
        self.breaker = breaker
        self.budget = budget
        self._last: dict[str, float] = {}
        self._services: dict[str, _Service] = {}
        self._lost = 0.0  # seconds spent on failed requests and retry waits
        self._skipped_by_budget = 0
        self.requests_made = 0

    def problems(self) -> tuple[Problem, ...]:
        """One problem per service found unreachable, and one if the budget ran out."""
        bootstrap = urlsplit(self.bootstrap).netloc
        found = [
            Problem(
                "jurisdiction",
                "online.unreachable",
                Severity.WARNING,
                name,
                service.summary(name, bootstrap=name == bootstrap),
            )
            for name, service in sorted(self._services.items())
            if service.open
        ]
        if self._lost >= self.budget:
            detail = (
                f"{self._lost:.1f} s lost to failed RDAP requests (budget {self.budget:g} s): "
                f"no RDAP server asked after that, {self._skipped_by_budget} look-ups skipped"
            )
            found.append(Problem("jurisdiction", "online.budget", Severity.WARNING, "", detail))
        return tuple(found)

    def domain(self, host: str) -> dict[str, Any] | None:
        """The RDAP domain object of the registrable domain of `host`, or None (not found)."""
        name = public_suffixes().privatesuffix(host.lower()) or host.lower()
        base = self._service("dns", name)
        return self._get(f"{base}domain/{name}")

    def ip(self, address: str) -> dict[str, Any] | None:
        """The RDAP IP network object that holds `address`, or None (not found)."""
        parsed = ipaddress.ip_address(address)
        base = self._service(f"ipv{parsed.version}", parsed)
        return self._get(f"{base}ip/{parsed}")

    def _service(self, kind: str, key: Any) -> str:
        """The base URL the bootstrap file names for `key` (a domain or an address)."""
        registry = self._get(f"{self.bootstrap}{kind}.json")
        if registry is None:
            raise RdapError(f"no RDAP bootstrap file {kind}.json")
        best: tuple[int, str] | None = None
        for entries, urls in registry.get("services", ()):
            for entry in entries:
                size = _match(kind, entry, key)
                if size is not None and urls and (best is None or size > best[0]):
                    https = [u for u in urls if u.startswith("https:")]
                    best = (size, (https or urls)[0])
        if best is None:
            raise RdapError(f"no RDAP server for {key}")
        return best[1].rstrip("/") + "/"

    def _get(self, url: str) -> dict[str, Any] | None:
        cached = self._cached(url)
        if cached is not None:
            return cached["body"]
        name = urlsplit(url).netloc
        service = self._services.setdefault(name, _Service())
        for attempt in range(self.retries + 1):
            self._admit(name, service)
            self._pace(name)
            started = time.monotonic()
            try:
                self.requests_made += 1
                response = self.session.get(url, timeout=self._timeouts())
            except (requests.Timeout, requests.ConnectionError) as exc:
                self._lost += time.monotonic() - started
                problem = f"{type(exc).__name__} for {url}"
                if service.failed(problem, self.breaker):
                    raise RdapUnavailable(f"{name} unreachable: {problem}") from exc
                continue  # no wait: the breaker, not a backoff, ends a dead service
            self._last[name] = time.monotonic()
            service.failures = 0
            if response.status_code == 404:
                self._store(url, None)
                return None
            if response.ok:
                try:
                    body = response.json()
                except ValueError as exc:
                    raise RdapError(f"{url}: answer is not JSON") from exc
                self._store(url, body)
                return body
            if response.status_code not in RETRY_STATUS:
                raise RdapError(f"{url}: HTTP {response.status_code}")
            self._lost += time.monotonic() - started
            problem = f"HTTP {response.status_code} for {url}"
            wait = min(max(self.backoff * 2**attempt, _retry_after(response)), MAX_RETRY_AFTER)
            if attempt == self.retries or wait >= self.budget - self._lost:
                break
            time.sleep(wait)
            self._lost += wait
        raise RdapError(f"{problem} after {attempt + 1} attempts")

    def _admit(self, name: str, service: _Service) -> None:
        """Refuse a request to an open service, or any once the budget is spent."""
        if service.open:
            service.skipped += 1
            raise RdapUnavailable(f"{name} unreachable: {service.last}")
        if self._lost >= self.budget:
            self._skipped_by_budget += 1
            raise RdapUnavailable(f"network budget of {self.budget:g} s spent")

    def _timeouts(self) -> tuple[float, float]:
        """The connect and read timeouts, cut to what is left of the budget."""
        left = self.budget - self._lost
        return (min(self.timeout[0], left), min(self.timeout[1], left))

    def _pace(self, server: str) -> None:
        """Wait out the minimum interval since `server` last answered."""
        earliest = self._last.get(server, 0.0) + self.min_interval
        now = time.monotonic()
        if now < earliest:
            time.sleep(earliest - now)

    def _path(self, url: str) -> Path:
        return self.cache / f"{hashlib.sha256(url.encode()).hexdigest()}.json"

    def _cached(self, url: str) -> dict[str, Any] | None:
        path = self._path(url)
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            return None
        return record if time.time() - record["fetched"] < self.max_age else None

    def _store(self, url: str, body: dict[str, Any] | None) -> None:
        self.cache.mkdir(parents=True, exist_ok=True)
        path = self._path(url)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"url": url, "fetched": time.time(), "body": body}))
        temporary.replace(path)


class _Service:
    """What one host did this run: connection failures (in a row and in all), the last one,
    and the look-ups refused once it was found unreachable."""

    def __init__(self) -> None:
        self.failures = 0
        self.total = 0
        self.last = ""
        self.open = False
        self.skipped = 0

    def failed(self, problem: str, breaker: int) -> bool:
        """Count a connection failure; True when it opens the breaker."""
        self.failures += 1
        self.total += 1
        self.last = problem
        self.open = self.failures >= breaker
        return self.open

    def summary(self, name: str, *, bootstrap: bool) -> str:
        role = "bootstrap server (so no RDAP server either)" if bootstrap else "server"
        return (
            f"RDAP {role} {name} unreachable after {self.total} connection failures "
            f"(last: {self.last}); not asked again, {self.skipped} look-ups skipped"
        )


def _match(kind: str, entry: str, key: Any) -> int | None:
    """How specific a bootstrap entry is for `key` (longer is better), or None."""
    if kind == "dns":
        name = str(key)
        return len(entry) if name == entry or name.endswith("." + entry) else None
    network = ipaddress.ip_network(entry, strict=False)
    return network.prefixlen if key in network else None


def _retry_after(response: requests.Response) -> float:
    try:
        return float(response.headers.get("Retry-After", 0))
    except ValueError:
        return 0.0
