"""The audit's vocabulary: frozen value types that every stage reads and returns.

Stages talk only in these types. Collections are tuples sorted by a total key, so one image
always gives byte-identical output whatever order the tools discovered things in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    """How much a problem matters to the person reading the result."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, order=True)
class Problem:
    """Something the image did to the audit: a limit hit, a hostile entry, a tool failure.

    Problems are data, not exceptions: the audit records them and goes on with what it has.
    `kind` is a dotted name such as ``safety.link_escape`` or ``limit.ratio``.
    """

    stage: str
    kind: str
    severity: Severity
    path: str
    detail: str

    def __post_init__(self) -> None:
        if not self.stage or not self.kind:
            raise ValueError("a problem needs a stage and a kind")


@dataclass(frozen=True)
class Image:
    """The firmware file being audited."""

    path: Path
    sha256: str
    size: int

    @property
    def name(self) -> str:
        """The image's file name."""
        return self.path.name

    @classmethod
    def from_path(cls, path: Path) -> Image:
        """Hash a file in one streaming read."""
        digest = hashlib.sha256()
        size = 0
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
        return cls(path=path, sha256=digest.hexdigest(), size=size)


class NodeKind(StrEnum):
    FILE = "file"
    DIRECTORY = "directory"
    SYMLINK = "symlink"


@dataclass(frozen=True, order=True)
class ExtractedNode:
    """One entry of the unpacked tree and where it came from.

    `path` is relative to the tree root (POSIX form). `parent` is the container file it was
    extracted from ("" for the image itself), `offset` the start of the chunk inside that
    parent, `format` and `extractor` what recognised and unpacked the chunk.
    """

    path: str
    kind: NodeKind
    size: int
    depth: int
    parent: str
    offset: int | None = None
    format: str | None = None
    extractor: str | None = None
    sha256: str | None = None
    is_elf: bool = False
    link_target: str | None = None

    def __post_init__(self) -> None:
        if self.offset is not None and self.offset < 0:
            raise ValueError(f"negative offset for {self.path}")
        if self.size < 0:
            raise ValueError(f"negative size for {self.path}")


@dataclass(frozen=True, order=True)
class Chunk:
    """A format a backend recognised inside a container, extracted or not.

    `container` is relative to the tree ("" for the image), `detail` what fwaudit read of it
    (for SquashFS: version, byte order, magic, compressor and the LZMA variant decoded).
    """

    container: str
    offset: int
    size: int
    format: str
    extractor: str
    extracted: bool
    detail: str = ""


@dataclass(frozen=True)
class UnpackOutcome:
    """What the unpack stage produced: a sanitized tree on disk and its description."""

    root: Path
    backend: str
    tool_version: str
    nodes: tuple[ExtractedNode, ...]
    problems: tuple[Problem, ...]
    seconds: float
    chunks: tuple[Chunk, ...] = ()
    from_cache: bool = False

    @property
    def files(self) -> tuple[ExtractedNode, ...]:
        """The regular files of the tree."""
        return tuple(n for n in self.nodes if n.kind is NodeKind.FILE)

    @property
    def elf_files(self) -> tuple[ExtractedNode, ...]:
        """The ELF executables, libraries and objects of the tree."""
        return tuple(n for n in self.nodes if n.is_elf)


@dataclass(frozen=True, order=True)
class Region:
    """Bytes no recognised chunk explains: in the image (`container` "") or in an extracted
    file, with their Shannon entropy (bits per byte) and what they look like."""

    container: str
    offset: int
    size: int
    entropy: float
    label: str  # "encrypted or compressed (entropy 7.99)", "unknown data (...)", ...

    def __post_init__(self) -> None:
        if self.offset < 0 or self.size < 0:
            raise ValueError("a region needs a non-negative offset and size")

    @property
    def opaque(self) -> bool:
        """Encrypted or compressed: no stage could read a string or signature in it."""
        return self.label.startswith("encrypted or compressed")


