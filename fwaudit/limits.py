"""Resource limits for unpacking untrusted images: a small value object with safe defaults."""

from __future__ import annotations

from dataclasses import asdict, dataclass

MiB = 1 << 20
GiB = 1 << 30


@dataclass(frozen=True)
class Limits:
    """Bounds on what unpacking one image may produce and cost.

    Breaching a limit never raises: the extractor is stopped, the partial tree is kept and a
    ``limit.*`` problem is recorded. The expansion ratio is only enforced once the tree is
    larger than `ratio_floor_bytes`, so tiny compressed test vectors do not trip it.
    """

    max_total_bytes: int = 4 * GiB
    max_file_bytes: int = 1 * GiB
    #: address space of each extractor process (RLIMIT_AS): a header that claims gigabytes
    #: makes the extractor fail at once instead of taking the machine's memory
    max_tool_memory_bytes: int = 4 * GiB
    max_ratio: float = 100.0
    ratio_floor_bytes: int = 64 * MiB
    max_files: int = 200_000
    max_depth: int = 8
    tool_timeout: float = 300.0

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if value <= 0:
                raise ValueError(f"Limits.{name} must be positive, got {value!r}")

    def key(self) -> str:
        """A stable text form, part of the unpack cache key."""
        return ",".join(f"{k}={v}" for k, v in sorted(asdict(self).items()))

    def exceeded(self, *, total_bytes: int, files: int, image_size: int) -> str | None:
        """The name of the first limit the tree breaks, or None."""
        if total_bytes > self.max_total_bytes:
            return "total_bytes"
        if files > self.max_files:
            return "files"
        over_floor = total_bytes > self.ratio_floor_bytes
        if over_floor and total_bytes > self.max_ratio * max(image_size, 1):
            return "ratio"
        return None
