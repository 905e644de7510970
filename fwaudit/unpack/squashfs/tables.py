"""Metadata tables: decoded whole, with a map from on-disk block offset to decoded offset."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from .codecs import BlockDecoder, DecodeError
from .superblock import NONE, Superblock

METADATA_SIZE = 8192
MAX_TABLE_BYTES = 256 << 20


class CorruptImage(Exception):
    """A table or inode points somewhere it cannot."""


@dataclass
class Table:
    """A decoded metadata table (inodes or directories)."""

    data: bytearray = field(default_factory=bytearray)
    starts: dict[int, int] = field(default_factory=dict)  # on-disk offset -> decoded offset
    error: str | None = None  # set when decoding stopped early

    def position(self, block: int, offset: int) -> int:
        """Decoded position of (metadata block offset, offset inside the block)."""
        if block not in self.starts:
            raise CorruptImage(f"no metadata block at table offset {block}")
        pos = self.starts[block] + offset
        if pos >= len(self.data):
            raise CorruptImage(f"offset {offset} past the end of metadata block {block}")
        return pos


class MetadataReader:
    """Reads metadata blocks of one image (length word, optional check byte, payload)."""

    def __init__(self, image: bytes, sb: Superblock, decoder: BlockDecoder) -> None:
        self.image = image
        self.sb = sb
        self.decoder = decoder
        self.word = "<H" if sb.avm else sb.order + "H"

    def block(self, start: int, exact: int | None = None) -> tuple[bytes, int]:
        """Decode the metadata block at `start` (relative to the superblock)."""
        pos = self.sb.base + start
        if start < 0 or pos + 2 > len(self.image) or start >= self.sb.bytes_used:
            raise CorruptImage(f"metadata block at {start} is outside the image")
        (word,) = struct.unpack_from(self.word, self.image, pos)
        pos += 2 + (1 if self.sb.check_marker else 0)
        size = word & 0x7FFF
        payload = self.image[pos : pos + size]
        if len(payload) != size or size == 0:
            raise CorruptImage(f"metadata block at {start} is truncated")
        end = pos + size - self.sb.base
        if word & 0x8000:
            return bytes(payload), end
        return self.decoder.decode(payload, METADATA_SIZE, exact), end

    def table(self, start: int, end: int) -> Table:
        """Decode every metadata block from `start` up to `end`."""
        table = Table()
        pos = start
        while pos < end:
            try:
                data, next_pos = self.block(pos)
            except (CorruptImage, DecodeError) as exc:
                table.error = f"table at {start}: stopped at block {pos}: {exc}"
                break
            table.starts[pos - start] = len(table.data)
            table.data += data
            pos = next_pos
            if len(table.data) > MAX_TABLE_BYTES:
                table.error = f"table at {start} decodes to more than {MAX_TABLE_BYTES} bytes"
                break
        return table

    def indexed(self, index_start: int, count: int, entry_size: int, pointer: str) -> bytes:
        """A table reached through an index of pointers (fragments): its decoded entries."""
        wanted = count * entry_size
        blocks = -(-wanted // METADATA_SIZE)
        width = struct.calcsize(pointer)
        pos = self.sb.base + index_start
        if index_start == NONE or pos + blocks * width > len(self.image):
            raise CorruptImage("fragment index outside the image")
        pointers = struct.unpack_from(f"{self.sb.order}{blocks}{pointer}", self.image, pos)
        out = bytearray()
        for i, block_start in enumerate(pointers):
            last = i == blocks - 1
            exact = (wanted - METADATA_SIZE * i) if last else METADATA_SIZE
            data, _ = self.block(block_start, exact)
            out += data
        return bytes(out[:wanted])

    def first_pointer(self, index_start: int, pointer: str) -> int | None:
        pos = self.sb.base + index_start
        if index_start == NONE or pos + struct.calcsize(pointer) > len(self.image):
            return None
        return struct.unpack_from(self.sb.order + pointer, self.image, pos)[0]
