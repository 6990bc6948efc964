"""Map a Reading to the Spec the generators build: its field types, links one or many, owned
records, due dates, summaries, at least one entity, and the features a model would add. What the
mapping leaves out is said in plain words (`not_built`), so nobody is surprised by the generated app."""

from __future__ import annotations

import re
import unicodedata

from pydantic import ValidationError

from ..spec import OPTION, Entity, EntityField, Feature, Relation, Summary, check_summary
from ..spec_words import feature_note
from .reading import Detail, Reading, Record, Tally, reaches
from .vocabulary import FEATURE_KINDS, KIND_WORDS

# The reading's kinds of value as the spec's field types.
FIELD_TYPES = {
    "text": "string",
    "long_text": "text",
    "number": "int",
    "decimal": "float",
    "money": "money",
    "date": "date",
    "datetime": "datetime",
    "yes_no": "boolean",
    "email": "email",
    "url": "url",
    "choice": "choice",
}
# Details whose options are the stages a record goes through: a new record starts at the first
# ("open / in progress / done" starts open). Other choices (a colour, a size) have no default.
STAGE_WORDS = frozenset("status state stage condition progress".split())
# What offline mode still builds for a request of another kind: one record, and how to say it.
KIND_RECORDS = {
    "game": ("score", {"player": "text", "points": "number"}, "the high-score table"),
    "converter": ("conversion", {"input": "text", "result": "text"}, "a page that keeps the conversions you save"),
    "calculator": (
        "calculation",
        {"inputs": "text", "result": "decimal"},
        "a page that keeps the calculations you save",
    ),
}
NOTES_RECORD = ("note", {"title": "text", "body": "long_text"}, "a notes page for the project")
RESERVED_FIELDS = frozenset({"id", "createdAt", "updatedAt"})


def spec_entities(reading: Reading, *, auth: bool = True) -> list[Entity]:
    """The entities a reading keeps; records each person keeps their own of are owned when people log in."""
    records: dict[str, Record] = {}
    for word, record in list(_records(reading).items())[:20]:
        # Two readings of one word ("patient", "patients") would be two tables with one route.
        if all(_pascal(word) != _pascal(w) and record.plural != r.plural for w, r in records.items()):
            records[word] = record
    links: dict[str, list[str]] = {word: [] for word in records}
    many: set[tuple[str, str]] = set()
    for link in reading.links:
        if (
            link.source in records
            and link.target in records
            and link.target not in links[link.source]
            and not reaches(links, link.target, link.source)
        ):
            links[link.source].append(link.target)  # a many link is kept on the side that lists
            if link.cardinality == "many":
                many.add((link.source, link.target))
    owned = set(reading.owned) if auth else set()
    return [_entity(records[word], links[word], many, owned=word in owned) for word in records]


def spec_summaries(reading: Reading, entities: list[Entity]) -> list[Summary]:
    """The summaries of the reading the entities can give; the others are noted as not built."""
    summaries: list[Summary] = []
    if any(e.plural == "summaries" for e in entities):
        return summaries  # the summaries' own route would clash with the entity's
    for tally in reading.summaries:
        summary = _summary(tally, reading, entities, {s.name for s in summaries})
        if summary is not None and len(summaries) < 10:
            summaries.append(summary)
    return summaries


def spec_features(reading: Reading, *, frontend: bool = True) -> list[Feature]:
    """The features of a request the stacks can build (with a model): none for a command-line tool or
    a mobile app. An app without a website does on its back end what it would have shown on a page."""
    if reading.kind != "records" and reading.kind not in FEATURE_KINDS:
        return []
    return [
        Feature(name=b.name, title=b.title, text=b.text, part=b.part if frontend else "backend")
        for b in reading.features
    ]


def not_built(reading: Reading, summaries: list[Summary], features: list[Feature], *, auth: bool = True) -> list[str]:
    """Plain-language notes on what offline mode will not build for this request: `summaries` and
    `features` are those the spec gives (each feature noted in its own words, as left to a model), and
    a request without log-ins cannot keep each person's records apart."""
    notes = []
    if reading.kind != "records":
        word = KIND_WORDS[reading.kind]
        what = _kind_record(reading.kind)[2]
        mainly = f"The offline planner builds apps that keep records; your request is mainly {_a(word)}, so it will only build {what}"
        if reading.kind in FEATURE_KINDS:
            notes.append(f"{mainly}.")
        else:  # no stack builds it, so a model would not either
            notes.append(f"{mainly}: the stacks build web apps and their APIs, not {_a(word)}, even with a model.")
    elif not reading.records:
        notes.append("The request names nothing to keep, so the app keeps a simple list of items.")
    built = {summary.label for summary in summaries}
    notes += [
        f"{_sentence(tally.words)}: not built (the app lists and edits records, and gives only summaries it can "
        f"count or add up from them)."
        for tally in reading.summaries
        if _label(tally) not in built and tally.words
    ]
    notes += [feature_note(feature) for feature in features]
    if not features:  # a kind no stack builds: what it asks for in passing is not built either
        notes += [f"{behaviour.title}: not built." for behaviour in reading.features]
    if reading.owned and reading.kind == "records" and not auth:
        plurals = ", ".join(reading.records[w].plural for w in reading.owned if w in reading.records)
        notes.append(ownership_note(plurals))
    return notes


