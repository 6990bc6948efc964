"""The generated summaries test (tests/summaries.test.ts.j2): for each summary, records with known
values, and the rows docs/spec.md says the summary answers for them, worked out here in Python,
independently of the TypeScript that computes them in the generated app.

Each summary gets up to four records on a fresh database: two in group A on one day, one in group
B on a later day, and, for a summary of open or overdue records only, one that is not. The values
differ between the groups, so the rows' order never hangs on the generated ids."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from agents.spec import Entity, Relation, Spec, Summary

from ..typescript import template_literal
from .routes import group_label

VALUES = {"int": [2, 3, 7, 11], "float": [1.5, 2.25, 8.0, 16.0], "money": ["0.10", "0.15", "5.05", "1.00"]}
DAYS = [date(2020, 1, 5), date(2020, 1, 5), date(2020, 2, 20), date(2020, 2, 21)]
PAST, FUTURE, DONE_ON = date(2020, 1, 1), date(2099, 1, 1), date(2020, 3, 1)
LABELS = {
    "string": "Group {}",
    "text": "Group {}",
    "email": "group-{}@example.com",
    "url": "https://example.com/group-{}",
}


def label_value(kind: str, which: str) -> str:
    """The name of group target `which` ("a" or "b"), valid for its label field's type."""
    return LABELS[kind].format(which.upper() if kind in ("string", "text") else which)


@dataclass
class Planned:
    values: dict[str, Any]  # field -> Python value (None for null); a link's value is "a" or "b"

    def assignments(self, entity: Entity) -> list[tuple[str, str]]:
        return [(name, _ts(entity, name, value)) for name, value in self.values.items()]


@dataclass
class SummaryPlan:
    summary: Summary
    entity: Entity
    exact: bool  # false when creating the records' links also makes records this summary counts
    target: Relation | None  # the group link, whose two targets the test creates first
    target_label: str | None
    records: list[Planned] = field(default_factory=list)
    empty: list[dict[str, str]] = field(default_factory=list)  # the rows before any record exists
    rows: list[dict[str, str]] = field(default_factory=list)  # TypeScript expressions per row

    target_labels: dict[str, str] = field(default_factory=dict)  # "a"/"b" -> the target's name

    def target_assignments(self, which: str) -> list[tuple[str, str]]:
        if not self.target_label:
            return []
        return [(self.target_label, json.dumps(self.target_labels[which]))]


def _ts(entity: Entity, name: str, value: Any) -> str:
    if value is None:
        return "null"
    relation = entity.relation(name.removesuffix("Id"))
    if relation is not None and relation.key == name:
        return f"{value}.id"
    kind = entity.field(name).type
    if kind == "date":
        return json.dumps(value.isoformat())
    if kind == "datetime":
        return json.dumps(f"{value.isoformat()}T10:00:00.000Z")
    if kind == "choice":
        return template_literal(value)
    if kind in ("int", "float"):
        return _number(value)
    return json.dumps(value)


def _creates(spec: Spec, name: str) -> set[str]:
    """The entities whose records creating one `name` record (with its required links) makes."""
    made = {name}
    for relation in spec.entity(name).relations:
        if relation.required and relation.target not in made:
            made |= _creates(spec, relation.target)
    return made


def _period(day: date | None, unit: str) -> str | None:
    if day is None:
        return None
    if unit == "day":
        return day.isoformat()
    if unit == "month":
        return day.strftime("%Y-%m")
    if unit == "year":
        return day.strftime("%Y")
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def _measure(summary: Summary, kind: str | None, count: int, amounts: list[Any]) -> Any:
    if summary.measure == "count":
        return count
    money = kind == "money"
    numbers = [Decimal(a) for a in amounts] if money else amounts
    if summary.measure == "sum":
        return sum(numbers, Decimal(0) if money else 0)
    if not numbers:
        return None
    if summary.measure == "avg":
        return (
            (sum(numbers) / len(numbers)).quantize(Decimal("0.01"), ROUND_HALF_UP)
            if money
            else sum(numbers) / len(numbers)
        )
    return max(numbers) if summary.measure == "max" else min(numbers)


