"""`fwaudit` command line: a thin layer over the public API."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from . import __version__
from .batch.worker import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT
from .errors import ConfigError, FwauditError, InputError, StorageError
from .limits import Limits
from .model import (
    Attribution,
    AuditData,
    Coverage,
    CredentialKind,
    Image,
    NodeKind,
    Outcome,
    Problem,
    Severity,
    UnpackOutcome,
    inner_path,
)
from .outputs import (
    check_cache_folder,
    check_output_file,
    check_output_folder,
    publish_tree,
    write_atomic,
)
from .unpack import BACKENDS, DEFAULT_BACKENDS
from .unpack.cache import default_cache_dir, outcome_to_json

EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_GATE = 3  # `scan --fail-on`: a policy came out with one of the outcomes named there


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except FwauditError as exc:
        print(f"fwaudit: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fwaudit", description=__doc__)
    parser.add_argument("--version", action="version", version=f"fwaudit {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    def common(cmd: argparse.ArgumentParser) -> None:
        cmd.add_argument("image", type=Path, help="firmware image file")
        cmd.add_argument(
            "--backend",
            dest="backends",
            action="append",
            choices=[b.name for b in BACKENDS],
            help="unpack backend; repeat to give a fallback order "
            f"(default: {' then '.join(DEFAULT_BACKENDS)})",
        )
        cmd.add_argument(
            "--cache-dir",
            type=Path,
            default=None,
            help="cache folder (default: $FWAUDIT_CACHE_DIR or the user cache)",
        )

    unpack = commands.add_parser("unpack", help="extract an image into a folder")
    common(unpack)
    unpack.add_argument("-o", "--out", type=Path, required=True, help="new or empty folder")
    unpack.set_defaults(handler=cmd_unpack)

    scan = commands.add_parser("scan", help="audit an image and write a CycloneDX 1.6 SBOM")
    common(scan)
    scan.add_argument("-o", "--out", type=Path, required=True, help="SBOM path (.cdx.json)")
    scan.add_argument(
        "--format",
        choices=["json", "xml"],
        default="json",
        help="CycloneDX 1.6 serialisation (default: json)",
    )
    scan.add_argument(
        "--policy",
        dest="policies",
        action="append",
        help="built-in policy id or a policy YAML file; repeat (default: every built-in)",
    )
    scan.add_argument(
        "--declared-vendor", help="vendor named by the procurement record (flags OEM relabels)"
    )
    scan.add_argument(
        "--online", action="store_true", help="look outbound endpoints up over RDAP (network)"
    )
    _add_as_of(scan)
    scan.add_argument(
        "--report", type=Path, default=None, help="also write the readable HTML report here"
    )
    scan.add_argument(
        "--fail-on",
        type=_outcomes,
        default=(),
        metavar="OUTCOMES",
        help="exit with code 3 when any policy's overall outcome is one of these "
        "(comma-separated: fail,review,inconclusive,pass), for CI gates; "
        "input and usage errors exit with 2",
    )
    scan.set_defaults(handler=cmd_scan)

    _add_diff(commands)

    _add_batch(commands)

    _add_cra(commands)

    data = commands.add_parser("data", help="check or show the jurisdiction data")
    data.add_argument("action", choices=["check", "show", "policies"])
    data.add_argument("name", nargs="?", help="entry id or organisation name for `show`")
    data.set_defaults(handler=cmd_data)

    explain = commands.add_parser("explain", help="the evidence and sources behind a verdict")
    explain.add_argument("source", type=Path, help="a fwaudit SBOM (.cdx.json) or an image")
    explain.add_argument("finding", nargs="?", default="", help="verdict id or part of it")
    explain.add_argument("--cache-dir", type=Path, default=None, help="cache folder")
    explain.set_defaults(handler=cmd_explain)

    signatures = commands.add_parser("signatures", help="list or self-test component rules")
    signatures.add_argument("action", choices=["list", "test"])
    signatures.add_argument(
        "--rules",
        type=Path,
        default=None,
        help="folder of .yar files (default: the packaged signatures)",
    )
    signatures.add_argument(
        "--banners",
        type=Path,
        default=None,
        help="banner fixtures TSV for `test` (default: the repository's)",
    )
    signatures.add_argument(
        "--snippets",
        type=Path,
        default=None,
        help="folder of byte snippets <name>/<version>/<arch>/<file> to check too",
    )
    signatures.set_defaults(handler=cmd_signatures)
    return parser


def _add_as_of(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        default=None,
        help="judge the policies as they stood on this day (default: today)",
    )


def _add_batch(commands: Any) -> None:
    batch = commands.add_parser(
        "batch",
        help="audit many images into a folder: SBOMs, results, fleet tables; resumable",
        description="Audit folders (recursively), files and CSV manifests (columns path, "
        "declared_vendor, model, firmware_version). Rerunning skips finished images.",
    )
    batch.add_argument("inputs", nargs="+", type=Path, metavar="INPUT")
    batch.add_argument("-o", "--out", type=Path, required=True, help="output folder")
    batch.add_argument(
        "-w", "--workers", type=int, default=None, help="worker processes (default: cores)"
    )
    batch.add_argument(
        "--dask",
        metavar="local|tcp://HOST:PORT",
        help="run on Dask: a LocalCluster of --workers workers, or an existing scheduler",
    )
    batch.add_argument(
        "--policy",
        dest="policies",
        action="append",
        help="built-in policy id or a policy YAML file; repeat (default: every built-in)",
    )
    batch.add_argument(
        "--retry-failed", action="store_true", help="redo images whose last run failed"
    )
    batch.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per image (%(default)s)"
    )
    batch.add_argument(
        "--memory-limit",
        type=int,
        default=DEFAULT_MEMORY_MB,
        metavar="MIB",
        help="resident memory per worker and its extractors (%(default)s MiB)",
    )
    batch.add_argument("--cache-dir", type=Path, default=None, help="cache folder (shared)")
    batch.add_argument(
        "--online", action="store_true", help="look outbound endpoints up over RDAP (network)"
    )
    _add_as_of(batch)
    batch.add_argument("-q", "--quiet", action="store_true", help="no progress, summary only")
    batch.set_defaults(handler=cmd_batch)


def _add_cra(commands: Any) -> None:
    cra = commands.add_parser(
        "cra",
        help="EU Cyber Resilience Act readiness: what the SBOM covers and what it lacks",
        description="Check an image's fwaudit SBOM (the image is audited) or any CycloneDX "
        "JSON SBOM against what Regulation (EU) 2024/2847 asks: each requirement covered, "
        "partly or missing, with counts, and who must supply what firmware cannot show.",
    )
    cra.add_argument("source", type=Path, help="firmware image or CycloneDX JSON SBOM")
    cra.add_argument("--format", choices=["text", "json"], default="text")
    cra.add_argument("--cache-dir", type=Path, default=None, help="cache folder")
    cra.set_defaults(handler=cmd_cra)


def cmd_cra(args: argparse.Namespace) -> int:
    from .cra import checklist, readiness

    source: Path = args.source
    if not source.is_file():
        raise InputError(f"{source}: no such file")
    if source.name.endswith((".json", ".cdx")):
        try:
            document = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise InputError(f"{source}: not a CycloneDX JSON SBOM ({exc})") from exc
        if not isinstance(document, dict) or document.get("bomFormat") != "CycloneDX":
            raise InputError(f"{source}: not a CycloneDX JSON SBOM")
        found = checklist(document)
    else:
        from .api import Auditor

        found = readiness(Auditor(cache_dir=args.cache_dir).audit_data(source))
    print(json.dumps(found.to_dict(), indent=1) if args.format == "json" else found)
    return EXIT_OK


def _add_diff(commands: Any) -> None:
    difference = commands.add_parser(
        "diff", help="what changed between two images, saved results or fwaudit SBOMs"
    )
    difference.add_argument("old", type=Path, help="image, result.json or .cdx.json")
    difference.add_argument("new", type=Path, help="image, result.json or .cdx.json")
    difference.add_argument("--format", choices=["text", "json"], default="text")
    difference.add_argument("--cache-dir", type=Path, default=None, help="cache folder")
    _add_as_of(difference)
    difference.add_argument(
        "--as-of-old",
        metavar="YYYY-MM-DD",
        default=None,
        help="judge the old side as the law stood on this day (default: --as-of)",
    )
    difference.add_argument(
        "--as-of-new",
        metavar="YYYY-MM-DD",
        default=None,
        help="judge the new side as the law stood on this day (default: --as-of); the same "
        "image twice with two days shows how its outcome changed",
    )
    difference.set_defaults(handler=cmd_diff)


def _audit(args: argparse.Namespace) -> AuditData:
    from .api import Auditor

    auditor = Auditor(
        backends=args.backends or DEFAULT_BACKENDS,
        cache_dir=args.cache_dir,
        policies=getattr(args, "policies", None),
        online=getattr(args, "online", False),
        as_of=getattr(args, "as_of", None),
    )
    return auditor.audit_data(args.image, declared_vendor=getattr(args, "declared_vendor", None))


def cmd_unpack(args: argparse.Namespace) -> int:
    """The unpack stage alone: no inventory, identification or policies."""
    from .image import open_image
    from .unpack import unpack_image

    out: Path = args.out
    check_output_folder(out)
    _check_cache(args)
    started = time.monotonic()
    image = open_image(args.image)
    outcome = unpack_image(
        image, backends=args.backends or DEFAULT_BACKENDS, cache_dir=args.cache_dir
    )
    _check_unpacked(outcome, args)
    report = {
        "image": {"path": str(image.path), "sha256": image.sha256, "size": image.size},
        "fwaudit_version": __version__,
        "from_cache": outcome.from_cache,
        "summary": _summary(outcome),
        **outcome_to_json(outcome),
    }
    publish_tree(outcome.root, out, {"unpack.json": json.dumps(report, indent=1)})
    _print_unpacked(image, outcome, time.monotonic() - started)
    _print_problems(outcome.problems)
    print(f"tree and unpack.json written to {out}")
    return EXIT_OK


def cmd_scan(args: argparse.Namespace) -> int:
    check_output_file(args.out)
    if args.report is not None:
        check_output_file(args.report, option="--report")
    _check_cache(args)
    from .sbom import serialize  # the analysis stack: after the checks, which take a moment

    started = time.monotonic()
    result = _audit(args)
    _check_unpacked(result.unpack, args)
    write_atomic(args.out, serialize(result, args.format))
    _print_summary(result, time.monotonic() - started)
    _print_verdicts(result)
    print(f"CycloneDX 1.6 SBOM ({args.format}, schema-valid) written to {args.out}")
    if args.report is not None:
        from .report import write_html

        print(f"HTML report written to {write_html(result, args.report)}")
    if result.assessment and result.assessment.verdicts:
        print(f"  why? fwaudit explain {args.out} VERDICT-ID")
    return _gate(result, args.fail_on)


def _check_cache(args: argparse.Namespace) -> None:
    """Refuse, before the audit, a cache folder that could not hold this image's tree."""
    try:
        size = args.image.stat().st_size
    except OSError:
        size = 0  # the audit says what is wrong with the image
    check_cache_folder(
        args.cache_dir or default_cache_dir(), Limits(), size, option=_cache_option(args)
    )


