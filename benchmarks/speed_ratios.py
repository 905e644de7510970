"""Every speed ratio of issue 15 in one run: fwaudit against the bare tool doing the same work.

    .venv/bin/python benchmarks/speed_ratios.py [--corpus DIR] [--repeat 3] [--batch]

Each measure is timed in a process of its own (interpreter start-up included on both sides),
the two sides interleaved (A B A B ...), and the median of --repeat runs is shown:

- warm scan: `fwaudit scan` with the unpacked tree cached, against one yara-python pass of the
  component rules over every regular file of that tree;
- cold unpack: `fwaudit unpack` with a fresh cache, against bare binwalk v3 recursion
  (pybinwalk on the image and every file it extracts, fwaudit's SquashFS stand-in on PATH);
- cached unpack: `fwaudit unpack` served by the cache, against the cold one;
- 4 KB scan: `fwaudit scan` of 4 KB of random bytes (fresh cache), against
  `python -c "import yara, lief"`;
- batch (--batch, long): `fwaudit batch` of the realistic corpus images on 2 workers with a
  fresh cache, against bare binwalk recursion of the same images in one process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WR841N = "tplink_wr841nv10_en_3_16_9_up_boot_150310.bin"
OPENWRT = "ofrak_bcm53xx-generic-carved.ubi"
TOOLS = REPO / "fwaudit" / "_tools"  # `sasquatch`: fwaudit's SquashFS reader

YARA_PASS = """
import sys
from pathlib import Path
import yara
rules = yara.compile(filepaths={p.stem: str(p) for p in sorted(Path(sys.argv[1]).glob("*.yar"))})
for path in Path(sys.argv[2]).rglob("*"):
    if path.is_file() and not path.is_symlink():
        rules.match(str(path))
"""

BINWALK_RECURSION = """
import sys
from pathlib import Path
from pybinwalk import Binwalk
out = Path(sys.argv[1])
for n, image in enumerate(sys.argv[2:]):
    level, depth = [Path(image)], 0
    while level and depth < 8:
        produced = []
        for target in level:
            engine = Binwalk.configure(target_file_name=str(target), output_directory=str(out))
            engine.analyze_path(engine.base_target_file, True)
            extracted = out / f"{target.name}.extracted"
            if extracted.is_dir():
                dest = out / f"i{n}-d{depth}-{len(produced)}-{target.name}.extracted"
                extracted.rename(dest)
                produced += [p for p in dest.rglob("*") if p.is_file() and not p.is_symlink()]
            (out / target.name).unlink(missing_ok=True)
        level, depth = produced, depth + 1
