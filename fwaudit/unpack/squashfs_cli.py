"""The `sasquatch` command that fwaudit puts on its backends' PATH.

Both backends call sasquatch (a patched squashfs-tools that no registry ships): binwalk as
``sasquatch IMAGE`` in the output folder, unblob as ``sasquatch [-be|-le] -no-exit-code -f -d
DIR IMAGE``. This stand-in accepts both forms and hands the image to stock ``unsquashfs``,
which reads standard SquashFS 4.0 images (gzip, xz, lzo, lz4, zstd); vendor LZMA variants and
older versions fail here and are reported as a failed extraction.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

IGNORED_FLAGS = frozenset({"-be", "-le", "-no-exit-code", "-f", "-force", "-c"})


@dataclass(frozen=True)
class Request:
    image: Path
    dest: Path


def parse(argv: list[str]) -> Request:
    """Read sasquatch's command line; unknown flags are an error."""
    dest = Path("squashfs-root")
    positional = []
    args = iter(argv)
    for arg in args:
        if arg in ("-d", "-dest"):
            dest = Path(next(args, ""))
        elif arg in IGNORED_FLAGS:
            continue
        elif arg.startswith("-"):
            raise SystemExit(f"sasquatch (fwaudit): unsupported option {arg}")
        else:
            positional.append(arg)
    if len(positional) != 1:
        raise SystemExit("usage: sasquatch [-be|-le] [-no-exit-code] [-f] [-d DIR] IMAGE")
    return Request(Path(positional[0]), dest)


def main(argv: list[str]) -> int:
    request = parse(argv)
    unsquashfs = shutil.which("unsquashfs")
    if unsquashfs is None:
        print("sasquatch (fwaudit): unsquashfs not found (apt: squashfs-tools)", file=sys.stderr)
        return 127
    command = [
        unsquashfs,
        "-no-xattrs",
        "-no-progress",
        "-f",
        "-d",
        str(request.dest),
        str(request.image),
    ]
    return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
