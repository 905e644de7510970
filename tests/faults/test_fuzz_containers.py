"""Mutated containers through the whole audit: mutants of generated tar, zip, cpio, gzip, xz,
lzma, uImage, TRX, ext2, JFFS2 and UBI seeds (`tests.faults.mutants`) each end in a result
whose SBOM serializes, within the time limit, with nothing written outside the output and
cache folders. A fixed sample (2 mutants per format, the kinds taken in turn), the same
bytes every run; `benchmarks/fuzz_containers.py` runs thousands.

The audits run in one guarded batch worker (`GuardedWorker`), not here under `signal.alarm`:
the guard kills a hung worker together with the extractors it started (an alarm interrupts
neither LIEF or YARA inside C nor a child process), a crash inside C is an error row rather
than a dead test run, the rules stay compiled across mutants, and the worker builds the SBOM
(`serialize(result, "json")`) and measures peak memory as `fwaudit batch` does.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fwaudit.api import Auditor
from fwaudit.batch.guard import GuardedWorker
from fwaudit.batch.jobs import Job
from fwaudit.batch.worker import JobOutput, Settings, Task
from fwaudit.limits import Limits
from fwaudit.model import Image
from fwaudit.results import result_to_json
from fwaudit.sbom import to_xml

from .containers import BUILDERS, MARKER, missing_tools, root_files, tar
from .escapes import Watch, watched_home
from .framing import FRAMINGS, inner_format
from .mutants import CORPUS_SEEDS, KINDS, Seed, corpus_seeds, generated_seed, mutant

PER_FORMAT = 2
CASES = [
    (fmt, n) for i, fmt in enumerate(BUILDERS) for n in range(PER_FORMAT * i, PER_FORMAT * (i + 1))
]
#: A mutant's limit: two extractor runs of at most `tool_timeout` each, then the analysis.
LIMITS = Limits(tool_timeout=20.0)
MUTANT_TIMEOUT = 90.0
MEMORY_MB = 2048
CLEAN = (None, "unrecognised")  # error kinds that are an answer: the bytes are no firmware


@functools.cache
def seed(fmt: str) -> Seed:
    if missing := missing_tools(fmt):
        pytest.skip(f"the {fmt} seed needs {', '.join(missing)}")
    return generated_seed(fmt)


@dataclass
class Harness:
    guard: GuardedWorker
    settings: Settings
    inputs: Path
    watch: Watch

    def audit(self, name: str, data: bytes) -> tuple[JobOutput, list[str]]:
        """Audit `data` in the worker; its output and the paths it wrote outside."""
        path = self.inputs / name
        path.write_bytes(data)
        before = self.watch.snapshot()
        image = Image.from_path(path)
        task = Task(Job(path, "fuzz"), image.sha256, image.size, self.settings)
        return self.guard.run(task), self.watch.escapes(before)


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    home = tmp_path_factory.mktemp("home")
    cache, inputs = home / "cache", home / "inputs"
    inputs.mkdir()
    settings = Settings(
        cache_dir=str(cache), limits=LIMITS, timeout=MUTANT_TIMEOUT, memory_mb=MEMORY_MB
    )
    with watched_home(home, cache) as watch:
        guard = GuardedWorker()
        try:
            yield Harness(guard, settings, inputs, watch)
        finally:
            guard.stop()


@pytest.mark.slow
@pytest.mark.parametrize("fmt", list(BUILDERS))
def test_every_seed_unpacks_to_its_programs(harness: Harness, fmt: str) -> None:
    """The control: each seed's parser really runs (the ELF comes out and is identified)."""
    output, escapes = harness.audit(f"seed.{fmt}", seed(fmt).data)
    assert output.status == "ok", output.error
    assert output.summary["elf_files"] >= 1 and output.summary["components"] >= 1
    assert not escapes


@pytest.mark.slow
@pytest.mark.parametrize(("fmt", "n"), CASES, ids=[f"{f}-{n}" for f, n in CASES])
def test_mutant_gives_a_result_and_stays_contained(harness: Harness, fmt: str, n: int) -> None:
    item = mutant(seed(fmt), n)
    output, escapes = harness.audit(item.filename, item.data)
    where = f"{item.name} (mutant({fmt!r} seed, {n}): {item.how})"
    assert output.error_kind in CLEAN, f"{where}: {output.error_kind}: {output.error}"
    assert_written(output, where)
    assert not escapes, f"{where} wrote outside: {escapes}"


