"""The official CycloneDX 1.6 schemas (from cyclonedx-python-lib) as validators built once
per process: every SBOM fwaudit writes is checked against them."""

from __future__ import annotations

import copy
import json
import sys
from functools import cache
from typing import Any

from rfc3986_validator import validate_rfc3986

#: Compiles ~40 Earley parsers when imported (about 0.9 s); jsonschema imports it, when
#: installed, for its IRI format checks, which `json_validator` replaces anyway.
_IRI_GRAMMAR = "rfc3987_syntax"


def is_iri_reference(text: object) -> bool:
    """RFC 3987 IRI-reference, as the schema's ``iri-reference`` format demands. An ASCII
    IRI is a URI, checked by RFC 3986's regular expression; only non-ASCII text needs the
    full IRI grammar, whose Earley parser costs ~20 ms a string."""
    if not isinstance(text, str):
        return True
    if text.isascii():
        return validate_rfc3986(text, rule="URI_reference") is not None
    from rfc3987_syntax import is_valid_syntax

    return bool(is_valid_syntax("iri_reference", text))


def _is_iri(text: object) -> bool:
    if not isinstance(text, str):
        return True
    if text.isascii():
        return validate_rfc3986(text, rule="URI") is not None
    from rfc3987_syntax import is_valid_syntax

    return bool(is_valid_syntax("iri", text))


def _import_jsonschema() -> None:
    """Import jsonschema without the IRI grammar (see `_IRI_GRAMMAR`): loaded only when a
    non-ASCII IRI is checked."""
    if "jsonschema" in sys.modules or _IRI_GRAMMAR in sys.modules:
        return
    sys.modules[_IRI_GRAMMAR] = None  # type: ignore[assignment]  # its import fails: skipped
    try:
        import jsonschema  # noqa: F401
    finally:
        del sys.modules[_IRI_GRAMMAR]


@cache
def json_validator() -> Any:
    """The official CycloneDX 1.6 strict JSON schema and its registry, with the same format
    checks, the IRI ones made fast (see `is_iri_reference`)."""
    _import_jsonschema()
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    official: Any = JsonStrictValidator(SchemaVersion.V1_6)._validator
    checker = copy.copy(official.format_checker)
    checker.checkers = {
        **checker.checkers,
        "iri-reference": (is_iri_reference, ()),
        "iri": (_is_iri, ()),
    }
    return official.evolve(format_checker=checker)


@cache
def _xml_validator() -> Any:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.xml import XmlValidator

    return XmlValidator(SchemaVersion.V1_6)


def json_errors(text: str) -> str | None:
    """The first way `text` breaks the CycloneDX 1.6 strict JSON schema, or None."""
    error = next(json_validator().iter_errors(json.loads(text)), None)
    return None if error is None else f"{error.message} at {'/'.join(map(str, error.path))}"


def xml_errors(text: str) -> str | None:
    """How `text` breaks the CycloneDX 1.6 XSD, or None."""
    errors = _xml_validator().validate_str(text)
    return None if errors is None else str(errors)
