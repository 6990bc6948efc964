"""The generated project's summary tests: for each summary, records whose rows the generator works
out here, independently of the generated app's own code, and writes into the test as literals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from agents.spec import Entity, Spec, Summary

from .names import python_string

# Three counted records: A and B share a group and a period, C is in another of each. Values are
# picked so that A and B's group always has the larger figure, so the rows' order never rests on a name.
VALUES: dict[str, tuple[Any, Any, Any]] = {
    "int": (2, 3, 1),
    "float": (0.5, 0.25, 0.125),
    "money": (Decimal("0.10"), Decimal("0.20"), Decimal("0.05")),
    "money avg": (Decimal("0.10"), Decimal("0.15"), Decimal("0.05")),  # A and B average 0.125: 0.13 rounded half up
}
DAYS = (dt.datetime(2020, 1, 15, 9, 30), dt.datetime(2020, 1, 15, 10, 30), dt.datetime(2020, 3, 10, 9, 30))
PAST, FUTURE, DONE_ON = dt.datetime(2000, 1, 3), dt.datetime(2999, 1, 3), dt.datetime(2020, 1, 20)


@dataclass
class Record:
    """A record the test creates: its values by API name (Python values, or `Expr` for runtime ones)."""

    name: str
    values: dict[str, Any] = field(default_factory=dict)
    counted: bool = True  # whether the summary should count it
    stranger: bool = False


@dataclass(frozen=True)
class Expr:
    """Python source for a value known only when the test runs, such as a created record's id."""

    source: str


@dataclass(frozen=True)
class Scenario:
    records: list[Record]
    targets: list[Record]  # linked records the test creates first, t1 and t2 (with values of their own for a self link)
    stranger_target: bool
    empty: list[str]  # the rows with no records, each as Python source
    rows: list[str]  # the rows with the records
    created_period: str | None  # the period of createdAt, when the rows are per period of it


def _source(value: Any) -> str:
    if isinstance(value, Expr):
        return value.source
    if isinstance(value, str):
        return python_string(value)
    if isinstance(value, Decimal):
        return python_string(f"{value:.2f}")
    return repr(value)


def _date_value(kind: str, when: dt.datetime) -> str:
    return when.date().isoformat() if kind == "date" else when.isoformat() + "Z"


def _period(when: dt.datetime, period: str) -> str:
    day = when.date()
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year:04d}-W{week:02d}"
    return day.isoformat()[: {"day": 10, "month": 7, "year": 4}[period]]


