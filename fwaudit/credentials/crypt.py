"""Unix crypt(3) hash formats: recognised, described and recomputed in pure Python.

`recompute()` implements MD5-crypt (``$1$``) and SHA-crypt (``$5$``, ``$6$``, with or
without ``rounds=``) so a hash found in an image can be checked against the well-known
default passwords of `signatures/credentials/defaults.yaml` the same way on every host
(the stdlib `crypt` module depends on the host's libcrypt and is gone in Python 3.13).
DES-crypt and bcrypt are recognised and described, not recomputed.
"""

from __future__ import annotations

import hashlib
import re

ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_B64 = r"[./0-9A-Za-z]"

# (algorithm, pattern of a whole hash string), the first that matches names it
FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("md5-crypt", re.compile(rf"\$1\${_B64}{{0,8}}\${_B64}{{22}}")),
    ("apr1-md5", re.compile(rf"\$apr1\${_B64}{{0,8}}\${_B64}{{22}}")),
    ("sha256-crypt", re.compile(rf"\$5\$(?:rounds=\d+\$)?{_B64}{{0,16}}\${_B64}{{43}}")),
    ("sha512-crypt", re.compile(rf"\$6\$(?:rounds=\d+\$)?{_B64}{{0,16}}\${_B64}{{86}}")),
    ("bcrypt", re.compile(rf"\$2[abxy]?\$\d\d\${_B64}{{53}}")),
    ("yescrypt", re.compile(rf"\$y\${_B64}+\${_B64}*\${_B64}{{43}}")),
    ("des-crypt", re.compile(rf"{_B64}{{13}}")),
    ("bsdi-des-crypt", re.compile(rf"_{_B64}{{19}}")),
    ("sha1-base64", re.compile(r"\{SHA\}[A-Za-z0-9+/]{27}=")),
)
RECOMPUTED = frozenset({"md5-crypt", "apr1-md5", "sha256-crypt", "sha512-crypt"})
# a crypt hash inside other text or bytes (DES is left out: any 13 letters would match)
EMBEDDED = re.compile(
    rb"\$(?:1|apr1)\$[./0-9A-Za-z]{0,8}\$[./0-9A-Za-z]{22}(?![./0-9A-Za-z])"
    rb"|\$5\$(?:rounds=\d+\$)?[./0-9A-Za-z]{0,16}\$[./0-9A-Za-z]{43}(?![./0-9A-Za-z])"
    rb"|\$6\$(?:rounds=\d+\$)?[./0-9A-Za-z]{0,16}\$[./0-9A-Za-z]{86}(?![./0-9A-Za-z])"
    rb"|\$2[abxy]?\$\d\d\$[./0-9A-Za-z]{53}(?![./0-9A-Za-z])"
)


def algorithm(text: str) -> str | None:
    """The crypt format of a whole hash string, or None when it is not one."""
    return next((name for name, pattern in FORMATS if pattern.fullmatch(text)), None)


def setting(text: str) -> str:
    """The part of a hash that is not secret-derived: ``$1$GTN.gpri$`` (the whole text for
    formats without a separate salt field)."""
    if text.startswith("$"):
        return text[: text.rfind("$") + 1]
    return text[:2] if len(text) == 13 else ""


def recompute(password: str, hashed: str) -> str | None:
    """`password` hashed with the setting (salt, rounds) of `hashed`, in its format; None
    for a format this module does not recompute."""
    name = algorithm(hashed)
    key = password.encode("utf-8")
    if name == "md5-crypt":
        return _md5_crypt(key, hashed, b"$1$")
    if name == "apr1-md5":
        return _md5_crypt(key, hashed, b"$apr1$")
    if name in ("sha256-crypt", "sha512-crypt"):
        return _sha_crypt(key, hashed, name)
    return None


def _encode(data: bytes, order: tuple[tuple[int, ...], ...]) -> str:
    """The crypt base-64 of `data`: each group of byte indexes (most significant first)
    gives 4 characters, a shorter last group fewer, least significant six bits first."""
    out = []
    for group in order:
        value = 0
        for index in group:
            value = (value << 8) | data[index]
        for _ in range(len(group) + 1):
            out.append(ALPHABET[value & 0x3F])
            value >>= 6
    return "".join(out)


_MD5_ORDER = ((0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5), (11,))


def _md5_crypt(key: bytes, hashed: str, magic: bytes) -> str:
    salt = hashed[len(magic) :].split("$", 1)[0].encode()[:8]
    alternate = hashlib.md5(key + salt + key).digest()  # noqa: S324 (the crypt format)
    context = key + magic + salt
    context += (alternate * (len(key) // 16 + 1))[: len(key)]
    length = len(key)
    while length:
        context += b"\x00" if length & 1 else key[:1]
        length >>= 1
    digest = hashlib.md5(context).digest()  # noqa: S324
    for i in range(1000):
        step = key if i & 1 else digest
        if i % 3:
            step += salt
        if i % 7:
            step += key
        step += digest if i & 1 else key
        digest = hashlib.md5(step).digest()  # noqa: S324
    return f"{magic.decode()}{salt.decode()}${_encode(digest, _MD5_ORDER)}"


def _sha_order(size: int) -> tuple[tuple[int, ...], ...]:
    if size == 32:  # (0, 10, 20) (21, 1, 11) (12, 22, 2) ...
        order = []
        a, b, c = 0, 10, 20
        for _ in range(10):
            order.append((a, b, c))
            a, b, c = (c + 1) % 30, (a + 1) % 30, (b + 1) % 30
        return (*order, (31, 30))
    order = []  # (0, 21, 42) (22, 43, 1) (44, 2, 23) ...
    a, b, c = 0, 21, 42
    for _ in range(21):
        order.append((a, b, c))
        a, b, c = (b + 1) % 63, (c + 1) % 63, (a + 1) % 63
    return (*order, (63,))


def _sha_crypt(key: bytes, hashed: str, name: str) -> str:
    magic = "$5$" if name == "sha256-crypt" else "$6$"
    new = hashlib.sha256 if name == "sha256-crypt" else hashlib.sha512
    size = new().digest_size
    rest = hashed[3:]
    rounds, explicit = 5000, False
    if rest.startswith("rounds="):
        count, rest = rest[7:].split("$", 1)
        rounds, explicit = min(max(int(count), 1000), 999_999_999), True
    salt = rest.split("$", 1)[0].encode()[:16]
    alternate = new(key + salt + key).digest()
    context = new(key + salt)
    context.update((alternate * (len(key) // size + 1))[: len(key)])
    length = len(key)
    while length:
        context.update(alternate if length & 1 else key)
        length >>= 1
    digest = context.digest()
    p_bytes = (new(key * len(key)).digest() * (len(key) // size + 1))[: len(key)]
    s_bytes = (new(salt * (16 + digest[0])).digest() * (len(salt) // size + 1))[: len(salt)]
    for i in range(rounds):
        step = p_bytes if i & 1 else digest
        if i % 3:
            step += s_bytes
        if i % 7:
            step += p_bytes
        step += digest if i & 1 else p_bytes
        digest = new(step).digest()
    prefix = f"{magic}rounds={rounds}$" if explicit else magic
    return f"{prefix}{salt.decode()}${_encode(digest, _sha_order(size))}"