def _number(value: Any) -> str:
    """A number as Prettier writes it: 8, not 8.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value)


def _value_ts(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number(value)
    if isinstance(value, Decimal):
        shown = f"{value:.2f}"
        return json.dumps("0.00" if Decimal(shown) == 0 else shown)
    return json.dumps(value)


def _is_open(entity: Entity, values: dict[str, Any]) -> bool:
    if entity.done is None:
        return True
    done = values.get(entity.done)
    return done is None or done is False


def summary_plan(spec: Spec, summary: Summary) -> SummaryPlan:
    entity = spec.entity(summary.entity)
    relation = entity.relation(summary.group_by or "")
    group_field = entity.field(summary.group_by or "")
    measured = entity.field(summary.field or "")
    kind = measured.type if measured else None
    made = _creates(spec, entity.name) - {entity.name}
    if relation:
        made |= _creates(spec, relation.target)
    plan = SummaryPlan(
        summary,
        entity,
        exact=entity.name not in made,
        target=relation,
        target_label=group_label(spec, relation) if relation else None,
    )
    if plan.target_label:
        kind_of_label = spec.entity(relation.target).field(plan.target_label).type
        plan.target_labels = {which: label_value(kind_of_label, which) for which in ("a", "b")}
    count = 4 if summary.only else 3
    for n in range(count):
        group = "a" if n < 2 else "b"
        values: dict[str, Any] = {}
        if measured:
            values[measured.name] = VALUES[kind][n]
        if relation:
            values[relation.key] = group
        elif group_field and group_field.type == "boolean":
            values[group_field.name] = group == "a"
        elif group_field:
            options = group_field.options
            values[group_field.name] = options[0] if group == "a" or len(options) == 1 else options[1]
        if summary.date_field:
            values[summary.date_field] = DAYS[n]
        if entity.due:
            values[entity.due] = FUTURE if (summary.only == "overdue" and n == 3) else values.get(entity.due, PAST)
        if entity.done:
            done = entity.field(entity.done)
            finished = summary.only == "open" and n == 3
            if done.type == "boolean":
                values[done.name] = finished
            else:
                values[done.name] = DONE_ON if (finished or done.required) else None
        plan.records.append(Planned(values))
    plan.empty = _rows(plan, [], runtime_period="")
    plan.rows = _rows(plan, plan.records, runtime_period="period")
    return plan


def _rows(plan: SummaryPlan, records: list[Planned], runtime_period: str) -> list[dict[str, str]]:
    summary, entity = plan.summary, plan.entity
    measured = entity.field(summary.field or "")
    kind = measured.type if measured else None
    included = []
    for record in records:
        values = record.values
        if summary.only and not _is_open(entity, values):
            continue
        if summary.only == "overdue" and not values[entity.due] < FUTURE:
            continue  # the other due dates are in 2020, before any day the tests run
        included.append(values)
    buckets: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    if not summary.group_by and not summary.period:
        buckets[(None, None)] = []
    for values in included:
        if summary.period and summary.date_field:
            period = _period(values.get(summary.date_field), summary.period)
            if period is None:
                continue
        elif summary.period:
            period = "runtime"  # createdAt: the test reads it from a created record
        else:
            period = None
        group = values.get(summary.group_by and (plan.target.key if plan.target else summary.group_by))
        buckets.setdefault((group, period), []).append(values)
    computed = []
    for (group, period), members in buckets.items():
        amounts = [m[measured.name] for m in members if measured and m.get(measured.name) is not None]
        computed.append((group, period, _measure(summary, kind, len(members), amounts)))

    def name(group: Any) -> str | None:
        if group is None:
            return None
        if plan.target:
            return plan.target_labels[group] if plan.target_label else f"#{group}"
        if isinstance(group, bool):
            return "yes" if group else "no"
        return group

    # Newest period first, then largest value, then group by name; the values differ by group.
    computed.sort(key=lambda row: (name(row[0]) is None, name(row[0]) or ""))
    computed.sort(key=lambda row: (row[2] is None, -(row[2] if row[2] is not None else 0)))
    computed.sort(key=lambda row: row[1] or "", reverse=True)
    rows = []
    for group, period, value in computed:
        if group is None:
            group_ts, id_ts = "null", "null"
        elif plan.target:
            id_ts = f"{group}.id"
            group_ts = json.dumps(plan.target_labels[group]) if plan.target_label else f"`#${{{group}.id}}`"
        else:
            group_ts, id_ts = template_literal(name(group)), "null"
        period_ts = "null" if period is None else runtime_period if period == "runtime" else json.dumps(period)
        rows.append({"group": group_ts, "groupId": id_ts, "period": period_ts, "value": _value_ts(value)})
    return rows
