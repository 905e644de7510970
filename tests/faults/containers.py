"""Small firmware containers built from one tiny root file system, the seeds of the fuzz
campaign: the same few files (an ARM ELF with a version banner, a configuration naming a
cloud URL, a package manifest) as tar, zip, cpio, gzip, xz, lzma, uImage, TRX, ext2, JFFS2
and UBI. Every builder gives the same bytes on every run (fixed times, UUIDs and sequence
numbers), so a mutant named by its seed and number is always the same file.
"""

from __future__ import annotations

import gzip
import io
import lzma
import os
import shutil
import struct
import subprocess
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from tests.archives import MTIME
from tests.unpack.hostile import CPIO_WRITERS, FILE

MARKER = "fwfuzz"  # in every member name: a file of a mutant found outside is recognisable
Files = dict[str, bytes]


def tiny_elf(*strings: bytes) -> bytes:
    """A 32-bit little-endian ARM executable: one PT_LOAD, .text, .rodata holding `strings`,
    .comment and .shstrtab; LIEF reads it like a compiler's output."""
    text = bytes.fromhex("1eff2fe1") * 4  # bx lr
    rodata = b"\0".join(strings) + b"\0"
    comment = b"GCC: (fwfuzz) 9.3.0\0"
    names = b"\0.text\0.rodata\0.comment\0.shstrtab\0"
    body = bytearray(84)  # ELF header (52) and one program header (32)
    placed = []
    for blob in (text, rodata, comment, names):
        body += bytes(-len(body) % 4)
        placed.append((len(body), len(blob)))
        body += blob
    body += bytes(-len(body) % 4)
    shoff, base = len(body), 0x10000
    (t_off, t_len), (r_off, r_len), (c_off, c_len), (n_off, n_len) = placed
    sections = [
        (0, 0, 0, 0, 0, 0),
        (names.index(b".text"), 1, 6, base + t_off, t_off, t_len),
        (names.index(b".rodata"), 1, 2, base + r_off, r_off, r_len),
        (names.index(b".comment"), 1, 0x30, 0, c_off, c_len),
        (names.index(b".shstrtab"), 3, 0, 0, n_off, n_len),
    ]
    for name, kind, flags, addr, offset, size in sections:
        body += struct.pack("<10I", name, kind, flags, addr, offset, size, 0, 0, 4, kind == 1)
    ident = b"\x7fELF\x01\x01\x01" + bytes(9)
    header = struct.pack(
        "<16sHHIIIIIHHHHHH", ident, 2, 40, 1, base + t_off, 52, shoff, 0x05000200,
        52, 32, 1, 40, len(sections), len(sections) - 1,
    )  # fmt: skip
    load = struct.pack("<8I", 1, 0, base, base, r_off + r_len, r_off + r_len, 5, 0x1000)
    body[:84] = header + load
    return bytes(body)


def root_files() -> Files:
    """The root file system every generated seed holds."""
    banner = b"BusyBox v1.30.1 (2020-02-14 08:10:10 UTC) multi-call binary."
    return {
        "bin/busybox": tiny_elf(banner, b"https://update.fwfuzz-cloud.com/api/v1/check"),
        f"etc/{MARKER}.conf": b"# device cloud\nserver=https://iot.fwfuzz-cloud.com:8443/mqtt\n"
        b"ntp=0.pool.ntp.org\n",
        "etc/passwd": b"root:x:0:0:root:/root:/bin/sh\n",
        "usr/lib/opkg/status": b"Package: dropbear\nVersion: 2019.78-2\n"
        b"Architecture: arm_cortex-a9\nStatus: install ok installed\n\n",
    }


# --- archives and compressed streams (Python only) ----------------------------------------


def tar(files: Files, encoding: str = "utf-8") -> bytes:
    """A ustar archive; `encoding` writes the member names (latin-1: bytes not UTF-8)."""
    buffer = io.BytesIO()
    with tarfile.open(
        fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT, encoding=encoding
    ) as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), MTIME
            info.mode = 0o755 if data[:4] == b"\x7fELF" else 0o644
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def zip_(files: Files) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2022, 11, 24, 0, 0, 0))
            info.external_attr = FILE << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def cpio(files: Files) -> bytes:
    return CPIO_WRITERS["newc"]([(name, FILE, data) for name, data in files.items()])


