"""The full audit result as a JSON document, and back: what batch runs keep per image and
what `fwaudit.load` reopens.

The document is the `AuditData` dataclass tree as plain JSON (enums as their values,
paths as strings, tuples as lists) under a small header naming the format and the versions
that made it. Reading it back rebuilds the same frozen types, checked field by field.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

from ._data import signatures_version
from .errors import InputError
from .model import AuditData

FORMAT = "fwaudit-result"
FORMAT_VERSION = 1


def result_to_json(result: AuditData) -> str:
    """The whole result, with a header, as compact JSON text."""
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "fwaudit_version": result.fwaudit_version,
        "signatures_version": signatures_version(),
        "result": _plain(result),
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def result_from_json(text: str | bytes) -> AuditData:
    """Rebuild an `AuditData`; a document of another format is an `InputError`."""
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise InputError(f"not JSON: {exc}") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InputError("not a fwaudit result document")
    if document.get("format_version") != FORMAT_VERSION:
        raise InputError(f"result format version {document.get('format_version')} not supported")
    try:
        return _build(AuditData, document["result"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"damaged fwaudit result: {exc}") from exc


def load_result(path: str | Path) -> AuditData:
    """Read a result file written by `result_to_json` (``*.result.json``)."""
    return result_from_json(Path(path).read_bytes())


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _build(tp: Any, data: Any) -> Any:
    """`data` (plain JSON) as a value of type `tp`."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        return None if data is None else _build(options[0], data)
    if origin is tuple:
        return _build_tuple(typing.get_args(tp), data)
    if dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        names = {f.name for f in dataclasses.fields(tp)}
        if unknown := set(data) - names:
            raise ValueError(f"{tp.__name__}: unknown fields {sorted(unknown)}")
        return tp(**{name: _build(hints[name], value) for name, value in data.items()})
    return _build_scalar(tp, data)


def _build_tuple(args: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    if len(args) == 2 and args[1] is Ellipsis:
        return tuple(_build(args[0], item) for item in data)
    if len(args) != len(data):
        raise ValueError(f"expected {len(args)} items, got {len(data)}")
    return tuple(_build(a, item) for a, item in zip(args, data, strict=True))


def _build_scalar(tp: Any, data: Any) -> Any:
    if isinstance(tp, type) and issubclass(tp, Enum | Path):
        return tp(data)
    if tp is float and isinstance(data, int):
        return float(data)
    if tp in (str, int, float, bool) and not isinstance(data, tp):
        raise ValueError(f"expected {tp.__name__}, got {type(data).__name__}")
    return data
