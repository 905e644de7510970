"""The `sasquatch` stand-in honours both backends' command lines and falls back to the reader."""

from __future__ import annotations

import subprocess
from pathlib import Path

from fwaudit.unpack.tools import TOOLS_DIR, tool_env


def sasquatch(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TOOLS_DIR / "sasquatch"), *args],
        cwd=cwd,
        env=tool_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_unblob_form_with_vendor_lzma(corpus: Path, tmp_path: Path) -> None:
    image = corpus / "binwalk2_firmware.squashfs"
    run = sasquatch(
        "-le", "-no-exit-code", "-f", "-d", str(tmp_path / "out"), str(image), cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    assert "lzma-5" in run.stdout
    assert (tmp_path / "out" / "bin" / "busybox").stat().st_size > 100_000


def test_binwalk_form_writes_squashfs_root_in_cwd(corpus: Path, tmp_path: Path) -> None:
    run = sasquatch(str(corpus / "binwalk3_squashfs_v2.bin"), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "2.0 big-endian" in run.stdout
    assert len(list((tmp_path / "squashfs-root").rglob("*"))) > 300


def test_standard_images_go_to_stock_unsquashfs(sample: Path, tmp_path: Path) -> None:
    payload = tmp_path / "rootfs.sqfs"
    payload.write_bytes(sample.read_bytes()[64:])  # the sample is a uImage header + squashfs
    run = sasquatch("-d", str(tmp_path / "out"), str(payload), cwd=tmp_path)
    assert run.returncode == 0 and "stock unsquashfs" in run.stdout


def test_not_squashfs_fails_cleanly(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\0" * 4096)
    run = sasquatch("-d", str(tmp_path / "out"), str(junk), cwd=tmp_path)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr and "magic" in run.stderr