#: Mutants that crashed fwaudit before a fix: (seed, n, what they hit); "corpus-" seeds need
#: the corpus.
LOOP = "an ext2 folder loop: folders past the recursion limit, names not UTF-8 (unpack/safe.py)"
REGRESSIONS = [
    pytest.param(
        "corpus-binwalk2_dirtraversal.tar",
        60,
        "a DT_NEEDED name that is not UTF-8 (fwaudit/elf.py)",
        marks=pytest.mark.corpus,
    ),
    ("ext2", 121, LOOP),
    ("ext2", 238, LOOP),
    ("zip", 77, "a member name that is not UTF-8 (fwaudit/unpack/safe.py)"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "n", "hit"), REGRESSIONS)
def test_mutants_that_crashed_give_a_result(
    harness: Harness, request: pytest.FixtureRequest, name: str, n: int, hit: str
) -> None:
    if name.startswith("corpus-"):
        (found,) = [s for s in corpus_seeds(request.getfixturevalue("corpus")) if s.name == name]
    else:
        found = seed(name)
    item = mutant(found, n)
    output, escapes = harness.audit(item.filename, item.data)
    assert output.error_kind in CLEAN, f"{item.how} ({hit}): {output.error}"
    assert_written(output, f"{item.how} ({hit})")
    assert not escapes


def assert_written(output: JobOutput, where: str) -> None:
    """The result and the SBOM exist and can be written as UTF-8, as every writer does."""
    for text in (output.result_json, output.sbom_json):
        assert text is not None, where
        text.encode()
    assert json.loads(output.sbom_json or "{}").get("bomFormat") == "CycloneDX", where


def test_member_names_that_are_not_utf8_are_audited_and_written(tmp_path: Path) -> None:
    root = root_files()
    image = tmp_path / "latin1-names.tar"
    image.write_bytes(tar({f"\xf0{name}": data for name, data in root.items()}, "latin-1"))
    result = Auditor(cache_dir=tmp_path / "cache").audit_data(image)
    assert result_to_json(result).encode()
    assert to_xml(result).encode()
    assert not [p for p in result.problems if p.kind == "scan.skipped"]
    assert [p.kind for p in result.unpack.problems if p.kind == "extract.renamed"] == [
        "extract.renamed"
    ]
    assert any("/\\xf0etc/" in f.path for f in result.files)


@pytest.mark.parametrize("fmt", list(BUILDERS))
def test_seeds_and_mutants_are_the_same_bytes_every_time(fmt: str) -> None:
    assert BUILDERS[fmt](root_files()) == seed(fmt).data  # built again, later
    for n in range(len(KINDS)):
        first, again = mutant(seed(fmt), n), mutant(seed(fmt), n)
        assert first == again and first.data != seed(fmt).data, first.how
    assert len({mutant(seed(fmt), n).data for n in range(16)}) == 16


@pytest.mark.parametrize("fmt", list(BUILDERS))
def test_fixups_and_rebuilds_leave_a_valid_container_as_it_is(fmt: str) -> None:
    """The checksums renewed and the layers rebuilt are the ones the tools wrote."""
    data, framing = seed(fmt).data, FRAMINGS[fmt]
    assert framing.fields(data)
    if framing.fix is not None:
        fixed = bytearray(data)
        framing.fix(fixed)
        assert fixed == data
    if framing.unwrap is not None and framing.wrap is not None:
        payload = framing.unwrap(data)
        assert payload is not None and inner_format(payload) is not None
        assert framing.wrap(payload, data) == data


def test_the_watch_sees_stray_writes_and_not_the_allowed_folders(tmp_path: Path) -> None:
    home, cache = tmp_path / "home", tmp_path / "home" / "cache"
    with watched_home(home, cache) as watch:
        before = watch.snapshot()
        cache.mkdir()
        (cache / "entry").write_bytes(b"allowed")
        Path("stray.txt").write_bytes(b"in the working folder")
        (Path(os.environ["TMPDIR"]) / f"{MARKER}.tmp").write_bytes(b"a temporary file left")
        assert watch.escapes(before) == [str(home / f"{MARKER}.tmp"), str(home / "stray.txt")]


@pytest.mark.corpus
def test_corpus_seeds_are_in_the_corpus(corpus: Path) -> None:
    missing = [name for _, name in CORPUS_SEEDS if not (corpus / name).is_file()]
    assert not missing
