"""How firmware uses an outbound endpoint, in the words a verdict uses."""

from __future__ import annotations

USES = {"default": "contacts", "selectable": "offers as a selectable choice", "probe": "probes"}


def use_phrase(use: str | None) -> str:
    """The verb for an endpoint's kind of use: "contacts" (a default server), "offers as a
    selectable choice" (a drop-down entry, one of several providers), "probes"."""
    return USES.get(use or "default", USES["default"])
