"""The command line as a user runs it: real subprocesses, exit codes, files written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator


def fwaudit(*args: str | Path, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fwaudit.cli", *map(str, args), "--cache-dir", str(cache)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_unpack_writes_tree_and_manifest(sample: Path, tmp_path: Path, session_cache: Path) -> None:
    out = tmp_path / "out"
    run = fwaudit("unpack", sample, "-o", out, cache=session_cache)
    assert run.returncode == 0, run.stderr
    manifest = json.loads((out / "unpack.json").read_text())
    assert manifest["image"]["sha256"]
    assert manifest["summary"]["elf_files"] >= 250
    files = [n for n in manifest["nodes"] if n["kind"] == "file"]
    for node in files:
        assert (out / node["path"]).is_file()
        assert {"parent", "offset", "format", "extractor", "size", "sha256"} <= node.keys()
    assert "ELF" in run.stdout


HEAVY = ("yara", "lief", "cyclonedx", "jsonschema", "fwaudit.identify", "fwaudit.jurisdiction")


def loaded_after(code: str) -> list[str]:
    """The heavy modules a fresh interpreter holds after running `code`."""
    check = f"{code}\nimport sys\nprint('\\n' + ' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    run = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, timeout=300, check=False
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.splitlines()[-1].split()


def test_cli_start_and_help_load_no_analysis_stack() -> None:
    assert loaded_after("import fwaudit.cli") == []
    help_run = "import contextlib, io\nfrom fwaudit.cli import main\n"
    help_run += "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
    help_run += "    main(['--help'])"
    assert loaded_after(help_run) == []


def test_unpack_only_unpacks(tmp_path: Path) -> None:
    """No rules, inventory or policies: `unpack` is the unpack stage and the tree."""
    image = tmp_path / "blob.bin"
    image.write_bytes(bytes(range(256)) * 16)
    out, cache = tmp_path / "out", tmp_path / "c"
    code = f"from fwaudit.cli import main\nassert main(['unpack', {str(image)!r}, '-o', "
    code += f"{str(out)!r}, '--cache-dir', {str(cache)!r}]) == 0"
    assert loaded_after(code) == []
    summary = json.loads((out / "unpack.json").read_text())["summary"]
    assert summary == {"files": 0, "bytes": 0, "directories": 0, "symlinks": 0, "elf_files": 0}


def test_unpack_refuses_a_non_empty_output_folder(sample: Path, tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("user data")
    run = fwaudit("unpack", sample, "-o", tmp_path, cache=tmp_path / "c")
    assert run.returncode == 2
    assert "not empty" in run.stderr
    assert (tmp_path / "keep.txt").read_text() == "user data"


def test_scan_writes_a_strict_valid_cyclonedx_16_sbom(
    sample: Path, tmp_path: Path, session_cache: Path
) -> None:
    out = tmp_path / "sample.cdx.json"
    run = fwaudit("scan", sample, "-o", out, cache=session_cache)
    assert run.returncode == 0, run.stderr
    text = out.read_text()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    bom = json.loads(text)
    assert bom["specVersion"] == "1.6"
    firmware = bom["metadata"]["component"]
    assert firmware["type"] == "firmware"
    assert firmware["hashes"][0]["alg"] == "SHA-256"
    props = {p["name"]: p["value"] for p in firmware["properties"]}
    assert int(props["fwaudit:unpack:elf-files"]) >= 250


def test_not_firmware_gives_a_valid_empty_sbom_and_says_so(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("just some text, not a firmware image\n" * 20)
    out = tmp_path / "notes.cdx.json"
    run = fwaudit("scan", notes, "-o", out, cache=tmp_path / "c")
    assert run.returncode == 0, run.stderr
    assert "no known format" in run.stdout
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(out.read_text()) is None


def test_missing_image_is_exit_2_and_one_line(tmp_path: Path) -> None:
    run = fwaudit("scan", tmp_path / "absent.bin", "-o", tmp_path / "x.json", cache=tmp_path)
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0
    assert "absent.bin" in run.stderr and "Traceback" not in run.stderr


def test_unreadable_image_is_exit_2(tmp_path: Path) -> None:
    run = fwaudit("scan", tmp_path, "-o", tmp_path / "x.json", cache=tmp_path / "c")
    assert run.returncode == 2
    assert "not a regular file" in run.stderr
