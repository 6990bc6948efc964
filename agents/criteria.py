"""Acceptance criteria: what the app must do, in plain words, agreed before Run and proven after it.

Each criterion has a stable id and says, in `about`, which behaviour of the spec proves it (records
kept, a choice's options, a link, privacy, log-ins, finding records, due dates, a summary). The
offline planner derives them from the spec (`derive_criteria`); a model may write its own, which must
pass `criteria_problems`; people add, reword and remove them (each change a new plan version), and
`carry_criteria` keeps their words when the data model changes or the project is re-planned.

The tests agent writes, for each criterion with an `about`, tests tagged with its id: a TypeScript
test's title starts with "<id>: ", a pytest test records the property criterion=<id>.
`tagged_tests` finds those tags in test files (spec/criteria.json), and the verify stage finds them
in the test runners' reports (agents/test_reports.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from .generators.naming import article, kebab
from .openapi import list_parameters
from .spec import MAX_CRITERIA, MAX_CRITERION_CHARS, TEXT_TYPES, Criterion, CriterionAbout, Entity, Feature, Spec
from .spec_words import link_words, listed, name_words, record_plural, summary_shows

CRITERIA_PATH = "spec/criteria.json"
NOT_COVERED = (
    "Nothing in what we'll build expresses this, so no generated test can prove it; "
    "it stays unproven unless a model writes a test for it."
)
# The order in which derived criteria are kept when a large spec gives more than MAX_CRITERIA.
PRIORITY = ("records", "feature", "link", "private", "login", "summary", "choice", "due", "unique", "find")
FEATURE_PROOF = (
    "Proven by the tests its feature's own task writes, which needs a model; offline the feature is not "
    "built, so nothing proves it."
)


# --- derived from the spec ----------------------------------------------------------------------


def derive_criteria(spec: Spec) -> list[Criterion]:
    """The criteria the spec implies, one or more per record, link, choice, rule, summary and lookup,
    in the spec's order (records first), at most MAX_CRITERIA (the most basic kinds kept first)."""
    found: list[Criterion] = []
    for entity in spec.entities:
        found.append(_criterion(_records_text(spec, entity), "records", entity.name))
        for field in entity.fields:
            if field.type == "choice":
                start = f"; a new {entity.label.lower()} starts as {field.default}" if field.default else ""
                text = (
                    f"A {entity.label.lower()}'s {name_words(field.name)} is one of {_or(field.options)}{start}; "
                    "anything else is refused."
                )
                found.append(_criterion(text, "choice", entity.name, field.name))
            if field.unique:
                text = f"No two {record_plural(entity).lower()} have the same {name_words(field.name)}."
                found.append(_criterion(text, "unique", entity.name, field.name))
        for relation in entity.relations:
            target = spec.entity(relation.target)
            link = link_words(entity, relation, spec)
            text = f"{link[:1].upper()}{link[1:]}; {'a' if not relation.many else 'listing a'} {target.label.lower()} that does not exist is refused."
            found.append(_criterion(text, "link", entity.name, relation.name))
        if entity.owned:
            text = f"Each person sees and changes only their own {record_plural(entity).lower()}: nobody else can see them."
            found.append(_criterion(text, "private", entity.name))
        if entity.due:
            due = name_words(entity.due)
            if entity.done:
                done = name_words(entity.done)
                text = (
                    f"{record_plural(entity)} whose {due} has passed and that have no {done} yet show as overdue; "
                    f"those with no {done} yet show as open."
                )
            else:
                text = f"{record_plural(entity)} whose {due} has passed show as overdue."
            found.append(_criterion(text, "due", entity.name))
        if ways := _find_ways(entity):
            found.append(_criterion(f"{record_plural(entity)} can be {ways}.", "find", entity.name))
    shared = [e for e in spec.entities if not e.owned]
    if spec.auth and shared:
        text = (
            f"Only people who are logged in can add, change or remove "
            f"{listed([record_plural(e).lower() for e in shared])}."
        )
        found.append(_criterion(text, "login"))
    for summary in spec.summaries:
        text = f"“{summary.label}” shows {summary_shows(summary, spec)}."
        found.append(_criterion(text, "summary", summary.entity, summary.name))
    for feature in spec.features:
        found.append(_criterion(feature.text, "feature", name=feature.name))
    if len(found) > MAX_CRITERIA:
        ranked = sorted(found, key=lambda c: PRIORITY.index(c.about.kind))[:MAX_CRITERIA]
        found = [c for c in found if c in ranked]
    return found


