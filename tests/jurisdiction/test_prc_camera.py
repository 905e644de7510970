"""A camera image of real packages, on a PRC SoC, whose only cloud is a PRC-registered one the
data does not know: the UK 2022 policy must not pass it."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

from fwaudit.api import Auditor
from fwaudit.model import Outcome

REPO = Path(__file__).resolve().parents[2]
CLOUD_CONF = """\
# IPC-3200 cloud settings (factory defaults)
[p2p]
server=p2p.hzyunshi-iot.com.cn:32100
[platform]
api=https://api.hzyunshi-iot.com.cn/v3/register
[time]
ntp1=0.debian.pool.ntp.org
"""
BOARD_CONF = "# board support package\nsoc=Hi3516EV300\nsensor=imx307\n"


def _builder():
    spec = importlib.util.spec_from_file_location("build_sample", REPO / "scripts/build_sample.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def prc_camera(sample: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built-in sample's root file system (real Debian armhf packages) with the camera's
    own files replaced: a HiSilicon SoC (board file, a kernel module built by HiSilicon's
    toolchain), and one unknown cloud under .com.cn."""
    if not shutil.which("unsquashfs"):
        pytest.skip("unsquashfs (squashfs-tools) is not installed")
    work = tmp_path_factory.mktemp("prc-camera")
    rootfs = work / "rootfs"
    subprocess.run(
        ["unsquashfs", "-q", "-n", "-o", "64", "-d", str(rootfs), str(sample)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (rootfs / "etc/camera/cloud.conf").write_text(CLOUD_CONF)
    (rootfs / "etc/resolv.conf").write_text("nameserver 9.9.9.9\n")
    (rootfs / "etc/board.conf").write_text(BOARD_CONF)
    (rootfs / "ko").mkdir()
    (rootfs / "ko/hi3516ev300_base.ko").write_bytes(
        b"\x7fELF\x01\x01\x01" + bytes(57) + b"vermagic=4.9.37 mod_unload ARMv7 p2v8 \x00"
        b"GCC: (Hisilicon_v510) 6.3.0\x00" + bytes(32)
    )
    rcs = rootfs / "etc/init.d/rcS"
    rcs.write_text("#!/bin/sh\nntpd -p 0.debian.pool.ntp.org\n")
    builder = _builder()
    builder.squash(rootfs, work / "rootfs.sqfs")
    image = work / "ipc-3200.bin"
    image.write_bytes(builder.uimage((work / "rootfs.sqfs").read_bytes(), "IPC-3200 fw 1.0"))
    return image


def test_a_prc_soc_camera_with_an_unknown_prc_cloud_never_passes_uk_2022(
    prc_camera: Path, session_cache: Path
) -> None:
    data = Auditor(cache_dir=session_cache, policies=["uk-2022-sensitive-sites"]).audit_data(
        prc_camera
    )
    assessment = data.assessment
    assert any(p.party.country == "CN" for p in assessment.attribution.platform)
    outbound = {e.host for e in data.outbound}
    assert {"p2p.hzyunshi-iot.com.cn", "api.hzyunshi-iot.com.cn"} <= outbound
    (outcome,) = [o for p, o in assessment.policies if p == "uk-2022-sensitive-sites"]
    assert outcome in (Outcome.REVIEW, Outcome.FAIL)
    reviewed = {v.subject for v in assessment.verdicts if v.outcome is Outcome.REVIEW}
    assert {"p2p.hzyunshi-iot.com.cn", "api.hzyunshi-iot.com.cn"} <= reviewed
    for verdict in assessment.verdicts:
        assert verdict.outcome is not Outcome.PASS
        assert verdict.rationale and verdict.evidence
        assert all(e.method for e in verdict.evidence)
    unknown = next(v for v in assessment.verdicts if v.subject == "api.hzyunshi-iot.com.cn")
    assert "unknown" in unknown.rationale and "CN" in unknown.rationale
