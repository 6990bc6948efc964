"""The spec in plain words, for the people who decide whether to press Run: what each record keeps,
how records link, who may see and change what, the summaries, the features and the pages of the website.

One vocabulary for every place that shows a spec: the project page's "What we'll build", the
data-model editor's kinds of detail, and the plain-language changes between two plan versions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .generators.naming import words
from .spec import Entity, EntityField, Feature, Relation, Spec, Summary

# Each field type as the editor offers it and the pages say it.
KIND_WORDS: dict[str, str] = {
    "string": "text",
    "text": "long text",
    "int": "whole number",
    "float": "decimal number",
    "money": "money",
    "date": "date",
    "datetime": "date and time",
    "boolean": "yes / no",
    "email": "email address",
    "url": "web address",
    "choice": "choice",
}
MEASURE_WORDS = {"count": "how many", "sum": "total", "avg": "average", "min": "smallest", "max": "largest"}
PERIOD_WORDS = {"day": "per day", "week": "per week", "month": "per month", "year": "per year"}
ONLY_WORDS = {"open": "only those not yet done", "overdue": "only those past their due date"}
PART_WORDS = {
    "frontend": "the website",
    "backend": "the back end",
    "both": "the website and the back end",
}  # where a feature lives
NO_BACK_END = "A website only: it keeps no records and needs no server."


def name_words(identifier: str) -> str:
    """A field's or link's name as people say it: "boughtOn" -> "bought on"."""
    return words(identifier).lower()


def plural_of(word: str) -> str:
    """ "tool" -> "tools", "delivery" -> "deliveries", "box" -> "boxes": English's regular plurals, and "people"."""
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return "people" if word == "person" else word + "s"


def record_plural(entity: Entity) -> str:
    """ "Tools", "Appointment slots": the entity's route name said as people say it."""
    return words(entity.plural)


def detail_words(detail: EntityField, *, with_kind: bool = True) -> str:
    """ "condition (good / worn / broken)", "bought on (date)", "notes (long text, optional)"."""
    if detail.type == "choice":
        kind = " / ".join(detail.options) + (f"; starts as {detail.default}" if detail.default else "")
    else:
        kind = KIND_WORDS[detail.type]
    notes = [kind] if with_kind else []
    if not detail.required:
        notes.append("optional")
    if detail.unique:
        notes.append("no two alike")
    return f"{name_words(detail.name)} ({', '.join(notes)})" if notes else name_words(detail.name)


def detail_kind(detail: EntityField) -> str:
    """ "choice: good, worn, broken", "money": the kind of a detail as a change says it."""
    if detail.type == "choice":
        return f"choice: {', '.join(detail.options)}"
    return KIND_WORDS[detail.type]


def link_words(entity: Entity, relation: Relation, spec: Spec) -> str:
    """ "each Loan is for one Tool", "each Order has several Cakes", "each Task may be for one Person"."""
    target = spec.entity(relation.target)
    if relation.many:
        text = f"each {entity.label} has several {record_plural(target)}"
    else:
        text = f"each {entity.label} {'is' if relation.required else 'may be'} for one {target.label}"
    if name_words(relation.name) != target.label.lower():
        text += f" (its {name_words(relation.name)})"
    return text


def summary_words(summary: Summary, spec: Spec) -> str:
    """What a summary shows, after its label: "Total distance per member each month: the total distance of
    Runs, for each member, per month of ran on"."""
    return f"{summary.label}: {summary_shows(summary, spec)}"


def summary_shows(summary: Summary, spec: Spec) -> str:
    """What a summary shows, without its label: "the total distance of runs, for each member, per month of ran on"."""
    entity = spec.entity(summary.entity)
    if summary.measure == "count":
        what = f"how many {record_plural(entity).lower()}"
    else:
        what = (
            f"the {MEASURE_WORDS[summary.measure]} {name_words(summary.field or '')} of {record_plural(entity).lower()}"
        )
    parts = [what]
    if summary.only:
        parts.append(ONLY_WORDS[summary.only])
    if summary.group_by:
        parts.append(f"for each {name_words(summary.group_by)}")
    if summary.period:
        when = name_words(summary.date_field) if summary.date_field else "when it was added"
        parts.append(f"{PERIOD_WORDS[summary.period]} of {when}")
    return ", ".join(parts)


