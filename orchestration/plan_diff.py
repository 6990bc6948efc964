"""What changed between two plan versions: what the app keeps (orchestration.spec_diff), tasks added,
removed and changed field by field, dependency edges added and removed, and a unified diff of the
normalised JSON. Tasks are shown by their titles, with the changed words of a text marked."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from .spec_diff import SpecChange

TASK_FIELDS = ["title", "agent", "instructions", "depends_on", "scope", "timeout_s"]
_DEFAULTS: dict[str, Any] = {"instructions": "", "depends_on": [], "scope": [], "timeout_s": None}
FIELD_LABELS = {
    "title": "Title",
    "agent": "Who does it",
    "instructions": "Instructions",
    "depends_on": "Waits for",
    "scope": "Works on",
    "timeout_s": "Time limit",
}
HEADLINE_CHANGES = 3  # app changes named in a version's one-line summary; the rest are counted

Segment = tuple[str, str]  # (same, del or ins, text)


def normalise_tasks(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every field present and list fields in a stable order, so equal plans compare equal."""
    normalised = []
    for task in tasks:
        row = {"key": task["key"], **{name: task.get(name, _DEFAULTS.get(name)) for name in TASK_FIELDS}}
        row["depends_on"] = sorted(row["depends_on"] or [])
        row["scope"] = list(row["scope"] or [])
        normalised.append(row)
    return normalised


def word_diff(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    """The two texts cut into runs of words, the words only in `old` marked del and only in `new` ins."""
    # Each word keeps the spaces after it, so a run of changed words reads as one phrase.
    old_words, new_words = _words(old), _words(new)
    old_side: list[Segment] = []
    new_side: list[Segment] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_words, new_words, autojunk=False).get_opcodes():
        if op == "equal":
            old_side.append(("same", "".join(old_words[i1:i2])))
            new_side.append(("same", "".join(new_words[j1:j2])))
            continue
        if i2 > i1:
            old_side.append(("del", "".join(old_words[i1:i2])))
        if j2 > j1:
            new_side.append(("ins", "".join(new_words[j1:j2])))
    return old_side, new_side


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"(?<=\s)(?=\S)", text) if w]


@dataclass(frozen=True)
class FieldChange:
    name: str
    old: Any
    new: Any


@dataclass(frozen=True)
class TaskChange:
    key: str
    fields: list[FieldChange]

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]


@dataclass(frozen=True)
class FieldRow:
    """One detail of a task as people read it: "Who does it", "Instructions". A side the task is
    not in is empty; a changed text has its changed words marked."""

    label: str
    old: list[Segment]
    new: list[Segment]


@dataclass(frozen=True)
class TaskRow:
    """A task added, removed or changed, named by its title; waits says its changed dependencies."""

    key: str
    title: str
    status: str
    fields: list[FieldRow]
    waits: list[str] = field(default_factory=list)


@dataclass
class PlanDiff:
    old_label: str
    new_label: str
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[TaskChange] = field(default_factory=list)
    edges_added: list[tuple[str, str]] = field(default_factory=list)  # (dependency, dependent)
    edges_removed: list[tuple[str, str]] = field(default_factory=list)
    rows: list[TaskRow] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # titles of the tasks that stay the same
    app_changes: list[SpecChange] = field(default_factory=list)
    unified: str = ""

    @property
    def app_only_changes(self) -> list[SpecChange]:
        """The changes to what the app keeps, without those to its acceptance criteria."""
        return [c for c in self.app_changes if c.topic == "app"]

    @property
    def known_app_changes(self) -> list[SpecChange]:
        """The app changes, without the note that a version does not record its spec."""
        return [c for c in self.app_only_changes if c.kind != "unknown"]

    @property
    def criteria_changes(self) -> list[SpecChange]:
        """The acceptance criteria added, reworded and removed."""
        return [c for c in self.app_changes if c.topic == "criteria"]

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.known_app_changes or self.criteria_changes)

    @property
    def task_counts(self) -> str:
        """ "1 task added, 2 changed": only the counts that are not zero."""
        counts = [(len(self.added), "added"), (len(self.removed), "removed"), (len(self.changed), "changed")]
        parts: list[str] = []
        for n, what in counts:
            if n:
                parts.append(f"{n} {what}" if parts else f"{n} task{'' if n == 1 else 's'} {what}")
        return ", ".join(parts)

    @property
    def headline(self) -> str:
        """One line for a version's history: "2 changes to the app: added record Vet (name); log-ins switched on.
        1 task added."."""
        parts = []
        if self.known_app_changes:
            count = len(self.known_app_changes)
            named = "; ".join(c.text.rstrip(".") for c in self.known_app_changes[:HEADLINE_CHANGES])
            more = f"; and {count - HEADLINE_CHANGES} more" if count > HEADLINE_CHANGES else ""
            parts.append(f"{count} change{'' if count == 1 else 's'} to the app: {named}{more}.")
        if self.criteria_changes:
            count = len(self.criteria_changes)
            parts.append(f"{count} change{'' if count == 1 else 's'} to what it must do.")
        if self.task_counts:
            parts.append(f"{self.task_counts}.")
        return " ".join(parts) or "No changes."

    @property
    def unified_lines(self) -> list[tuple[str, str]]:
        """(kind, line) for display: kind is add, remove, hunk or context."""
        kinds = {"+": "add", "-": "remove", "@": "hunk"}
        return [(kinds.get(line[:1], "context"), line) for line in self.unified.splitlines()]


