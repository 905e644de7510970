"""Byte-level readers for maker and platform clues: real text runs and their entropy,
copyright holders, devicetree root nodes and certificate subjects.

A name only counts where a person reading the bytes would see text: inside a printable run,
as a whole word, in surroundings that are not compressed or random. Compressed partitions,
encrypted payloads and random bytes hold every short name somewhere; these checks keep them
out of maker claims.
"""

from __future__ import annotations

import math
import re
import struct
from collections import Counter
from dataclasses import dataclass

PRINTABLE = frozenset((9, 10, 13, *range(32, 127)))
WINDOW = 128  # bytes each side of a match for the entropy check
RUN_LIMIT = 400  # furthest a text run is followed from a match


def entropy(data: bytes) -> float:
    """Shannon entropy in bits per byte (0.0 for no data)."""
    if not data:
        return 0.0
    total = len(data)
    return -sum(n / total * math.log2(n / total) for n in Counter(data).values())


def text_run(data: bytes, start: int, end: int) -> tuple[int, int]:
    """The printable run around data[start:end] (the UTF-8 copyright sign counts as text),
    at most RUN_LIMIT bytes each side."""
    left = start
    floor = max(0, start - RUN_LIMIT)
    while left > floor:
        byte = data[left - 1]
        if byte in PRINTABLE:
            left -= 1
        elif byte == 0xA9 and left >= 2 and data[left - 2] == 0xC2:
            left -= 2
        else:
            break
    right = end
    ceiling = min(len(data), end + RUN_LIMIT)
    while right < ceiling:
        byte = data[right]
        if byte in PRINTABLE:
            right += 1
        elif byte == 0xC2 and right + 1 < len(data) and data[right + 1] == 0xA9:
            right += 2
        else:
            break
    return left, right


def is_text(
    data: bytes, start: int, end: int, *, min_run: int, long_run: int, max_entropy: float
) -> bool:
    """Whether data[start:end] sits in real text: every byte printable, in a run of at least
    `min_run` bytes, and either a long run (random bytes hold a printable run of 16 once in
    some 10 GB) or surroundings below `max_entropy` bits per byte."""
    left, right = text_run(data, start, end)
    if left > start or right < end or right - left < min_run:
        return False
    if right - left >= long_run:
        return True
    window = data[max(0, start - WINDOW) : end + WINDOW]
    return entropy(window) <= max_entropy


def whole_word(data: bytes, start: int, end: int) -> bool:
    """Neither neighbour is a letter, digit or underscore (CONFIG_NET_VENDOR_HUAWEI is not
    the word HUAWEI)."""
    before = data[start - 1 : start]
    after = data[end : end + 1]
    return not (before and _word(before[0])) and not (after and _word(after[0]))


def _word(byte: int) -> bool:
    return 48 <= byte <= 57 or 65 <= byte <= 90 or 97 <= byte <= 122 or byte == 95


def line_at(data: bytes, start: int, end: int) -> tuple[int, int]:
    """The line (within its printable run) holding data[start:end]."""
    left, right = text_run(data, start, end)
    line_start = max(data.rfind(b"\n", left, start), data.rfind(b"\r", left, start)) + 1
    line_start = max(line_start, left)
    stops = [i for i in (data.find(b"\n", end, right), data.find(b"\r", end, right)) if i >= 0]
    return line_start, min(stops) if stops else right


def shown(data: bytes, start: int, end: int, context: int = 48) -> str:
    """The matched bytes with some context, as one printable line."""
    text = data[max(0, start - context) : end + context].decode("latin-1")
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())[:160]


# --- copyright lines ---------------------------------------------------------------------

# "(c)" only as a sign (a space or a year after it), not a call such as test(C)
COPYRIGHT_MARK = re.compile(
    r"(?i)copyright|(?<![A-Za-z0-9_])\(c\)(?=[\s\d])|&copy;|©|all rights reserved"
)
_LEAD = re.compile(
    r"^(?:[\s:,]|copyright\b|\(c\)|&copy;|©|\d{4}(?:\s*[-\u2013~,/]\s*\d{2,4})*|by\b)+", re.I
)
_ABBREVIATIONS = frozenset(
    {"co.", "inc.", "corp.", "ltd.", "co.,", "co.,ltd.", "s.a.", "b.v.", "n.v.", "l.l.c."}
)


