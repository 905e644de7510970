"""Which component needs which: the ELF NEEDED graph lifted from files to components."""

from __future__ import annotations

from collections import defaultdict
from pathlib import PurePosixPath

from ..model import Component, FileEntry


def component_dependencies(
    files: tuple[FileEntry, ...], components: tuple[Component, ...]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(component key, keys of the components it links against), sorted; self-links dropped."""
    owners: dict[str, set[str]] = defaultdict(set)
    for component in components:
        for path in component.files:
            owners[path].add(component.key)
    providers: dict[str, set[str]] = defaultdict(set)  # soname or file name -> paths
    for entry in files:
        if entry.elf is not None:
            providers[PurePosixPath(entry.path).name].add(entry.path)
            if entry.elf.soname:
                providers[entry.elf.soname].add(entry.path)
    needs: dict[str, set[str]] = defaultdict(set)
    for entry in files:
        if entry.elf is None or not owners.get(entry.path):
            continue
        for library in entry.elf.needed:
            for provider in providers.get(library, ()):
                for user in owners[entry.path]:
                    needs[user] |= owners.get(provider, set()) - {user}
    return tuple((key, tuple(sorted(deps))) for key, deps in sorted(needs.items()) if deps)
