"""The mutation engine of the container fuzz campaign: mutant `n` of a seed is the same bytes
on every run (its random generator is seeded with the seed's name and `n`).

Mutations, taken in turn (`KINDS`):

- ``flip``: 1-8 bits flipped; ``bytes``: 1-8 bytes set to 0x00, 0xff, 0x7f or 0x80;
- ``field``: 1-3 header fields (sizes, offsets, counts) set to 0, one off, doubled, huge or
  negative-as-unsigned, the checksums then renewed (`framing.Framing.fix`);
- ``truncate``: cut at a random point (half the time in the first 2 KiB);
- ``duplicate``: a chunk copied over or inserted elsewhere; ``insert``: junk inserted;
- ``deep``: the container's payload mutated and the container rebuilt around it with valid
  lengths and checksums (uImage, TRX, gzip, xz, lzma: down to the archive inside); a
  format without a payload layer gets a shallow mutation and renewed checksums;
- ``member``: one file of a generated seed's root (mostly the ELF) mutated and the
  container rebuilt from the root, so the damage reaches the ELF reader and the scanners.

Positions are drawn from the header fields and from blocks that are not padding.

    python -m tests.faults.mutants OUT_DIR [--per-seed 20] [--corpus DIR]

writes the mutants of every seed as files (named ``<seed>-<n>.<format>``).
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .containers import BUILDERS, Files, missing_tools, root_files
from .framing import FRAMINGS, Field, inner_format

KINDS = ("flip", "bytes", "field", "truncate", "duplicate", "insert", "deep", "member")
SHALLOW = KINDS[:6]
BOUNDARY = (0x00, 0xFF, 0x7F, 0x80)
BLOCK = 256
#: Real containers of the corpus used as seeds when it is present: (format, file name).
CORPUS_SEEDS = (
    ("tar", "binwalk2_dirtraversal.tar"),
    ("zip", "fact_dahua_dh.bin"),
    ("gzip", "cvebintool_condensed_dropbear_2019.78-2_x86_64.ipk.tar.gz"),
    ("gzip", "factcore_kernel_CONFIG.gz"),
    ("lzma", "binwalk2_foobar.lzma"),
    ("uimage", "fact_uboot.dtb"),
    ("uimage", "fact_uboot.image_with_header"),
    ("trx", "fact_trx.img"),
    ("jffs2", "fact_jffs2_le.img"),
    ("jffs2", "fact_jffs2_be.img"),
    ("ubi", "fact_ubi.img"),
)
MAX_CORPUS_SEED = 4 << 20


@dataclass(frozen=True)
class Seed:
    """A container to mutate; `files` is the root a generated seed was built from."""

    name: str
    fmt: str
    data: bytes
    files: Files | None = None


@dataclass(frozen=True)
class Mutant:
    name: str  # "<seed>-<n>"
    fmt: str
    how: str
    data: bytes

    @property
    def filename(self) -> str:
        return f"{self.name}.{self.fmt}"


def generated_seed(fmt: str) -> Seed:
    """The generated seed of `fmt` (its build tools must be installed: `missing_tools`)."""
    files = root_files()
    return Seed(fmt, fmt, BUILDERS[fmt](files), files)


def generated_seeds() -> list[Seed]:
    """A seed per format whose tools are installed."""
    return [generated_seed(fmt) for fmt in BUILDERS if not missing_tools(fmt)]


def corpus_seeds(corpus: Path) -> list[Seed]:
    """The corpus's small real containers (`CORPUS_SEEDS`) that are there."""
    seeds = []
    for fmt, name in CORPUS_SEEDS:
        path = corpus / name
        if path.is_file() and path.stat().st_size <= MAX_CORPUS_SEED:
            seeds.append(Seed(f"corpus-{name}", fmt, path.read_bytes()))
    return seeds


def mutant(seed: Seed, n: int) -> Mutant:
    """Mutant `n` of `seed`: kind `KINDS[n % 8]`, everything else drawn from its own
    generator."""
    rng = random.Random(f"{seed.name}/{n}")
    kind = KINDS[n % len(KINDS)]
    if kind == "member" and seed.files is not None:
        data, how = _member(rng, seed)
    elif kind in ("deep", "member"):
        data, how = _deep(rng, seed.data, seed.fmt, depth=0)
    else:
        data, how = _shallow(rng, bytearray(seed.data), seed.fmt, kind)
    if data == seed.data:  # a flip undone, a byte set to its own value
        data = bytearray(data)
        data[rng.randrange(len(data))] ^= 0x01
        how += "; one more bit flipped (the seed was unchanged)"
    return Mutant(f"{seed.name}-{n:04d}", seed.fmt, how, bytes(data))


def mutants(seed: Seed, count: int, start: int = 0) -> Iterator[Mutant]:
    for n in range(start, start + count):
        yield mutant(seed, n)


# --- the mutations ------------------------------------------------------------------------------


def _shallow(
    rng: random.Random, data: bytearray, fmt: str, kind: str, *, renew: bool = False
) -> tuple[bytearray, str]:
    """One byte-level mutation of `data`; after a field tweak (or when `renew`), the
    checksums are renewed so the damage gets past them."""
    if not data:
        return bytearray(rng.randbytes(rng.randint(1, 64))), "junk for an empty payload"
    framing = FRAMINGS.get(fmt)
    fields = framing.fields(data) if framing else []
    if kind == "field" and fields:
        notes = []
        for field in rng.sample(fields, min(len(fields), rng.randint(1, 3))):
            value = rng.choice(field.extremes(field.read(data)))
            field.write(data, value)
            notes.append(f"{field.name}@{field.offset:#x}={value:#x}")
        how, renew = "field " + ", ".join(notes), True
    else:
        data, how = MUTATIONS.get(kind, _flip)(rng, data, fields)
    if renew and framing and framing.fix:
        framing.fix(data)
        how += " (checksums renewed)"
    return data, how


