"""The endpoint context table: every rule decides its own fixtures, and the table is checked."""

from __future__ import annotations

import pytest

from fwaudit.endpoints import judge, scan_entry
from fwaudit.endpoints.contexts import context_table, parse_table
from fwaudit.errors import SignatureError
from fwaudit.model import FileEntry

FILLER = b"This line of the manual explains an option in plain words.\n"


def _fixtures():
    for rule in context_table().rules:
        for index, fixture in enumerate(rule.fixtures):
            yield pytest.param(rule.id, rule.context, fixture, id=f"{rule.id}-{index}")


@pytest.mark.parametrize(("rule", "context", "fixture"), list(_fixtures()))
def test_each_rule_decides_its_fixture(rule: str, context: str, fixture: dict) -> None:
    data = FILLER * fixture.get("lines_before", 0) + fixture["text"].encode("latin-1")
    path, kind = fixture.get("path", "usr/bin/app"), fixture.get("kind", "data")
    found = scan_entry(FileEntry(path, len(data), "x", kind), data)
    host = str(fixture["host"]).lower()
    assert host in found, f"{host} not seen in {fixture['text']!r}"
    first = judge(host, found[host], path, kind).judged[0]
    assert (first.rule, first.context) == (rule, context)


def test_every_context_has_a_meaning_and_outbound_ones_are_few() -> None:
    table = context_table()
    assert table.outbound == {"config", "code", "ui-option"}
    assert {r.context for r in table.rules} <= set(table.meanings)


@pytest.mark.parametrize(
    "raw",
    [
        {"outbound": {"code": "x"}, "rules": [{"id": "a", "context": "nope", "token": "x"}]},
        {"outbound": {"code": "x"}, "rules": [{"id": "a", "context": "code", "token": "x"}]},
        {"outbound": {"code": "x"}, "rules": [{"id": "a", "context": "code", "fixtures": [1]}]},
        {
            "outbound": {"code": "x"},
            "rules": [{"id": "a", "context": "code", "token": "(", "fixtures": [1]}],
        },
    ],
)
def test_a_malformed_table_is_refused(raw: dict) -> None:
    with pytest.raises(SignatureError):
        parse_table(raw, "test")