def _edges(tasks: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(dep, task["key"]) for task in tasks for dep in task["depends_on"]}


def _as_json(tasks: list[dict[str, Any]]) -> list[str]:
    ordered = sorted(tasks, key=lambda t: t["key"])
    return (json.dumps(ordered, indent=2, sort_keys=True, ensure_ascii=False) + "\n").splitlines(keepends=True)


def diff_tasks(
    old_tasks: list[dict[str, Any]],
    new_tasks: list[dict[str, Any]],
    *,
    old_label: str,
    new_label: str,
    app_changes: list[SpecChange] | None = None,
) -> PlanDiff:
    """How `new_tasks` differs from `old_tasks`, tasks matched by key."""
    old = {t["key"]: t for t in normalise_tasks(old_tasks)}
    new = {t["key"]: t for t in normalise_tasks(new_tasks)}
    titles = {key: task["title"] for key, task in (old | new).items()}
    result = PlanDiff(old_label=old_label, new_label=new_label, app_changes=app_changes or [])
    for key, task in old.items():
        if key not in new:
            result.removed.append(task)
            result.rows.append(TaskRow(key, task["title"], "removed", _shown_fields(task, titles, side="old")))
            continue
        fields = [FieldChange(name, task[name], new[key][name]) for name in TASK_FIELDS if task[name] != new[key][name]]
        if fields:
            result.changed.append(TaskChange(key, fields))
            result.rows.append(_changed_row(task, new[key], fields, titles))
        else:
            result.unchanged.append(task["title"])
    for key, task in new.items():
        if key not in old:
            result.added.append(task)
            result.rows.append(TaskRow(key, task["title"], "added", _shown_fields(task, titles, side="new")))
    old_edges, new_edges = _edges(list(old.values())), _edges(list(new.values()))
    result.edges_added = sorted(new_edges - old_edges)
    result.edges_removed = sorted(old_edges - new_edges)
    result.unified = "".join(
        difflib.unified_diff(
            _as_json(list(old.values())), _as_json(list(new.values())), fromfile=old_label, tofile=new_label
        )
    )
    return result


def _said(name: str, value: Any, titles: dict[str, str]) -> str:
    """A task field's value as a person reads it."""
    if name == "depends_on":
        return ", ".join(f"“{titles[key]}”" for key in value) or "nothing"
    if name == "scope":
        return ", ".join(value) or "the whole project"
    if name == "timeout_s":
        return "the usual time limit" if value is None else f"{value} seconds"
    return str(value)


def _shown_fields(task: dict[str, Any], titles: dict[str, str], *, side: str) -> list[FieldRow]:
    """The fields of a task added or removed that say something: scope and time limit only when set."""
    shown = ["agent", "instructions", "depends_on", "scope", "timeout_s"]
    rows = []
    for name in shown:
        if task[name] in ("", [], None):
            continue
        value = [("same", _said(name, task[name], titles))]
        rows.append(FieldRow(FIELD_LABELS[name], value if side == "old" else [], value if side == "new" else []))
    return rows


def _changed_row(
    old: dict[str, Any], new: dict[str, Any], fields: list[FieldChange], titles: dict[str, str]
) -> TaskRow:
    rows, waits = [], []
    for change in fields:
        if change.name == "depends_on":
            waits += [f"“{new['title']}” now waits for “{titles[key]}”" for key in change.new if key not in change.old]
            waits += [
                f"“{new['title']}” no longer waits for “{titles[key]}”" for key in change.old if key not in change.new
            ]
            continue
        if change.name in ("title", "instructions"):
            old_side, new_side = word_diff(change.old, change.new)
        else:
            old_side = [("del", _said(change.name, change.old, titles))]
            new_side = [("ins", _said(change.name, change.new, titles))]
        rows.append(FieldRow(FIELD_LABELS[change.name], old_side, new_side))
    return TaskRow(new["key"], new["title"], "changed", rows, waits)
