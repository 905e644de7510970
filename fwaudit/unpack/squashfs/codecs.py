"""Block decompression, including the vendor LZMA containers, probed from the data.

A `BlockDecoder` tries the declared compressor first, then every other codec, and keeps the
first that gives the expected output so later blocks try it first (reference sec. 6 to 8).
Output is accepted only when its length is the one expected (exactly, when known), because
several LZMA containers decode without an end marker.
"""

from __future__ import annotations

import lzma
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from .superblock import Superblock

RAW_DICT = 1 << 23  # 8 MiB: any dictionary at least as large as the output works
DecodeFn = Callable[[bytes, int], bytes]


class DecodeError(Exception):
    """No codec produced the expected output for a block."""


@dataclass(frozen=True)
class Codec:
    name: str
    decode: DecodeFn  # (data, limit) -> output of at most `limit` bytes


def _zlib(data: bytes, limit: int) -> bytes:
    engine = zlib.decompressobj()
    out = engine.decompress(data, limit)
    return out


def _xz(data: bytes, limit: int) -> bytes:
    return lzma.LZMADecompressor(lzma.FORMAT_XZ).decompress(data, max_length=limit)


def _lzma_alone(data: bytes, limit: int) -> bytes:
    """LZMA-13: props, u32 dict, u64 size, stream (squashfs-tools, sqlzma)."""
    if len(data) < 13 or data[0] >= 225:
        raise DecodeError("not an LZMA-alone header")
    return lzma.LZMADecompressor(lzma.FORMAT_ALONE).decompress(data, max_length=limit)


def _raw(data: bytes, limit: int, props: int, dict_size: int) -> bytes:
    lc, lp, pb = props % 9, (props // 9) % 5, props // 45
    if lc + lp > 4 or pb > 4:
        raise DecodeError(f"LZMA properties lc{lc} lp{lp} pb{pb} are outside liblzma's range")
    filters = [
        {"id": lzma.FILTER_LZMA1, "lc": lc, "lp": lp, "pb": pb, "dict_size": max(dict_size, 4096)}
    ]
    return lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=filters).decompress(
        data, max_length=limit
    )


def _lzma5(data: bytes, limit: int) -> bytes:
    """LZMA-5: props and u32 dict, no size field (TRENDnet/Alpha v4, BCM963xx v2)."""
    if len(data) < 6:
        raise DecodeError("too short for LZMA-5")
    dict_size = struct.unpack_from("<I", data, 1)[0]
    return _raw(data[5:], limit, data[0], dict_size)


def _lzma_adaptive(data: bytes, limit: int) -> bytes:
    """Headerless LZMA, lc3 lp0 pb2 (Freetz/AVM minor-76 v2/v3)."""
    return _raw(data, limit, 3 + 9 * 0 + 45 * 2, RAW_DICT)


def _ddwrt(data: bytes, limit: int) -> bytes:
    """DD-WRT: pb, lc, lp in bytes 0-2, stream from byte 4."""
    if len(data) < 5:
        raise DecodeError("too short for DD-WRT LZMA")
    pb, lc, lp = data[0], data[1], data[2]
    return _raw(data[4:], limit, lc + 9 * lp + 45 * pb, RAW_DICT)


def _lzo(data: bytes, limit: int) -> bytes:
    from lzallright import LZOCompressor

    return LZOCompressor.decompress(data, output_size_hint=limit)[:limit]


def _lz4(data: bytes, limit: int) -> bytes:
    import lz4.block

    return lz4.block.decompress(data, uncompressed_size=limit)


def _zstd(data: bytes, limit: int) -> bytes:
    import pyzstd

    return pyzstd.decompress(data)[: limit + 1]


CODECS = {
    c.name: c
    for c in (
        Codec("zlib", _zlib),
        Codec("xz", _xz),
        Codec("lzma", _lzma_alone),
        Codec("lzma-5", _lzma5),
        Codec("lzma-raw", _lzma_adaptive),
        Codec("lzma-ddwrt", _ddwrt),
        Codec("lzo", _lzo),
        Codec("lz4", _lz4),
        Codec("zstd", _zstd),
    )
}
PROBE_ORDER = ("zlib", "lzo", "lz4", "xz", "zstd", "lzma", "lzma-5", "lzma-raw", "lzma-ddwrt")


def initial_order(sb: Superblock) -> list[str]:
    """Codecs to try, the superblock's hints first."""
    first: list[str] = []
    if sb.compression == "lzma":
        first = ["lzma", "lzma-5"]
    elif sb.compression in CODECS:
        first = [sb.compression]
    elif sb.family == "sqlzma":
        first = ["lzma", "zlib"]
    elif sb.family == "dd-wrt":
        first = ["lzma-ddwrt", "lzma-raw"]
    elif sb.minor == 76:  # 'L': Freetz/AVM LZMA on v2/v3
        first = ["lzma-raw"]
    elif sb.major < 4:
        first = ["zlib"]
    return first + [name for name in PROBE_ORDER if name not in first]


class BlockDecoder:
    """Decodes blocks of one image, learning which codec the image uses."""

    def __init__(self, sb: Superblock) -> None:
        self.order = initial_order(sb)
        self.used: dict[str, int] = {}

    def decode(self, data: bytes, limit: int, exact: int | None = None) -> bytes:
        """Decode one block into at most `limit` bytes (exactly `exact` when given)."""
        for name in self.order:
            try:
                out = CODECS[name].decode(data, limit)
            except Exception:  # noqa: S112 - a wrong codec fails in codec-specific ways
                continue
            if (exact is not None and len(out) != exact) or not out or len(out) > limit:
                continue
            if name != self.order[0]:
                self.order.remove(name)
                self.order.insert(0, name)
            self.used[name] = self.used.get(name, 0) + 1
            return out
        raise DecodeError(f"no codec decoded a {len(data)}-byte block (tried {self.order})")

    def variant(self) -> str:
        """The codecs that decoded this image's blocks, most used first."""
        ranked = sorted(self.used.items(), key=lambda item: -item[1])
        return ", ".join(name for name, _ in ranked) or "none (all stored raw)"


def first_block_codec(sb: Superblock, block: bytes) -> str:
    """The codec that decodes a metadata block (its length word first), or why none does."""
    if len(block) < 3:
        return "nothing (truncated)"
    (word,) = struct.unpack_from("<H" if sb.avm else sb.order + "H", block, 0)
    start = 3 if sb.check_marker else 2
    if word & 0x8000:
        return "none (stored raw)"
    decoder = BlockDecoder(sb)
    try:
        decoder.decode(block[start : start + (word & 0x7FFF)], 8192)
    except DecodeError:
        return "no known codec"
    return decoder.variant()
