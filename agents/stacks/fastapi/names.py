"""Python names for the spec's camelCase JSON names, and Python source literals laid out as ruff
formats them, so that every generated file passes `ruff format --check` as written."""

from __future__ import annotations

import builtins
import keyword
import re
from dataclasses import dataclass, replace

from pydantic import BaseModel

from agents.generators.naming import kebab, words
from agents.spec import TEXT_TYPES, Entity, EntityField, Relation

# Attribute and module names the generated code cannot give a field: keywords; builtins (a field
# named `str` would hide the type in its own class body); pydantic's and SQLAlchemy's own model
# attributes; the lowercase names the model and schema modules import; `l`, which reads as 1.
_TAKEN = (
    set(keyword.kwlist)
    | set(keyword.softkwlist)
    | {name for name in dir(builtins) if name.islower()}
    | {name for name in dir(BaseModel) if not name.startswith("_")}
    | {"metadata", "registry", "type_annotation_map", "self", "cls", "dt", "mapped_column", "l"}
    # What a record has besides its fields: its owner, and the questions an entity with a due date answers.
    | {"owner_id", "still_open", "overdue"}
)


def snake(name: str) -> str:
    """ "startsAt" or "StartsAt" -> "starts_at". The spec's names hold no underscores, so no two
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
    body = re.sub(
        r"[\x00-\x1f\x7f]", lambda m: {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(m[0], f"\\x{ord(m[0]):02x}"), body
    )
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
    target_cls: str = ""  # relations: the model class of that table
    options: tuple[str, ...] = ()  # choices
    default: str | None = None  # choices: the option a create that leaves it out gets

    @property
    def options_alias(self) -> str:
        """The module-level Literal alias of a choice's options: CONDITION_OPTIONS."""
        return f"{snake(self.name).upper()}_OPTIONS"


@dataclass(frozen=True)
class ManyLink:
    """A many-to-many link: an association table of (record, linked record) id pairs, and on the
    model a relationship (`records`) to the linked rows with `attr` (cake_ids) their ids, ascending."""

    name: str  # the API's field: cakeIds
    attr: str  # the property holding the ids: cake_ids
    records: str  # the relationship holding the rows: cake_records
    table_var: str  # the Table's name in the model module: cake_links
    table: str  # the association table: order__cake (no entity's table has a double underscore)
    source_column: str  # order_id
    target_column: str  # cake_id
    target: str  # the linked table: cake
    target_cls: str  # Cake
    target_module: str  # cakes
    self_link: bool  # Person.friend: both ids point at the same table
    lookup: str  # the list's query parameter: cakeId


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
    relations: list[Column]  # many-to-one links
    links: list[ManyLink]  # many-to-many links
    owned: bool
    due: Column | None
    done: Column | None
    name_field: str | None  # the attribute that names a record in a summary's groups: its first text

    @property
    def columns(self) -> list[Column]:
        return self.fields + self.relations

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def module_name(entity: Entity) -> str:
    return python_name(entity.plural)


def _many_link(entity: Entity, relation: Relation, taken: set[str]) -> ManyLink:
    table = snake(entity.name)
    source_column = f"{table}_id"
    target_column = f"{snake(relation.name)}_id"
    if target_column == source_column:
        target_column = f"linked_{target_column}"
    records = python_name(f"{relation.name}Records")
    while records in taken:
        records += "_"
    taken.add(records)
    return ManyLink(
        name=relation.key,
        attr=python_name(relation.key),
        records=records,
        table_var=f"{snake(relation.name)}_links",
        table=f"{table}__{snake(relation.name)}",
        source_column=source_column,
        target_column=target_column,
        target=snake(relation.target),
        target_cls=relation.target,
        target_module="",  # filled in by py_entities, which knows every entity
        self_link=relation.target == entity.name,
        lookup=f"{relation.name}Id",
    )


def py_entity(entity: Entity, modules: dict[str, str] | None = None) -> PyEntity:
    fields = [
        Column(f.name, python_name(f.name), f.type, f.required, f.unique, options=tuple(f.options), default=f.default)
        for f in entity.fields
    ]
    relations = [
        Column(r.key, python_name(r.key), "relation", r.required, target=snake(r.target), target_cls=r.target)
        for r in entity.relations
        if not r.many
    ]
    taken = {c.attr for c in fields + relations} | {python_name(r.key) for r in entity.relations}
    links = [
        replace(_many_link(entity, r, taken), target_module=(modules or {}).get(r.target, ""))
        for r in entity.relations
        if r.many
    ]
    by_name = {c.name: c for c in fields}
    named_by = next((f for f in entity.fields if f.type == "string"), None) or next(
        (f for f in entity.fields if f.type in TEXT_TYPES), None
    )
    return PyEntity(
        cls=entity.name,
        snake=snake(entity.name),
        module=module_name(entity),
        table=snake(entity.name),
        path=f"/api/{kebab(entity.plural)}",
        label=entity.label,
        fields=fields,
        relations=relations,
        links=links,
        owned=entity.owned,
        due=by_name.get(entity.due or ""),
        done=by_name.get(entity.done or ""),
        name_field=python_name(named_by.name) if named_by else None,
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
    if kind == "money":
        return 'f"{n * 3}.{n % 100:02d}"'  # two decimals, as the API answers it
    if kind == "url":
        return f'f"https://example.com/{kebab(field.name)}/{{n}}"'
    if kind == "choice":
        # Laid out one option a line (a dict entry's value, 8 spaces in), so it never outgrows a line.
        options = "".join(f"            {python_string(option)},\n" for option in field.options)
        return f"[\n{options}        ][n % {len(field.options)}]"
    suffix = ", a longer text." if kind == "text" else ""
    return f'f"{words(field.name)} {{n}}{suffix}"'
