"""Valid sample values for an entity's fields, for every stack's generated tests and the contract's examples."""

from __future__ import annotations

from agents.spec import Entity, EntityField

from .naming import kebab, words


def sample_value(entity: Entity, field: EntityField, n: int) -> object:
    """A valid, deterministic value for `field` in the n-th sample row; unique fields differ per row."""
    kind = field.type
    if kind == "email":
        return f"{kebab(entity.name)}{n}@example.com"
    if kind == "int":
        return n
    if kind == "float":
        return n + 0.5
    if kind == "boolean":
        return n % 2 == 1
    if kind == "date":
        return f"2030-01-{n % 28 + 1:02d}"
    if kind == "datetime":
        return f"2030-01-{n % 28 + 1:02d}T09:30:00.000Z"
    if kind == "money":
        return f"{n * 3}.{n % 100:02d}"
    if kind == "url":
        return f"https://example.com/{kebab(field.name)}/{n}"
    if kind == "choice":
        return field.options[n % len(field.options)]
    if kind == "text":
        return f"{words(field.name)} {n} of {entity.label.lower()}, a longer text."
    return f"{words(field.name)} {n}"


def sample_row(entity: Entity, n: int) -> dict[str, object]:
    return {f.name: sample_value(entity, f, n) for f in entity.fields}


def comparable_fields(entity: Entity) -> list[str]:
    """Fields whose value comes back exactly as sent (dates come back as full ISO timestamps)."""
    return [f.name for f in entity.fields if f.type not in ("date", "datetime")]
