"""Component signatures: YARA rules whose meta is the component record.

Rules are compiled once per `RuleSet` (one per `Auditor`, one per batch worker). The meta
schema is checked when loading, so a broken rule file is a `SignatureError` naming the rule,
not a wrong result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import yara

from .._data import signatures_dir
from ..errors import SignatureError
from ..memo import ContentMemo

if TYPE_CHECKING:
    from .modules import ModuleData

REQUIRED_META = (
    "name",
    "vendor",
    "purl_type",
    "cpe",
    "website",
    "version_regex",
    "confidence",
    "description",
)
KINDS = ("component", "toolchain", "module", "usb-id")


@dataclass(frozen=True)
class RuleMeta:
    """The component record a rule stands for."""

    rule: str
    name: str
    vendor: str
    purl_type: str
    cpe: str
    website: str
    version_regex: re.Pattern[bytes]
    confidence: float
    description: str
    source: str  # the .yar file
    # "component"; "toolchain": a firmware property, never a component; "module": a radio or
    # cellular module's banner or revision, made into a device component by `modules.py`;
    # "usb-id": a file holding USB ID tables, which `modules.py` reads
    kind: str = "component"
    model_regex: re.Pattern[bytes] | None = None  # a module's model in the matched bytes
    maker: str = ""  # a module rule's maker as people write it ("Sierra Wireless")


def meta_from(rule: str, meta: dict, source: str) -> RuleMeta:
    """Validate one rule's meta; raise SignatureError naming what is wrong."""
    missing = [k for k in REQUIRED_META if k not in meta or meta[k] in ("", None)]
    if missing:
        raise SignatureError(f"{source}: rule {rule} lacks meta {', '.join(missing)}")
    try:
        pattern = re.compile(str(meta["version_regex"]).encode())
    except re.error as exc:
        raise SignatureError(f"{source}: rule {rule}: bad version_regex: {exc}") from exc
    if pattern.groups != 1:
        raise SignatureError(f"{source}: rule {rule}: version_regex needs one capture group")
    confidence = meta["confidence"]
    if not isinstance(confidence, int) or not 0 < confidence <= 100:
        raise SignatureError(f"{source}: rule {rule}: confidence must be an integer 1..100")
    if meta["cpe"].count(":") != 1:
        raise SignatureError(f"{source}: rule {rule}: cpe must be vendor:product")
    kind = meta.get("kind", "component")
    if kind not in KINDS:
        raise SignatureError(f"{source}: rule {rule}: kind must be one of {', '.join(KINDS)}")
    model = None
    if meta.get("model_regex"):
        try:
            model = re.compile(str(meta["model_regex"]).encode())
        except re.error as exc:
            raise SignatureError(f"{source}: rule {rule}: bad model_regex: {exc}") from exc
        if model.groups != 1:
            raise SignatureError(f"{source}: rule {rule}: model_regex needs one capture group")
    return RuleMeta(
        rule=rule,
        name=meta["name"],
        vendor=meta["vendor"],
        purl_type=meta["purl_type"],
        cpe=meta["cpe"],
        website=meta["website"],
        version_regex=pattern,
        confidence=confidence / 100,
        description=meta["description"],
        source=source,
        kind=kind,
        model_regex=model,
        maker=str(meta.get("maker", "")),
    )


class RuleSet:
    """Compiled component rules from a folder of ``*.yar`` files."""

    def __init__(self, folder: Path | None = None) -> None:
        folder = folder or signatures_dir() / "components"
        files = sorted(folder.glob("*.yar"))
        if not files:
            raise SignatureError(f"no .yar files in {folder}")
        self.meta: dict[str, RuleMeta] = {}
        for path in files:
            try:
                compiled = yara.compile(filepath=str(path))
            except yara.Error as exc:
                raise SignatureError(f"cannot compile {path.name}: {exc}") from exc
            for rule in compiled:
                if rule.identifier in self.meta:
                    raise SignatureError(f"{path.name}: duplicate rule name {rule.identifier}")
                self.meta[rule.identifier] = meta_from(rule.identifier, rule.meta, path.name)
        self.rules = yara.compile(filepaths={p.stem: str(p) for p in files})
        self.folder = folder
        self.memo: ContentMemo[tuple] = ContentMemo()  # (findings, why unscanned) by sha256

    @cached_property
    def modules(self) -> ModuleData:
        """The USB ID and Wi-Fi file tables beside the rules (`modules.py`)."""
        from .modules import load_data  # modules.py imports this module

        return load_data(self.folder)

    def families(self) -> set[str]:
        """Component names the rules can report (toolchain rules excluded)."""
        return {m.name for m in self.meta.values() if m.kind == "component"}

    def record(self, name: str) -> RuleMeta | None:
        """The first rule that reports `name`, for its vendor, CPE and website."""
        return next((m for m in self.meta.values() if m.name == name), None)
