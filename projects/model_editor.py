"""The data-model editor: people who are not programmers change what the generated app keeps.

One page of plain Django forms, one per row (a record, a detail, a link, a summary), named by
prefixes (r0, r0-d1, l0, s0); hidden counts say how many rows the page sent. Nothing is JSON and no
internal key is shown: people type names in their own words ("bought on") and pick kinds from plain
words ("money", "choice"). Rows refer to one another by prefix (a link from r2 to r0), so a record
renamed in the same edit is still the same record.

Every row the version has must come back (as the task editor's formset counts do): a page changed
in a way we cannot read saves nothing. Only what is ticked is removed; what depends on a removed
record or detail (its links, its summaries) goes with it, and the edit says so. An app of features
(a converter) may keep no records at all; one without features keeps at least one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from pydantic import ValidationError

from agents.spec import IDENTIFIER, OPTION, TYPE_NAME, Entity, EntityField, Relation, Spec, Summary, check_summary
from agents.spec_words import KIND_WORDS, identifier, listed, name_words, plural_of

MAX_RECORDS, MAX_DETAILS, MAX_LINKS, MAX_SUMMARIES = 20, 30, 40, 10
RESERVED = {"id", "createdAt", "updatedAt", "ownerId"}
UNREADABLE = "This page was changed in a way we cannot read. Please reload it and make your edit again."

KINDS = ["string", "text", "int", "float", "money", "date", "datetime", "boolean", "email", "url", "choice"]
LINK_KINDS = [("one", "is for one"), ("maybe", "may be for one"), ("several", "has several")]
MEASURES = [
    ("count", "How many"),
    ("sum", "The total of"),
    ("avg", "The average of"),
    ("min", "The smallest"),
    ("max", "The largest"),
]
PERIODS = [
    ("", "over all time"),
    ("day", "per day"),
    ("week", "per week"),
    ("month", "per month"),
    ("year", "per year"),
]
ONLY = [("", "all of them"), ("open", "only those not yet done"), ("overdue", "only those past their due date")]


class SwitchesForm(forms.Form):
    auth = forms.BooleanField(required=False, label="People sign up and log in")
    frontend = forms.BooleanField(required=False, label="A website people can click through")


class RecordForm(forms.Form):
    original = forms.CharField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(
        required=False,
        max_length=60,
        label="Name of the record",
        error_messages={"max_length": "Please keep a record's name under 60 characters."},
    )
    private = forms.BooleanField(required=False, label="Each person sees only the ones they added")
    remove = forms.BooleanField(required=False, label="Remove this record")


class DetailForm(forms.Form):
    original = forms.CharField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(
        required=False,
        max_length=60,
        label="Detail",
        error_messages={"max_length": "Please keep a detail's name under 60 characters."},
    )
    kind = forms.ChoiceField(
        choices=[(k, KIND_WORDS[k]) for k in KINDS],
        initial="string",
        label="Kind",
        error_messages={"invalid_choice": "Please pick one of the listed kinds."},
    )
    options = forms.CharField(
        required=False,
        max_length=900,
        label="Options, for a choice",
        help_text="Separated by commas, e.g. good, worn, broken",
    )
    required = forms.BooleanField(required=False, label="Must be filled in")
    remove = forms.BooleanField(required=False, label="Remove")


class LinkForm(forms.Form):
    original = forms.CharField(required=False, widget=forms.HiddenInput)
    source = forms.ChoiceField(required=False, label="Each")
    kind = forms.ChoiceField(choices=LINK_KINDS, label="How")
    target = forms.ChoiceField(required=False, label="Record")
    remove = forms.BooleanField(required=False, label="Remove this link")


class SummaryForm(forms.Form):
    original = forms.CharField(required=False, widget=forms.HiddenInput)
    label = forms.CharField(
        required=False, max_length=80, label="Title", help_text="Leave empty and we name it from what it shows."
    )
    measure = forms.ChoiceField(choices=MEASURES, label="Shows")
    detail = forms.ChoiceField(
        required=False, label="Of the detail", help_text="For a total, average, smallest or largest."
    )
    record = forms.ChoiceField(required=False, label="Of the records")
    group_by = forms.ChoiceField(required=False, label="For each")
    period = forms.ChoiceField(choices=PERIODS, required=False, label="Over time")
    date_detail = forms.ChoiceField(required=False, label="By the date")
    only = forms.ChoiceField(choices=ONLY, required=False, label="Which ones")
    remove = forms.BooleanField(required=False, label="Remove this summary")


def _bound(form_class, data, prefix: str, initial: dict | None = None, **choices: list[tuple[str, str]]) -> forms.Form:
    form = form_class(data, prefix=prefix, initial=initial or {})
    for name, values in choices.items():
        form.fields[name].choices = values
    return form


@dataclass
class RecordRow:
    form: RecordForm
    details: list[DetailForm]
    entity: Entity | None  # the version's record this row edits; None for a new one

    @property
    def prefix(self) -> str:
        return self.form.prefix


@dataclass
class Draft:
    """What the rows say, resolved: each kept record's entity being built, by row prefix."""

    entities: dict[str, dict[str, Any]] = field(default_factory=dict)  # row prefix -> Entity fields
    fields_by_row: dict[str, tuple[str, str]] = field(default_factory=dict)  # detail prefix -> (record prefix, name)
    renamed_fields: dict[tuple[str, str], str] = field(default_factory=dict)  # (record prefix, old) -> new name