def ownership_note(plurals: str) -> str:
    return f"Everyone sees all {plurals}: keeping each person's own apart needs log-ins, and this app has none."


def _sentence(words: str) -> str:
    return words[:1].upper() + words[1:]


def _a(word: str) -> str:
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def _kind_record(kind: str) -> tuple[str, dict[str, str], str]:
    return KIND_RECORDS.get(kind, NOTES_RECORD)


def _records(reading: Reading) -> dict[str, Record]:
    if reading.records:
        return dict(reading.records)
    word, details, _ = _kind_record(reading.kind) if reading.kind != "records" else ("item", {"name": "text"}, "")
    return {word: Record(word, word + "s", {n: Detail(n, k) for n, k in details.items()})}


def _pascal(word: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^a-zA-Z0-9]+", word) if part)


def _camel(word: str) -> str:
    pascal = _pascal(word)
    return pascal[:1].lower() + pascal[1:]


def _entity(record: Record, targets: list[str], many: set[tuple[str, str]], *, owned: bool) -> Entity:
    # A name that is a keyword of a generated language ("class", "import") is kept: the stacks
    # only ever use it inside longer names, and normalise_spec renames what a stack reserves.
    word = record.word
    relations = [Relation(name=_camel(t), target=_pascal(t), many=(word, t) in many) for t in targets][:10]
    taken = RESERVED_FIELDS | {"ownerId"} | {r.name for r in relations} | {r.key for r in relations}
    fields = [
        _field(d)
        for d in record.details.values()
        if d.name not in taken and re.fullmatch(r"[a-z][a-zA-Z0-9]{0,39}", d.name)
    ]
    if not fields:
        fields = [EntityField(name="notes", type="text", required=False)]
    fields = fields[:30]
    types = {f.name: f.type for f in fields}
    due = record.due if types.get(record.due or "") in ("date", "datetime") else None
    done = record.done if due and types.get(record.done or "") in ("date", "datetime", "boolean") else None
    return Entity(
        name=_pascal(word),
        plural=_camel(record.plural),
        label=word.replace("-", " ").capitalize()[:60],
        fields=fields,
        relations=relations,
        owned=owned,
        due=due,
        done=done,
    )


def _field(detail: Detail) -> EntityField:
    options = _options(detail.options) if detail.kind == "choice" else []
    if not options:  # "a status" with no options listed: free text, since any options would be guesses
        return EntityField(
            name=detail.name, type="string" if detail.kind == "choice" else FIELD_TYPES[detail.kind], required=False
        )
    stages = re.split(r"(?=[A-Z])", detail.name)[-1].lower() in STAGE_WORDS
    return EntityField(
        name=detail.name, type="choice", required=False, options=options, default=options[0] if stages else None
    )


def _options(said: list[str]) -> list[str]:
    """Options as the spec takes them: lower case, letters, digits, spaces and hyphens ("rosé" is
    "rose"), each once, at most 20."""
    options: list[str] = []
    for option in said:
        plain = unicodedata.normalize("NFKD", option).encode("ascii", "ignore").decode().lower()
        plain = re.sub(r"\s+", " ", re.sub(r"[^a-z0-9 -]", " ", plain)).strip(" -")[:40].strip(" -")
        if re.fullmatch(OPTION, plain) and plain not in options:
            options.append(plain)
    return options[:20]


def _label(tally: Tally) -> str:
    return _sentence(tally.words)[:80]


def _summary(tally: Tally, reading: Reading, entities: list[Entity], taken: set[str]) -> Summary | None:
    """The Summary a tally of the reading reads as, or None when the spec cannot give it."""
    if tally.measure is None or tally.record not in reading.records or not tally.words:
        return None
    entity = next((e for e in entities if e.label.lower() == tally.record.replace("-", " ")), None)
    if entity is None:
        return None
    group = None
    if tally.per in reading.records:
        group = next((r.name for r in entity.relations if r.name == _camel(tally.per) and not r.many), None)
        if group is None:
            return None  # per records it does not link to one of: not a figure its records can give
    elif tally.per is not None:
        group = tally.per
    dates = [f.name for f in entity.fields if f.type in ("date", "datetime") and f.name != entity.done]
    date_field = None
    if tally.period is not None and dates:
        date_field = next((d for d in dates if d == entity.due), None) if tally.only else None
        date_field = date_field or next((d for d in dates if d != entity.due), dates[0])
    base = tally.detail or entity.plural
    name = (
        base
        + (f"Per{group[:1].upper()}{group[1:]}" if group else "")
        + (f"Per{tally.period.capitalize()}" if tally.period else "")
    )
    name = (name + (tally.only.capitalize() if tally.only else ""))[:36]
    unique, n = name, 2
    while unique in taken:
        unique, n = f"{name}{n}", n + 1
    try:
        summary = Summary(
            name=unique,
            label=_label(tally),
            entity=entity.name,
            measure=tally.measure,
            field=tally.detail if tally.measure != "count" else None,
            group_by=group,
            period=tally.period,
            date_field=date_field,
            only=tally.only,
        )
        check_summary(summary, entity)
    except (ValidationError, ValueError):
        return None  # the records cannot give it (a total of a text, open records of what is never due)
    return summary