def _criterion(text: str, kind: str, entity: str | None = None, name: str | None = None) -> Criterion:
    about = CriterionAbout(kind=kind, entity=entity, name=name)
    if len(text) > MAX_CRITERION_CHARS:  # long names: cut at a word, and say so
        text = text[: MAX_CRITERION_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return Criterion(id=about_id(about), text=text, about=about)


def feature_criteria(spec: Spec, feature: Feature) -> list[Criterion]:
    """The criteria a feature's tests prove: the spec's about it, else the one derived from its words
    (a spec whose criteria a person removed still gives the feature's tests an id to carry)."""
    about = CriterionAbout(kind="feature", name=feature.name)
    return [c for c in spec.criteria if c.about == about] or [_criterion(feature.text, "feature", name=feature.name)]


def about_id(about: CriterionAbout) -> str:
    """The id of the criterion derived for `about`: "records-tool", "link-loan-tool", "login"."""
    named = (about.name,) if about.kind in ("summary", "feature") else (about.entity, about.name)
    parts = [about.kind] + [kebab(p) for p in named if p]
    return "-".join(parts)[:60].rstrip("-")


def _records_text(spec: Spec, entity: Entity) -> str:
    who = "A person who is logged in" if spec.auth else "Anyone"
    label = entity.label.lower()
    details = [name_words(f.name) for f in entity.fields][:4]
    text = (
        f"{who} can add {article(label)} with its {listed(details)}, see it in the list of "
        f"{record_plural(entity).lower()}, change it and remove it."
    )
    required = [name_words(f.name) for f in entity.fields if f.required]
    required += [name_words(r.name) for r in entity.relations if r.required]
    if required:
        text += f" {article(label).capitalize()} without its {listed(required[:4])} is refused."
    return text


def _find_ways(entity: Entity) -> str:
    """How a list of the entity's records can be narrowed, in words: the contract's own list parameters
    (a field named like a built-in lookup, "sort" or "q", is not filtered on)."""
    params = {p["name"]: p["schema"] for p in list_parameters(entity)}
    ways = []
    if "q" in params and any(f.type in TEXT_TYPES for f in entity.fields):
        ways.append("searched by the words in them")
    enums = {"choice": lambda f: list(f.options), "boolean": lambda f: ["true", "false"]}
    filters = [
        name_words(f.name)
        for f in entity.fields
        if f.type in enums and params.get(f.name, {}).get("enum") == enums[f.type](f)
    ]
    filters += [
        name_words(r.name)
        for r in entity.relations
        if params.get(r.key if not r.many else f"{r.name}Id", {}).get("type") == "integer"
    ]
    if filters:
        ways.append(f"narrowed down by {listed(filters)}")
    return " and ".join(ways)


def _or(options: list[str]) -> str:
    return options[0] if len(options) == 1 else f"{', '.join(options[:-1])} or {options[-1]}"


# --- what a criterion may be about ----------------------------------------------------------------


def about_problem(about: CriterionAbout, spec: Spec) -> str | None:
    """Why `about` names nothing the spec has, in plain words; None when it is there to test."""
    if about.kind == "login":
        return None if spec.auth and any(not e.owned for e in spec.entities) else "the app has no log-ins to check"
    if about.kind == "feature":
        return None if any(f.name == about.name for f in spec.features) else f"there is no feature called {about.name}"
    entity = next((e for e in spec.entities if e.name == about.entity), None)
    if entity is None:
        return f"there is no record called {about.entity or '(none given)'}"
    if about.kind == "summary":
        summary = next((s for s in spec.summaries if s.name == about.name), None)
        return (
            None
            if summary is not None and summary.entity == entity.name
            else f"there is no summary called {about.name} of {entity.label}"
        )
    named = entity.field(about.name or "")
    checks = {
        "records": (True, ""),
        "choice": (named is not None and named.type == "choice", f"{entity.label} has no choice called {about.name}"),
        "unique": (named is not None and named.unique, f"{entity.label} has no detail {about.name} that must differ"),
        "link": (entity.relation(about.name or "") is not None, f"{entity.label} has no link called {about.name}"),
        "private": (entity.owned, f"{record_plural(entity)} are not private to their creator"),
        "due": (entity.due is not None, f"{record_plural(entity)} have no due date"),
        "find": (bool(_find_ways(entity)), f"{record_plural(entity)} have nothing to search or filter by"),
    }
    ok, problem = checks[about.kind]
    return None if ok else problem


def targets(spec: Spec) -> list[tuple[str, str]]:
    """What a person may say proves their own criterion: (about as JSON, the derived criterion's words)."""
    return [(about_key(c.about), c.text) for c in derive_criteria(spec)]


def about_key(about: CriterionAbout) -> str:
    return json.dumps(about.model_dump(exclude_none=True), sort_keys=True)


def about_from_key(key: str) -> CriterionAbout | None:
    return CriterionAbout.model_validate_json(key) if key else None


def criteria_problems(criteria: list[Criterion], spec: Spec) -> list[str]:
    """Why a model's (or anyone's) criteria cannot stand, in plain words: none, too many, repeated
    ids, or one that names nothing in the spec. Empty when they are fine."""
    if not criteria:
        return ["write at least one acceptance criterion"]
    problems = []
    if len(criteria) > MAX_CRITERIA:
        problems.append(f"at most {MAX_CRITERIA} criteria, not {len(criteria)}")
    ids = [c.id for c in criteria]
    if repeated := sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"criterion ids repeat: {', '.join(repeated)}")
    for criterion in criteria:
        if criterion.about is None:
            problems.append(f"criterion {criterion.id} says nothing about what in the spec proves it (about)")
        elif problem := about_problem(criterion.about, spec):
            problems.append(f"criterion {criterion.id}: {problem}")
    proven = {c.about.name for c in criteria if c.about is not None and c.about.kind == "feature"}
    problems += [
        f'feature {f.name} needs at least one criterion about it ({{"kind": "feature", "name": "{f.name}"}})'
        for f in spec.features
        if f.name not in proven
    ]
    return problems


