"""The RDAP client against a real HTTP server on loopback serving RFC 9083 answers."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from fwaudit.jurisdiction.data import load
from fwaudit.jurisdiction.geography import locate, summarize
from fwaudit.jurisdiction.rdap import RdapClient, RdapError
from fwaudit.model import Endpoint, Evidence, Technique

DOMAIN = {
    "objectClassName": "domain",
    "ldhName": "example-cloud.cn",
    "handle": "20221124s10001s00000001-cn",
    "events": [{"eventAction": "registration", "eventDate": "2015-03-10T08:00:00Z"}],
    "entities": [
        {
            "objectClassName": "entity",
            "roles": ["registrar"],
            "vcardArray": [
                "vcard",
                [["version", {}, "text", "4.0"], ["fn", {}, "text", "Reg Ltd"]],
            ],
        },
        {
            "objectClassName": "entity",
            "roles": ["registrant"],
            "vcardArray": [
                "vcard",
                [["adr", {"cc": "CN"}, "text", ["", "", "", "Hangzhou", "", "", ""]]],
            ],
        },
    ],
}
NETWORK = {
    "objectClassName": "ip network",
    "handle": "203.0.113.0 - 203.0.113.255",
    "startAddress": "203.0.113.0",
    "endAddress": "203.0.113.255",
    "name": "EXAMPLE-NET",
    "country": "CN",
}


class Rdap(BaseHTTPRequestHandler):
    """Bootstrap files and RDAP answers; behaviour chosen by the path."""

    hits: ClassVar[Counter] = Counter()

    def do_GET(self) -> None:
        Rdap.hits[self.path] += 1
        base = f"http://127.0.0.1:{self.server.server_port}/rdap/"
        if self.path == "/dns.json":
            self._json(200, {"version": "1.0", "services": [[["cn"], [base]]]})
        elif self.path == "/ipv4.json":
            self._json(200, {"version": "1.0", "services": [[["203.0.113.0/24"], [base]]]})
        elif self.path == "/rdap/domain/example-cloud.cn":
            self._json(200, DOMAIN)
        elif self.path == "/rdap/ip/203.0.113.5":
            if Rdap.hits[self.path] == 1:
                self._json(429, {"errorCode": 429, "title": "slow down"}, {"Retry-After": "0"})
            else:
                self._json(200, NETWORK)
        elif self.path == "/rdap/domain/slow.cn":
            time.sleep(0.6)
            self._json(200, DOMAIN)
        elif self.path == "/rdap/domain/broken.cn":
            self._json(503, {"errorCode": 503})
        else:
            self._json(404, {"errorCode": 404, "title": "not found"})

    def _json(self, status: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/rdap+json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError):  # the client timed out first, as meant
            self.wfile.write(data)

    def log_message(self, *args) -> None:  # keep test output quiet
        pass


@pytest.fixture
def server():
    Rdap.hits = Counter()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Rdap)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/"
    httpd.shutdown()
    httpd.server_close()


def client(server: str, tmp_path: Path, **kwargs) -> RdapClient:
    options = {"timeout": 0.3, "retries": 1, "backoff": 0.01, "min_interval": 0.0, **kwargs}
    return RdapClient(tmp_path, bootstrap=server, **options)


def test_domain_success_is_parsed_and_cached(server: str, tmp_path: Path) -> None:
    rdap = client(server, tmp_path)
    answer = rdap.domain("api.example-cloud.cn")  # the registrable domain is looked up
    assert answer["ldhName"] == "example-cloud.cn"
    assert summarize(answer) == {
        "handle": "20221124s10001s00000001-cn",
        "ldhname": "example-cloud.cn",
        "registered": "2015-03-10",
        "registrar": "Reg Ltd",
        "registrant-country": "CN",
    }
    again = client(server, tmp_path)
    assert again.domain("example-cloud.cn") == answer
    assert again.requests_made == 0  # bootstrap and answer both from the disk cache
    assert Rdap.hits["/rdap/domain/example-cloud.cn"] == 1


def test_not_found_is_none_and_cached(server: str, tmp_path: Path) -> None:
    rdap = client(server, tmp_path)
    assert rdap.domain("missing.cn") is None
    assert rdap.domain("missing.cn") is None
    assert Rdap.hits["/rdap/domain/missing.cn"] == 1


def test_429_then_success_is_retried(server: str, tmp_path: Path) -> None:
    answer = client(server, tmp_path).ip("203.0.113.5")
    assert answer["country"] == "CN" and Rdap.hits["/rdap/ip/203.0.113.5"] == 2


def test_timeout_and_5xx_end_in_rdap_error(server: str, tmp_path: Path) -> None:
    rdap = client(server, tmp_path)
    with pytest.raises(RdapError, match="Timeout"):
        rdap.domain("slow.cn")
    with pytest.raises(RdapError, match="HTTP 503"):
        rdap.domain("broken.cn")
    assert Rdap.hits["/rdap/domain/broken.cn"] == 2  # one retry


def test_no_server_for_a_tld_is_an_error(server: str, tmp_path: Path) -> None:
    with pytest.raises(RdapError, match="no RDAP server"):
        client(server, tmp_path).domain("example.de")


def test_requests_to_one_server_are_spaced(server: str, tmp_path: Path) -> None:
    rdap = client(server, tmp_path, min_interval=0.2)
    started = time.monotonic()
    rdap.domain("missing.cn")  # bootstrap + answer: two requests
    rdap.domain("other-missing.cn")
    assert time.monotonic() - started >= 0.4


def test_online_geography_adds_rdap_facts_and_keeps_errors(server: str, tmp_path: Path) -> None:
    rdap = client(server, tmp_path)
    evidence = (Evidence("etc/cloud.conf", 0, "endpoint-regex", "x", Technique.BINARY, 0.8),)
    named = Endpoint("p2p.example-cloud.cn", "hostname", True, evidence)
    where = locate(named, load(), rdap)
    assert where.registration_country == "CN" and where.registration_source == "ccTLD .cn"
    assert "rdap-registrant-country: CN" in where.rdap
    slow = Endpoint("slow.cn", "hostname", True, evidence)
    assert locate(slow, load(), rdap).rdap[0].startswith("rdap-error:")
