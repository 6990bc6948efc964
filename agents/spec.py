"""The architect's spec: what the generated project contains. Every generator reads only this."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field, model_validator

IDENTIFIER = r"^[a-z][a-zA-Z0-9]{0,39}$"  # camelCase: fields, relations, route segments
TYPE_NAME = r"^[A-Z][a-zA-Z0-9]{0,39}$"  # PascalCase: entity names

OPTION = r"^[A-Za-z0-9](?:[A-Za-z0-9 -]{0,38}[A-Za-z0-9])?$"  # a choice's option, as people say it: "in progress"

# string: short text (up to 200 characters); text: long text; int: whole number; float: decimal
# number; money: an exact amount with two decimals, sent and returned as a string ("12.50");
# boolean: yes/no; email; url: an http(s) address; choice: one of `options`.
FieldType = Literal["string", "text", "int", "float", "money", "boolean", "date", "datetime", "email", "url", "choice"]
NUMBER_TYPES = frozenset({"int", "float", "money"})
DATE_TYPES = frozenset({"date", "datetime"})
TEXT_TYPES = frozenset({"string", "text", "email", "url"})  # what a search looks in
UNIQUE_TYPES = frozenset({"string", "email", "url", "int"})


class EntityField(BaseModel):
    name: str = Field(pattern=IDENTIFIER)
    type: FieldType = "string"
    required: bool = True
    unique: bool = False
    options: list[str] = Field(
        default_factory=list, max_length=20
    )  # a choice's options, e.g. ["good", "worn", "broken"]
    default: str | None = None  # the option a new record of a choice starts with when none is sent

    @model_validator(mode="after")
    def _options_fit_the_type(self) -> EntityField:
        if self.type == "choice":
            if not self.options:
                raise ValueError(f'field {self.name}: a choice needs its options, e.g. ["open", "done"]')
            for option in self.options:
                if not re.fullmatch(OPTION, option):
                    raise ValueError(
                        f"field {self.name}: option {option!r} must be 1-40 letters, digits, spaces or hyphens"
                    )
            folded = [o.lower() for o in self.options]
            if len(set(folded)) != len(folded):
                raise ValueError(f"field {self.name}: options {self.options} repeat one another")
            if self.default is not None and self.default not in self.options:
                raise ValueError(
                    f"field {self.name}: default {self.default!r} is not one of its options {self.options}"
                )
        elif self.options or self.default is not None:
            raise ValueError(f"field {self.name}: only a choice has options and a default")
        if self.unique and self.type not in UNIQUE_TYPES:
            self.unique = False  # only short texts, emails, addresses and whole numbers can be unique
        return self


class Relation(BaseModel):
    """A link to `target` rows. Many-to-one (`many` false): this entity's `{name}Id` holds one target
    row's id, required or optional. Many-to-many (`many` true): its `{name}Ids` lists any number of
    target rows (an order's cakes); such a link is never required. Name it in the singular: "cake"."""

    name: str = Field(pattern=IDENTIFIER)
    target: str = Field(pattern=TYPE_NAME)
    required: bool = True
    many: bool = False

    @model_validator(mode="after")
    def _a_list_may_be_empty(self) -> Relation:
        if self.many:
            self.required = False
        return self

    @property
    def key(self) -> str:
        """The field of the API and the database that holds the link: cakeIds, customerId."""
        return f"{self.name}Ids" if self.many else f"{self.name}Id"


class Entity(BaseModel):
    name: str = Field(pattern=TYPE_NAME)  # singular, e.g. "Appointment"
    plural: str = Field(pattern=IDENTIFIER)  # route segment, e.g. "appointments"
    label: str = Field(min_length=1, max_length=60)  # for people, e.g. "Appointment"
    fields: list[EntityField] = Field(min_length=1, max_length=30)
    relations: list[Relation] = Field(default_factory=list, max_length=10)
    owned: bool = False  # each record belongs to the account that created it; no one else sees or changes it
    due: str | None = None  # a date or date-time field by which the record is due (a loan's dueOn)
    done: str | None = None  # a yes/no, date or date-time field that, once set, means it is no longer due (returnedOn)

    @model_validator(mode="after")
    def _names_are_unique(self) -> Entity:
        names = [f.name for f in self.fields] + [r.name for r in self.relations]
        reserved = {"id", "createdAt", "updatedAt", "ownerId"} | {r.key for r in self.relations}
        duplicates = {n for n in names if names.count(n) > 1} | (set(names) & reserved)
        if duplicates:
            raise ValueError(f"entity {self.name}: duplicate or reserved field names {sorted(duplicates)}")
        return self

    @model_validator(mode="after")
    def _due_and_done_are_dates(self) -> Entity:
        types = {f.name: f.type for f in self.fields}
        if self.due is not None and types.get(self.due) not in DATE_TYPES:
            raise ValueError(f"entity {self.name}: due must name one of its date fields, not {self.due!r}")
        if self.done is not None:
            if self.due is None:
                raise ValueError(f"entity {self.name}: done needs a due field")
            if types.get(self.done) not in DATE_TYPES | {"boolean"}:
                raise ValueError(
                    f"entity {self.name}: done must name one of its yes/no or date fields, not {self.done!r}"
                )
        return self

    def field(self, name: str) -> EntityField | None:
        return next((f for f in self.fields if f.name == name), None)

    def relation(self, name: str) -> Relation | None:
        return next((r for r in self.relations if r.name == name), None)


Measure = Literal["count", "sum", "avg", "min", "max"]
Period = Literal["day", "week", "month", "year"]


class Summary(BaseModel):
    """A figure over an entity's records, served at /api/summaries/{name}: e.g. the total `distance`
    of Runs grouped by their `member` link, per month of `ranOn`. Rows of owned entities count only the
    caller's own records."""

    name: str = Field(pattern=IDENTIFIER)  # e.g. "distancePerMember"
    label: str = Field(min_length=1, max_length=80)  # for people, e.g. "Total distance per member each month"
    entity: str = Field(pattern=TYPE_NAME)
    measure: Measure = "count"
    field: str | None = None  # the whole number, decimal or money field that sum/avg/min/max read; none for count
    group_by: str | None = None  # a many-to-one link's name or a choice or yes/no field: one row per group
    period: Period | None = None  # one row per day, ISO week, month or year of `date_field`
    date_field: str | None = None  # a date or date-time field; createdAt when not given
    only: Literal["open", "overdue"] | None = None  # only records not yet done / past their due date


def check_summary(summary: Summary, entity: Entity) -> None:
    """Refuses a summary that its entity cannot give (called by the spec, where the entities are known)."""
    where = f"summary {summary.name}"
    if summary.measure == "count":
        if summary.field is not None:
            raise ValueError(f"{where}: a count reads no field")
    else:
        field = entity.field(summary.field or "")
        if field is None or field.type not in NUMBER_TYPES:
            raise ValueError(f"{where}: {summary.measure} needs one of {entity.name}'s number or money fields")
    if summary.group_by is not None:
        relation, field = entity.relation(summary.group_by), entity.field(summary.group_by)
        if not ((relation and not relation.many) or (field and field.type in {"choice", "boolean"})):
            raise ValueError(
                f"{where}: group_by must name a one-record link or a choice or yes/no field of {entity.name}"
            )
    if summary.date_field is not None:
        field = entity.field(summary.date_field)
        if field is None or field.type not in DATE_TYPES:
            raise ValueError(f"{where}: date_field must name one of {entity.name}'s date fields")
        if summary.period is None:
            raise ValueError(f"{where}: date_field needs a period")
    if summary.only == "open" and entity.done is None:
        raise ValueError(f"{where}: only open records needs {entity.name} to have a done field")
    if summary.only == "overdue" and entity.due is None:
        raise ValueError(f"{where}: only overdue records needs {entity.name} to have a due field")


FeaturePart = Literal["frontend", "backend", "both"]
MAX_FEATURES = 8
MAX_FEATURE_CHARS = 600
MAX_FEATURE_PACKAGES = 5
# An npm package ("chart.js", "@scope/name") or a PyPI distribution ("python-dateutil"), and a
# version range as its tool writes it ("^4.4.0", ">=2.9,<3"): no quotes, spaces or URLs.
PACKAGE_NAME = r"^(?:@[a-z0-9][a-z0-9._-]{0,39}/)?[A-Za-z0-9][A-Za-z0-9._-]{0,79}$"
PACKAGE_VERSION = r"^[A-Za-z0-9.*^~<>=!,|+-]{1,40}$"


class Package(BaseModel):
    """A library a feature needs that its part does not have, added to that part's dependencies:
    an npm package for a TypeScript part, a PyPI distribution for a Python one."""

    name: str = Field(pattern=PACKAGE_NAME)
    version: str = Field(pattern=PACKAGE_VERSION)  # "^4.4.0" for npm, ">=2.9" for pip
    part: Literal["frontend", "backend"] = "frontend"


class Feature(BaseModel):
    """Behaviour that records and summaries do not express: a game, a converter, a reminder sent the
    day before a loan is due. Offline it is only listed (not built); with a model, its own task writes
    it into the parts it lives in, as new files in each part's features folder (its `name`), with tests
    tagged with its criteria's ids."""

    name: str = Field(pattern=IDENTIFIER)  # e.g. "snakeGame": its folder, its page's address, its criteria's `about`
    title: str = Field(min_length=1, max_length=80)  # for people, e.g. "Snake game"
    text: str = Field(min_length=1, max_length=MAX_FEATURE_CHARS)  # what it does, in plain words
    part: FeaturePart = "frontend"  # where it lives: the website, the back end, or both
    packages: list[Package] = Field(default_factory=list, max_length=MAX_FEATURE_PACKAGES)  # libraries it adds

    @property
    def parts(self) -> tuple[str, ...]:
        return ("backend", "frontend") if self.part == "both" else (self.part,)

    @model_validator(mode="after")
    def _packages_go_where_it_lives(self) -> Feature:
        for package in self.packages:
            if package.part not in self.parts:
                raise ValueError(
                    f"feature {self.name}: package {package.name} is for the {package.part}, where it does not live"
                )
        return self


CriterionKind = Literal["records", "choice", "unique", "link", "private", "login", "find", "due", "summary", "feature"]
CRITERION_ID = r"^[a-z][a-z0-9-]{0,59}$"  # stable across versions: "records-tool", "link-loan-tool", "own-1"
MAX_CRITERIA = 50
MAX_CRITERION_CHARS = 300


class CriterionAbout(BaseModel):
    """What in the spec proves a criterion, and so which generated test does: a kind of behaviour,
    the entity it is about (none for log-ins and features) and, for some kinds, one of its details,
    links or, for "summary" and "feature", the summary's or the feature's name."""

    kind: CriterionKind
    entity: str | None = Field(default=None, pattern=TYPE_NAME)
    name: str | None = Field(default=None, pattern=IDENTIFIER)


class Criterion(BaseModel):
    """One thing the app must do, in plain words, that the team agrees before Run and the verify stage
    proves with the tests tagged with its id. `about` is None for free text that nothing in the spec
    expresses: no generated test can prove it."""

    id: str = Field(pattern=CRITERION_ID)
    text: str = Field(min_length=1, max_length=MAX_CRITERION_CHARS)
    about: CriterionAbout | None = None
    by: Literal["planner", "model", "person"] = "planner"


class StackChoice(BaseModel):
    """Which registered stack (agents/stacks/) builds each part of the project."""

    backend: str = "express"
    frontend: str = "react"

    @model_validator(mode="after")
    def _stacks_are_registered(self) -> StackChoice:
        from agents.stacks import stacks_for

        for part in ("backend", "frontend"):
            known = stacks_for(part)
            if getattr(self, part) not in known:
                raise ValueError(
                    f"unknown {part} stack {getattr(self, part)!r}; choose one of {', '.join(sorted(known))}"
                )
        return self


class Spec(BaseModel):
    app_name: str = Field(pattern=r"^[a-z][a-z0-9-]{1,49}$")  # npm package name
    title: str = Field(min_length=1, max_length=100)
    summary: str = Field(max_length=2000)
    entities: list[Entity] = Field(
        default_factory=list, max_length=20
    )  # none for an app of features only (a converter)
    auth: bool = True  # users register and log in; writes need a JWT
    roles: list[str] = Field(default_factory=lambda: ["user"])
    frontend: bool = True  # False for "a REST API for ..." requests
    stack: StackChoice = Field(default_factory=StackChoice)
    kind: str = "records"  # what the request is: records, or a game, converter, cli tool, ... (generators ignore it)
    not_built: list[str] = Field(default_factory=list)  # plain-language notes on what offline mode will not build
    summaries: list[Summary] = Field(default_factory=list, max_length=10)
    criteria: list[Criterion] = Field(
        default_factory=list, max_length=MAX_CRITERIA
    )  # acceptance criteria (agents/criteria.py)
    features: list[Feature] = Field(default_factory=list, max_length=MAX_FEATURES)  # behaviour beyond records

    def packages(self, part: str) -> dict[str, str]:
        """The libraries the features add to `part` ("backend" or "frontend"), by name, sorted. Two
        features asking for one package in different versions cannot both be met."""
        found: dict[str, str] = {}
        for package in (p for f in self.features for p in f.packages if p.part == part):
            found[package.name] = package.version
        return dict(sorted(found.items()))

    @property
    def has_backend(self) -> bool:
        """Whether the project has a back end: records to keep or accounts to log in to. An app of
        front-end features only (a converter, a game without scores) has none, and no database."""
        return bool(self.entities) or self.auth

    @property
    def parts(self) -> tuple[str, ...]:
        """The parts the project has, of "backend" and "frontend", in that order."""
        return ("backend",) * self.has_backend + ("frontend",) * self.frontend

    @model_validator(mode="after")
    def _something_to_build(self) -> Spec:
        if not self.entities and not self.features:
            raise ValueError("the app needs at least one kind of record or one feature")
        if not self.has_backend and not self.frontend:
            raise ValueError("an app without records or log-ins has no back end, so it needs a website (frontend)")
        names = [f.name for f in self.features]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate feature names in {names}")
        for feature in self.features:
            if feature.part != "backend" and not self.frontend:
                raise ValueError(f"feature {feature.name} lives in the website, and this app has none (frontend)")
            if feature.part != "frontend" and not self.has_backend:
                raise ValueError(f"feature {feature.name} lives in the back end, which needs records or log-ins (auth)")
        for part in ("backend", "frontend"):
            asked = [(p.name, p.version) for f in self.features for p in f.packages if p.part == part]
            if clash := sorted(
                {name for name, version in asked if (name, version) != (name, self.packages(part)[name])}
            ):
                raise ValueError(f"features ask for different versions of {', '.join(clash)}: agree on one")
        return self

    @model_validator(mode="after")
    def _relations_point_at_entities(self) -> Spec:
        names = [e.name for e in self.entities]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate entity names in {names}")
        plurals = [e.plural for e in self.entities]
        if len(set(plurals)) != len(plurals):
            raise ValueError(f"duplicate entity route names in {plurals}")
        for entity in self.entities:
            for relation in entity.relations:
                if relation.target not in names:
                    raise ValueError(f"{entity.name}.{relation.name} points at unknown entity {relation.target}")
            if entity.owned and not self.auth:
                raise ValueError(f"entity {entity.name} is private to its creator, which needs log-ins (auth)")
        if self.summaries and "summaries" in plurals:
            raise ValueError("an entity's route name may not be 'summaries' when the spec has summaries: rename it")
        summary_names = [s.name for s in self.summaries]
        if len(set(summary_names)) != len(summary_names):
            raise ValueError(f"duplicate summary names in {summary_names}")
        for summary in self.summaries:
            if summary.entity not in names:
                raise ValueError(f"summary {summary.name} counts unknown entity {summary.entity}")
            check_summary(summary, self.entity(summary.entity))
        ids = [c.id for c in self.criteria]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate criterion ids in {ids}")
        return self

    def entity(self, name: str) -> Entity:
        return next(e for e in self.entities if e.name == name)


# How a model should write a spec: the prompts of the planner and the architect both say this, so
# the spec a model returns means what the generators build (docs/spec.md says it for people).
SPEC_GUIDE = """How a spec describes the app (every generator reads only this):
- entities: the kinds of record the app keeps (singular PascalCase name, camelCase plural route name, a label
  for people). Only things the app stores are entities: never the app itself ("Software", "Application"),
  a verb ("Track") or a quality. The people who log in are accounts, not an entity, unless the app keeps
  records about people who do not log in (members of a club, patients).
- fields, each with a type: string (short text), text (long text), int (whole number), float (decimal number),
  money (an exact amount, e.g. a price or a cost; never float), date, datetime, boolean (yes/no), email,
  url (a web address), choice (one of "options", e.g. condition: good / worn / broken, with a "default").
  Mark a field required only when a record makes no sense without it.
- relations: a link from this entity to another. A many-to-one link ("each Loan is for one Tool") is
  {"name": "tool", "target": "Tool"} on Loan, required or optional. A many-to-many link ("an Order lists
  several Cakes") is {"name": "cake", "target": "Cake", "many": true} on the entity that lists them.
  Put a link on the record that points at the other (an Appointment links to its Patient and its Doctor).
- owned: true when each person sees and changes only the records they created ("log my own runs");
  it needs auth.
- due / done: the date field by which a record is due (a loan's dueOn) and the field that, once set,
  means it is finished (returnedOn); lists can then show open and overdue records.
- summaries: figures the request asks to see: {"name": "distancePerMember", "label": "Total distance per
  member each month", "entity": "Run", "measure": "sum" (or count, avg, min, max), "field": "distanceKm"
  (a number or money field; none for count), "group_by": "member" (a many-to-one link or a choice/boolean
  field), "period": "month" (day, week, month, year), "date_field": "ranOn", "only": "open" or "overdue"}.
Example, for "members borrow tools and we track what is due back; show how many tools are out":
{"entities": [
  {"name": "Tool", "plural": "tools", "label": "Tool", "fields": [{"name": "name", "type": "string"},
    {"name": "condition", "type": "choice", "options": ["good", "worn", "broken"], "default": "good"},
    {"name": "price", "type": "money", "required": false}]},
  {"name": "Member", "plural": "members", "label": "Member", "fields": [{"name": "name", "type": "string"}]},
  {"name": "Loan", "plural": "loans", "label": "Loan", "due": "dueOn", "done": "returnedOn",
   "fields": [{"name": "dueOn", "type": "date"}, {"name": "returnedOn", "type": "date", "required": false}],
   "relations": [{"name": "tool", "target": "Tool"}, {"name": "member", "target": "Member"}]}],
 "summaries": [{"name": "toolsOut", "label": "Tools currently out", "entity": "Loan", "measure": "count",
   "only": "open"}]}
- features: behaviour that records and summaries cannot express, each {"name": "snakeGame" (camelCase),
  "title": "Snake game", "text": what it does in plain words ("a snake game on a canvas; the arrow keys steer;
  the score is saved when the game ends"), "part": "frontend", "backend" or "both"}. A game, a converter, a
  calculator, a chart, a reminder sent before a due date, a recommendation rule. A feature that needs a library
  its part does not have lists it in "packages": [{"name": "chart.js", "version": "^4.4.0", "part": "frontend"}]
  (npm for TypeScript parts, PyPI for Python ones; at most 5). An app of features only
  keeps no records ("entities": [], "auth": false): it has no back end and no database.
What the project's web app and API cannot be at all (a command-line tool, a mobile app) is said in plain words
in "not_built"."""
