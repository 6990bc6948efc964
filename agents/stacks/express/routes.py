"""What the route templates (src/routes/*.ts.j2) write for each entity and summary, as data: zod
rules, the list's lookups, the summaries' figures, and arrays laid out as Prettier lays them out.

The lookups follow `list_parameters` of the contract (agents/openapi.py) name for name; a field
named like a lookup ("sort") is not filtered on, exactly as the contract says."""

from __future__ import annotations

from dataclasses import dataclass

from agents.openapi import list_parameters, sort_keys
from agents.spec import (
    DATE_TYPES,
    TEXT_TYPES,
    Entity,
    EntityField,
    Relation,
    Spec,
    Summary,
)

PRINT_WIDTH = 100  # .prettierrc.json
# The zod rule (src/validation.ts) checking each field type, the same rules as the contract's.
RULES = {
    "string": "rules.filledText(200)",
    "text": "rules.text(10000)",
    "email": "rules.email(200)",
    "url": "rules.url(2000)",
    "money": "rules.money",
    "int": "rules.integer",
    "float": "rules.number",
    "boolean": "rules.boolean",
    "date": "rules.date",
    "datetime": "rules.dateTime",
}
OPTIONAL_STRING = "rules.text(200)"


def ts_array(items: list[str], head: str, tail: str, indent: int = 0) -> str:
    """`head[items]tail` on one line when it fits Prettier's width, else one item a line, as Prettier
    prints an array of strings (no fill). `items` are TypeScript expressions already."""
    one_line = f"{' ' * indent}{head}[{', '.join(items)}]{tail}"
    if len(one_line) <= PRINT_WIDTH or not items:
        return one_line
    inner = " " * (indent + 2)
    lines = [f"{' ' * indent}{head}["] + [f"{inner}{item}," for item in items] + [f"{' ' * indent}]{tail}"]
    return "\n".join(lines)


