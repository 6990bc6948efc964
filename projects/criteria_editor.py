"""The criteria editor: people reword, remove and add what the app must do, before Run.

A formset over the version's criteria, in their order, then blank rows for new ones. A reworded
criterion keeps its id and what proves it (`about`) and becomes the team's own (by "person"); a new
one gets the next "own-N" id and, if the person picked one, a behaviour that proves it. Saving is
orchestration.planning.edit_criteria's job: this only reads the page.
"""

from __future__ import annotations

from typing import Any

from django import forms

from agents.criteria import about_from_key, next_own_id, targets
from agents.spec import MAX_CRITERIA, MAX_CRITERION_CHARS, Criterion, Spec

from .forms import FixedRowsFormSet, LongTextField

NOT_PROVEN = ("", "Nothing we build yet (it will be marked as not covered)")
BLANK = "Please write what the app must do here, or tick “Remove this criterion”."
UNWRITTEN = "Please write the new criterion, or set “Proven by” back to “Nothing we build yet”."


class CriterionForm(forms.Form):
    """One criterion: an existing one (its words, and whether to remove it) or a new one (its words and what proves it)."""

    text = LongTextField(
        required=False,
        max_chars=MAX_CRITERION_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "max_length": "This has {length} characters; please keep a criterion to {limit} or fewer. "
            "Your text is still in the box."
        },
    )
    proven_by = forms.ChoiceField(
        required=False,
        label="Proven by",
        help_text="What we build that a generated test can check it with.",
        error_messages={"invalid_choice": "Please pick one of the listed things we build."},
    )

    def __init__(self, *args: Any, proven_by: list[tuple[str, str]], checking: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checking = checking  # False while a row is being added: nothing is saved, so nothing is refused yet
        if self.is_new:
            self.fields["text"].label = "New criterion"
            self.fields["proven_by"].choices = [NOT_PROVEN, *proven_by]
        else:
            del self.fields["proven_by"]  # a reworded criterion is still proven by what proved it

    @property
    def is_new(self) -> bool:
        return "text" not in self.initial

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.checking and not data.get("text") and not data.get("DELETE") and "text" not in self.errors:
            self.add_error("text", UNWRITTEN if self.is_new else BLANK)
        return data


class BaseCriterionFormSet(FixedRowsFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this criterion"


# A few blank rows beyond the most criteria a spec may have: a page never needs more.
MAX_ROWS = MAX_CRITERIA + 5
CriterionFormSet = forms.formset_factory(
    CriterionForm,
    formset=BaseCriterionFormSet,
    extra=1,
    can_delete=True,
    can_delete_extra=False,
    max_num=MAX_ROWS,
    absolute_max=MAX_ROWS,
)


class CriteriaEditor:
    """The editor's forms for one version's spec, bound to a POST or not, and the criteria they make.
    `add`: the person pressed "Add another criterion": one more blank row, nothing checked or saved."""

    prefix = "criteria"

    def __init__(self, spec: Spec, data=None, *, add: str = ""):
        self.spec = spec
        self.errors: list[str] = []
        self.notes: list[str] = []  # nothing to add to the changes edit_criteria says
        self.result: list[Criterion] = []
        if data is not None and add:
            data = _one_more_row(data, f"{self.prefix}-TOTAL_FORMS")
        self.formset = CriterionFormSet(
            data,
            prefix=self.prefix,
            initial=[{"text": c.text} for c in spec.criteria],
            form_kwargs={"proven_by": targets(spec), "checking": not add},
        )

    @property
    def rows(self) -> list[tuple[forms.Form, Criterion]]:
        """Each existing criterion's form, with the criterion."""
        return list(zip(self.formset.initial_forms, self.spec.criteria))

    @property
    def can_add(self) -> bool:
        return self.formset.total_form_count() < MAX_ROWS

    def is_valid(self) -> bool:
        if not self.formset.is_valid():
            self.errors = [str(e) for e in self.formset.non_form_errors()] + self._form_errors()
            return False
        self.result = self._criteria()
        return True

    def _form_errors(self) -> list[str]:
        said = []
        for index, form in enumerate(self.formset.forms):
            if _removed(form):
                continue
            where = f"Criterion {index + 1}" if index < len(self.spec.criteria) else "New criterion"
            said += [f"{where}: {message}" for messages in form.errors.values() for message in messages]
        return said

    def _criteria(self) -> list[Criterion]:
        kept: list[Criterion] = []
        for form, criterion in self.rows:
            if _removed(form):
                continue
            text = form.cleaned_data["text"]
            kept.append(
                criterion if text == criterion.text else criterion.model_copy(update={"text": text, "by": "person"})
            )
        for form in self.formset.extra_forms:
            if form.has_changed():
                # Never an id the version had: a removed criterion's id would read as that one reworded.
                new_id = next_own_id([*self.spec.criteria, *kept])
                kept.append(
                    Criterion(
                        id=new_id,
                        text=form.cleaned_data["text"],
                        by="person",
                        about=about_from_key(form.cleaned_data["proven_by"]),
                    )
                )
        return kept


def _removed(form: forms.Form) -> bool:
    return bool(form.cleaned_data.get("DELETE"))


def _one_more_row(data, total: str):
    """The POST with one more row counted, when it sent a count that leaves room (the formset refuses any other)."""
    try:
        rows = int(data.get(total, ""))
    except ValueError:
        return data
    if rows >= MAX_ROWS:
        return data
    data = data.copy()
    data[total] = str(rows + 1)
    return data
