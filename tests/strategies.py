"""Hypothesis strategies for specs the architect can produce: every field type (choices with and
without a default), relations (required, optional, many-to-many, several to one target, self links),
owned entities, due and done dates, summaries, with and without log-ins and a website, for a chosen
back-end stack. Names run from one letter to the 40 the spec allows, so line lengths in generated
files vary as widely as real projects make them."""

from __future__ import annotations

import string
from typing import get_args

from hypothesis import strategies as st

from agents.generators.naming import normalise_spec, reserved_names
from agents.spec import FieldType, Spec, StackChoice

FIELD_TYPES = get_args(FieldType)
RESERVED_FIELDS = {"id", "createdat", "updatedat", "ownerid"}  # what every record has already
_TAIL = string.ascii_letters + string.digits


# Words that are keywords or special names in one of the generated languages, mixed in on purpose.
AWKWARD_NAMES = [
    "class",
    "delete",
    "import",
    "from",
    "type",
    "constructor",
    "prototype",
    "default",
    "async",
    "await",
    "none",
    "true",
    "self",
    "def",
    "lambda",
    "global",
    "name",
    "value",
    "data",
    "json",
]
camel = st.one_of(
    st.builds(lambda head, tail: head + tail, st.sampled_from(string.ascii_lowercase), st.text(_TAIL, max_size=39)),
    st.sampled_from(AWKWARD_NAMES),
)
# 35 characters leave room for the suffix normalise_spec gives a reserved name ("Date" -> "DateEntry").
pascal = st.one_of(
    st.builds(lambda head, tail: head + tail, st.sampled_from(string.ascii_uppercase), st.text(_TAIL, max_size=34)),
    # Entity names whose lower-case form is a keyword ("class", "import"), as the offline planner keeps them.
    st.sampled_from(["Class", "Import", "Delete", "New", "Default", "Enum", "Function", "Return", "Package"]),
)
label = st.text(string.ascii_letters + string.digits + " -'&", min_size=1, max_size=60).filter(str.strip)


@st.composite
def _entity(draw, name: str, plural: str, others: list[str], owned: bool) -> dict:
    field_names = draw(
        st.lists(camel.filter(lambda n: n.lower() not in RESERVED_FIELDS), min_size=1, max_size=8, unique_by=str.lower)
    )
    fields = [draw(_field(f)) for f in field_names]
    taken = {f.lower() for f in field_names} | RESERVED_FIELDS
    relations = []
    for target in draw(st.lists(st.sampled_from(others), max_size=3)) if others else []:
        many = draw(st.booleans())
        relation_name = draw(
            camel.filter(lambda n, taken=taken: not {n.lower(), f"{n}id".lower(), f"{n}ids".lower()} & taken)
        )
        taken |= {relation_name.lower(), f"{relation_name}id".lower(), f"{relation_name}ids".lower()}
        relations.append({"name": relation_name, "target": target, "required": draw(st.booleans()), "many": many})
    dates = [f["name"] for f in fields if f["type"] in ("date", "datetime")]
    due = draw(st.sampled_from(dates)) if dates and draw(st.booleans()) else None
    ends = [f["name"] for f in fields if f["type"] in ("date", "datetime", "boolean") and f["name"] != due]
    done = draw(st.sampled_from(ends)) if due and ends and draw(st.booleans()) else None
    return {
        "name": name,
        "plural": plural,
        "label": draw(label),
        "fields": fields,
        "relations": relations,
        "owned": owned and draw(st.booleans()),
        "due": due,
        "done": done,
    }


option = (
    st.text(string.ascii_lowercase + string.digits + " -", min_size=1, max_size=40)
    .map(str.strip)
    .filter(lambda o: o and o[0].isalnum() and o[-1].isalnum())
)


@st.composite
def _field(draw, name: str) -> dict:
    kind = draw(st.sampled_from(FIELD_TYPES))
    field = {"name": name, "type": kind, "required": draw(st.booleans()), "unique": draw(st.booleans())}
    if kind == "choice":
        field["options"] = draw(st.lists(option, min_size=1, max_size=6, unique_by=str.lower))
        field["default"] = draw(st.one_of(st.none(), st.sampled_from(field["options"])))
    return field


@st.composite
def _summary(draw, name: str, entity: dict) -> dict:
    numbers = [f["name"] for f in entity["fields"] if f["type"] in ("int", "float", "money")]
    measure = draw(st.sampled_from(["count", "sum", "avg", "min", "max"] if numbers else ["count"]))
    groups = [r["name"] for r in entity["relations"] if not r["many"]]
    groups += [f["name"] for f in entity["fields"] if f["type"] in ("choice", "boolean")]
    dates = [f["name"] for f in entity["fields"] if f["type"] in ("date", "datetime")]
    period = draw(st.one_of(st.none(), st.sampled_from(["day", "week", "month", "year"])))
    only = draw(st.sampled_from([None] + (["overdue"] if entity["due"] else []) + (["open"] if entity["done"] else [])))
    return {
        "name": name,
        "label": draw(label),
        "entity": entity["name"],
        "measure": measure,
        "field": draw(st.sampled_from(numbers)) if measure != "count" else None,
        "group_by": draw(st.one_of(st.none(), st.sampled_from(groups))) if groups else None,
        "period": period,
        "date_field": draw(st.sampled_from(dates)) if period and dates and draw(st.booleans()) else None,
        "only": only,
    }


@st.composite
def specs(draw, backend: str = "express", max_entities: int = 20) -> Spec:
    # Unique after normalise_spec's renames too ("Date" becomes "DateEntry", which may be drawn as well).
    reserved = reserved_names(StackChoice(backend=backend))
    renamed = lambda n: (f"{n}Entry" if n in reserved else n).lower()  # noqa: E731
    names = draw(st.lists(pascal, min_size=1, max_size=max_entities, unique_by=renamed))
    plurals = draw(
        st.lists(
            camel.filter(lambda p: p != "summaries"), min_size=len(names), max_size=len(names), unique_by=str.lower
        )
    )
    auth = draw(st.booleans())
    entities = [draw(_entity(name, plural, names, auth)) for name, plural in zip(names, plurals)]
    summary_names = draw(st.lists(camel, max_size=3, unique_by=str.lower))
    summaries = [draw(_summary(n, draw(st.sampled_from(entities)))) for n in summary_names]
    spec = Spec.model_validate(
        {
            "app_name": draw(st.from_regex(r"[a-z][a-z0-9-]{1,49}", fullmatch=True)),
            "title": draw(label),
            "summary": draw(st.text(max_size=300)),
            "entities": entities,
            "auth": auth,
            "summaries": summaries,
            "frontend": draw(st.booleans()),
            "stack": {"backend": backend},
        }
    )
    return normalise_spec(spec)