def covered(criterion: Criterion, spec: Spec) -> bool:
    """Whether the offline generators write a test that proves `criterion` (a feature's tests come from
    the model that builds it)."""
    return (
        criterion.about is not None
        and criterion.about.kind != "feature"
        and about_problem(criterion.about, spec) is None
    )


def uncovered_reason(criterion: Criterion, spec: Spec) -> str:
    """Why no generated test proves `criterion`, in plain words; empty when one does."""
    if criterion.about is None:
        return NOT_COVERED
    problem = about_problem(criterion.about, spec)
    if problem:
        return f"Not covered: {problem}, so no generated test can prove it."
    return FEATURE_PROOF if criterion.about.kind == "feature" else ""


# --- carried from version to version --------------------------------------------------------------


def carry_criteria(new: Spec, old: Spec | None) -> list[Criterion]:
    """The criteria of `new` (a changed data model, or a re-plan's spec) given those of `old`, the
    version it follows: every criterion of `old` that a person wrote or reworded stays, in their words
    (one whose behaviour left the spec stays as free text, so nothing a person wrote is lost); a
    derived one stays, in the new spec's words, while the spec still has its behaviour; and what the
    new spec adds that `old` did not have brings its derived criteria. A derived criterion a person
    removed from `old` stays removed."""
    derived = {c.id: c for c in derive_criteria(new)}
    if old is None:
        return list(derived.values())
    before = {about_id(c.about) for c in derive_criteria(old) if c.about}
    kept: list[Criterion] = []
    for criterion in old.criteria:
        if criterion.by == "planner" and criterion.id in derived:
            kept.append(derived[criterion.id])
        elif criterion.by != "planner":
            about = criterion.about if criterion.about and about_problem(criterion.about, new) is None else None
            kept.append(criterion.model_copy(update={"about": about}))
    ids = {c.id for c in kept}
    kept += [c for key, c in derived.items() if key not in before and key not in ids]
    return kept[:MAX_CRITERIA]