def _spot(rng: random.Random, data: bytearray, fields: list[Field]) -> int:
    """A position: inside a header field 40 % of the time, else in a block of non-padding."""
    if fields and rng.random() < 0.4:
        field = rng.choice(fields)
        return min(field.offset + rng.randrange(field.size), len(data) - 1)
    live = [
        at
        for at in range(0, len(data), BLOCK)
        if data[at : at + BLOCK].count(data[at]) != len(data[at : at + BLOCK])
    ]
    at = rng.choice(live) if live else 0
    return min(at + rng.randrange(BLOCK), len(data) - 1)


def _flip(rng: random.Random, data: bytearray, fields: list[Field]) -> tuple[bytearray, str]:
    spots = sorted(_spot(rng, data, fields) for _ in range(rng.randint(1, 8)))
    for at in spots:
        data[at] ^= 1 << rng.randrange(8)
    return data, f"flip {len(spots)} bit(s) at " + ",".join(f"{at:#x}" for at in spots)


def _bytes(rng: random.Random, data: bytearray, fields: list[Field]) -> tuple[bytearray, str]:
    spots = sorted(_spot(rng, data, fields) for _ in range(rng.randint(1, 8)))
    value = rng.choice(BOUNDARY)
    for at in spots:
        data[at] = value
    return data, f"bytes set to {value:#04x} at " + ",".join(f"{at:#x}" for at in spots)


def _truncate(rng: random.Random, data: bytearray, fields: list[Field]) -> tuple[bytearray, str]:
    del fields
    cut = rng.randrange(1, min(len(data), 2048) + 1) if rng.random() < 0.5 else 0
    cut = cut or rng.randrange(1, len(data) + 1)
    return data[:cut], f"truncated to {cut} of {len(data)} bytes"


def _duplicate(rng: random.Random, data: bytearray, fields: list[Field]) -> tuple[bytearray, str]:
    start = _spot(rng, data, fields)
    size = rng.randint(1, min(4096, len(data) - start))
    chunk, to = data[start : start + size], rng.randrange(len(data) + 1)
    if rng.random() < 0.5:
        return data[:to] + chunk + data[to:], f"{size} bytes from {start:#x} inserted at {to:#x}"
    data[to : to + size] = chunk
    return data, f"{size} bytes from {start:#x} copied over {to:#x}"


def _insert(rng: random.Random, data: bytearray, fields: list[Field]) -> tuple[bytearray, str]:
    at, size = _spot(rng, data, fields), rng.randint(1, 512)
    junk = rng.randbytes(size) if rng.random() < 0.5 else bytes([rng.choice(BOUNDARY)]) * size
    return data[:at] + junk + data[at:], f"{size} bytes of junk inserted at {at:#x}"


Mutation = Callable[[random.Random, bytearray, list[Field]], tuple[bytearray, str]]
MUTATIONS: dict[str, Mutation] = {
    "flip": _flip,
    "bytes": _bytes,
    "truncate": _truncate,
    "duplicate": _duplicate,
    "insert": _insert,
}


def _deep(rng: random.Random, data: bytes, fmt: str, depth: int) -> tuple[bytes, str]:
    """Mutate the payload under `fmt`'s framing (recursively, now and then stopping at a
    layer) and rebuild the layers above it; without a payload, mutate and renew checksums."""
    framing = FRAMINGS.get(fmt)
    payload = framing.unwrap(data) if framing and framing.unwrap else None
    inner = inner_format(payload) if payload else None
    if framing and framing.wrap and payload is not None:
        if inner is not None and depth < 3 and rng.random() < 0.7:
            mutated, how = _deep(rng, payload, inner, depth + 1)
        else:
            kind = rng.choice(SHALLOW)
            changed, how = _shallow(rng, bytearray(payload), inner or "", kind, renew=True)
            mutated, how = bytes(changed), f"{how} in {inner or 'data'}"
        return framing.wrap(mutated, data), f"{how}; in {fmt} (rebuilt)"
    changed, how = _shallow(rng, bytearray(data), fmt, rng.choice(SHALLOW), renew=True)
    return bytes(changed), how


def _member(rng: random.Random, seed: Seed) -> tuple[bytes, str]:
    """Mutate one file of the root (the ELF 60 % of the time) and rebuild the container."""
    assert seed.files is not None
    names = sorted(seed.files)
    name = "bin/busybox" if rng.random() < 0.6 else rng.choice(names)
    fmt = "elf" if seed.files[name][:4] == b"\x7fELF" else ""
    changed, how = _shallow(rng, bytearray(seed.files[name]), fmt, rng.choice(SHALLOW))
    files = {**seed.files, name: bytes(changed)}
    return BUILDERS[seed.fmt](files), f"member {name}: {how}; {seed.fmt} rebuilt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--per-seed", type=int, default=20)
    parser.add_argument("--corpus", type=Path)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    seeds = generated_seeds() + (corpus_seeds(args.corpus) if args.corpus else [])
    for seed in seeds:
        for item in mutants(seed, args.per_seed):
            (args.out / item.filename).write_bytes(item.data)
            print(item.filename, item.how)


if __name__ == "__main__":
    main()
