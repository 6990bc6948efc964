"""Python names for the spec's camelCase JSON names, and Python source literals laid out as ruff
formats them, so that every generated file passes `ruff format --check` as written."""

from __future__ import annotations

import builtins
import keyword
import re
from dataclasses import dataclass

from pydantic import BaseModel

from agents.generators.naming import kebab, words
from agents.spec import Entity, EntityField

# Attribute and module names the generated code cannot give a field: keywords; builtins (a field
# named `str` would hide the type in its own class body); pydantic's and SQLAlchemy's own model
# attributes; the lowercase names the model and schema modules import; `l`, which reads as 1.
_TAKEN = (
    set(keyword.kwlist)
    | set(keyword.softkwlist)
    | {name for name in dir(builtins) if name.islower()}
    | {name for name in dir(BaseModel) if not name.startswith("_")}
    | {"metadata", "registry", "type_annotation_map", "self", "cls", "dt", "mapped_column", "l"}
)


def snake(name: str) -> str:
    """"startsAt" or "StartsAt" -> "starts_at". The spec's names hold no underscores, so no two
    of them give the same snake name."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def python_name(name: str) -> str:
    """The Python attribute or module name for a camelCase spec name: snake case, with a trailing
    underscore where that would clash ("class" -> "class_")."""
    candidate = snake(name)
    return candidate + "_" if candidate in _TAKEN else candidate


def natural_key(name: str) -> list[str | int]:
    """Orders names as ruff's isort does: runs of digits by their value, so "a9" comes before "a10"."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def python_string(text: str) -> str:
    """A Python string literal quoted as ruff format quotes it: double quotes unless the text
    holds more of them than single quotes."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    body = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    body = re.sub(r"[\x00-\x1f\x7f]", lambda m: {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(m[0], f"\\x{ord(m[0]):02x}"), body)
    return quote + body + quote


@dataclass(frozen=True)
class Column:
    """One value of a record as both sides see it: `name` in JSON, `attr` in Python and the database."""

    name: str
    attr: str
    type: str  # the spec's field type, or "relation"
    required: bool
    unique: bool = False
    target: str = ""  # relations: the table the id points at


@dataclass(frozen=True)
class PyEntity:
    """The names one entity's Python files use."""

    cls: str  # the SQLAlchemy model class, the entity's own name
    snake: str  # function names: create_appointment_slot
    module: str  # app/models/<module>.py, app/schemas/<module>.py, app/routers/<module>.py
    table: str
    path: str  # the collection URL
    label: str
    fields: list[Column]
    relations: list[Column]

    @property
    def columns(self) -> list[Column]:
        return self.fields + self.relations


def module_name(entity: Entity) -> str:
    return python_name(entity.plural)


def py_entity(entity: Entity) -> PyEntity:
    fields = [Column(f.name, python_name(f.name), f.type, f.required, f.unique) for f in entity.fields]
    relations = [
        Column(f"{r.name}Id", python_name(f"{r.name}Id"), "relation", r.required, target=snake(r.target))
        for r in entity.relations
    ]
    return PyEntity(
        cls=entity.name,
        snake=snake(entity.name),
        module=module_name(entity),
        table=snake(entity.name),
        path=f"/api/{kebab(entity.plural)}",
        label=entity.label,
        fields=fields,
        relations=relations,
    )


def sample_expression(entity: Entity, field: EntityField) -> str:
    """A Python expression for a valid value of `field` in terms of the row counter `n`; unique
    fields differ from row to row."""
    kind = field.type
    if kind == "email":
        return f'f"{kebab(entity.name)}{{n}}@example.com"'
    if kind == "int":
        return "n"
    if kind == "float":
        return "n + 0.5"
    if kind == "boolean":
        return "n % 2 == 1"
    if kind == "date":
        return "(dt.date(2030, 1, 1) + dt.timedelta(days=n)).isoformat()"
    if kind == "datetime":
        return "(dt.datetime(2030, 1, 1, 9, 30, tzinfo=dt.UTC) + dt.timedelta(days=n)).isoformat()"
    suffix = ", a longer text." if kind == "text" else ""
    return f'f"{words(field.name)} {{n}}{suffix}"'