def gzip_(payload: bytes) -> bytes:
    return gzip.compress(payload, mtime=0)


def xz(payload: bytes) -> bytes:
    return lzma.compress(payload, format=lzma.FORMAT_XZ)


def lzma_alone(payload: bytes) -> bytes:
    return lzma.compress(payload, format=lzma.FORMAT_ALONE)


# --- firmware headers, written with valid CRCs --------------------------------------------


def uimage(payload: bytes, *, kind: int = 3, comp: int = 1) -> bytes:
    """A legacy U-Boot header (Linux, ARM; ramdisk, gzip by default) over `payload`."""
    header = struct.pack(
        ">7I4B32s", 0x27051956, 0, MTIME, len(payload), 0x80008000, 0x80008000,
        zlib.crc32(payload), 5, 2, kind, comp, b"fwfuzz ramdisk",
    )  # fmt: skip
    crc = zlib.crc32(header)
    return header[:4] + struct.pack(">I", crc) + header[8:] + payload


def trx(*parts: bytes) -> bytes:
    """A Broadcom TRX v1 header over `parts` (each 4-byte aligned), CRC over the rest."""
    offsets, body = [], b""
    for part in parts:
        body += bytes(-(28 + len(body)) % 4)
        offsets.append(28 + len(body))
        body += part
    offsets += [0] * (3 - len(offsets))
    tail = struct.pack("<HH3I", 0, 1, *offsets) + body
    return b"HDR0" + struct.pack("<II", 12 + len(tail), zlib.crc32(tail) ^ 0xFFFFFFFF) + tail


# --- file systems, made by their tools from a folder -----------------------------------------

FS_TOOLS = {
    "ext2": ("mke2fs",),
    "jffs2": ("mkfs.jffs2",),
    "ubi": ("mkfs.ubifs", "ubinize"),
    "squashfs": ("mksquashfs",),
}


def missing_tools(fmt: str) -> list[str]:
    """The programs building `fmt` needs that are not installed."""
    return [tool for tool in FS_TOOLS.get(fmt, ()) if shutil.which(tool) is None]


def _folder(files: Files, root: Path) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(0o755 if data[:4] == b"\x7fELF" else 0o644)
    for path in [*root.rglob("*"), root]:
        os.utime(path, (MTIME, MTIME))
    return root


def _run(*argv: str, env: dict[str, str] | None = None) -> None:
    subprocess.run(argv, check=True, capture_output=True, env={**os.environ, **(env or {})})


def _with_folder(build: Callable[[Path, Path], None]) -> Callable[[Files], bytes]:
    def made(files: Files) -> bytes:
        with tempfile.TemporaryDirectory(prefix="fwfuzz-seed-") as tmp:
            work = Path(tmp)
            image = work / "image"
            build(_folder(files, work / "root"), image)
            return image.read_bytes()

    made.__doc__ = build.__doc__
    return made


@_with_folder
def ext2(root: Path, image: Path) -> None:
    """ext2, 1 KiB blocks, 128-byte inodes (no nanosecond fields), fixed UUID and time."""
    uuid = "0f0f0f0f-0000-4000-8000-00000000f022"
    _run(
        "mke2fs", "-q", "-F", "-t", "ext2", "-b", "1024", "-I", "128", "-N", "32", "-m", "0",
        "-U", uuid, "-E", f"hash_seed={uuid},root_owner=0:0", "-d", str(root), str(image), "64k",
        env={"E2FSPROGS_FAKE_TIME": str(MTIME)},
    )  # fmt: skip
    os.truncate(image, 64 << 10)  # mke2fs leaves unused blocks at the end unwritten
    image.write_bytes(fixed_ext2_ctimes(image.read_bytes()))


