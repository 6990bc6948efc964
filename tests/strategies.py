"""Hypothesis strategies for specs the architect can produce: every field type, relations (required,
optional, several to one target, self links), with and without log-ins and a website, for a chosen
back-end stack. Names run from one letter to the 40 the spec allows, so line lengths in generated
files vary as widely as real projects make them."""

from __future__ import annotations

import string
from typing import get_args

from hypothesis import strategies as st

from agents.generators.naming import normalise_spec, reserved_names
from agents.spec import FieldType, Spec, StackChoice

FIELD_TYPES = get_args(FieldType)
_TAIL = string.ascii_letters + string.digits


# Words that are keywords or special names in one of the generated languages, mixed in on purpose.
AWKWARD_NAMES = ["class", "delete", "import", "from", "type", "constructor", "prototype", "default", "async",
                 "await", "none", "true", "self", "def", "lambda", "global", "name", "value", "data", "json"]
camel = st.one_of(
    st.builds(lambda head, tail: head + tail, st.sampled_from(string.ascii_lowercase), st.text(_TAIL, max_size=39)),
    st.sampled_from(AWKWARD_NAMES),
)
# 35 characters leave room for the suffix normalise_spec gives a reserved name ("Date" -> "DateEntry").
pascal = st.builds(lambda head, tail: head + tail, st.sampled_from(string.ascii_uppercase), st.text(_TAIL, max_size=34))
label = st.text(string.ascii_letters + string.digits + " -'&", min_size=1, max_size=60).filter(str.strip)


@st.composite
def _entity(draw, name: str, plural: str, others: list[str]) -> dict:
    field_names = draw(st.lists(camel, min_size=1, max_size=8, unique_by=str.lower))
    fields = [
        {"name": f, "type": draw(st.sampled_from(FIELD_TYPES)), "required": draw(st.booleans()), "unique": draw(st.booleans())}
        for f in field_names
    ]
    taken = {f.lower() for f in field_names} | {"id", "createdat", "updatedat"}
    relations = []
    for target in draw(st.lists(st.sampled_from(others), max_size=3)) if others else []:
        relation_name = draw(camel.filter(lambda n: n.lower() not in taken and f"{n}id".lower() not in taken))
        taken |= {relation_name.lower(), f"{relation_name}id".lower()}
        relations.append({"name": relation_name, "target": target, "required": draw(st.booleans())})
    return {"name": name, "plural": plural, "label": draw(label), "fields": fields, "relations": relations}


@st.composite
def specs(draw, backend: str = "express", max_entities: int = 20) -> Spec:
    # Unique after normalise_spec's renames too ("Date" becomes "DateEntry", which may be drawn as well).
    reserved = reserved_names(StackChoice(backend=backend))
    renamed = lambda n: (f"{n}Entry" if n in reserved else n).lower()  # noqa: E731
    names = draw(st.lists(pascal, min_size=1, max_size=max_entities, unique_by=renamed))
    plurals = draw(st.lists(camel, min_size=len(names), max_size=len(names), unique_by=str.lower))
    entities = [draw(_entity(name, plural, names)) for name, plural in zip(names, plurals)]
    spec = Spec.model_validate({
        "app_name": draw(st.from_regex(r"[a-z][a-z0-9-]{1,49}", fullmatch=True)),
        "title": draw(label),
        "summary": draw(st.text(max_size=300)),
        "entities": entities,
        "auth": draw(st.booleans()),
        "frontend": draw(st.booleans()),
        "stack": {"backend": backend},
    })
    return normalise_spec(spec)