@dataclass(frozen=True)
class Coverage:
    """What share of the image the audit examined, what it did not and why (`fwaudit.coverage`).

    `examined_bytes` are image bytes inside recognised chunks that were extracted (weighted
    by how much of their content was examined in turn), padding, or the whole image when it
    is itself an ELF or text file; `reasons` say why the examination does not let a policy
    pass (empty when it does); `problems` are the limits hit, extraction failures and files
    a stage skipped or could not read.
    """

    image_size: int
    examined_bytes: int
    padding_bytes: int = 0
    opaque_bytes: int = 0  # unexplained image bytes that are encrypted or compressed
    basis: str = "extracted"  # or "whole ELF file", "whole text file", "raw bytes", "empty"
    files: int = 0  # extracted files the stages read
    skipped_files: int = 0  # files a stage did not read
    recognised: bool = False  # a format extracted, an ELF file, or a component in binary data
    unexplained: tuple[Region, ...] = ()  # the largest, sorted by place
    problems: tuple[Problem, ...] = ()
    reasons: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 0 <= self.examined_bytes <= self.image_size:
            raise ValueError("examined bytes must lie within the image size")

    @property
    def share(self) -> float:
        """Examined share of the image's bytes (0.0 for an empty image)."""
        return self.examined_bytes / self.image_size if self.image_size else 0.0

    @property
    def conclusive(self) -> bool:
        """Whether the examination lets a policy pass."""
        return not self.reasons

    def summary(self) -> str:
        """One line: "97.4% of 4,063,744 bytes examined (extracted), 379 files"."""
        text = f"{self.share:.1%} of {self.image_size:,} bytes examined ({self.basis}), "
        text += f"{self.files:,} file{'s' if self.files != 1 else ''}"
        if self.skipped_files:
            text += f", {self.skipped_files} skipped"
        return text


@dataclass(frozen=True)
class ElfFacts:
    """What an analyst asks of an ELF file first (read by `fwaudit.elf`)."""

    arch: str
    endianness: str  # "little" or "big"
    bits: int
    kind: str  # "executable", "shared-library", "relocatable", "core"
    soname: str | None
    needed: tuple[str, ...]
    interpreter: str | None
    stripped: bool
    build_id: str | None
    data_ranges: tuple[tuple[int, int], ...] = ()  # file spans of non-code sections; () = unknown


@dataclass(frozen=True, order=True)
class FileEntry:
    """A regular file of the image (or the image itself, path ""), typed and hashed once."""

    path: str
    size: int
    sha256: str
    kind: str  # "elf", "text", "data"
    elf: ElfFacts | None = field(default=None, compare=False)
    # (start, end) byte ranges extracted elsewhere in the tree: their strings are seen there
    unpacked: tuple[tuple[int, int], ...] = field(default=(), compare=False)

    def scan_ranges(self) -> tuple[tuple[int, int], ...]:
        """The byte ranges worth a string scan: ELF data sections, minus unpacked chunks."""
        ranges = self.elf.data_ranges if self.elf and self.elf.data_ranges else ((0, self.size),)
        for cut_start, cut_end in self.unpacked:
            ranges = tuple(
                piece
                for start, end in ranges
                for piece in ((start, min(end, cut_start)), (max(start, cut_end), end))
                if piece[0] < piece[1]
            )
        return ranges


class Technique(StrEnum):
    """How a finding was made (CycloneDX identity-method techniques)."""

    BINARY = "binary-analysis"
    MANIFEST = "manifest-analysis"
    FILENAME = "filename"
    SOURCE = "source-code-analysis"


@dataclass(frozen=True)
class Evidence:
    """Where and how a finding was seen: the answer to "why?".

    `path` is inside the image ("" for the image file itself), `offset` the byte offset of
    the match in that file (None for whole-file evidence such as a manifest entry or a file
    name), `method` the rule or parser (``yara:busybox``, ``opkg-status``), `matched` the
    bytes or line that matched, as text.
    """

    path: str
    offset: int | None
    method: str
    matched: str
    technique: Technique
    confidence: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence {self.confidence} outside 0..1")
        if self.offset is not None and self.offset < 0:
            raise ValueError("negative evidence offset")
        if not self.method:
            raise ValueError("evidence needs a method")

    @property
    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.path, -1 if self.offset is None else self.offset, self.method, self.matched)


