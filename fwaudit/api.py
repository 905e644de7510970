"""The public entry points: `audit()` is a thin wrapper over a reusable `Auditor`."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .endpoints import find_endpoints
from .errors import InputError
from .identify import RuleSet, identify
from .identify.dependencies import component_dependencies
from .inventory import take_inventory
from .limits import Limits
from .model import AuditResult, Image
from .unpack import DEFAULT_BACKENDS, get_backend, unpack_image


class Auditor:
    """Holds configuration and compiled rules across many audits."""

    def __init__(
        self,
        *,
        limits: Limits = Limits(),
        backends: Sequence[str] = DEFAULT_BACKENDS,
        cache_dir: Path | None = None,
    ) -> None:
        for name in backends:
            get_backend(name)  # fail early on a caller's typo
        self.limits = limits
        self.backends = tuple(backends)
        self.cache_dir = cache_dir
        self.rules = RuleSet()

    def audit(self, image: str | os.PathLike[str]) -> AuditResult:
        """Audit one image file. Raises `InputError` only when it cannot be read at all."""
        fw = open_image(Path(image))
        outcome = unpack_image(
            fw, backends=self.backends, limits=self.limits, cache_dir=self.cache_dir
        )
        inventory = take_inventory(fw, outcome)
        components, toolchain = identify(inventory, self.rules)
        endpoints = find_endpoints(inventory, components)
        return AuditResult(
            image=fw,
            unpack=outcome,
            fwaudit_version=__version__,
            problems=inventory.problems,
            files=inventory.files,
            components=components,
            toolchain=toolchain,
            endpoints=endpoints,
            dependencies=component_dependencies(inventory.files, components),
        )


def open_image(path: Path) -> Image:
    """Hash the image; a missing, unreadable or non-regular file is an `InputError`."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a regular file")
    try:
        return Image.from_path(path.resolve())
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc


def audit(
    image: str | os.PathLike[str],
    /,
    *,
    limits: Limits = Limits(),
    backends: Sequence[str] = DEFAULT_BACKENDS,
    cache_dir: Path | None = None,
) -> AuditResult:
    """Audit one firmware image and return everything found, with evidence.

    `backends` are tried in order until one recovers a file (see `fwaudit.unpack`).
    """
    return Auditor(limits=limits, backends=backends, cache_dir=cache_dir).audit(image)
