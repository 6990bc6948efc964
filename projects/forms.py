"""The forms people fill in. Error messages are written for people who are not programmers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT
from django.utils.functional import cached_property
from django.utils.text import slugify

from agents.extraction import title_for
from agents.providers import parse_routes, unconfigured
from agents.stacks import stacks_for
from orchestration.plans import MAX_TASKS

from .models import Project, Team

REQUEST_MIN, REQUEST_MAX = 15, 4000
FEEDBACK_MAX = 2000
INSTRUCTIONS_MAX = 4000

REQUEST_EXAMPLES = [
    "An appointment booking site for a dog groomer, with customers, their dogs and appointments.",
    "A small clinic system with doctors, patients and appointments; patients book an appointment with a doctor.",
    "A recipe collection where users post recipes with ingredients and steps, and rate them.",
    "A REST API for a library to track books, authors and loans.",
]

LET_US_DECIDE = ("", "Let AutoDevOS decide")
KEEP_IT = ("", "Keep it as it is")
SWITCH_CHOICES = [LET_US_DECIDE, ("yes", "Yes"), ("no", "No")]
# The keys match agents.spec.Spec's switches and stack parts (agents.extraction.apply_options).
SWITCH_OPTIONS = {
    "frontend": (
        "A website people can click through",
        "Without one you get only the back end (an API other programs call).",
    ),
    "auth": ("People sign up and log in", "Accounts with passwords; changing data then needs a login."),
}
BACKEND_HELP = "What the back end is built with. Left to us, a request that asks for a language (“in Python”) gets it."
ROUTES_MAX = 1000
ROUTES_HELP = "e.g. docs=openai:llama3.2, backend=gemini:gemini-2.5-pro — leave empty to use one model for every agent"


def backend_field(blank: tuple[str, str], help_text: str) -> forms.ChoiceField:
    """A choice of the registered back-end stacks, named for people, after `blank` (no choice made)."""
    stacks = [(name, stack.label) for name, stack in sorted(stacks_for("backend").items())]
    return forms.ChoiceField(
        label="Back end",
        help_text=help_text,
        choices=[blank, *stacks],
        required=False,
        error_messages={"invalid_choice": "That back end is not available; please pick another."},
    )


def routes_field() -> forms.CharField:
    return forms.CharField(
        label="Models per agent",
        required=False,
        max_length=ROUTES_MAX,
        help_text=ROUTES_HELP,
        error_messages={"max_length": f"Please keep the models per agent under {ROUTES_MAX} characters."},
    )


def stored_routes(text: str) -> dict[str, str]:
    """Models per agent as typed into a form, as Project.llm_routes keeps them (agent -> "provider:model");
    a ValidationError in plain words when an agent or provider is unknown or not set up here."""
    try:
        routes = parse_routes(text)
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from None
    missing = unconfigured(routes)
    if missing:
        raise forms.ValidationError(
            [
                f"{agent} cannot use {cls.label}: it is not set up on this server. Pick another provider or leave {agent} out."
                for agent, cls in missing.items()
            ]
        )
    return {agent: str(route) for agent, route in routes.items()}


class LongTextField(forms.CharField):
    """A text box with a limit but no maxlength attribute: with one, the browser cuts a long paste
    without a word. Text over the limit reaches the server, which refuses it saying how long it was
    and keeps it in the box; forms.js counts characters against data-max-chars as people type.
    The "max_length" error message may use {length} and {limit}."""

    def __init__(self, *, max_chars: int, **kwargs: Any) -> None:
        self.max_chars = max_chars
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "data-max-chars": str(self.max_chars)}

    def validate(self, value: str) -> None:
        super().validate(value)
        if len(value) > self.max_chars:
            message = self.error_messages["max_length"].format(length=f"{len(value):,}", limit=f"{self.max_chars:,}")
            raise forms.ValidationError(message, code="max_length")


class NewProjectForm(forms.Form):
    request = LongTextField(
        label="What should we build?",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Describe it the way you would to a person: who uses it, what they keep track of and what they can do. "
        "No technical words needed.",
        min_length=REQUEST_MIN,
        max_chars=REQUEST_MAX,
        error_messages={
            "required": "Please describe what you would like us to build.",
            "min_length": f"Please describe it in a little more detail (at least {REQUEST_MIN} characters).",
            "max_length": "That is longer than we can read at once: it has {length} characters, and we read at most {limit}. "
            "Please shorten it; your text is still in the box.",
        },
    )
    title = forms.CharField(
        label="Name (optional)",
        required=False,
        max_length=120,
        help_text="Leave empty and we name it from your description.",
        error_messages={"max_length": "Please keep the name under 120 characters."},
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        empty_label=None,
        label="Team",
        error_messages={"invalid_choice": "Please pick one of your teams."},
    )
    provider = forms.ChoiceField(
        label="Who writes the plan and the code",
        choices=[],
        error_messages={"invalid_choice": "That option is not available right now; please pick another."},
    )
    llm_routes = routes_field()

    def __init__(self, *args: Any, teams, providers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["provider"].choices = providers
        for name, (label, help_text) in SWITCH_OPTIONS.items():
            self.fields[name] = forms.ChoiceField(
                label=label, help_text=help_text, choices=SWITCH_CHOICES, required=False
            )
        self.fields["backend"] = backend_field(LET_US_DECIDE, BACKEND_HELP)

    def clean_request(self) -> str:
        text = self.cleaned_data["request"].strip()
        if len(text) < REQUEST_MIN:
            raise forms.ValidationError(self.fields["request"].error_messages["min_length"])
        return text

    def clean_llm_routes(self) -> dict[str, str]:
        return stored_routes(self.cleaned_data["llm_routes"])

    def options(self) -> dict[str, bool | str]:
        """Only the choices the person made; "let AutoDevOS decide" leaves a choice out."""
        switches = {name: self.cleaned_data[name] == "yes" for name in SWITCH_OPTIONS if self.cleaned_data.get(name)}
        return switches | ({"backend": self.cleaned_data["backend"]} if self.cleaned_data.get("backend") else {})

    def project_title(self) -> str:
        return self.cleaned_data["title"].strip() or title_for(self.cleaned_data["request"])

    def save(self, user) -> Project:
        return Project.objects.create(
            team=self.cleaned_data["team"],
            created_by=user,
            title=self.project_title(),
            request=self.cleaned_data["request"],
            provider=self.cleaned_data["provider"],
            options=self.options(),
            llm_routes=self.cleaned_data["llm_routes"],
        )


class ReplanForm(forms.Form):
    feedback = LongTextField(
        label="What should change in the plan?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_chars=FEEDBACK_MAX,
        error_messages={
            "required": "Please say what should change, for example “add a task that writes a user guide”.",
            "max_length": "The feedback has {length} characters; please keep it to {limit} or fewer. Your text is still in the box.",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built per form, so that it lists the stacks registered when the page is drawn.
        self.fields["backend"] = backend_field(
            KEEP_IT, "The new plan keeps the current back end unless you pick another here."
        )


class TaskForm(forms.Form):
    """One task of the plan being edited. Keys of existing tasks are fixed; a new task gets one from its title."""

    title = forms.CharField(max_length=200, error_messages={"required": "Every task needs a short title."})
    agent = forms.ChoiceField(choices=[], error_messages={"invalid_choice": "Please pick one of the listed agents."})
    instructions = LongTextField(
        required=False,
        max_chars=INSTRUCTIONS_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": "These instructions have {length} characters; please keep them to {limit} or fewer."
        },
    )
    depends_on = forms.MultipleChoiceField(
        required=False, choices=[], widget=forms.CheckboxSelectMultiple, label="Waits for"
    )

    def __init__(self, *args: Any, agents: list[tuple[str, str]], tasks: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        own = self.initial.get("key")
        # A new task starts with no agent chosen, so an untouched blank row counts as unchanged.
        self.fields["agent"].choices = agents if own else [("", "Choose an agent"), *agents]
        self.fields["depends_on"].choices = [(key, title) for key, title in tasks if key != own]

    @property
    def is_new(self) -> bool:
        return not self.initial.get("key")

    def as_task(self, original: dict[str, Any] | None, taken: set[str]) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "key": original["key"] if original else new_task_key(data["title"], taken),
            "title": data["title"],
            "agent": data["agent"],
            "instructions": data["instructions"],
            "depends_on": data["depends_on"],
            "scope": original.get("scope", []) if original else [],
            "timeout_s": original.get("timeout_s") if original else None,
        }


def new_task_key(text: str, taken: set[str]) -> str:
    """A plan key (lower-case letters, digits, dashes; a letter first) from a new task's title, unused so far."""
    base = slugify(text).replace("_", "-")[:40].strip("-")
    if not base[:1].isalpha():
        base = f"task-{base}".strip("-")
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