def _check_unpacked(outcome: UnpackOutcome, args: argparse.Namespace) -> None:
    """A `StorageError` when the cache could not take the unpacked tree: an output made
    from an unpack that kept nothing would read as an image with no files."""
    for problem in outcome.problems:
        if problem.kind == "storage.error":
            raise StorageError(
                f"{args.cache_dir or default_cache_dir()}: unpacking {args.image.name} failed "
                f"({problem.detail}); free some space or choose another --cache-dir"
            )


def _cache_option(args: argparse.Namespace) -> str:
    """How the user chose the cache folder, for a message that names the fix."""
    if args.cache_dir is None and os.environ.get("FWAUDIT_CACHE_DIR"):
        return "$FWAUDIT_CACHE_DIR"
    return "--cache-dir"


def _outcomes(text: str) -> tuple[Outcome, ...]:
    """`--fail-on` text as outcomes; an unknown name is a usage error (exit 2)."""
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    known = ", ".join(o.value for o in Outcome)
    try:
        return tuple(Outcome(n) for n in names)
    except ValueError:
        raise argparse.ArgumentTypeError(f"outcomes are {known}; got {text!r}") from None


def _gate(result: AuditData, fail_on: tuple[Outcome, ...]) -> int:
    """EXIT_GATE when a policy's overall outcome is in `fail_on` (named on stderr)."""
    policies = result.assessment.policies if result.assessment else ()
    hit = [(policy, outcome) for policy, outcome in policies if outcome in fail_on]
    for policy, outcome in hit:
        print(f"fwaudit: --fail-on {outcome.value}: {policy} is {outcome.value}", file=sys.stderr)
    return EXIT_GATE if hit else EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from .compare import diff

    for side in (args.old, args.new):
        if not side.is_file():
            raise InputError(f"{side}: no such file")
    days = (args.as_of_old or args.as_of, args.as_of_new or args.as_of)
    changes = diff(args.old, args.new, cache_dir=args.cache_dir, as_of=days)
    print(json.dumps(changes.to_dict(), indent=1) if args.format == "json" else changes)
    return EXIT_OK


