"""Map a Reading down to today's Spec, which the generators build: its field types, many-to-one
links only, and at least one entity. What the mapping simplifies or leaves out is said in plain
words (`not_built`), so nobody is surprised by the generated app."""

from __future__ import annotations

import re

from ..spec import Entity, EntityField, Relation
from .reading import Detail, Reading, Record, reaches
from .vocabulary import KIND_WORDS

# The reading's kinds of value as today's field types (money and decimals are floats, choices and
# links are strings until the schema has them).
FIELD_TYPES = {"text": "string", "long_text": "text", "number": "int", "decimal": "float", "money": "float",
               "date": "date", "datetime": "datetime", "yes_no": "boolean", "email": "email", "url": "string",
               "choice": "string"}
# Entity names that are reserved words in the generated TypeScript, and the name used instead.
RESERVED_RENAMES = {"class": "session", "package": "parcel", "case": "matter", "function": "occasion",
                    "interface": "connector", "default": "preset", "export": "shipment", "import": "delivery",
                    "delete": "removal", "return": "refund", "switch": "toggle", "enum": "choice", "new": "novelty"}
# What offline mode still builds for a request of another kind: one record, and how to say it.
KIND_RECORDS = {
    "game": ("score", {"player": "text", "points": "number"}, "the high-score table"),
    "converter": ("conversion", {"input": "text", "result": "text"}, "a page that keeps the conversions you save"),
    "calculator": ("calculation", {"inputs": "text", "result": "decimal"}, "a page that keeps the calculations you save"),
}
NOTES_RECORD = ("note", {"title": "text", "body": "long_text"}, "a notes page for the project")
RESERVED_FIELDS = frozenset({"id", "createdAt", "updatedAt"})


def spec_entities(reading: Reading) -> list[Entity]:
    records: dict[str, Record] = {}
    for word, record in list(_records(reading).items())[:20]:
        # Two readings of one word ("patient", "patients") would be two tables with one route.
        if all(_pascal(_entity_word(word)) != _pascal(_entity_word(w)) and record.plural != r.plural for w, r in records.items()):
            records[word] = record
    names = {word: _entity_word(word) for word in records}
    links: dict[str, list[str]] = {word: [] for word in records}
    for link in reading.links:
        if link.source in records and link.target in records and link.target not in links[link.source] \
                and not reaches(links, link.target, link.source):
            links[link.source].append(link.target)  # a many link is kept on the side that lists
    return [_entity(records[word], names, links[word]) for word in records]


def not_built(reading: Reading) -> list[str]:
    """Plain-language notes on what offline mode will not build for this request."""
    notes = []
    if reading.kind != "records":
        word = KIND_WORDS[reading.kind]
        what = _kind_record(reading.kind)[2]
        notes.append(
            f"The offline planner builds apps that keep records; your request is mainly {_a(word)}, so it will only build "
            f"{what}. To build the {word} itself, configure a model (see README)."
        )
    elif not reading.records:
        notes.append("The request names nothing to keep, so the app keeps a simple list of items.")
    for link in reading.links:
        if link.cardinality == "many" and link.source in reading.records and link.target in reading.records:
            source, target = reading.records[link.source], reading.records[link.target]
            notes.append(
                f"{_a(source.word).capitalize()} can list several {target.plural}: for now each {source.word} links to one "
                f"{target.word} (several per {source.word}: not built)."
            )
    for record in reading.records.values():
        for detail in record.details.values():
            if detail.options:
                notes.append(
                    f"The {record.word}'s {_words(detail.name)} is free text for now; its choices "
                    f"({', '.join(detail.options)}) are not enforced."
                )
    notes += [f"{summary[0].upper()}{summary[1:]}: not built (the app lists and edits records)." for summary in reading.summaries]
    notes += [f"{feature[0].upper()}{feature[1:]}: not built." for feature in reading.features]
    if reading.owned and reading.kind == "records":
        plurals = ", ".join(reading.records[w].plural for w in reading.owned if w in reading.records)
        notes.append(f"Everyone sees all {plurals}: keeping each person's own apart is not built.")
    return notes


def _a(word: str) -> str:
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def _kind_record(kind: str) -> tuple[str, dict[str, str], str]:
    return KIND_RECORDS.get(kind, NOTES_RECORD)


def _records(reading: Reading) -> dict[str, Record]:
    if reading.records:
        return dict(reading.records)
    word, details, _ = _kind_record(reading.kind) if reading.kind != "records" else ("item", {"name": "text"}, "")
    return {word: Record(word, word + "s", {n: Detail(n, k) for n, k in details.items()})}


def _entity_word(word: str) -> str:
    return RESERVED_RENAMES.get(word, word)


def _pascal(word: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^a-zA-Z0-9]+", word) if part)


def _camel(word: str) -> str:
    pascal = _pascal(word)
    return pascal[:1].lower() + pascal[1:]


def _words(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


def _entity(record: Record, names: dict[str, str], targets: list[str]) -> Entity:
    word = names[record.word]
    relations = [Relation(name=_camel(names[t]), target=_pascal(names[t])) for t in targets if t in names][:10]
    taken = RESERVED_FIELDS | {r.name for r in relations} | {f"{r.name}Id" for r in relations}
    fields = [
        EntityField(name=d.name, type=FIELD_TYPES[d.kind], required=False)
        for d in record.details.values() if d.name not in taken and re.fullmatch(r"[a-z][a-zA-Z0-9]{0,39}", d.name)
    ]
    if not fields:
        fields = [EntityField(name="notes", type="text", required=False)]
    plural = names[record.word] + "s" if word != record.word else record.plural
    return Entity(name=_pascal(word), plural=_camel(plural), label=word.replace("-", " ").capitalize()[:60],
                  fields=fields[:30], relations=relations)
