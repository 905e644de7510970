"""A SquashFS reader in Python for the vendor variants stock tools cannot read.

Versions 2.x, 3.x and 4.0, either byte order; zlib, LZMA (LZMA-alone, LZMA-5, raw, DD-WRT),
xz, LZO, LZ4 and zstd; vendor magics and the AVM big-endian layout. See
``../shared/reference/squashfs-variants.md`` for the layouts this follows.
"""

from pathlib import Path

from .codecs import first_block_codec
from .extract import ReadLimits, Report, extract_image, find_superblock
from .superblock import SquashfsError, Superblock, parse_superblock

__all__ = [
    "ReadLimits",
    "Report",
    "SquashfsError",
    "Superblock",
    "describe",
    "extract_image",
    "find_superblock",
    "parse_superblock",
]


def describe(path: Path, offset: int = 0) -> str:
    """What a SquashFS at `offset` is: version, byte order, magic, compressor, and the codec
    that decodes its first metadata block (the vendor LZMA variant). Never raises."""
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            head = handle.read(1 << 20)
            sb = parse_superblock(head, base=0)
            handle.seek(offset + sb.inode_table)
            block = handle.read(2 + 1 + 0x7FFF)
    except (OSError, SquashfsError) as exc:
        return f"not readable as SquashFS: {exc}"
    return f"{sb.describe()}; metadata decoded with {first_block_codec(sb, block)}"