COMPONENT_TYPES = ("library", "application", "device", "firmware")


@dataclass(frozen=True)
class Component:
    """One software component at one version, with every piece of evidence for it."""

    name: str
    version: str | None
    vendor: str
    purl_type: str
    cpe: str  # "vendor:product"
    website: str
    evidence: tuple[Evidence, ...]
    description: str = ""
    # "library"; "application" for the firmware's own programs (fwaudit.identify.programs);
    # "device" for a radio or cellular module or Wi-Fi chip the firmware drives, "firmware" for
    # a Wi-Fi chipset blob (fwaudit.identify.modules): one of COMPONENT_TYPES
    type: str = "library"
    sha256: str | None = None  # the component's own file, where it is one file

    @property
    def confidence(self) -> float:
        return max((e.confidence for e in self.evidence), default=0.0)

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(sorted({e.path for e in self.evidence}))

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version or 'unknown'}"

    @property
    def sort_key(self) -> tuple[str, str]:
        return (self.name, self.version or "")


@dataclass(frozen=True)
class Endpoint:
    """A host, IP address or URL hard-coded in the image, and whether the device may contact it.

    `outbound` endpoints carry a `role` where evident (ntp, ddns, update, p2p, cloud-api,
    dns-resolver, mqtt); the others carry the `reason` they are not outbound (namespace,
    documentation link, placeholder, private address, local admin name, ...).
    """

    host: str
    kind: str  # "hostname", "ipv4", "ipv6"
    outbound: bool
    evidence: tuple[Evidence, ...]
    urls: tuple[str, ...] = ()
    ports: tuple[int, ...] = ()
    role: str | None = None
    reason: str | None = None
    components: tuple[str, ...] = ()
    # the deciding sighting's context (signatures/endpoints/contexts.yaml): "config", "code",
    # "ui-option" for outbound endpoints; "help", "comment", "attribution" ... otherwise
    context: str | None = None
    # how an outbound endpoint is used: "default" server, "selectable" option, "probe"
    use: str | None = None

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(sorted({e.path for e in self.evidence}))


class CredentialKind(StrEnum):
    """What a credential finding is (`fwaudit.credentials`)."""

    PASSWORD_HASH = "password-hash"  # noqa: S105 (a kind of finding, not a password)
    PASSWORD = "password"  # noqa: S105 (a plain-text password written in the image)
    EMPTY = "empty-password"  # an account whose password field is empty: no password at all
    NO_AUTHENTICATION = "no-authentication"  # a shell or service served without any login
    LOCKED = "locked"  # an account no password opens (``*``, ``!``, ``x`` without shadow)


@dataclass(frozen=True)
class Credential:
    """A password, password hash or missing login the image sets, with its evidence.

    The secret itself is never kept unless it is a well-known default (`shown`, with
    `known` naming the list it is on); a hash is described by its `algorithm` and a short
    `fingerprint` (equal secrets, equal fingerprints), and evidence text is redacted the
    same way. `origin` says how the image sets it: an ``account-file`` (passwd, shadow),
    an ``auth-file`` (.htpasswd, a web server's user file), a ``script``, a ``config``
    default, or a ``program`` (a string compiled into an executable). `in_effect` is False
    for a backup file or an entry another file overrides; `login` whether the account
    has a login shell (None when the image does not say).
    """

    kind: CredentialKind
    account: str  # "" where no account applies
    path: str
    origin: str
    service: str  # "login", "telnet", "web", "ftp", "wifi", ...
    evidence: tuple[Evidence, ...]
    algorithm: str | None = None  # "md5-crypt", "sha512-crypt", "des-crypt", "plain", ...
    fingerprint: str | None = None
    known: str | None = None  # the well-known default it matches and where it is listed
    shown: str | None = None  # the secret, only when it is a well-known default
    in_effect: bool | None = None
    login: bool | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if self.origin not in CREDENTIAL_ORIGINS:
            raise ValueError(f"credential origin {self.origin!r} not in {CREDENTIAL_ORIGINS}")
        if self.shown is not None and self.known is None:
            raise ValueError("a credential's secret is shown only when it is a well-known one")

    @property
    def confidence(self) -> float:
        return max((e.confidence for e in self.evidence), default=0.0)

    @property
    def subject(self) -> str:
        """How verdicts name it: ``root (etc/shadow)``, ``telnetd (etc/init.d/rcS)``."""
        return f"{self.account or self.service} ({inner_path(self.path)})"

    @property
    def sort_key(self) -> tuple[str, str, str, int]:
        first = self.evidence[0].offset if self.evidence else None
        return (self.path, self.account, self.kind.value, -1 if first is None else first)