class FixedRowsFormSet(forms.BaseFormSet):
    """A formset over a version's rows (its tasks, its criteria) and blank ones to add: every row the
    version has must come back, in its place."""

    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "missing_management_form": "This page was changed in a way we cannot read. Please reload it and make your edit again.",
    }

    @cached_property
    def management_form(self) -> forms.Form:
        """Django's management form, refusing counts this page never sends: exactly as many existing
        rows as the version has, and no more rows than absolute_max. Otherwise an existing row could
        be read as a blank new one, or a huge count would build that many forms first.
        A refused count builds no forms at all."""
        form = super().management_form
        if self.is_bound and form.is_valid():
            existing, total = form.cleaned_data[INITIAL_FORM_COUNT], form.cleaned_data[TOTAL_FORM_COUNT]
            if existing != len(self.initial or ()) or not existing <= total <= self.absolute_max:
                form.add_error(None, "Unexpected form counts.")
                form.cleaned_data.update({INITIAL_FORM_COUNT: 0, TOTAL_FORM_COUNT: 0})
        return form


class BaseTaskFormSet(FixedRowsFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this task"

    def tasks(self, originals: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        """The edited plan: kept tasks in their order, then a filled-in new task. Removed tasks are
        left out, and so are other tasks' waits on them: removing a step should not break the plan."""
        tasks, removed = [], set()
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                removed.add(form.initial.get("key"))
            elif not (form.is_new and not form.has_changed()):
                tasks.append(form.as_task(originals.get(form.initial.get("key", "")), set(originals)))
        for task in tasks:
            task["depends_on"] = [key for key in task["depends_on"] if key not in removed]
        return tasks


TaskFormSet = forms.formset_factory(
    TaskForm, formset=BaseTaskFormSet, extra=1, can_delete=True, max_num=MAX_TASKS, absolute_max=MAX_TASKS
)