@dataclass(frozen=True)
class Holder:
    """A copyright holder read from a line, and where it starts in the line."""

    name: str
    start: int


def copyright_holders(line: str) -> list[Holder]:
    """The holders a copyright line names: the words after each mark (years and "by"
    skipped) up to the end of the sentence, or the words before "All rights reserved"."""
    found = []
    for mark in COPYRIGHT_MARK.finditer(line):
        if mark.group().lower() == "all rights reserved":
            before = line[: mark.start()].rstrip(" .,")
            sentence = re.split(r"(?i)copyright|\(c\)|&copy;|©|\.\s", before)[-1]
            name = _clean(_LEAD.sub("", sentence.strip()))
            if name:
                found.append(Holder(name, max(0, line.rfind(name, 0, mark.start()))))
            continue
        rest = line[mark.end() :]
        lead = _LEAD.match(rest)
        start = mark.end() + (lead.end() if lead else 0)
        name = _sentence(line[start:])
        if name:
            found.append(Holder(name, start))
    return [h for h in found if h.name]


_TERMINAL = frozenset(
    {"inc", "ltd", "corp", "corporation", "limited", "llc", "gmbh", "ag", "plc", "coltd"}
)
_MARKUP = re.compile(r"[<>\"{}\[\]|;=\\]")


def _sentence(text: str) -> str:
    """The holder's words: up to the end of the sentence, a company's legal form, markup,
    a format directive or 8 words."""
    words: list[str] = []
    for token in text.split():
        if (token.lower() == "all" and words) or "%" in token or token.endswith(":"):
            break
        word = _MARKUP.split(token)[0]
        if word:
            words.append(word)
        if word != token:
            break
        plain = "".join(c for c in word.lower() if c.isalnum())
        if plain in _TERMINAL and not word.endswith(","):
            break
        if word.endswith((".", ",")) and word.lower() not in _ABBREVIATIONS:
            break
        if len(words) >= 8:
            break
    return _clean(" ".join(words))


def _clean(name: str) -> str:
    return name.strip(" .,;:-'\"()").strip()


def company_name(
    name: str, suffixes: frozenset[str], not_company: frozenset[str], not_makers: frozenset[str]
) -> str | None:
    """`name` when it reads as a company (ends with a company word such as Inc or
    Corporation, starts with a capital, is not a project, institution or distribution)."""
    words = [w.strip(".,()") for w in name.replace(",", " ").split()]
    words = [w for w in words if w]
    if len(words) < 2 or not words[0][:1].isupper() or len(name) > 60:
        return None
    if name.lower() in not_makers or words[0].lower() in not_makers:
        return None
    if any(w.lower() in not_company for w in words):
        return None
    tail = words[-1].lower().replace(".", "")
    return name if tail in suffixes else None


# --- devicetree --------------------------------------------------------------------------

FDT_MAGIC = 0xD00DFEED
_BEGIN_NODE, _END_NODE, _PROP, _NOP, _END = 1, 2, 3, 4, 9


@dataclass(frozen=True)
class DeviceTree:
    """The root node of a flattened devicetree: its compatible list and model."""

    compatible: tuple[str, ...]
    model: str | None


def devicetree(data: bytes, offset: int) -> DeviceTree | None:
    """The root node of the FDT blob at `offset`, or None when it is not a valid one."""
    try:
        magic, size, off_struct, off_strings = struct.unpack_from(">IIII", data, offset)
    except struct.error:
        return None
    if magic != FDT_MAGIC or not 40 <= size <= len(data) - offset:
        return None
    if not (off_struct < size and off_strings < size):
        return None
    props = _root_properties(data[offset : offset + size], off_struct, off_strings)
    compatible = tuple(s.decode("latin-1") for s in props.get("compatible", b"").split(b"\0") if s)
    model = props.get("model", b"").rstrip(b"\0").decode("latin-1") or None
    return DeviceTree(compatible, model) if compatible or model else None


