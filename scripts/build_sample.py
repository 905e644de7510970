"""Build fwaudit's built-in sample firmware from real Debian armhf packages.

    python scripts/build_sample.py build/sample

The result, ``ipcam-sample.bin``, looks like an IP camera's update image: a U-Boot legacy
uImage header (ARM, Linux, filesystem) around an xz SquashFS root filesystem that holds real
armhf binaries (busybox, dropbear, curl and libcurl, OpenSSL, glibc, zlib), a dpkg status
database, and camera configuration that hard-codes cloud, P2P, NTP and DNS endpoints beside
strings that only look like endpoints (XML namespaces, private addresses, doc links).

The packages are fetched with apt from Debian's archive into a private apt state folder (the
host's apt configuration is not touched). File times, owners and the uImage timestamp are
fixed, so the same packages give a byte-identical image; the versions used are printed and
written to ``packages.lock`` beside the image. Nothing is downloaded when the image exists.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

PACKAGES = (
    "busybox",
    "dropbear-bin",
    "libtomcrypt1",
    "libtommath1",
    "curl",
    "libcurl4",
    "libssl3",
    "libc6",
    "zlib1g",
)
EPOCH = 1_700_000_000  # 2023-11-14, fixed for reproducibility
IMAGE_NAME = "ipcam-sample.bin"

CLOUD_CONF = """\
# IPC-2100 cloud settings (factory defaults)
[p2p]
server1=p2p1.ipcam-cloud.cn:32100
server2=p2p2.ipcam-cloud.cn:32100
relay=relay.ipcam-cloud.cn
[platform]
api=https://api.ipcam-cloud.cn/v2/device/register
mqtt=mqtts://a1.tuyacn.com:8883
ota=https://ota.ipcam-cloud.cn/firmware/check?model=IPC-2100
[time]
ntp1=ntp.aliyun.com
ntp2=cn.pool.ntp.org
[dns]
primary=114.114.114.114
secondary=223.5.5.5
[lan]
default_ip=192.168.1.64
netmask=255.255.255.0
"""

ONVIF_XML = """\
<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"
            xmlns:tds="http://www.onvif.org/ver10/device/wsdl">
  <s:Body><tds:GetDeviceInformationResponse>
    <tds:Manufacturer>IPCam</tds:Manufacturer><tds:Model>IPC-2100</tds:Model>
    <tds:FirmwareVersion>2.1.0</tds:FirmwareVersion>
  </tds:GetDeviceInformationResponse></s:Body>