def _device_classes(who: Attribution) -> str:
    """The classes with their confidence and first cue, as the summary line shows them."""
    if not who.device_classes:
        return "unknown (no class is evident from the image)"
    shown = []
    for found in who.device_classes:
        ev = found.evidence[0] if found.evidence else None
        cue = ev.matched.partition(":")[0] if ev else ""
        path = ev.path.rsplit("_extract/", 1)[-1] if ev and ev.path else "<image>"
        where = f" ({cue} in {path}@{ev.offset})" if ev else ""
        shown.append(f"{found.name} {found.confidence}{where}")
    return ", ".join(shown)


def _print_modules(result: AuditData) -> None:
    """One line per radio or cellular module or Wi-Fi chip: maker, country, how sure."""
    assessment = result.assessment
    for part in (c for c in result.components if c.type in ("device", "firmware")):
        supplier = assessment.supplier(part) if assessment else None
        maker = f"{supplier.name} ({supplier.country or 'country unknown'})" if supplier else "?"
        what = part.description.split(":")[0] or part.name
        revision = f", revision {part.version}" if part.version else ""
        how = "present" if part.confidence >= 0.75 else f"likely ({part.confidence})"
        methods = ", ".join(sorted({e.method for e in part.evidence}))
        kind = "Wi-Fi firmware" if part.type == "firmware" else "module"
        print(f"  {kind}: {what}{revision} from {maker}, {how} [{methods}]")


