"""Task scope: which of a generator's files one task writes."""

from __future__ import annotations

Files = dict[str, str]
CORE = "core"


def select(core: Files, per_entity: dict[str, Files], scope: list[str]) -> Files:
    """Everything for an empty scope; otherwise the shared files when "core" is named, plus the
    files of each named entity. Unknown names select nothing, so a typo cannot write extra files."""
    if not scope:
        chosen = dict(core)
        for files in per_entity.values():
            chosen |= files
        return chosen
    chosen = dict(core) if CORE in scope else {}
    for name in scope:
        chosen |= per_entity.get(name, {})
    return chosen
