"""The `sasquatch` command that fwaudit puts on its backends' PATH.

Both backends call sasquatch (a patched squashfs-tools that no registry ships): binwalk as
``sasquatch IMAGE`` in the output folder, unblob as ``sasquatch [-be|-le] -no-exit-code -f -d
DIR IMAGE``. This stand-in accepts both forms. Stock ``unsquashfs`` goes first (fast, C); when
it fails, its partial output is removed and fwaudit's own reader (`fwaudit.unpack.squashfs`)
reads the image: vendor LZMA variants, SquashFS 2.x/3.x, AVM big-endian and the rest.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .squashfs import SquashfsError, extract_image

IGNORED_FLAGS = frozenset({"-be", "-le", "-no-exit-code", "-f", "-force", "-c"})


@dataclass(frozen=True)
class Request:
    image: Path
    dest: Path
    stock_first: bool = True


def parse(argv: list[str]) -> Request:
    """Read sasquatch's command line; unknown flags are an error."""
    dest = Path("squashfs-root")
    positional = []
    stock_first = True
    args = iter(argv)
    for arg in args:
        if arg in ("-d", "-dest"):
            dest = Path(next(args, ""))
        elif arg == "--python-only":
            stock_first = False
        elif arg in IGNORED_FLAGS:
            continue
        elif arg.startswith("-"):
            raise SystemExit(f"sasquatch (fwaudit): unsupported option {arg}")
        else:
            positional.append(arg)
    if len(positional) != 1:
        raise SystemExit("usage: sasquatch [-be|-le] [-no-exit-code] [-f] [-d DIR] IMAGE")
    return Request(Path(positional[0]), dest, stock_first)


def stock_unsquashfs(request: Request) -> bool:
    """True when stock unsquashfs extracted the image without error."""
    unsquashfs = shutil.which("unsquashfs")
    if unsquashfs is None:
        return False
    command = [
        unsquashfs,
        "-no-xattrs",
        "-no-progress",
        "-f",
        "-d",
        str(request.dest),
        str(request.image),
    ]
    done = subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return done.returncode == 0


def main(argv: list[str]) -> int:
    request = parse(argv)
    if request.stock_first and stock_unsquashfs(request):
        print("sasquatch (fwaudit): read by stock unsquashfs")
        return 0
    if request.dest.is_dir() and not request.dest.is_symlink():
        shutil.rmtree(request.dest)
    try:
        report = extract_image(request.image, request.dest)
    except SquashfsError as exc:
        print(f"sasquatch (fwaudit): {exc}", file=sys.stderr)
        return 1
    print(
        f"sasquatch (fwaudit): {report.superblock.describe()}; decoded with {report.variant}; "
        f"{report.files} files, {report.directories} folders, {report.symlinks} links, "
        f"{report.hard_links} hard links, {len(report.special)} special files not created"
    )
    for error in report.errors[:50]:
        print(f"sasquatch (fwaudit): {error}", file=sys.stderr)
    return 0 if report.files or report.directories else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