def _print_verdicts(result: AuditData) -> None:
    assessment = result.assessment
    if assessment is None:
        return
    who = assessment.attribution
    if who.maker:
        clue = who.evidence[0] if who.evidence else None
        why = f" from {clue.method} in {clue.path or '<image>'}@{clue.offset}" if clue else ""
        print(
            f"  maker: {who.maker.name} ({who.maker.country or 'country unknown'}), "
            f"confidence {who.confidence}{why}"
        )
    else:
        print("  maker: not identified from the image")
    if who.maker and who.maker.org is None:
        print("    (a maker the jurisdiction data does not hold: its country is unknown)")
    if who.brand:
        print(
            f"  brand: {who.brand.name} (an OEM relabel of {who.maker.name if who.maker else '?'})"
        )
    for clue in who.platform:
        print(
            f"  platform: {clue.role} {clue.party.name} ({clue.party.country or 'country unknown'})"
            + (f" {clue.model}" if clue.model else "")
            + f", confidence {clue.confidence}"
        )
    print(f"  device class: {_device_classes(who)}")
    _print_modules(result)
    if who.mismatch:
        print(f"  declared vendor: {who.mismatch}")
    if assessment.as_of:
        print(f"  policies judged as of {assessment.as_of}")
    for policy, outcome in assessment.policies:
        mine = [v for v in assessment.verdicts if v.policy == policy]
        worst = [v for v in mine if v.outcome is outcome]
        print(f"  {policy}: {outcome.value.upper()} ({len(worst)} {outcome.value})")
        for verdict in worst[:3]:
            print(f"    {verdict.id}: {_clip(verdict.rationale, 110)}")
        if len(worst) > 3:
            print(f"    ... and {len(worst) - 3} more")


def cmd_batch(args: argparse.Namespace) -> int:
    from rich.console import Console

    from .batch import audit_many
    from .batch.progress import default_mode, summary_table

    if args.workers is not None and args.workers < 1:
        raise ConfigError("--workers must be at least 1")
    check_output_folder(args.out, empty=False)
    check_cache_folder(args.cache_dir or default_cache_dir(), Limits(), option=_cache_option(args))
    report = audit_many(
        args.inputs,
        out=args.out,
        workers=args.workers,
        dask=args.dask,
        policies=args.policies,
        retry_failed=args.retry_failed,
        timeout=args.timeout,
        memory_mb=args.memory_limit,
        cache_dir=args.cache_dir,
        online=args.online,
        as_of=args.as_of,
        progress=default_mode(args.quiet),
    )
    Console().print(summary_table(report))
    for row in report.failed[:20]:
        print(f"  {row['status']} {row['error_kind'] or ''}: {row['image']}: {row['error']}")
    if len(report.failed) > 20:
        print(f"  ... {len(report.failed) - 20} more in {report.out / 'fleet.csv'}")
    if report.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_FAILURES if report.failed else EXIT_OK


