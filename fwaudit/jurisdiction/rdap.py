"""An RDAP client (RFC 9082/9083, bootstrap RFC 9224) for `--online` runs only.

Servers come from the IANA bootstrap files; every answer (a 404 too) is cached on disk;
requests have a timeout, a minimum interval per server, and retries with exponential backoff
on timeouts, connection errors, 429 and 5xx (honouring Retry-After). Nothing here runs unless
the caller creates a client: offline audits make no network call.
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

IANA_BOOTSTRAP = "https://data.iana.org/rdap/"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 60.0


class RdapError(FwauditError):
    """An RDAP look-up failed after its retries (the audit records it and goes on)."""


class RdapClient:
    """Looks up domains and IP addresses over RDAP, politely and with a disk cache."""

    def __init__(
        self,
        cache_dir: Path,
        *,
        bootstrap: str = IANA_BOOTSTRAP,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 1.0,
        min_interval: float = 1.0,
        max_age_days: float = 30.0,
        session: requests.Session | None = None,
    ) -> None:
        self.cache = Path(cache_dir) / "rdap"
        self.bootstrap = bootstrap.rstrip("/") + "/"
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.min_interval = min_interval
        self.max_age = max_age_days * 86400
        self.session = session or requests.Session()
        self.session.headers.update(
            {"Accept": "application/rdap+json", "User-Agent": f"fwaudit/{__version__}"}
        )
        self._last: dict[str, float] = {}
        self.requests_made = 0

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
        for attempt in range(self.retries + 1):
            self._pace(url)
            wait = self.backoff * 2**attempt
            try:
                self.requests_made += 1
                response = self.session.get(url, timeout=self.timeout)
            except (requests.Timeout, requests.ConnectionError) as exc:
                problem = f"{type(exc).__name__} for {url}"
            else:
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
                problem = f"HTTP {response.status_code} for {url}"
                wait = max(wait, _retry_after(response))
            if attempt < self.retries:
                time.sleep(min(wait, MAX_RETRY_AFTER))
        raise RdapError(f"{problem} after {self.retries + 1} attempts")

    def _pace(self, url: str) -> None:
        server = urlsplit(url).netloc
        earliest = self._last.get(server, 0.0) + self.min_interval
        now = time.monotonic()
        if now < earliest:
            time.sleep(earliest - now)
        self._last[server] = time.monotonic()

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
