"""What changed between two plan versions: tasks added, removed and changed field by field,
dependency edges added and removed, and a unified diff of the normalised JSON."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

TASK_FIELDS = ["title", "agent", "instructions", "depends_on", "scope", "timeout_s"]
_DEFAULTS: dict[str, Any] = {"instructions": "", "depends_on": [], "scope": [], "timeout_s": None}


def normalise_tasks(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every field present and list fields in a stable order, so equal plans compare equal."""
    normalised = []
    for task in tasks:
        row = {"key": task["key"], **{name: task.get(name, _DEFAULTS.get(name)) for name in TASK_FIELDS}}
        row["depends_on"] = sorted(row["depends_on"] or [])
        row["scope"] = list(row["scope"] or [])
        normalised.append(row)
    return normalised


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
class DiffRow:
    """One task, side by side: status is added, removed, changed or unchanged."""

    key: str
    status: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    changed: frozenset[str] = frozenset()

    @property
    def cells(self) -> list[tuple[str, str, str, bool]]:
        """(field, old shown as text, new shown as text, changed) for display side by side."""
        return [
            (name, _shown((self.old or {}).get(name)), _shown((self.new or {}).get(name)), name in self.changed)
            for name in TASK_FIELDS
        ]


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "none"
    return "default" if value is None else str(value)


@dataclass
class PlanDiff:
    old_label: str
    new_label: str
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[TaskChange] = field(default_factory=list)
    edges_added: list[tuple[str, str]] = field(default_factory=list)  # (dependency, dependent)
    edges_removed: list[tuple[str, str]] = field(default_factory=list)
    rows: list[DiffRow] = field(default_factory=list)
    unified: str = ""

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.removed or self.changed)

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


def diff_tasks(old_tasks: list[dict[str, Any]], new_tasks: list[dict[str, Any]], *, old_label: str, new_label: str) -> PlanDiff:
    """How `new_tasks` differs from `old_tasks`, tasks matched by key."""
    old = {t["key"]: t for t in normalise_tasks(old_tasks)}
    new = {t["key"]: t for t in normalise_tasks(new_tasks)}
    result = PlanDiff(old_label=old_label, new_label=new_label)
    for key, task in old.items():
        if key not in new:
            result.removed.append(task)
            result.rows.append(DiffRow(key, "removed", task, None))
            continue
        fields = [FieldChange(name, task[name], new[key][name]) for name in TASK_FIELDS if task[name] != new[key][name]]
        if fields:
            result.changed.append(TaskChange(key, fields))
        status = "changed" if fields else "unchanged"
        result.rows.append(DiffRow(key, status, task, new[key], frozenset(f.name for f in fields)))
    for key, task in new.items():
        if key not in old:
            result.added.append(task)
            result.rows.append(DiffRow(key, "added", None, task))
    old_edges, new_edges = _edges(list(old.values())), _edges(list(new.values()))
    result.edges_added = sorted(new_edges - old_edges)
    result.edges_removed = sorted(old_edges - new_edges)
    result.unified = "".join(
        difflib.unified_diff(_as_json(list(old.values())), _as_json(list(new.values())), fromfile=old_label, tofile=new_label)
    )
    return result