def cmd_data(args: argparse.Namespace) -> int:
    from .jurisdiction import builtin_policies, load_policy
    from .jurisdiction.data import check, load

    if args.action == "check":
        problems = check()
        for problem in problems:
            print(f"FAIL {problem}")
        for name in builtin_policies():
            load_policy(name)
        data = load() if not problems else None
        if data:
            counts = ", ".join(
                f"{len(getattr(data, k))} {k}" for k in ("regimes", "lists", "organisations")
            )
            print(f"jurisdiction data OK: {counts}, as of {data.as_of}")
        return EXIT_OK if not problems else 1
    if args.action == "policies":
        for name in builtin_policies():
            policy = load_policy(name)
            print(f"{policy.id:28} {policy.name}")
        return EXIT_OK
    found = load().find(args.name or "") or _find_dated(load(), args.name or "")
    if found is None:
        raise InputError(f"no jurisdiction entry or organisation called {args.name!r}")
    kind, entry_id, entry = found
    print(f"{kind}/{entry_id}")
    print(yaml.safe_dump(entry, sort_keys=False, allow_unicode=True).rstrip())
    for line in _dated_lines(load(), kind, entry_id, entry):
        print(line)
    return EXIT_OK


def _find_dated(data: Any, name: str) -> tuple[str, str, dict[str, Any]] | None:
    """A list's product category or instrument by id (``foreign-produced-routers``,
    ``fcc-25-71``) or ``list-id/id``."""
    for ref, item in data.dated():
        if "org" not in item and (ref.endswith(f"/{name}") or ref == f"lists/{name}"):
            return "categories and instruments", ref.removeprefix("lists/"), item
    return None


def _dated_lines(data: Any, kind: str, entry_id: str, entry: dict[str, Any]) -> list[str]:
    """The dates each dated part of an entry holds, and whether it holds today: a list's
    entries, categories and instruments, or an organisation's listings."""
    from .jurisdiction.dates import dates_text, status, today

    day = today()
    lines = []
    if kind == "categories and instruments":
        lines.append(f"  {entry_id}: {dates_text(entry)} ({status(entry, day)} on {day})")
    elif kind == "lists":
        parts = [(i["org"], i) for i in entry.get("entries", ())]
        parts += [(i["id"], i) for k in ("categories", "instruments") for i in entry.get(k, ())]
        for name, item in parts:
            lines.append(f"  {name}: {dates_text(item)} ({status(item, day)} on {day})")
    elif kind == "organisations":
        for list_id, org, item in data.listings(entry_id):
            lines.append(
                f"  on {list_id} ({org}): {dates_text(item)} ({status(item, day)} on {day})"
            )
    return ["dates:", *lines] if lines else []


def cmd_explain(args: argparse.Namespace) -> int:
    from .explanation import explain

    if args.source.name.endswith((".json", ".cdx")):
        from .loading import load

        data = load(args.source).data
    else:
        from .api import Auditor

        data = Auditor(cache_dir=args.cache_dir).audit_data(args.source)
    verdicts = data.assessment.verdicts if data.assessment else ()
    finding = args.finding
    chosen = [v for v in verdicts if v.id == finding] or [
        v for v in verdicts if finding in v.id or finding == v.subject
    ]
    if not chosen:
        known = "\n  ".join(v.id for v in verdicts)
        raise InputError(f"no verdict matches {finding!r}; verdicts:\n  {known}")
    print("\n\n".join(str(explain(data, v)) for v in chosen))
    return EXIT_OK


def cmd_signatures(args: argparse.Namespace) -> int:
    from .identify.selftest import list_rules, run_selftest

    if args.action == "list":
        for line in list_rules(args.rules):
            print(line)
        return EXIT_OK
    failures, total = run_selftest(args.rules, args.banners, args.snippets)
    for failure in failures:
        print(f"FAIL {failure}")
    print(f"{total - len(failures)} passed, {len(failures)} failed")
    return EXIT_OK if not failures else 1


def _summary(outcome: UnpackOutcome) -> dict[str, int]:
    """Counts of what the unpack extracted (unpack.json's ``summary``)."""
    kinds = Counter(n.kind.value for n in outcome.nodes)
    return {
        "files": kinds["file"],
        "bytes": sum(n.size for n in outcome.nodes if n.kind is NodeKind.FILE),
        "directories": kinds["directory"],
        "symlinks": kinds["symlink"],
        "elf_files": len(outcome.elf_files),
    }