def _figure(values: list[Any], measure: str, kind: str | None) -> Any:
    if measure == "count":
        return len(values)
    present = [v for v in values if v is not None]
    if measure == "sum":
        return sum(present, Decimal(0) if kind == "money" else 0)
    if not present:
        return None
    if measure in ("min", "max"):
        return min(present) if measure == "min" else max(present)
    if kind == "money":
        return (sum(present, Decimal(0)) / len(present)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return sum(present) / len(present)


def _row(group: Any, group_id: Any, period: Any, value: Any) -> str:
    return f'{{"group": {_source(group)}, "groupId": {_source(group_id)}, "period": {_source(period)}, "value": {_source(value)}}}'


def scenario(spec: Spec, summary: Summary) -> Scenario:
    entity: Entity = spec.entity(summary.entity)
    kind = entity.field(summary.field).type if summary.field else None
    values = VALUES[f"{kind} avg" if kind == "money" and summary.measure == "avg" else kind] if kind else (None,) * 3
    relation = entity.relation(summary.group_by) if summary.group_by else None
    group_field = entity.field(summary.group_by) if summary.group_by and relation is None else None
    date_field = entity.field(summary.date_field) if summary.date_field else None
    due = entity.field(entity.due) if entity.due else None
    done = entity.field(entity.done) if entity.done else None

    records = [Record("a"), Record("b"), Record("c")]
    if relation is not None:
        for record, target in zip(records, ("t1", "t1", "t2"), strict=True):
            record.values[relation.key] = Expr(f'{target}["id"]')
    if group_field is not None:
        if group_field.type == "choice":
            other = None if not group_field.required else group_field.options[1 % len(group_field.options)]
            groups: tuple[Any, Any, Any] = (group_field.options[0], group_field.options[0], other)
        else:
            groups = (True, True, None if not group_field.required else False)
        for record, group in zip(records, groups, strict=True):
            record.values[group_field.name] = group
    if date_field is not None:
        for record, when in zip(records, DAYS, strict=True):
            record.values[date_field.name] = _date_value(date_field.type, when)
    if summary.field:
        for record, value in zip(records, values, strict=True):
            record.values[summary.field] = value

    extra: list[Record] = []
    if summary.only is not None and done is not None:
        not_done = False if done.type == "boolean" else None
        if not_done is None and done.required:
            not_done = _date_value(done.type, DONE_ON)  # a done date that must be given: no record is ever open
        extra.append(Record("finished", dict(records[0].values), counted=False))
        extra[-1].values[done.name] = True if done.type == "boolean" else _date_value(done.type, DONE_ON)
        for record in records:
            record.values[done.name] = not_done
            record.counted = not_done in (None, False)
    if summary.only == "overdue" and due is not None:
        for record in records:
            if due.name not in record.values:
                record.values[due.name] = _date_value(due.type, PAST)
        later = Record("later", dict(records[0].values), counted=False)
        later.values[due.name] = _date_value(due.type, FUTURE)
        if done is not None and done.type == "boolean":
            later.values[done.name] = False
        elif done is not None and not done.required:
            later.values[done.name] = None
        extra.append(later)
    if date_field is not None and not date_field.required:
        extra.append(Record("undated", dict(records[0].values) | {date_field.name: None}, counted=False))
    if entity.owned:
        theirs = Record("theirs", dict(records[0].values), counted=False, stranger=True)
        if relation is not None:
            theirs.values[relation.key] = Expr('their_target["id"]')
        extra.append(theirs)
    if kind == "int":
        # Whole numbers may be unique: the records left out of the figure get values of their own.
        for n, record in enumerate(extra, start=101):
            record.values[summary.field] = n

    targets = [Record("t1", counted=False), Record("t2", counted=False)] if relation is not None else []
    if relation is not None and relation.target == entity.name:
        # A link to the entity's own kind: t1 and t2 are counted too, in no group, in C's period.
        for n, target in enumerate(targets, start=201):
            target.values = dict(records[2].values) | {relation.key: None}
            target.counted = records[2].counted
            if kind == "int":
                target.values[summary.field] = n

    def group_of(record: Record) -> tuple[Any, Any]:
        if relation is not None:
            if record.values[relation.key] is None:
                return None, None
            target = record.values[relation.key].source.split("[")[0]
            name = _target_name(spec, relation.target, target)
            return name, Expr(f'{target}["id"]')
        if group_field is not None:
            value = record.values[group_field.name]
            if group_field.type == "boolean" and value is not None:
                value = "yes" if value else "no"
            return value, None
        return None, None

    created_period = None
    periods: dict[str, Any] = {}
    self_targets = [t for t in targets if t.counted or t.values]
    for record, when in [*zip(records, DAYS, strict=True), *((t, DAYS[2]) for t in self_targets)]:
        if summary.period is None:
            periods[record.name] = None
        elif date_field is None:
            created_period = summary.period
            periods[record.name] = Expr("period")
        elif record.values.get(date_field.name) is None:
            periods[record.name] = "none"
        else:
            periods[record.name] = _period(when, summary.period)

    counted = [r for r in [*records, *self_targets] if r.counted and periods[r.name] != "none"]
    found: dict[tuple[Any, ...], list[Record]] = {}
    for record in counted:
        group, group_id = group_of(record) if summary.group_by else (None, None)
        found.setdefault((_source(periods[record.name]), _source(group), _source(group_id)), []).append(record)
    figured = []
    for (period, group, group_id), members in found.items():
        value = _figure([m.values.get(summary.field or "") for m in members], summary.measure, kind)
        figured.append((period, group, group_id, value))
    # Newest period first (periods are literals here, or one runtime period for all), then largest value.
    figured.sort(key=lambda row: row[1] == "None")  # equal values: a named group before the one without
    figured.sort(key=lambda row: (row[3] is not None, row[3] or 0), reverse=True)
    figured.sort(key=lambda row: row[0], reverse=True)
    if not figured:
        created_period = None  # no row has a period to check
    single = summary.group_by is None and summary.period is None
    empty_value = _figure([], summary.measure, kind)
    empty = [_row(None, None, None, empty_value)] if single else []
    if single and not figured:
        rows = empty
    else:
        rows = [
            f'{{"group": {group}, "groupId": {group_id}, "period": {period}, "value": {_source(value)}}}'
            for period, group, group_id, value in figured
        ]
    return Scenario(
        records=records + extra,
        targets=targets,
        stranger_target=entity.owned and relation is not None,
        empty=empty,
        rows=rows,
        created_period=created_period,
    )


def _target_name(spec: Spec, target: str, variable: str) -> Expr:
    """A linked record's name in a summary: its first short text, else its first text, else #id."""
    entity = spec.entity(target)
    named = next((f for f in entity.fields if f.type == "string"), None) or next(
        (f for f in entity.fields if f.type in ("string", "text", "email", "url")), None
    )
    if named is None:
        return Expr(f"f\"#{{{variable}['id']}}\"")
    return Expr(f'{variable}["{named.name}"]')


def record_lines(record: Record) -> list[str]:
    """The values of a record the test creates, one `"name": value` a line."""
    return [f'"{name}": {_source(value)}' for name, value in record.values.items()]