"""

#: (measure, target ratio) as issue 15 states them
TARGETS = {
    "warm scan": 10.0,
    "cold unpack": 1.2,
    "cached unpack": 0.10,
    "4 KB scan": 2.0,
    "batch": 3.0,
}


def run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    """One child process; a failure stops the benchmark with its stderr."""
    done = subprocess.run(
        list(map(str, args)), capture_output=True, text=True, env=env, check=False
    )
    if done.returncode not in (0, 1, 3):  # scan and batch exit 1 or 3 on findings
        sys.exit(f"{' '.join(map(str, args[:4]))} ... failed ({done.returncode}):\n{done.stderr}")


def fwaudit(*args: str | Path) -> None:
    run(sys.executable, "-m", "fwaudit.cli", *args)


def seconds(step: Callable[[], None], setup: Callable[[], None] | None = None) -> float:
    """Wall-clock seconds of `step` (after `setup`, which is not timed)."""
    if setup is not None:
        setup()
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def interleaved(
    ours: Callable[[], float], reference: Callable[[], float], repeat: int
) -> tuple[float, float]:
    """Medians of `repeat` timings of each side, taken A B A B ..."""
    a, b = [], []
    for _ in range(repeat):
        a.append(ours())
        b.append(reference())
    return statistics.median(a), statistics.median(b)


class Bench:
    """Scratch folders and the timed steps, each a fresh process."""

    def __init__(self, scratch: Path, corpus: Path) -> None:
        self.scratch, self.corpus, self.count = scratch, corpus, 0
        self.binwalk_env = {**os.environ, "PATH": f"{TOOLS}{os.pathsep}{os.environ['PATH']}"}
        self.rules = REPO / "signatures" / "components"

    def fresh(self, name: str) -> Path:
        """A new path under the scratch folder (not created)."""
        self.count += 1
        return self.scratch / f"{name}{self.count}"

    def warm(self, image: Path) -> tuple[Path, Path]:
        """A cache holding `image` unpacked, and a copy of its tree (not timed)."""
        cache, tree = self.fresh("cache"), self.fresh("tree")
        fwaudit("unpack", image, "-o", tree, "--cache-dir", cache)
        return cache, tree

    def scan(self, image: Path, cache: Path) -> float:
        out = self.fresh("s.cdx.json")
        return seconds(lambda: fwaudit("scan", image, "-o", out, "--cache-dir", cache))

    def yara_pass(self, tree: Path) -> float:
        return seconds(lambda: run(sys.executable, "-c", YARA_PASS, self.rules, tree))

    def cold_unpack(self, image: Path) -> float:
        return seconds(
            lambda: fwaudit(
                "unpack", image, "-o", self.fresh("out"), "--cache-dir", self.fresh("cache")
            )
        )

    def binwalk(self, *images: Path) -> float:
        out = self.fresh("binwalk")
        return seconds(
            lambda: run(
                sys.executable, "-c", BINWALK_RECURSION, out, *images, env=self.binwalk_env
            ),
            setup=out.mkdir,
        )

    def cached_unpack(self, image: Path, cache: Path) -> float:
        return seconds(
            lambda: fwaudit("unpack", image, "-o", self.fresh("out"), "--cache-dir", cache)
        )

    def small_scan(self, blob: Path) -> float:
        out, cache = self.fresh("s.cdx.json"), self.fresh("cache")
        return seconds(lambda: fwaudit("scan", blob, "-o", out, "--cache-dir", cache))

    def batch(self, images: list[Path]) -> float:
        out, cache = self.fresh("batch"), self.fresh("cache")
        return seconds(
            lambda: fwaudit("batch", *images, "-o", out, "-w", "2", "-q", "--cache-dir", cache)
        )


def measures(
    bench: Bench, corpus: Path, repeat: int, batch: bool
) -> list[tuple[str, float, float]]:
    """(measure, fwaudit s, reference s) for every ratio of issue 15."""
    wr841n, openwrt = corpus / WR841N, corpus / OPENWRT
    rows = []
    for image in (wr841n, openwrt):
        cache, tree = bench.warm(image)
        warm = interleaved(
            lambda i=image, c=cache: bench.scan(i, c), lambda t=tree: bench.yara_pass(t), repeat
        )
        rows.append((f"warm scan {image.name[:20]} / yara pass", *warm))
    cold = interleaved(lambda: bench.cold_unpack(wr841n), lambda: bench.binwalk(wr841n), repeat)
    rows.append(("cold unpack WR841N / binwalk v3 recursion", *cold))
    cache = bench.fresh("cache")
    fwaudit("unpack", wr841n, "-o", bench.fresh("out"), "--cache-dir", cache)
    cached = interleaved(
        lambda: bench.cached_unpack(wr841n, cache), lambda: bench.cold_unpack(wr841n), repeat
    )
    rows.append(("cached unpack WR841N / cold", *cached))
    blob = bench.scratch / "random-4k.bin"
    blob.write_bytes(os.urandom(4096))
    importing = lambda: seconds(lambda: run(sys.executable, "-c", "import yara, lief"))  # noqa: E731
    rows.append(
        (
            "4 KB scan / import yara, lief",
            *interleaved(lambda: bench.small_scan(blob), importing, repeat),
        )
    )
    if batch:
        names = json.loads((corpus / "expected.json").read_text())["images"]
        images = [corpus / n for n in sorted(names) if (corpus / n).is_file()]
        fleet = interleaved(lambda: bench.batch(images), lambda: bench.binwalk(*images), repeat)
        rows.append((f"batch {len(images)} images, 2 workers / binwalk", *fleet))
    return rows


def target(measure: str) -> float:
    """The ratio issue 15 sets for `measure`."""
    return next(v for k, v in TARGETS.items() if measure.startswith(k))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus",
        type=Path,
        default=Path(os.environ.get("FWAUDIT_CORPUS", REPO.parent / "shared" / "corpus")),
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch", action="store_true", help="also the corpus batch (long)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fwaudit-ratios-") as scratch:
        rows = measures(Bench(Path(scratch), args.corpus), args.corpus, args.repeat, args.batch)
    print(f"median of {args.repeat}, each run a process of its own\n")
    print("| measure | fwaudit s | reference s | ratio | target | met |")
    print("|---|---|---|---|---|---|")
    for measure, ours, reference in rows:
        ratio, goal = ours / reference, target(measure)
        print(
            f"| {measure} | {ours:.2f} | {reference:.2f} | {ratio:.2f}x | <= {goal:g}x "
            f"| {'yes' if ratio <= goal else 'no'} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
