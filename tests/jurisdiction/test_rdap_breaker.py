"""`--online` without a network fails fast: the RDAP client's circuit breaker and network
budget against real loopback sockets that refuse, hang or drop the connection."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from fwaudit.api import Auditor
from fwaudit.jurisdiction.rdap import RdapClient, RdapError, RdapUnavailable
from fwaudit.model import Severity

#: What a stopped look-up may cost (it makes no request and never sleeps).
INSTANT = 0.05
HANG = 0.2  # the connect and read timeout the tests use


@pytest.fixture
def refused() -> str:
    """A loopback port nothing listens on: every connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture
def hanging() -> Iterator[str]:
    """A socket that takes connections (the kernel's backlog) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"


class Flaky(BaseHTTPRequestHandler):
    """A bootstrap naming `dead` for .cn and itself for .com; the first request for each
    domain is dropped unanswered (a connection failure), the next one answered."""

    hits: ClassVar[Counter] = Counter()
    dead: ClassVar[str] = ""

    def do_GET(self) -> None:
        Flaky.hits[self.path] += 1
        if self.path == "/dns.json":
            base = f"http://127.0.0.1:{self.server.server_port}/rdap/"
            self._json({"services": [[["cn"], [Flaky.dead]], [["com"], [base]]]})
        elif Flaky.hits[self.path] == 1:
            self.close_connection = True  # no status line: the client sees a dropped line
        else:
            self._json({"objectClassName": "domain", "ldhName": self.path.rsplit("/", 1)[1]})

    def _json(self, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/rdap+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def flaky(refused: str) -> Iterator[str]:
    Flaky.hits, Flaky.dead = Counter(), refused
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}/"
    httpd.shutdown()
    httpd.server_close()


def client(bootstrap: str, tmp_path: Path, **kwargs) -> RdapClient:
    options = {"timeout": HANG, "backoff": 0.01, "min_interval": 0.0, **kwargs}
    return RdapClient(tmp_path, bootstrap=bootstrap, **options)


def stopped(call) -> float:
    """Seconds a look-up took that had to end in `RdapUnavailable`."""
    started = time.monotonic()
    with pytest.raises(RdapUnavailable):
        call()
    return time.monotonic() - started


def test_refused_bootstrap_opens_the_breaker_and_stops_every_look_up(
    refused: str, tmp_path: Path
) -> None:
    rdap = client(refused, tmp_path, breaker=3)
    assert stopped(lambda: rdap.domain("api.example.cn")) < 1.0  # no backoff sleeps
    assert rdap.requests_made == 3  # retried at once until the breaker opened
    for host in ("a.example.com", "b.example.org", "c.example.cn"):
        assert stopped(lambda h=host: rdap.domain(h)) < INSTANT
    assert stopped(lambda: rdap.ip("203.0.113.5")) < INSTANT
    assert rdap.requests_made == 3  # the stopped look-ups asked no one
    (problem,) = rdap.problems()
    assert (problem.stage, problem.kind, problem.severity) == (
        "jurisdiction",
        "online.unreachable",
        Severity.WARNING,
    )
    assert problem.path == refused.split("/")[2]
    assert "bootstrap server" in problem.detail
    assert "3 connection failures" in problem.detail and "4 look-ups skipped" in problem.detail
    assert not (tmp_path / "rdap").exists()  # a failure to connect is never cached


def test_hanging_server_costs_at_most_the_breaker_times_the_timeout(
    hanging: str, tmp_path: Path
) -> None:
    rdap = client(hanging, tmp_path, breaker=2)
    started = time.monotonic()
    with pytest.raises(RdapUnavailable, match="Timeout"):
        rdap.domain("api.example.cn")
    for _ in range(20):
        assert stopped(lambda: rdap.domain("api.example.cn")) < INSTANT
    assert time.monotonic() - started < 2 * HANG + 1.0
    assert rdap.requests_made == 2
    (problem,) = rdap.problems()
    assert "2 connection failures" in problem.detail and "20 look-ups skipped" in problem.detail


def test_the_network_budget_bounds_the_time_lost(hanging: str, tmp_path: Path) -> None:
    rdap = client(hanging, tmp_path, breaker=100, retries=100, budget=0.5)
    started = time.monotonic()
    with pytest.raises(RdapUnavailable, match="budget"):
        rdap.domain("api.example.cn")  # timeouts cut to what is left of the budget
    assert stopped(lambda: rdap.ip("203.0.113.5")) < INSTANT
    assert 0.5 <= time.monotonic() - started < 0.5 + 1.0
    (problem,) = rdap.problems()
    assert problem.kind == "online.budget" and "2 look-ups skipped" in problem.detail


def test_one_dead_server_stops_only_its_look_ups_and_a_success_resets(
    flaky: str, tmp_path: Path
) -> None:
    rdap = client(flaky, tmp_path, breaker=2)
    # each .com look-up fails once and then answers: with no reset, the second would open
    assert rdap.domain("www.one.com")["ldhName"] == "one.com"
    assert rdap.domain("www.two.com")["ldhName"] == "two.com"
    with pytest.raises(RdapUnavailable):
        rdap.domain("api.example.cn")
    assert stopped(lambda: rdap.domain("ota.example.cn")) < INSTANT
    assert rdap.domain("www.three.com")["ldhName"] == "three.com"  # its server still asked
    (problem,) = rdap.problems()
    assert problem.path == Flaky.dead.split("/")[2] and "RDAP server" in problem.detail


def test_fewer_retries_than_the_breaker_is_a_plain_error(refused: str, tmp_path: Path) -> None:
    rdap = client(refused, tmp_path, retries=1, breaker=3)
    with pytest.raises(RdapError, match=r"ConnectionError .* after 2 attempts") as caught:
        rdap.domain("example.cn")
    assert not isinstance(caught.value, RdapUnavailable) and rdap.problems() == ()


def test_online_audit_without_a_network_is_the_offline_one_plus_one_problem(
    sample: Path, session_cache: Path, refused: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    offline = Auditor(cache_dir=session_cache).audit_data(sample)
    monkeypatch.setenv("FWAUDIT_RDAP_BOOTSTRAP", refused)
    online = Auditor(cache_dir=session_cache, online=True).audit_data(sample)
    assert dict(online.timings)["jurisdiction"] < dict(offline.timings)["jurisdiction"] + 1.0
    added = set(online.problems) - set(offline.problems)
    (problem,) = added
    assert problem.kind == "online.unreachable" and "9 look-ups skipped" in problem.detail
    same = replace(online, problems=offline.problems, timings=offline.timings)
    assert replace(same, unpack=offline.unpack) == offline
    assert not (session_cache / "rdap").exists()