def _root_properties(blob: bytes, at: int, strings: int) -> dict[str, bytes]:
    """The properties of the root node, walking the structure block from `at`."""
    props: dict[str, bytes] = {}
    depth = 0
    for _ in range(100_000):  # a hostile blob never loops for long
        if at + 4 > len(blob):
            break
        (token,) = struct.unpack_from(">I", blob, at)
        at += 4
        if token == _BEGIN_NODE:
            end = blob.find(b"\0", at)
            at = (end + 4) & ~3
            depth += 1
            if end < 0:
                break
        elif token == _PROP and at + 8 <= len(blob):
            length, name_off = struct.unpack_from(">II", blob, at)
            if depth == 1:
                name_end = blob.find(b"\0", strings + name_off)
                name = blob[strings + name_off : name_end].decode("latin-1")
                props[name] = blob[at + 8 : at + 8 + length]
            at = (at + 8 + length + 3) & ~3
        elif token == _END_NODE and depth > 1:
            depth -= 1
        elif token != _NOP:
            break  # the root node ended, or the blob is broken
    return props


# --- certificates ------------------------------------------------------------------------

_OID_ORG = b"\x06\x03\x55\x04\x0a"
_OID_BASIC_CONSTRAINTS = b"\x06\x03\x55\x1d\x13"
_STRING_TAGS = frozenset({0x0C, 0x13, 0x14, 0x16, 0x1E})


def _tlv(data: bytes, at: int) -> tuple[int, int, int] | None:
    """(tag, value start, value end) of the DER element at `at`."""
    if at + 2 > len(data):
        return None
    tag, first = data[at], data[at + 1]
    at += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if not 1 <= count <= 3 or at + count > len(data):
            return None
        length = int.from_bytes(data[at : at + count], "big")
        at += count
    if at + length > len(data):
        return None
    return tag, at, at + length


def certificate_subject_org(data: bytes, offset: int) -> str | None:
    """The subject organisation (O=) of the X.509 certificate in DER at `offset`, when it
    is a device certificate: not a CA certificate and not self-signed."""
    fields = _tbs_fields(data, offset)
    if fields is None or len(fields) < 5:
        return None
    issuer, subject = fields[2], fields[4]
    if data[issuer[1] : issuer[2]] == data[subject[1] : subject[2]]:
        return None  # self-signed: a root, not a device
    if _is_ca(data[fields[0][1] : fields[-1][2]]):
        return None
    return _name_org(data[subject[1] : subject[2]])


def _is_ca(tbs: bytes) -> bool:
    """basicConstraints says cA TRUE (an optional `critical` flag before its value)."""
    at = tbs.find(_OID_BASIC_CONSTRAINTS)
    if at < 0:
        return False
    element = _tlv(tbs, at + len(_OID_BASIC_CONSTRAINTS))
    if element and element[0] == 0x01:  # critical
        element = _tlv(tbs, element[2])
    if not element or element[0] != 0x04:
        return False
    sequence = _tlv(tbs, element[1])
    if not sequence or sequence[0] != 0x30 or sequence[1] == sequence[2]:
        return False
    first = _tlv(tbs, sequence[1])
    return bool(first and first[0] == 0x01 and tbs[first[1] : first[2]] != b"\x00")


def _tbs_fields(data: bytes, offset: int) -> list[tuple[int, int, int]] | None:
    """The elements of the certificate's tbsCertificate, the version dropped."""
    cert = _tlv(data, offset)
    tbs = _tlv(data, cert[1]) if cert and cert[0] == 0x30 else None
    if not tbs or tbs[0] != 0x30:
        return None
    fields = []
    at = tbs[1]
    while at < tbs[2] and len(fields) < 10:
        element = _tlv(data, at)
        if not element:
            return None
        fields.append(element)
        at = element[2]
    return fields[1:] if fields and fields[0][0] == 0xA0 else fields


def _name_org(name: bytes) -> str | None:
    found = name.find(_OID_ORG)
    value = _tlv(name, found + len(_OID_ORG)) if found >= 0 else None
    if not value or value[0] not in _STRING_TAGS:
        return None
    raw = name[value[1] : value[2]]
    text = raw.decode("utf-16-be" if value[0] == 0x1E else "utf-8", errors="replace")
    return text.strip() or None