def fixed_ext2_ctimes(fs: bytes) -> bytes:
    """mke2fs copies each inode's change time from the source folder (which no one can
    set): set every used inode's to MTIME. One block group, 1 KiB blocks, 128-byte inodes."""
    data = bytearray(fs)
    inodes = struct.unpack_from("<I", data, 1024)[0]
    table = struct.unpack_from("<I", data, 2048 + 8)[0] * 1024
    for at in range(table, table + 128 * inodes, 128):
        if struct.unpack_from("<H", data, at)[0]:
            struct.pack_into("<I", data, at + 12, MTIME)
    return bytes(data)


@_with_folder
def jffs2(root: Path, image: Path) -> None:
    """JFFS2, little-endian, 16 KiB erase blocks, owners squashed."""
    _run("mkfs.jffs2", "-q", "-l", "-U", "-e", "0x4000", "-r", str(root), "-o", str(image))


@_with_folder
def ubi(root: Path, image: Path) -> None:
    """UBIFS (zlib, 15 KiB LEBs) in one dynamic UBI volume; 16 KiB PEBs, 512-byte pages."""
    volume = image.with_name("rootfs.ubifs")
    _run("mkfs.ubifs", "-y", "-x", "zlib", "-m", "512", "-e", "15360", "-c", "32",
         "-r", str(root), "-o", str(volume))  # fmt: skip
    volume.write_bytes(fixed_ubifs(volume.read_bytes()))
    config = image.with_name("ubinize.ini")
    config.write_text(
        f"[rootfs]\nmode=ubi\nimage={volume}\nvol_id=0\nvol_type=dynamic\nvol_name=rootfs\n"
    )
    _run("ubinize", "-o", str(image), "-m", "512", "-p", "16KiB", "-s", "512",
         "-Q", "20221124", str(config))  # fmt: skip


@_with_folder
def squashfs(root: Path, image: Path) -> None:
    """SquashFS 4 (gzip), owners and times fixed."""
    _run("mksquashfs", str(root), str(image), "-noappend", "-no-xattrs", "-all-root",
         "-mkfs-time", str(MTIME), "-all-time", str(MTIME), "-quiet", "-no-progress")  # fmt: skip


UBIFS_MAGIC = b"\x31\x18\x10\x06"


def fixed_ubifs(volume: bytes) -> bytes:
    """mkfs.ubifs draws a random UUID and copies change times from the source folder: set a
    fixed UUID in the superblock node and MTIME as every inode's change time, and renew
    those nodes' CRCs (seed 0xFFFFFFFF, no final inversion)."""
    data = bytearray(volume)
    at = data.find(UBIFS_MAGIC)
    while 0 <= at <= len(data) - 24:
        length, kind = struct.unpack_from("<IB", data, at + 16)
        if at % 8 == 0 and kind in (0, 6) and at + length <= len(data):
            if kind == 6:  # superblock
                data[at + 108 : at + 124] = bytes.fromhex("0f0f0f0f00004000800000000000f022")
            else:  # inode: ctime seconds and nanoseconds
                struct.pack_into("<Q", data, at + 64, MTIME)
                struct.pack_into("<I", data, at + 84, 0)
            struct.pack_into(
                "<I", data, at + 4, zlib.crc32(data[at + 8 : at + length]) ^ 0xFFFFFFFF
            )
        at = data.find(UBIFS_MAGIC, at + 1)
    return bytes(data)


# --- the seeds ---------------------------------------------------------------------------------


def _trx_seed(files: Files) -> bytes:
    kernel = gzip_(files["bin/busybox"])
    rootfs = squashfs(files) if not missing_tools("squashfs") else gzip_(tar(files))
    return trx(kernel, rootfs)


#: format -> files -> container bytes
BUILDERS: dict[str, Callable[[Files], bytes]] = {
    "tar": tar,
    "zip": zip_,
    "cpio": cpio,
    "gzip": lambda files: gzip_(tar(files)),
    "xz": lambda files: xz(cpio(files)),
    "lzma": lambda files: lzma_alone(tar(files)),
    "uimage": lambda files: uimage(gzip_(cpio(files))),
    "trx": _trx_seed,
    "ext2": ext2,
    "jffs2": jffs2,
    "ubi": ubi,
}
