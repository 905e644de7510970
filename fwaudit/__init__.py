"""fwaudit: audit device firmware for supply-chain risk, with evidence.

>>> import fwaudit
>>> result = fwaudit.audit("camera.bin")
>>> result.unpack.elf_files
"""

__version__ = "0.1.0"

from .api import Auditor, audit
from .errors import (
    BackendUnavailable,
    ConfigError,
    FwauditError,
    InputError,
    SignatureError,
)
from .limits import Limits
from .model import AuditResult, ExtractedNode, Image, Problem, Severity, UnpackOutcome

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
]
