"""fwaudit: audit device firmware for supply-chain risk, with evidence.

>>> import fwaudit
>>> result = fwaudit.audit("camera.bin")
>>> result.unpack.elf_files
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from .errors import (
    BackendUnavailable,
    ConfigError,
    FwauditError,
    InputError,
    SignatureError,
)
from .limits import Limits
from .model import AuditResult, ExtractedNode, Image, Problem, Severity, UnpackOutcome

if TYPE_CHECKING:
    from .api import Auditor, audit
    from .batch import audit_many


def __getattr__(name: str) -> Any:
    """`audit`, `Auditor` and `audit_many` load the analysis stack (LIEF, YARA, extractors)
    on first use, so `import fwaudit` and the jailed unpack workers start fast."""
    if name in ("Auditor", "audit"):
        from . import api

        return getattr(api, name)
    if name == "audit_many":
        from .batch import audit_many

        return audit_many
    raise AttributeError(f"module 'fwaudit' has no attribute {name!r}")


__all__ = [
    "AuditResult",
    "Auditor",
    "BackendUnavailable",
    "ConfigError",
    "ExtractedNode",
    "FwauditError",
    "Image",
    "InputError",
    "Limits",
    "Problem",
    "Severity",
    "SignatureError",
    "UnpackOutcome",
    "__version__",
    "audit",
    "audit_many",
]