# Names every JavaScript object inherits: TypeScript types `row.constructor` as the inherited
# method even on a Record<string, unknown>, so the tests set such fields another way.
INHERITED = frozenset(
    {"constructor", "toString", "toLocaleString", "valueOf", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable"}
)


def assign(target: str, name: str, value: str) -> str:
    """A TypeScript statement setting field `name` of the row `target` to `value`."""
    if name in INHERITED:
        return f"Object.assign({target}, {{ {name}: {value} }});"
    return f"{target}.{name} = {value};"


def remove(target: str, name: str) -> str:
    """A TypeScript statement removing field `name` from the row `target`."""
    if name in INHERITED:
        return f'Reflect.deleteProperty({target}, "{name}");'
    return f"delete {target}.{name};"


def options_name(entity: Entity, field: EntityField) -> str:
    """The constant holding a choice's options: OPTIONS_1 for the first choice (short, so that every
    line using it fits Prettier's width whatever the field's name)."""
    choices = [f.name for f in entity.fields if f.type == "choice"]
    return f"OPTIONS_{choices.index(field.name) + 1}"


def default_name(entity: Entity, field: EntityField) -> str:
    """The constant holding a choice's default, beside its options (DEFAULT_1 for OPTIONS_1)."""
    return options_name(entity, field).replace("OPTIONS", "DEFAULT")


def zod_rule(entity: Entity, field: EntityField) -> str:
    rule = f"rules.choice({options_name(entity, field)})" if field.type == "choice" else RULES[field.type]
    if not field.required:
        return (OPTIONAL_STRING if field.type == "string" else rule) + ".nullish()"
    return rule


def creation_rule(entity: Entity, field: EntityField) -> str:
    """The rule of a create: a choice left out takes its default."""
    rule = zod_rule(entity, field)
    return rule + f".default({default_name(entity, field)})" if field.default is not None else rule


def link_rule(relation: Relation) -> str:
    if relation.many:
        return "rules.ids"
    return "rules.id" if relation.required else "rules.id.nullish()"


@dataclass(frozen=True)
class Lookup:
    """One query parameter of a list: its zod rule, and how it narrows the records (`test` on
    `field`, see records.Filter), or none for q, sort and due, which the route applies itself."""

    param: str
    rule: str
    kind: str  # q, sort, due, choice, boolean, date, datetime, link or list
    field: str = ""
    test: str = ""


def lookups(entity: Entity) -> list[Lookup]:
    candidates: list[Lookup] = []
    if any(f.type in TEXT_TYPES for f in entity.fields):
        candidates.append(Lookup("q", "rules.text(200)", "q"))
    candidates.append(Lookup("sort", "z.enum(SORT_KEYS)", "sort"))
    if entity.due is not None:
        candidates.append(Lookup("due", 'z.enum(["open", "overdue"])', "due"))
    for field in entity.fields:
        if field.type == "choice":
            candidates.append(
                Lookup(field.name, f"rules.choice({options_name(entity, field)})", "choice", field.name, "equals")
            )
        elif field.type == "boolean":
            candidates.append(Lookup(field.name, "rules.flag", "boolean", field.name, "equals"))
        elif field.type in DATE_TYPES:
            rule = RULES[field.type]
            candidates.append(Lookup(f"{field.name}From", rule, field.type, field.name, "gte"))
            candidates.append(Lookup(f"{field.name}To", rule, field.type, field.name, "lte"))
    for relation in entity.relations:
        if relation.many:
            candidates.append(Lookup(f"{relation.name}Id", "rules.pathId", "list", relation.name, "listed"))
        else:
            candidates.append(Lookup(relation.key, "rules.pathId", "link", relation.key, "equals"))
    chosen: dict[str, Lookup] = {}
    for lookup in candidates:
        chosen.setdefault(lookup.param, lookup)  # the first of a name wins, as in the contract
    names = [p["name"] for p in list_parameters(entity)]
    assert list(chosen) == names, f"the list lookups {list(chosen)} differ from the contract's {names}"
    return list(chosen.values())


def sort_key_items(entity: Entity) -> list[str]:
    return [f'"{key}"' for key in sort_keys(entity)]


def optional_sorts(entity: Entity) -> list[str]:
    """Sort keys whose records may have no value, which go last either way."""
    return [f'"{f.name}"' for f in entity.fields if not f.required and f.type != "text"]


def money_fields(entity: Entity) -> list[str]:
    return [f'"{f.name}"' for f in entity.fields if f.type == "money"]


def searched(entity: Entity) -> list[str]:
    return [f'"{f.name}"' for f in entity.fields if f.type in TEXT_TYPES]


def owned_links(spec: Spec, entity: Entity) -> list[Relation]:
    """Links whose target records are private: each id must be one of the caller's."""
    return [r for r in entity.relations if spec.entity(r.target).owned]


def group_label(spec: Spec, relation: Relation) -> str | None:
    """The field naming a linked record in a summary's group: its first short text, else its first
    text of any kind; none (the group reads "#<id>") when it has no text."""
    target = spec.entity(relation.target)
    texts = [f for f in target.fields if f.type == "string"] or [f for f in target.fields if f.type in TEXT_TYPES]
    return texts[0].name if texts else None


@dataclass(frozen=True)
class SummaryCode:
    summary: Summary
    entity: Entity
    money: bool  # the measured field is money
    group_kind: str  # "", "link", "choice" or "yesNo"
    relation: Relation | None
    label: str | None
    date_field: str


def summary_code(spec: Spec, summary: Summary) -> SummaryCode:
    entity = spec.entity(summary.entity)
    field = entity.field(summary.field or "")
    relation = entity.relation(summary.group_by or "")
    group = entity.field(summary.group_by or "")
    kind = "link" if relation else "" if group is None else "yesNo" if group.type == "boolean" else "choice"
    return SummaryCode(
        summary=summary,
        entity=entity,
        money=bool(field and field.type == "money"),
        group_kind=kind,
        relation=relation,
        label=group_label(spec, relation) if relation else None,
        date_field=summary.date_field or "createdAt",
    )