class ModelEditor:
    """The editor's forms for one version's spec, bound to a POST or not, and the spec they make."""

    def __init__(self, spec: Spec, data=None, *, add: str = ""):
        self.spec, self.data = spec, data
        self.errors: list[str] = []
        self.notes: list[str] = []
        self.result: Spec | None = None
        self.unreadable = False
        counts = self._counts(add)
        self.switches = SwitchesForm(data, prefix="app", initial={"auth": spec.auth, "frontend": spec.frontend})
        self.records = [self._record_row(i, counts) for i in range(counts["records"])]
        record_choices = [("", "choose a record")] + [
            (row.prefix, self._record_name(row)) for row in self.records if self._record_name(row)
        ]
        relations = [(e, r) for e in spec.entities for r in e.relations]
        self.links = [
            _bound(
                LinkForm,
                data,
                f"l{i}",
                self._link_initial(*relations[i]) if i < len(relations) else None,
                source=record_choices,
                target=record_choices,
            )
            for i in range(counts["links"])
        ]
        details = self._detail_choices()
        self.summaries = [
            _bound(
                SummaryForm,
                data,
                f"s{i}",
                self._summary_initial(spec.summaries[i]) if i < len(spec.summaries) else None,
                record=record_choices,
                detail=[("", "—")] + details["number"],
                group_by=[("", "nothing: one figure")] + details["group"] + self._link_groups(),
                date_detail=[("", "when it was added")] + details["date"],
            )
            for i in range(counts["summaries"])
        ]
        self.counts = counts

    # --- the rows ---------------------------------------------------------------------------

    def _counts(self, add: str) -> dict[str, Any]:
        """How many rows of each kind to show: the version's, plus blank ones to fill in; from a POST,
        what it sent (one more where `add` asks), refused unless it covers every row of the version."""
        spec = self.spec
        fresh = {
            "records": len(spec.entities) + 1,
            "links": sum(len(e.relations) for e in spec.entities) + 1,
            "summaries": len(spec.summaries) + 1,
        }
        fresh |= {f"r{i}": len(e.fields) + 1 for i, e in enumerate(spec.entities)} | {f"r{len(spec.entities)}": 3}
        if self.data is None:
            return fresh
        counts: dict[str, Any] = {}
        limits = {"records": MAX_RECORDS + 1, "links": MAX_LINKS + 1, "summaries": MAX_SUMMARIES + 1}
        for name, limit in limits.items():
            counts[name] = self._count(name, fresh[name] - 1, limit)
        for i in range(counts["records"]):
            known = len(spec.entities[i].fields) if i < len(spec.entities) else 0
            counts[f"r{i}"] = self._count(f"r{i}-details", known, MAX_DETAILS + 1)
        if add in ("records", "links", "summaries") and counts[add] < limits[add]:
            counts[add] += 1
            if add == "records":
                counts[f"r{counts['records'] - 1}"] = 3
        elif add.startswith("r") and add in counts and counts[add] < MAX_DETAILS + 1:
            counts[add] += 1
        return counts

    def _count(self, name: str, at_least: int, at_most: int) -> int:
        try:
            value = int(self.data.get(name, ""))
        except ValueError:
            value = -1
        if not at_least <= value <= at_most:
            self.unreadable = True
            return at_least
        return value

    def _record_row(self, i: int, counts: dict[str, Any]) -> RecordRow:
        entity = self.spec.entities[i] if i < len(self.spec.entities) else None
        initial = {"original": entity.name, "name": entity.label, "private": entity.owned} if entity else None
        form = _bound(RecordForm, self.data, f"r{i}", initial)
        details = []
        for j in range(counts[f"r{i}"]):
            known = entity.fields[j] if entity and j < len(entity.fields) else None
            details.append(_bound(DetailForm, self.data, f"r{i}-d{j}", _detail_initial(known) if known else None))
        return RecordRow(form, details, entity)

    def _record_name(self, row: RecordRow) -> str:
        value = row.form["name"].value() if self.data is not None else row.form.initial.get("name")
        return str(value or "").strip()

    def _detail_choices(self) -> dict[str, list[tuple[str, str]]]:
        """Each record's details as a summary may use them: numbers to add up, choices and yes/no to
        group by, dates to put on a time line."""
        found: dict[str, list[tuple[str, str]]] = {"number": [], "group": [], "date": []}
        for row in self.records:
            record = self._record_name(row)
            for form in row.details:
                raw = {
                    name: form[name].value() if self.data is not None else form.initial.get(name)
                    for name in ("name", "kind")
                }
                name, kind = str(raw["name"] or "").strip(), raw["kind"] or "string"
                if not record or not name:
                    continue
                label = f"{record}: {name}"
                if kind in ("int", "float", "money"):
                    found["number"].append((form.prefix, label))
                elif kind in ("choice", "boolean"):
                    found["group"].append((form.prefix, label))
                elif kind in ("date", "datetime"):
                    found["date"].append((form.prefix, label))
        return found

    def _link_groups(self) -> list[tuple[str, str]]:
        groups = []
        for form in self.links:
            source, target = (
                form[n].value() if self.data is not None else form.initial.get(n) for n in ("source", "target")
            )
            names = {row.prefix: self._record_name(row) for row in self.records}
            if source in names and target in names:
                groups.append((form.prefix, f"{names[source]}: its {names[target].lower()}"))
        return groups

    def _link_initial(self, entity: Entity, relation: Relation) -> dict[str, str]:
        rows = {e.name: f"r{i}" for i, e in enumerate(self.spec.entities)}
        kind = "several" if relation.many else ("one" if relation.required else "maybe")
        return {
            "original": f"{entity.name}.{relation.name}",
            "source": rows[entity.name],
            "kind": kind,
            "target": rows[relation.target],
        }

    def _summary_initial(self, summary: Summary) -> dict[str, str]:
        index = next(i for i, e in enumerate(self.spec.entities) if e.name == summary.entity)
        entity = self.spec.entities[index]

        def detail(name: str | None) -> str:
            return next((f"r{index}-d{j}" for j, f in enumerate(entity.fields) if f.name == name), "")

        group = detail(summary.group_by)
        if not group and summary.group_by:
            links = [(e, r) for e in self.spec.entities for r in e.relations]
            group = next((f"l{k}" for k, (e, r) in enumerate(links) if e is entity and r.name == summary.group_by), "")
        return {
            "original": summary.name,
            "label": summary.label,
            "measure": summary.measure,
            "detail": detail(summary.field),
            "record": f"r{index}",
            "group_by": group,
            "period": summary.period or "",
            "date_detail": detail(summary.date_field),
            "only": summary.only or "",
        }

    # --- reading the POST ----------------------------------------------------------------------

    def is_valid(self) -> bool:
        """Whether the POST makes a spec that can be built; then `result` is it, and `notes` say what went with
        a removed record or detail."""
        if self.data is None:
            return False
        if self.unreadable or not self._originals_all_there():
            self.errors = [UNREADABLE]
            return False
        forms_ = (
            [self.switches]
            + [f for row in self.records for f in [row.form, *row.details]]
            + self.links
            + self.summaries
        )
        if not all(form.is_valid() for form in forms_):
            self.errors = [
                f"{_where(form)}{message}"
                for form in forms_
                for messages in form.errors.values()
                for message in messages
            ]
            return False
        draft = Draft()
        self._read_records(draft)
        self._check_due_dates(draft)
        self._read_links(draft)
        summaries = self._read_summaries(draft)
        if self.errors:
            return False
        switches = self.switches.cleaned_data
        if not switches["auth"]:
            private = [data["label"] for data in draft.entities.values() if data["owned"]]
            if private:
                self.errors.append(
                    f"{listed(private)} {'is' if len(private) == 1 else 'are'} private to the person who adds "
                    "them, which needs log-ins: untick \u201cEach person sees only the ones they added\u201d, "
                    "or keep log-ins on."
                )
                return False
        if not draft.entities and not self.spec.features:
            self.errors.append("The app needs at least one kind of record or one feature: keep a record, or add one.")
            return False
        data = self.spec.model_dump() | {
            "entities": list(draft.entities.values()),
            "summaries": summaries,
            "auth": switches["auth"],
            "frontend": switches["frontend"],
        }
        try:
            self.result = Spec.model_validate(data)
        except ValidationError as exc:
            self.errors += [_plain(error["msg"]) for error in exc.errors()]
            return False
        if self.spec.has_backend and not self.result.has_backend:
            self.notes.append("with no records and no log-ins the app has no back end: it is a website with no server")
        return True

    def _originals_all_there(self) -> bool:
        """Every record, detail, link and summary of the version came back, each once, where it was."""
        for row in self.records:
            if row.entity is not None:
                if self.data.get(f"{row.prefix}-original") != row.entity.name:
                    return False
                sent = [self.data.get(f"{form.prefix}-original") for form in row.details[: len(row.entity.fields)]]
                if sent != [f.name for f in row.entity.fields]:
                    return False
        relations = [f"{e.name}.{r.name}" for e in self.spec.entities for r in e.relations]
        if [self.data.get(f"l{i}-original") for i in range(len(relations))] != relations:
            return False
        return [self.data.get(f"s{i}-original") for i in range(len(self.spec.summaries))] == [
            s.name for s in self.spec.summaries
        ]

    def _read_records(self, draft: Draft) -> None:
        names: dict[str, str] = {}
        for row in self.records:
            data = row.form.cleaned_data
            name = data["name"].strip()
            if row.entity is not None and data["remove"]:
                continue
            if row.entity is None and not name:
                if any(form.cleaned_data["name"].strip() for form in row.details):
                    self.errors.append("A new record has details but no name: name it, or clear its details.")
                continue
            if not name:
                self.errors.append(
                    f"{row.entity.label} needs a name: type one, or tick \u201cRemove this record\u201d."
                )
                continue
            entity = self._entity(row, name)
            if entity is None:
                continue
            folded = entity["name"].lower()
            if folded in names or entity["plural"].lower() in {d["plural"].lower() for d in draft.entities.values()}:
                self.errors.append(f"Two records are called \u201c{name}\u201d: give each its own name.")
                continue
            names[folded] = row.prefix
            draft.entities[row.prefix] = entity
            for form in row.details:
                if form.cleaned_data["name"].strip() and not form.cleaned_data["remove"]:
                    draft.fields_by_row[form.prefix] = (row.prefix, identifier(form.cleaned_data["name"]))
            if row.entity is not None:
                for form, known in zip(row.details, row.entity.fields, strict=False):
                    if form.prefix in draft.fields_by_row and draft.fields_by_row[form.prefix][1] != known.name:
                        draft.renamed_fields[(row.prefix, known.name)] = draft.fields_by_row[form.prefix][1]

    def _entity(self, row: RecordRow, name: str) -> dict[str, Any] | None:
        """One record's entity, from its row and its detail rows; None (with the errors said) when it cannot be."""
        label = name[:1].upper() + name[1:]
        pascal = "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part)
        if not re.fullmatch(TYPE_NAME, pascal):
            self.errors.append(
                f"\u201c{name}\u201d cannot be a record's name: use letters, digits and spaces, starting with a "
                "letter, up to 40 letters."
            )
            return None
        known = row.entity
        if known is not None and known.label == label:
            names = {"name": known.name, "plural": known.plural}
        else:
            words_ = re.split(r"\s+", label.strip())
            names = {"name": pascal, "plural": identifier(" ".join([*words_[:-1], plural_of(words_[-1].lower())]))}
        fields = self._fields(row, label)
        if fields is None:
            return None
        entity = {
            "name": names["name"],
            "plural": names["plural"],
            "label": label,
            "fields": fields,
            "relations": [],
            "owned": row.form.cleaned_data["private"],
            "due": known.due if known else None,
            "done": known.done if known else None,
        }
        return entity

    def _fields(self, row: RecordRow, record: str) -> list[dict[str, Any]] | None:
        fields: list[dict[str, Any]] = []
        ok = True
        known_fields = {f.name: f for f in row.entity.fields} if row.entity else {}
        for form in row.details:
            data = form.cleaned_data
            said = data["name"].strip()
            original = known_fields.get(data["original"] or "")
            if original is not None and data["remove"]:
                continue
            if not said:
                if original is not None:
                    self.errors.append(
                        f"A detail of {record} ({name_words(original.name)}) has no name: type one, or tick "
                        "\u201cRemove\u201d."
                    )
                    ok = False
                continue
            built = self._field(said, data, original, record)
            if built is None:
                ok = False
                continue
            if built["name"] in {f["name"] for f in fields}:
                self.errors.append(f"{record} has two details called \u201c{said}\u201d: give each its own name.")
                ok = False
                continue
            fields.append(built)
        if ok and not fields:
            self.errors.append(f"{record} needs at least one detail, a name for example.")
            return None
        if len(fields) > MAX_DETAILS:
            self.errors.append(f"{record} has {len(fields)} details; a record may have at most {MAX_DETAILS}.")
            return None
        return fields if ok else None

    def _field(
        self, said: str, data: dict[str, Any], original: EntityField | None, record: str
    ) -> dict[str, Any] | None:
        name = identifier(said)
        if not re.fullmatch(IDENTIFIER, name):
            self.errors.append(
                f"\u201c{said}\u201d ({record}) cannot be a detail's name: use letters, digits and spaces, "
                "starting with a letter, up to 40 letters."
            )
            return None
        if name in RESERVED:
            self.errors.append(
                f"\u201c{said}\u201d ({record}) is a name the app uses itself: choose another, "
                "such as \u201creference\u201d or \u201cadded on\u201d."
            )
            return None
        kind, options = data["kind"], []
        if kind == "choice":
            options = [o.strip() for o in re.split(r"[,/\n;]+", data["options"]) if o.strip()]
            bad = [o for o in options if not re.fullmatch(OPTION, o)]
            if bad:
                self.errors.append(
                    f"\u201c{bad[0]}\u201d cannot be an option of {said} ({record}): use letters, digits, "
                    "spaces and hyphens, up to 40."
                )
                return None
            if len(options) < 2 or len({o.lower() for o in options}) < len(options) or len(options) > 20:
                self.errors.append(
                    f"The choice {said} ({record}) needs 2 to 20 different options, separated by commas, "
                    "e.g. good, worn, broken."
                )
                return None
        built = {
            "name": name,
            "type": kind,
            "required": data["required"],
            "options": options,
            "unique": bool(original and original.unique),
            "default": None,
        }
        if original is not None and original.default in options:
            built["default"] = original.default
        return built

    def _read_links(self, draft: Draft) -> None:
        known = {f"{e.name}.{r.name}": (e, r) for e in self.spec.entities for r in e.relations}
        seen: set[tuple[str, str]] = set()
        for form in self.links:
            data = form.cleaned_data
            original = known.get(data["original"] or "")
            source, target = data["source"], data["target"]
            if data["remove"] or not (source or target):
                continue
            if not (source and target):
                self.errors.append("A link needs both records: pick the one that links and the one it links to.")
                continue
            if source not in draft.entities or target not in draft.entities:
                if original is not None:
                    self.notes.append(
                        f"the link from {original[0].label} to {self.spec.entity(original[1].target).label} "
                        "went with the record it joined"
                    )
                continue
            entity, other = draft.entities[source], draft.entities[target]
            if (source, target) in seen:
                self.errors.append(f"{entity['label']} links to {other['label']} twice: keep one link.")
                continue
            seen.add((source, target))
            relation = self._relation(data, original, entity, other, draft, target)
            if relation is not None:
                entity["relations"].append(relation)

    def _relation(
        self,
        data: dict[str, Any],
        original: tuple[Entity, Relation] | None,
        entity: dict[str, Any],
        other: dict[str, Any],
        draft: Draft,
        target: str,
    ) -> dict[str, Any] | None:
        kind = data["kind"]
        same_target = original is not None and original[1].target == self._original_name(draft, target)
        name = original[1].name if same_target else identifier(other["label"])
        taken = {f["name"] for f in entity["fields"]} | {r["name"] for r in entity["relations"]}
        if name in taken or f"{name}Id" in taken or f"{name}Ids" in taken:
            self.errors.append(
                f"{entity['label']} already has a detail called \u201c{name_words(name)}\u201d, so it cannot "
                f"also link to {other['label']} under that name: rename the detail, or remove the link."
            )
            return None
        if len(entity["relations"]) >= 10:
            self.errors.append(f"{entity['label']} may link to at most 10 records.")
            return None
        return {"name": name, "target": other["name"], "required": kind == "one", "many": kind == "several"}

    def _original_name(self, draft: Draft, prefix: str) -> str | None:
        row = next((row for row in self.records if row.prefix == prefix), None)
        return row.entity.name if row and row.entity else None

    def _read_summaries(self, draft: Draft) -> list[dict[str, Any]]:
        summaries: list[dict[str, Any]] = []
        known = {s.name: s for s in self.spec.summaries}
        links = {form.prefix: form.cleaned_data for form in self.links}
        for form in self.summaries:
            data = form.cleaned_data
            original = known.get(data["original"] or "")
            if data["remove"] or not data["record"]:
                continue
            record = draft.entities.get(data["record"])
            if record is None:
                if original is not None:
                    self.notes.append(f"the summary {original.label} went with the record it counted")
                continue
            summary = self._summary(data, record, draft, links, {s["name"] for s in summaries}, original)
            if summary is not None:
                summaries.append(summary)
        return summaries

    def _summary(
        self,
        data: dict[str, Any],
        record: dict[str, Any],
        draft: Draft,
        links: dict[str, dict[str, Any]],
        taken: set[str],
        original: Summary | None,
    ) -> dict[str, Any] | None:
        def field_of(prefix: str, what: str) -> str | None:
            if not prefix:
                return None
            owner, name = draft.fields_by_row.get(prefix, (None, None))
            if owner is None or draft.entities.get(owner) is not record:
                self.errors.append(
                    f"The summary \u201c{data['label'] or MEASURES_WORDS[data['measure']]}\u201d counts "
                    f"{record['label']} records, so {what} must be one of {record['label']}'s details."
                )
                return None
            return name

        measure = data["measure"]
        amount = field_of(data["detail"], "the detail it adds up") if measure != "count" else None
        if measure != "count" and amount is None and not data["detail"]:
            self.errors.append(
                f"\u201c{MEASURES_WORDS[measure]}\u201d needs a number or money detail of {record['label']} "
                "to work on: pick one under \u201cOf the detail\u201d."
            )
            return None
        group = None
        if data["group_by"].startswith("l"):
            link = links.get(data["group_by"])
            if link and link["target"] and link["target"] not in draft.entities and original is not None:
                self.notes.append(f"the summary {original.label} went with the record it was split by")
                return None
            group = next(
                (
                    r["name"]
                    for r in record["relations"]
                    if link
                    and draft.entities.get(link["target"])
                    and r["target"] == draft.entities[link["target"]]["name"]
                ),
                None,
            )
            if group is None:
                self.errors.append(
                    f"A summary of {record['label']} records can only be split by one of {record['label']}'s own links."
                )
                return None
        elif data["group_by"]:
            group = field_of(data["group_by"], "what it is split by")
        date = field_of(data["date_detail"], "its date")
        if self.errors:
            return None
        label = data["label"].strip() or _summary_label(data, record, amount, group)
        name = original.name if original is not None else identifier(label)[:40] or "summary"
        if not re.fullmatch(IDENTIFIER, name):
            name = f"summary{name[:1].upper()}{name[1:]}"[:40]
        while name in taken:
            name = f"{name[:38]}{len(taken) + 2}"
        summary = {
            "name": name,
            "label": label[:80],
            "entity": record["name"],
            "measure": measure,
            "field": amount,
            "group_by": group,
            "period": data["period"] or None,
            "date_field": date if data["period"] else None,
            "only": data["only"] or None,
        }
        if date and not data["period"]:
            self.errors.append(
                f"The summary \u201c{label}\u201d picks a date: choose per day, week, month or year under "
                "\u201cOver time\u201d, or leave the date as it is."
            )
            return None
        try:
            check_summary(Summary.model_validate(summary), Entity.model_validate(record))
        except ValidationError as exc:
            self.errors.append(f"The summary \u201c{label}\u201d cannot be made: {_plain(exc.errors()[0]['msg'])}")
            return None
        except ValueError as exc:
            self.errors.append(f"The summary \u201c{label}\u201d cannot be made: {_plain(str(exc))}")
            return None
        return summary

    def _check_due_dates(self, draft: Draft) -> None:
        """A record due by a date keeps it while that detail stays a date (under its new name if renamed)."""
        for prefix, entity in draft.entities.items():
            types = {f["name"]: f["type"] for f in entity["fields"]}
            for which, allowed in (("due", {"date", "datetime"}), ("done", {"date", "datetime", "boolean"})):
                name = entity[which]
                if name is None:
                    continue
                name = draft.renamed_fields.get((prefix, name), name)
                if types.get(name) in allowed and (which == "due" or entity["due"]):
                    entity[which] = name
                else:
                    entity[which] = None
                    if which == "due":
                        entity["done"] = None
                        self.notes.append(
                            f"{entity['label']} records are no longer due by a date: that detail was "
                            "removed or is no longer a date"
                        )


MEASURES_WORDS = dict(MEASURES)


def _summary_label(data: dict[str, Any], record: dict[str, Any], amount: str | None, group: str | None) -> str:
    plural = record["plural"]
    what = (
        f"How many {name_words(plural)}"
        if data["measure"] == "count"
        else f"{MEASURES_WORDS[data['measure']]} {name_words(amount or '')} of {name_words(plural)}"
    )
    if group:
        what += f" per {name_words(group)}"
    if data["period"]:
        what += f" each {data['period']}"
    return what[:80]


def _detail_initial(detail: EntityField) -> dict[str, Any]:
    return {
        "original": detail.name,
        "name": name_words(detail.name),
        "kind": detail.type,
        "options": ", ".join(detail.options),
        "required": detail.required,
    }


def _where(form: forms.Form) -> str:
    name = form["name"].value() if "name" in form.fields else ""
    return f"{name}: " if name else ""


def _plain(message: str) -> str:
    """pydantic's "Value error, ..." as a sentence."""
    text = message.removeprefix("Value error, ").strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
