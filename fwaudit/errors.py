"""Exceptions for caller mistakes. Anything the image causes is a `Problem`, not an exception.

FwauditError
├── ConfigError          bad arguments or settings
├── InputError           the image path is missing or unreadable
├── BackendUnavailable   an unpack backend's package or program is not installed
├── SignatureError       a signature file is invalid (later stages)
├── OutputError          an output or cache path cannot be used (checked before the audit)
└── StorageError         the disk refused a write: full, read-only, an I/O error
"""


class FwauditError(Exception):
    """Base of every exception fwaudit raises on purpose."""


class ConfigError(FwauditError):
    """An argument or setting is invalid."""


class InputError(FwauditError):
    """The image cannot be read at all."""


class BackendUnavailable(FwauditError):
    """An unpack backend cannot run here; the message says what to install."""


class SignatureError(FwauditError):
    """A signature or data file is invalid."""


class OutputError(FwauditError):
    """An output or cache path is the wrong kind of thing, read-only or not writable."""


class StorageError(FwauditError):
    """Writing failed (no space, read-only file system, I/O error); nothing was left behind."""