CREDENTIAL_ORIGINS = ("account-file", "auth-file", "script", "config", "program")


def inner_path(path: str) -> str:
    """A path inside the innermost extracted file system (``etc/shadow``), or the path."""
    return path.rsplit("_extract/", 1)[-1] if path else "<image>"


class Outcome(StrEnum):
    """A policy rule's conclusion about one subject."""

    FAIL = "fail"
    REVIEW = "review"
    PASS = "pass"  # noqa: S105 (an outcome, not a password)
    INCONCLUSIVE = "inconclusive"  # too little of the image examined for a pass


@dataclass(frozen=True)
class Fact:
    """One dated, sourced statement of the jurisdiction data that a finding relies on."""

    ref: str  # "organisations/hikvision", "lists/us-ndaa-889/hikvision", "regimes/..."
    statement: str
    sources: tuple[str, ...]
    as_of: str


@dataclass(frozen=True)
class Party:
    """An organisation as a finding names it: data id (None when not in the data), country."""

    org: str | None
    name: str
    country: str | None


@dataclass(frozen=True)
class PlatformClue:
    """What the device is built on, a fact apart from who made it: the SoC vendor
    (`role` "soc") or a camera/IoT SDK lineage ("sdk"), with the evidence that shows it.
    `party.org` is None for a vendor the jurisdiction data does not hold."""

    role: str  # "soc" or "sdk"
    party: Party
    confidence: float
    evidence: tuple[Evidence, ...]
    model: str | None = None  # the part or SDK family seen ("Hi3518EV200", "RP2040")

    def __post_init__(self) -> None:
        if self.role not in ("soc", "sdk"):
            raise ValueError(f"platform role {self.role!r} is not soc or sdk")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence {self.confidence} outside 0..1")


# what kind of device an image is for (fwaudit.jurisdiction.device_class); one image can be
# several. router: consumer router or gateway; camera: IP camera or NVR; drone: drone or
# flight controller; cellular-module: cellular module or modem; telematics: vehicle unit.
DEVICE_CLASSES = (
    "router",
    "camera",
    "drone",
    "cellular-module",
    "smart-home",
    "nas",
    "industrial-controller",
    "telematics",
)


@dataclass(frozen=True)
class DeviceClass:
    """One kind of device the image shows, how sure (noisy-or of its cues) and why."""

    name: str
    confidence: float
    evidence: tuple[Evidence, ...] = ()

    def __post_init__(self) -> None:
        if self.name not in DEVICE_CLASSES:
            raise ValueError(f"device class {self.name!r} is not one of {DEVICE_CLASSES}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence {self.confidence} outside 0..1")

    @property
    def sort_key(self) -> tuple[float, str]:
        """Best first, then by name."""
        return (-self.confidence, self.name)


