"""fwaudit: audit device firmware for supply-chain risk, with evidence.

>>> import fwaudit
>>> result = fwaudit.audit("camera.bin")   # an AuditResult: DataFrames, explain(), report
>>> result.verdicts.query("outcome == 'fail'")
>>> fwaudit.diff("old.bin", "new.bin")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

from .errors import (
    BackendUnavailable,
    ConfigError,
    FwauditError,
    InputError,
    OutputError,
    SignatureError,
    StorageError,
)
from .limits import Limits
from .model import AuditData, ExtractedNode, Image, Problem, Severity, UnpackOutcome
from .result import AuditResult

if TYPE_CHECKING:
    from .api import Auditor, audit
    from .batch import audit_many
    from .compare import diff
    from .loading import load, load_fleet

_LAZY = {
    "Auditor": "api",
    "audit": "api",
    "audit_many": "batch",
    "diff": "compare",
    "load": "loading",
    "load_fleet": "loading",
}


def __getattr__(name: str) -> Any:
    """The entry points load the analysis stack (LIEF, YARA, extractors, pandas) on first
    use, so `import fwaudit` and the jailed unpack workers start fast."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'fwaudit' has no attribute {name!r}")


__all__ = [
    "AuditData",
    "AuditResult",
    "Auditor",
    "BackendUnavailable",
    "ConfigError",
    "ExtractedNode",
    "FwauditError",
    "Image",
    "InputError",
    "Limits",
    "OutputError",
    "Problem",
    "Severity",
    "SignatureError",
    "StorageError",
    "UnpackOutcome",
    "__version__",
    "audit",
    "audit_many",
    "diff",
    "load",
    "load_fleet",
]