def next_own_id(criteria: Iterable[Criterion]) -> str:
    """The id of a person's new criterion: "own-1", "own-2", … never one already used."""
    taken = {c.id for c in criteria}
    number = 1
    while f"own-{number}" in taken:
        number += 1
    return f"own-{number}"


# --- tagged tests ---------------------------------------------------------------------------------

# `it("records-tool: adds, lists, changes and removes a tool", ...)`, with any quote.
TS_TAG = re.compile(r"""\b(?:it|test)(?:\.\w+)?\(\s*(["'`])([a-z][a-z0-9-]{0,59}): ((?:(?!\1).)*)\1""")
PY_TEST = re.compile(r"^(?:async )?def (test_\w+)\(", re.MULTILINE)
PY_TAG = re.compile(r"""record_property\(\s*["']criterion["']\s*,\s*["']([a-z][a-z0-9-]{0,59})["']\s*\)""")


def tagged_tests(files: dict[str, str], ids: Iterable[str]) -> dict[str, list[dict[str, str]]]:
    """Each id's tests found in `files` (path -> text): {"file", "name"} for every TypeScript test whose
    title starts with "<id>: " and every pytest test that records criterion=<id>."""
    wanted = set(ids)
    found: dict[str, list[dict[str, str]]] = {i: [] for i in wanted}
    for path, text in sorted(files.items()):
        if path.endswith((".ts", ".tsx")):
            for _, tag, title in TS_TAG.findall(text):
                if tag in wanted:
                    found[tag].append({"file": path, "name": f"{tag}: {title}"})
        elif path.endswith(".py") and "/test" in f"/{path}":
            starts = [(m.start(), m.group(1)) for m in PY_TEST.finditer(text)] + [(len(text), "")]
            for (start, name), (end, _) in zip(starts, starts[1:]):
                for tag in PY_TAG.findall(text, start, end):
                    if tag in wanted:
                        found[tag].append({"file": path, "name": name})
    return found


def criteria_json(spec: Spec, files: dict[str, str]) -> str:
    """spec/criteria.json: every criterion with whether a generated test can prove it, and the tests
    tagged with its id among `files`."""
    tests = tagged_tests(files, [c.id for c in spec.criteria])
    rows: list[dict[str, Any]] = []
    for criterion in spec.criteria:
        rows.append(
            {
                "id": criterion.id,
                "text": criterion.text,
                "by": criterion.by,
                "covered": covered(criterion, spec),
                "not_covered": uncovered_reason(criterion, spec),
                "tests": tests[criterion.id],
            }
        )
    return json.dumps({"criteria": rows}, indent=2, ensure_ascii=False) + "\n"


# How a model should write criteria: the planner's prompt says this.
CRITERIA_GUIDE = f"""Acceptance criteria ("criteria"): 1 to {MAX_CRITERIA} short statements, in plain words a person who
does not program agrees with, of what the app must do ("A member can borrow a tool; it then shows as out until it is
returned"). Each has an "id" (lower-case letters, digits and dashes, e.g. "borrow-tool"), a "text" (at most 300
characters) and "about": the behaviour of the spec a test proves it with, {{"kind": ..., "entity": ..., "name": ...}}:
- records (entity): its records can be added, listed, changed and removed; ones without required details are refused
- choice (entity, name of a choice field): only its options are accepted; a new record starts with its default
- unique (entity, name of a unique field): no two records share it
- link (entity, name of one of its relations): the link is kept; a link to a record that does not exist is refused
- private (entity that is owned): each person sees and changes only their own
- login (no entity): only logged-in people can add, change or remove shared records
- find (entity): its records can be searched by their words and narrowed down by choices, yes/no details and links
- due (entity with due): records past their due date and not done show as overdue
- summary (entity, name of a summary): the summary shows the figure counted from the records
- feature (no entity, name of a feature): what the feature does, as the person would check it; the feature's
  task writes tests that prove it. Every feature needs at least one.
Every criterion must name something the spec has. Start from the criteria derived from the spec, which you are
given; keep those the team wrote (by "person") as they are."""