@dataclass(frozen=True)
class Attribution:
    """Who made the device, from the image itself, and what kind of device it is.

    `maker.org` is None for a maker the firmware names but the data does not hold (its
    country is then unknown); `brand` is the relabel brand the firmware shows when the maker
    is its producer; `platform` is the SoC and SDK lineage, apart from the maker."""

    maker: Party | None
    confidence: float
    evidence: tuple[Evidence, ...]
    candidates: tuple[tuple[str, float], ...] = ()  # (org id, score), best first
    declared: str | None = None  # the procurement record's vendor
    mismatch: str | None = None  # why the declared vendor differs (OEM relabel, ...)
    firmware_date: str | None = None  # ISO date from file-system or header timestamps
    device_class: str = "unknown"  # the best of `device_classes`, or "unknown"
    class_evidence: tuple[Evidence, ...] = ()  # the best class's evidence
    platform: tuple[PlatformClue, ...] = ()  # SoC vendor and SDK lineage, strongest first
    brand: Party | None = None  # an OEM relabel's brand, when the maker is its producer
    device_classes: tuple[DeviceClass, ...] = ()  # best first; empty when none is evident

    def __post_init__(self) -> None:
        if self.device_classes and self.device_class == "unknown":  # the best one's name
            object.__setattr__(self, "device_class", self.device_classes[0].name)
            if not self.class_evidence:
                object.__setattr__(self, "class_evidence", self.device_classes[0].evidence)

    def device_class_named(self, name: str) -> DeviceClass | None:
        """The class of that name the image shows, or None."""
        return next((c for c in self.device_classes if c.name == name), None)


@dataclass(frozen=True)
class Geography:
    """Where an endpoint points: its operator's jurisdiction kept apart from the country
    its name or address is registered in (and, online, what RDAP says)."""

    host: str
    operator: Party | None
    registration_country: str | None = None
    registration_source: str | None = None  # "ccTLD .cn", "RIR allocation (iptocc ...)", "RDAP"
    rdap: tuple[str, ...] = ()  # what an online RDAP look-up added, as "key: value"


@dataclass(frozen=True)
class Verdict:
    """What one policy rule concludes about one subject, and why."""

    policy: str
    rule: str
    subject_kind: str  # "device", "component", "endpoint"
    subject: str
    outcome: Outcome
    rationale: str
    facts: tuple[Fact, ...] = ()
    evidence: tuple[Evidence, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.policy}/{self.rule}/{self.subject}"


@dataclass(frozen=True)
class Assessment:
    """The jurisdiction stage's answer: maker, suppliers, endpoint geography, verdicts."""

    attribution: Attribution
    suppliers: tuple[tuple[str, Party], ...] = ()  # (component key, supplier)
    geography: tuple[Geography, ...] = ()
    verdicts: tuple[Verdict, ...] = ()
    policies: tuple[tuple[str, Outcome], ...] = ()  # (policy id, overall outcome)
    data_as_of: str = ""
    as_of: str = ""  # ISO day the policies were judged for (the law as it stood that day)

    def supplier(self, component: Component) -> Party | None:
        return dict(self.suppliers).get(component.key)

    def where(self, host: str) -> Geography | None:
        return next((g for g in self.geography if g.host == host), None)


@dataclass(frozen=True)
class AuditData:
    """Everything one audit found about one image, typed and frozen. Outputs (SBOM, report,
    tables) are projections of this; `fwaudit.AuditResult` wraps it for the analyst."""

    image: Image
    unpack: UnpackOutcome
    fwaudit_version: str
    problems: tuple[Problem, ...] = field(default=())
    files: tuple[FileEntry, ...] = field(default=())
    components: tuple[Component, ...] = field(default=())
    toolchain: tuple[str, ...] = field(default=())
    endpoints: tuple[Endpoint, ...] = field(default=())
    dependencies: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())
    assessment: Assessment | None = None
    coverage: Coverage | None = None
    # passwords, hashes and logins the image sets (`fwaudit.credentials`), sorted
    credentials: tuple[Credential, ...] = field(default=())
    # (stage, seconds) of unpack ... coverage, jurisdiction; not a finding
    timings: tuple[tuple[str, float], ...] = field(default=(), compare=False)

    @property
    def outbound(self) -> tuple[Endpoint, ...]:
        """The endpoints the device may contact."""
        return tuple(e for e in self.endpoints if e.outbound)

    @property
    def all_problems(self) -> tuple[Problem, ...]:
        """Problems of the unpack stage and of the analysis, sorted, once each."""
        return tuple(sorted(set(self.unpack.problems) | set(self.problems)))
