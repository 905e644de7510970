"""Cut byte snippets for the component rules from the corpus (or check existing ones).

    .venv/bin/python scripts/cut_snippets.py [--corpus DIR] [--out tests/identify/snippets]
    .venv/bin/python scripts/cut_snippets.py --check    # re-read every snippet from its source

For each component whose version is known (listed in `expected.json`, or confirmed by a
package manager's database in the same image: the built-in sample's dpkg status) and found
by a YARA rule, the smallest window around the
match (256 bytes, doubling up to 16 KiB) in which the rules alone still find the component
with its exact version is written to `<out>/<name>/<version>/<arch>/<file>` with a header
naming the source image, the path inside it, the source file's sha256, offset and length.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from fwaudit.api import Auditor
from fwaudit.identify.rules import RuleSet
from fwaudit.identify.snippets import Snippet, check_snippet, find_snippets, write_snippet
from fwaudit.model import AuditData, FileEntry, Technique

WINDOWS = (256, 512, 1024, 2048, 4096, 8192, 16384)
REPO = Path(__file__).resolve().parent.parent


def arch_of(entry: FileEntry) -> str:
    if entry.elf is None:
        return "data"
    return f"{entry.elf.arch}-{entry.elf.endianness}-{entry.elf.bits}".lower()


def source_path(result: AuditData, path: str) -> Path:
    return result.image.path if path == "" else result.unpack.root / path


def cut(result: AuditData, image: str, rules: RuleSet, wanted: tuple[str, str], out: Path):
    """Write one snippet for (name, version) from its first binary evidence; None if none."""
    name, version = wanted
    component = next((c for c in result.components if (c.name, c.version) == (name, version)), None)
    if component is None:
        return None
    entries = {e.path: e for e in result.files}
    for evidence in component.evidence:
        if not evidence.method.startswith("yara:") or evidence.offset is None:
            continue
        data = source_path(result, evidence.path).read_bytes()
        entry = entries[evidence.path]
        for size in WINDOWS:
            start = max(0, min(evidence.offset - size // 4, len(data) - size))
            piece = data[start : start + size]
            file_name = Path(evidence.path).name or Path(image).name
            target = out / name / version / arch_of(entry) / file_name
            probe = Snippet(target, name, version, arch_of(entry), {}, piece)
            if check_snippet(rules, probe) is None:
                header = {
                    "name": name,
                    "version": version,
                    "rule": evidence.method.removeprefix("yara:"),
                    "source image": image,
                    "source path": evidence.path or "(the image itself)",
                    "source sha256": entry.sha256,
                    "offset": str(start),
                }
                write_snippet(target, header, piece)
                return target
    return None


def check(out: Path, corpus: Path, cache: Path) -> int:
    """Every snippet's bytes are still at its offset in its source file."""
    auditor, bad = Auditor(cache_dir=cache), 0
    results: dict[str, AuditData] = {}
    for snippet in find_snippets(out):
        image = snippet.header["source image"]
        if image not in results:
            results[image] = auditor.audit_data(corpus / image)
        inside = snippet.header["source path"]
        path = source_path(results[image], "" if inside == "(the image itself)" else inside)
        offset = int(snippet.header["offset"])
        same = path.read_bytes()[offset : offset + len(snippet.data)] == snippet.data
        problem = None if same else "bytes differ from the source"
        problem = problem or check_snippet(auditor.rules, snippet)
        print(f"{'FAIL' if problem else 'ok  '} {snippet.path.relative_to(out)} {problem or ''}")
        bad += problem is not None
    return 1 if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("FWAUDIT_CORPUS", "../shared/corpus"))
    )
    parser.add_argument("--out", type=Path, default=REPO / "tests" / "identify" / "snippets")
    parser.add_argument("--cache", type=Path, default=REPO / "build" / "bench-cache")
    parser.add_argument("--check", action="store_true", help="verify existing snippets")
    args = parser.parse_args()
    if args.check:
        return check(args.out, args.corpus, args.cache)
    truth = json.loads((args.corpus / "expected.json").read_text())["images"]
    sources = [(args.corpus / name, truth[name].get("components", [])) for name in truth]
    sources.append((REPO / "build" / "sample" / "ipcam-sample.bin", []))
    auditor = Auditor(cache_dir=args.cache)
    for image, expected in sources:
        result = auditor.audit_data(image)
        for wanted in sorted(known_versions(result, expected)):
            written = cut(result, image.name, auditor.rules, wanted, args.out)
            where = written.relative_to(args.out) if written else "no binary evidence: skipped"
            print(f"{image.name}: {' '.join(wanted)} -> {where}")
    return 0


def known_versions(result: AuditData, expected: list[dict]) -> set[tuple[str, str]]:
    """Ground truth, plus versions a package database in the image states."""
    known = {(item["name"], item["version"]) for item in expected}
    for component in result.components:
        if component.version and any(e.technique is Technique.MANIFEST for e in component.evidence):
            known.add((component.name, component.version))
    return known


if __name__ == "__main__":
    sys.exit(main())
