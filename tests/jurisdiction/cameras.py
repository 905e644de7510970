"""Camera-like firmware archives generated for the jurisdiction tests (no vendor code)."""

from __future__ import annotations

from pathlib import Path

from tests.archives import tar_gz

CN_CLOUDS = """\
# cloud and P2P services of the camera
hik_connect_server=litedev.hik-connect.com
ezviz_api=https://open.ys7.com/api/lapp/device
dahua_p2p=www.easy4ipcloud.com:8800
xmeye_cfg=pub-cfg.secu100.net:8086
tuya_mqtt=mqtts://m1.tuyaeu.com:8883
"""
NEUTRAL_CLOUDS = """\
# vendor-neutral services
ntp_server=0.debian.pool.ntp.org
update_url=https://downloads.openwrt.org/snapshots/
"""
NAMESERVERS = {"cn": "nameserver 114.114.114.114\n", "neutral": "nameserver 9.9.9.9\n"}


def camera_image(
    path: Path, clouds: str, resolver: str, copyright_line: str = "", rtsp: bool = True
) -> Path:
    """A tar.gz root file system: camera config, resolver, an RTSP server banner."""
    files = {
        "etc/cloud.conf": clouds.encode(),
        "etc/resolv.conf": NAMESERVERS[resolver].encode(),
        "etc/version": f"IPC firmware V5.5.0 build 221124\n{copyright_line}\n".encode(),
    }
    if rtsp:  # live555's own banner, as its RTSP server answers OPTIONS
        files["usr/bin/rtspd"] = b"\x7fELF-not-really\x00LIVE555 Streaming Media v2020.01.11\x00"
    return tar_gz(path, files)