def _print_unpacked(image: Image, outcome: UnpackOutcome, seconds: float) -> None:
    """The image, the backend and what it extracted."""
    summary = _summary(outcome)
    cached = " (from cache)" if outcome.from_cache else ""
    print(f"{image.name}  sha256 {image.sha256[:16]}…  {image.size:,} bytes")
    print(
        f"  unpacked with {outcome.tool_version}{cached} in {seconds:.2f} s: "
        f"{summary['files']:,} files ({summary['bytes']:,} bytes), "
        f"{summary['elf_files']:,} ELF, "
        f"{summary['directories']:,} folders, {summary['symlinks']:,} links"
    )
    for chunk in outcome.chunks:
        if chunk.detail:
            where = chunk.container or image.name
            print(f"  {chunk.format} at {where}@{chunk.offset}: {chunk.detail}")
    if not summary["files"]:
        print("  no known format found: not firmware, encrypted, or a format no backend reads")


def _print_problems(problems: Sequence[Problem]) -> None:
    """One line per problem kind and severity, worst first, with a count and an example."""
    by_kind = Counter((p.severity, p.kind) for p in problems)
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    for (severity, kind), count in sorted(by_kind.items(), key=lambda i: (order[i[0][0]], i[0][1])):
        example = next(p for p in problems if p.kind == kind and p.severity == severity)
        print(f"  {severity:<7} {kind} x{count}: {_clip(example.detail, 100)}")


def _print_summary(result: AuditData, seconds: float) -> None:
    _print_unpacked(result.image, result.unpack, seconds)
    known = [c for c in result.components if c.type != "application"]
    programs = [c.name for c in result.components if c.type == "application"]
    if known:
        shown = ", ".join(c.key for c in known[:12])
        more = f" (+{len(known) - 12} more)" if len(known) > 12 else ""
        print(f"  components ({len(known)}): {shown}{more}")
    if programs:
        more = f" (+{len(programs) - 12} more)" if len(programs) > 12 else ""
        print(
            f"  other programs, not identified ({len(programs)}): {', '.join(programs[:12])}{more}"
        )
    if result.endpoints:
        outbound = result.outbound
        shown = ", ".join(f"{e.host}" + (f" [{e.role}]" if e.role else "") for e in outbound[:10])
        print(f"  outbound endpoints ({len(outbound)} of {len(result.endpoints)} seen): {shown}")
    if result.toolchain:
        print(f"  toolchain: {', '.join(result.toolchain)}")
    _print_credentials(result)
    if result.coverage is not None:
        _print_coverage(result.coverage)
    _print_problems(result.all_problems)


def _print_credentials(result: AuditData, shown: int = 6) -> None:
    """The passwords and logins the image sets (locked accounts only counted)."""
    locked = [c for c in result.credentials if c.kind is CredentialKind.LOCKED]
    found = [c for c in result.credentials if c.kind is not CredentialKind.LOCKED]
    if not result.credentials:
        print("  credentials: none set in the image (no account database, none hard-coded)")
        return
    print(f"  credentials ({len(found)}, and {len(locked)} locked accounts):")
    for credential in found[:shown]:
        what = credential.kind.value
        if credential.shown:
            what += f" = well-known default {credential.shown!r}"
        elif credential.fingerprint:
            what += f" {credential.algorithm} {credential.fingerprint}"
        state = "" if credential.in_effect is not False else " (not in effect)"
        ev = credential.evidence[0]
        print(
            f"    {credential.account or credential.service}: {what}{state}, "
            f"{credential.origin} {inner_path(credential.path)}@{ev.offset} ({ev.method})"
        )
    if len(found) > shown:
        print(f"    ... and {len(found) - shown} more")


def _print_coverage(coverage: Coverage, regions: int = 3) -> None:
    """What was examined, and why no policy can pass when it is too little."""
    print(f"  coverage: {coverage.summary()}")
    for region in sorted(coverage.unexplained, key=lambda r: -r.size)[:regions]:
        where = region.container or "<image>"
        print(f"    not examined: {where}@{region.offset} {region.size:,} bytes, {region.label}")
    if not coverage.conclusive:
        print("  INCONCLUSIVE: no policy can pass on what was examined:")
        for reason in coverage.reasons:
            print(f"    {reason}")


def _clip(text: str, width: int) -> str:
    """`text` cut to about `width` characters at a word boundary, marked with an ellipsis."""
    if len(text) <= width:
        return text
    cut = text[:width].rsplit(" ", 1)[0]
    return (cut if len(cut) > width // 2 else text[:width]).rstrip(" ,;:") + " …"


if __name__ == "__main__":
    sys.exit(main())