</s:Envelope>
"""

RCS = """\
#!/bin/sh
mount -t proc proc /proc
ifconfig eth0 192.168.1.64 netmask 255.255.255.0 up
ntpd -p ntp.aliyun.com -p cn.pool.ntp.org
dropbear -p 22
curl -s https://ota.ipcam-cloud.cn/firmware/check?model=IPC-2100 -o /tmp/ota.json
"""

OS_RELEASE = """\
NAME="IPCam OS"
VERSION="2.1.0"
ID=ipcamos
PRETTY_NAME="IPCam OS 2.1.0 (sample firmware built by fwaudit)"
HOME_URL="https://www.example.com/ipcam"
"""


def apt(state: Path, *args: str, cwd: Path | None = None, check: bool = True) -> None:
    """Run apt-get for armhf against a private state folder."""
    options = [
        f"-oDir::State::Lists={state / 'lists'}",
        f"-oDir::Cache={state / 'cache'}",
        "-oDir::State::status=/dev/null",
        "-oAPT::Architecture=armhf",
        "-oAPT::Architectures=armhf",
        "-oDebug::NoLocking=1",
        "-qq",
    ]
    subprocess.run(["apt-get", *options, *args], check=check, cwd=cwd)


def fetch_debs(work: Path) -> list[Path]:
    debs = work / "debs"
    if not debs.is_dir() or len(list(debs.glob("*.deb"))) < len(PACKAGES):
        state = work / "apt"
        for sub in ("lists/partial", "cache/archives/partial"):
            (state / sub).mkdir(parents=True, exist_ok=True)
        debs.mkdir(parents=True, exist_ok=True)
        # a mirror mid-sync can fail one index (security) and still give the main one;
        # whether every package is then found is what the download step checks
        apt(state, "update", check=False)
        apt(state, "download", *PACKAGES, cwd=debs)
    return sorted(debs.glob("*.deb"))


def deb_field(deb: Path, name: str) -> str:
    return subprocess.run(
        ["dpkg-deb", "-f", str(deb), name], check=True, capture_output=True, text=True
    ).stdout.strip()


def build_rootfs(debs: list[Path], rootfs: Path) -> list[str]:
    """Unpack the packages, write the dpkg database and the camera's own files."""
    shutil.rmtree(rootfs, ignore_errors=True)
    rootfs.mkdir(parents=True)
    status, lock = [], []
    for deb in debs:
        subprocess.run(["dpkg-deb", "-x", str(deb), str(rootfs)], check=True)
        fields = {
            k: deb_field(deb, k)
            for k in ("Package", "Version", "Architecture", "Maintainer", "Source", "Description")
        }
        lock.append(f"{fields['Package']}\t{fields['Version']}\t{fields['Architecture']}")
        entry = [
            f"Package: {fields['Package']}",
            "Status: install ok installed",
            f"Architecture: {fields['Architecture']}",
            f"Version: {fields['Version']}",
            f"Maintainer: {fields['Maintainer']}",
        ]
        if fields["Source"]:
            entry.append(f"Source: {fields['Source']}")
        entry.append(f"Description: {fields['Description'].splitlines()[0]}")
        status.append("\n".join(entry))
    for doc in ("usr/share/doc", "usr/share/man", "usr/share/lintian", "usr/share/locale"):
        shutil.rmtree(rootfs / doc, ignore_errors=True)
    files = {
        "var/lib/dpkg/status": "\n\n".join(status) + "\n",
        "etc/camera/cloud.conf": CLOUD_CONF,
        "etc/onvif/device.xml": ONVIF_XML,
        "etc/init.d/rcS": RCS,
        "etc/os-release": OS_RELEASE,
        "etc/resolv.conf": "nameserver 114.114.114.114\nnameserver 223.5.5.5\n",
        "etc/hostname": "IPC-2100\n",
    }
    for name, text in files.items():
        path = rootfs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (rootfs / "etc/init.d/rcS").chmod(0o755)
    for folder in ("bin", "dev", "proc", "tmp", "var/run"):
        (rootfs / folder).mkdir(parents=True, exist_ok=True)
    for applet in ("sh", "ls", "mount", "ifconfig", "ntpd", "udhcpc"):
        link = rootfs / "bin" / applet
        if not link.exists():
            link.symlink_to("busybox")
    return lock


def squash(rootfs: Path, out: Path) -> None:
    out.unlink(missing_ok=True)
    subprocess.run(
        [
            "mksquashfs",
            str(rootfs),
            str(out),
            "-comp",
            "xz",
            "-all-root",
            "-noappend",
            "-reproducible",
            "-mkfs-time",
            str(EPOCH),
            "-all-time",
            str(EPOCH),
            "-quiet",
            "-no-progress",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def uimage(payload: bytes, name: str) -> bytes:
    """A U-Boot legacy image header (ARM, Linux, filesystem, uncompressed) plus payload."""

    def header(hcrc: int) -> bytes:
        return struct.pack(
            ">7I4B32s",
            0x27051956,
            hcrc,
            EPOCH,
            len(payload),
            0,
            0,
            zlib.crc32(payload),
            5,
            2,
            7,
            0,
            name.encode()[:31],
        )

    return header(zlib.crc32(header(0))) + payload


def main(out_dir: str) -> int:
    out = Path(out_dir).resolve()
    image = out / IMAGE_NAME
    if image.is_file():
        print(f"sample firmware: {image} (cached)")
        return 0
    work = out / "work"
    debs = fetch_debs(work)
    lock = build_rootfs(debs, work / "rootfs")
    squash(work / "rootfs", work / "rootfs.sqfs")
    data = uimage((work / "rootfs.sqfs").read_bytes(), "IPC-2100 fw 2.1.0")
    tmp = image.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, image)
    (out / "packages.lock").write_text("\n".join(lock) + "\n")
    shutil.rmtree(work / "rootfs")
    print(
        f"sample firmware: {image} ({len(data):,} bytes, sha256 "
        f"{hashlib.sha256(data).hexdigest()[:16]}…) from: {', '.join(lock)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "build/sample"))