def access_words(spec: Spec) -> list[str]:
    """Who may see and change what."""
    if not spec.has_backend:
        return ["Anyone who opens the website can use all of it: there is nothing to log in to, and nothing is stored."]
    if not spec.auth:
        return ["There are no log-ins: anyone who can open the app can see and change everything in it."]
    owned = [e for e in spec.entities if e.owned]
    shared = [e for e in spec.entities if not e.owned]
    lines = ["People sign up and log in."]
    if shared:
        lines.append(
            f"Anyone can look at {listed([record_plural(e).lower() for e in shared])}; "
            "only people who are logged in can add, change or remove them."
        )
    if owned:
        lines.append(
            f"Each person sees and changes only their own {listed([record_plural(e).lower() for e in owned])}: "
            "nobody else can see them."
        )
    return lines


def page_words(spec: Spec) -> list[str]:
    """The pages of the generated website, or what is built instead of one."""
    if not spec.frontend:
        return ["No website: you get the back end only, an API that other programs (or a website you add later) call."]
    pages = ["Log in and sign up."] if spec.auth else []
    for entity in spec.entities:
        lookups = _lookups(entity)
        pages.append(f"{record_plural(entity)}: a list{lookups}, and a form to add, change and remove one.")
    pages += [f"{s.label}: a table and a bar chart." for s in spec.summaries]
    return pages


def _lookups(entity: Entity) -> str:
    ways = []
    if any(f.type in {"string", "text", "email", "url"} for f in entity.fields):
        ways.append("search")
    filters = [name_words(f.name) for f in entity.fields if f.type in {"choice", "boolean"}]
    filters += [name_words(r.name) for r in entity.relations]
    if filters:
        ways.append(f"filters by {listed(filters)}")
    if entity.due:
        ways.append("open and overdue ones")
    return f" with {listed(ways)}" if ways else ""


def listed(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def feature_note(feature: Feature) -> str:
    """What offline mode says it leaves to a model, in the feature's own words (spec.not_built)."""
    return f"{feature.title} — {feature.text} Not built offline: a model builds it (configure one, see README)."


def built_features(tasks: Iterable[dict[str, Any]]) -> set[str]:
    """The features a plan's tasks build: a "feature" task builds the one its scope names."""
    return {name for task in tasks if task.get("agent") == "feature" for name in task.get("scope") or []}


@dataclass
class FeatureWords:
    name: str  # "snakeGame"
    title: str  # "Snake game"
    text: str  # what it does, in plain words
    where: str  # "in the website"
    built: bool  # a task of the plan builds it (with a model); else offline mode leaves it out

    @property
    def status(self) -> str:
        return "built by a model" if self.built else "not built offline"


@dataclass
class RecordWords:
    name: str  # "Tools"
    details: list[str]  # "condition (good / worn / broken)"
    due: str = ""  # "due by due on; done once returned on is set"


@dataclass
class SpecWords:
    """A spec, said in plain words, ready for a template."""

    records: list[RecordWords] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    access: list[str] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    not_built: list[str] = field(default_factory=list)
    features: list[FeatureWords] = field(default_factory=list)
    no_records: str = ""  # why the app keeps no records, when it keeps none


def describe(spec: Spec, tasks: Iterable[dict[str, Any]] = ()) -> SpecWords:
    """The spec in plain words; `tasks` (the plan's) say which features a model's task builds. A feature's
    note in spec.not_built is said once, beside the feature."""
    built = built_features(tasks)
    notes = {feature_note(f) for f in spec.features}
    said = SpecWords(
        access=access_words(spec),
        pages=page_words(spec),
        not_built=[note for note in spec.not_built if note not in notes],
    )
    said.features = [
        FeatureWords(f.name, f.title, f.text, f"in {PART_WORDS[f.part]}", f.name in built) for f in spec.features
    ]
    if not spec.entities:
        said.no_records = NO_BACK_END if not spec.has_backend else "None: the back end keeps only the log-in accounts."
    for entity in spec.entities:
        due = ""
        if entity.due:
            due = f"due by its {name_words(entity.due)}"
            if entity.done:
                due += f"; done once its {name_words(entity.done)} is set"
        said.records.append(RecordWords(record_plural(entity), [detail_words(f) for f in entity.fields], due))
        said.links += [_sentence(link_words(entity, r, spec)) + "." for r in entity.relations]
    said.summaries = [summary_words(s, spec) + "." for s in spec.summaries]
    return said


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def identifier(text: str) -> str:
    """A name people typed as the spec's camelCase identifier: "bought on" -> "boughtOn", "Vet's notes" -> "vetsNotes"."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", re.sub(r"['’]", "", text)) if p]
    if not parts:
        return ""
    first, rest = parts[0], parts[1:]
    return first[:1].lower() + first[1:] + "".join(p[:1].upper() + p[1:] for p in rest)
