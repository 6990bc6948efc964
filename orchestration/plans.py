"""What a plan is and when one is valid.

A plan is a DAG of tasks for the listed agents. Whatever produced it (the offline planner, a
model, a person editing it), it is checked here before it becomes a PlanVersion: unique slug
keys, known agents, dependencies that exist and never loop, 1-40 tasks, bounded text. Mistakes
that have only one sensible reading (a task depending on itself, a dependency listed twice) are
fixed and the reasoning says so; everything else is refused with a list of plain-words errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from graphlib import CycleError, TopologicalSorter
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agents.registry import listed_agents

MAX_TASKS = 40
KEY_PATTERN = r"^[a-z][a-z0-9-]{0,47}$"  # a slug: lower-case letters, digits and dashes
SCOPE_PATTERN = r"^[A-Za-z][A-Za-z0-9]{0,39}$"  # an entity or a feature name, or "core"
MAX_TITLE = 200
MAX_INSTRUCTIONS = 4000
MAX_REASONING = 8000
MIN_TIMEOUT_S, MAX_TIMEOUT_S = 5, 3600


class PlanInvalid(ValueError):
    """A plan that cannot be used as it is. `errors` says why, one plain sentence each.

    A ValueError, so a provider's repair loop can send these errors back to the model."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


class PlanTask(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    key: str = Field(pattern=KEY_PATTERN, description="Unique slug, e.g. 'backend-api'.")
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    agent: str = Field(min_length=1, max_length=32, description="One of the listed agents.")
    instructions: str = Field(default="", max_length=MAX_INSTRUCTIONS)
    depends_on: list[str] = Field(
        default_factory=list, max_length=MAX_TASKS, description="Keys of tasks that must finish first."
    )
    scope: list[str] = Field(
        default_factory=list, max_length=20, description="Entity names this task covers; empty means the whole project."
    )
    timeout_s: int | None = Field(default=None, ge=MIN_TIMEOUT_S, le=MAX_TIMEOUT_S)


class Plan(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reasoning: str = Field(default="", max_length=MAX_REASONING)
    tasks: list[PlanTask] = Field(min_length=1, max_length=MAX_TASKS)

    def task_list(self) -> list[dict[str, Any]]:
        """The tasks as stored in PlanVersion.tasks: every field present, in plan order."""
        return [task.model_dump(mode="json") for task in self.tasks]


def _field_errors(error: ValidationError, data: Any) -> list[str]:
    """pydantic's errors, told as "task 2 ('api'): title: ..." rather than as a location tuple."""
    messages = []
    for item in error.errors():
        loc = list(item["loc"])
        where = "the plan"
        if len(loc) >= 2 and loc[0] == "tasks" and isinstance(loc[1], int):
            index = loc[1]
            key = _key_of(data, index)
            where = f"task {index + 1}" + (f" ({key!r})" if key else "")
            loc = loc[2:]
        field = ".".join(str(part) for part in loc) if loc != ["tasks"] else ""
        messages.append(f"{where}: {field + ': ' if field else ''}{_plain(item)}")
    return messages


def _key_of(data: Any, index: int) -> str:
    try:
        key = data["tasks"][index].get("key")
    except (KeyError, IndexError, TypeError, AttributeError):
        return ""
    return key if isinstance(key, str) else ""


def _plain(item: dict[str, Any]) -> str:
    if item["type"] == "string_pattern_mismatch" and item["loc"][-1] == "key":
        return "a key must be a short slug of lower-case letters, digits and dashes, starting with a letter"
    if item["type"] == "too_short" and item["loc"] == ("tasks",):
        return "a plan needs at least one task"
    if item["type"] == "too_long" and item["loc"] == ("tasks",):
        return f"a plan may have at most {MAX_TASKS} tasks"
    if item["type"] == "extra_forbidden":
        return "is not a task field"
    return item["msg"]


def _names(plan: Plan) -> dict[str, str]:
    """How messages name each task: by the title people see on the page, quoted, with the key
    added only when two tasks share a title, so that a model repairing the plan can tell them apart."""
    titles = [task.title for task in plan.tasks]
    return {
        task.key: f"“{task.title}”" + (f" ({task.key})" if titles.count(task.title) > 1 else "") for task in plan.tasks
    }


def _normalise(plan: Plan) -> list[str]:
    """Fix what has one sensible reading, in place; say what was fixed."""
    notes = []
    names = _names(plan)
    for task in plan.tasks:
        deps = list(dict.fromkeys(task.depends_on))
        if len(deps) < len(task.depends_on):
            notes.append(f"{names[task.key]} listed a task to wait for twice; kept it once")
        if task.key in deps:
            deps.remove(task.key)
            notes.append(f"{names[task.key]} waited for itself; removed that")
        task.depends_on = deps
        task.scope = list(dict.fromkeys(task.scope))
    return notes


def _graph_errors(plan: Plan) -> list[str]:
    keys = [t.key for t in plan.tasks]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    errors = [f"task keys must be unique; repeated: {', '.join(duplicates)}"] if duplicates else []
    names = _names(plan)
    for task in plan.tasks:
        missing = [d for d in task.depends_on if d not in keys]
        if missing:
            which = "which is not a task" if len(missing) == 1 else "which are not tasks"
            errors.append(f"{names[task.key]} waits for {' and '.join(map(repr, missing))}, {which} in this plan")
    if not errors:  # a cycle is only meaningful once every key is unique and every dependency exists
        try:
            TopologicalSorter({t.key: t.depends_on for t in plan.tasks}).prepare()
        except CycleError as exc:
            # graphlib lists the cycle with each task before the one that depends on it.
            cycle = ", which waits for ".join(names[key] for key in reversed(exc.args[1]))
            errors.append(f"the dependencies go round in a circle: {cycle}; a plan must have a start and an end")
    return errors


def _task_errors(plan: Plan) -> list[str]:
    errors = []
    agents = listed_agents()
    names = _names(plan)
    for task in plan.tasks:
        if task.agent not in agents:
            errors.append(f"{names[task.key]}: agent {task.agent!r} does not exist; use one of {', '.join(agents)}")
        bad_scope = [s for s in task.scope if not re.match(SCOPE_PATTERN, s)]
        if bad_scope:
            errors.append(
                f"{names[task.key]}: scope entries must be entity or feature names or 'core'; got {', '.join(map(repr, bad_scope))}"
            )
    return errors


def validate_plan(data: Plan | Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> Plan:
    """A valid, normalised Plan from a dict {"reasoning", "tasks"} (or a bare task list), else PlanInvalid."""
    if isinstance(data, Plan):
        data = data.model_dump()
    elif isinstance(data, Sequence) and not isinstance(data, str | bytes):
        data = {"tasks": list(data)}
    if not isinstance(data, Mapping):
        raise PlanInvalid(["a plan must be an object with 'reasoning' and 'tasks'"])
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        raise PlanInvalid(_field_errors(exc, data)) from None
    notes = _normalise(plan)
    errors = _task_errors(plan) + _graph_errors(plan)
    if errors:
        raise PlanInvalid(errors)
    if notes:
        addition = "Fixed while checking the plan: " + "; ".join(notes) + "."
        plan.reasoning = f"{plan.reasoning[: MAX_REASONING - len(addition) - 2]}\n\n{addition}".strip()
    return plan


def reachable(edges: Mapping[str, Iterable[str]], start: Iterable[str]) -> set[str]:
    """Every key reachable from `start` along `edges` (start itself not included unless on a path)."""
    seen: set[str] = set()
    stack = [key for first in start for key in edges.get(first, ())]
    while stack:
        key = stack.pop()
        if key not in seen:
            seen.add(key)
            stack.extend(edges.get(key, ()))
    return seen
