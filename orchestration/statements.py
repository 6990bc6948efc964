"""The statements every task attempt runs, written as SQL.

Each attempt, however short, claims its task, reads it with its run, plan version and project, looks
for an earlier run's task it could reuse, ends its attempt and hands the run on. Through the ORM
those steps cost a worker about 14 ms per no-op task on SQLite (2 cores), of which 1.3 ms was the
database: the rest was Django compiling each queryset into SQL again on every call (cProfile; the
throughput bench, bench/throughput.py, compares the engine with django-q2 alone). Here each
statement is a fixed string built once from the models' metadata, values are adapted and results
converted by the models' own fields, and the statuses a transition may leave come from
TASK_TRANSITIONS, as they do for TaskRunQuerySet's other transitions: about 2.6 ms per task on
SQLite and 3.9 ms on PostgreSQL, measured in one process.

SQLite (3.35 or later, for RETURNING) and PostgreSQL take the same SQL, but for two things: on
PostgreSQL the claim is one statement instead of a transaction of two, and only PostgreSQL needs the
run's row lock (SQLite's IMMEDIATE transactions already serialise every writer). There the
statements are prepared once per connection (settings: PG_PREPARED_STATEMENTS).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from projects.models import Project

from .models import TASK_TRANSITIONS, Artifact, Claim, PlanVersion, Run, TaskAttempt, TaskRun, TaskStatus


def _table(model: type[Model]) -> str:
    return f'"{model._meta.db_table}"'


TASKS, ATTEMPTS, RUNS, VERSIONS = (_table(model) for model in (TaskRun, TaskAttempt, Run, PlanVersion))


def _sources(transition: str) -> tuple[str, str]:
    """The `IN (...)` list of the statuses a transition may leave, and the status it enters."""
    sources, target = TASK_TRANSITIONS[transition]
    return ", ".join(f"'{status}'" for status in sorted(sources)), target


def _time(value: datetime) -> object:
    return connection.ops.adapt_datetimefield_value(value)


def _rows(sql: str, params: Iterable[object]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def _count(sql: str, params: Iterable[object]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.rowcount


# --- Claim ------------------------------------------------------------------------------

_CLAIMED, _RUNNING = _sources("claim")
_CLAIM = (
    f"UPDATE {TASKS} SET status = %s, attempt = attempt + 1, worker = %s, started_at = %s,"
    f" lease_expires_at = %s, next_attempt_at = NULL, progress = %s"
    f" WHERE id = %s AND status IN ({_CLAIMED}) RETURNING id, run_id, attempt"
)
# The attempt's number counts over the task's whole history: one more than its last attempt's.
_NEXT_NUMBER = f"COALESCE((SELECT MAX(number) FROM {ATTEMPTS} WHERE task_run_id = %s), 0) + 1"
_OPEN_ATTEMPT = (
    f"INSERT INTO {ATTEMPTS} (task_run_id, number, worker, started_at, error, reasoning)"
    f" VALUES (%s, {_NEXT_NUMBER}, %s, %s, '', '') RETURNING number"
)
# PostgreSQL does both in one statement, which needs no transaction around it: one round trip.
_CLAIM_AND_OPEN = (
    f"WITH claimed AS ({_CLAIM}), opened AS (INSERT INTO {ATTEMPTS}"
    f" (task_run_id, number, worker, started_at, error, reasoning)"
    f" SELECT id, {_NEXT_NUMBER.replace('%s', 'claimed.id')}, %s, %s, '', '' FROM claimed RETURNING number)"
    f" SELECT claimed.run_id, claimed.attempt, opened.number FROM claimed, opened"
)


def claim(task_run_id: int, *, worker: str, lease_s: float) -> Claim | None:
    """Move a queued task to running under `worker` with a lease, and open its attempt record, both
    or neither; None when the task was not queued."""
    now = timezone.now()
    no_progress = TaskRun._meta.get_field("progress").get_db_prep_save([], connection)
    claiming = [_RUNNING, worker, _time(now), _time(now + timedelta(seconds=lease_s)), no_progress, task_run_id]
    if connection.vendor == "postgresql":
        claimed = _rows(_CLAIM_AND_OPEN, [*claiming, worker, _time(now)])
        if not claimed:
            return None
        [(run_id, attempt, number)] = claimed
        return Claim(task_run_id, run_id, worker, attempt, now, number)
    with transaction.atomic():
        claimed = _rows(_CLAIM, claiming)
        if not claimed:
            return None
        [(_, run_id, attempt)] = claimed
        [(number,)] = _rows(_OPEN_ATTEMPT, [task_run_id, task_run_id, worker, _time(now)])
    return Claim(task_run_id, run_id, worker, attempt, now, number)


# --- The task, with its run, plan version and project ---------------------------------

_CHAIN = (TaskRun, Run, PlanVersion, Project)  # each row's foreign key names the next: run, plan_version, project
_LINKS = ("run", "plan_version", "project")
# Left out, read only if something asks for them: no attempt needs the run's forecast or the plan's task
# list, and PostgreSQL spends most of the read writing those two JSON documents out as text.
_DEFERRED = {Run: {"forecast"}, PlanVersion: {"tasks"}}


@functools.cache
def _read(model: type[Model]) -> list:
    return [field for field in model._meta.concrete_fields if field.name not in _DEFERRED.get(model, ())]


@functools.cache
def _task_select() -> str:
    columns = ", ".join(f't{n}."{f.column}"' for n, model in enumerate(_CHAIN) for f in _read(model))
    joins = " ".join(
        f'JOIN {_table(model)} t{n + 1} ON t{n + 1}.id = t{n}."{link}_id"'
        for n, (model, link) in enumerate(zip(_CHAIN[1:], _LINKS, strict=True))
    )
    return f"SELECT {columns} FROM {TASKS} t0 {joins} WHERE t0.id = %s"


@functools.cache
def _converters(vendor: str) -> list[list]:
    """Per column of _task_select, the converters the ORM itself would apply (JSON, times, booleans)."""
    del vendor  # the cache's key: converters belong to a database backend
    converters = []
    for model in _CHAIN:
        for field in _read(model):
            column = field.get_col(model._meta.db_table)
            converters.append((connection.ops.get_db_converters(column) + column.get_db_converters(connection), column))
    return converters


def task(task_run_id: int) -> TaskRun:
    """The TaskRun with its run, the run's plan version and its project, read in one statement (the
    fields in _DEFERRED are read when first used). Raises TaskRun.DoesNotExist when there is no such task."""
    rows = _rows(_task_select(), [task_run_id])
    if not rows:
        raise TaskRun.DoesNotExist(f"TaskRun {task_run_id} does not exist")
    values = list(rows[0])
    for index, (functions, column) in enumerate(_converters(connection.vendor)):
        for function in functions:
            values[index] = function(values[index], column, connection)
    instances, start = [], 0
    for model in _CHAIN:
        fields = _read(model)
        names = [field.attname for field in fields]
        instances.append(model.from_db(connection.alias, names, values[start : start + len(fields)]))
        start += len(fields)
    for instance, link, target in zip(instances[:-1], _LINKS, instances[1:], strict=True):
        setattr(instance, link, target)
    return instances[0]


def files(run_id: int, task_keys: Iterable[str]) -> dict[str, str]:
    """path -> content of every file the run's tasks with these keys wrote, in order of path."""
    keys = list(task_keys)
    if not keys:
        return {}
    marks = ", ".join(["%s"] * len(keys))
    sql = (
        f"SELECT a.path, a.content FROM {_table(Artifact)} a JOIN {TASKS} t ON t.id = a.task_run_id"
        f' WHERE a.run_id = %s AND t."key" IN ({marks}) ORDER BY a.path'
    )
    return dict(_rows(sql, [run_id, *keys]))


# --- Reuse ------------------------------------------------------------------------------

# The tasks with the fingerprint first, through its index: ordered by run instead, PostgreSQL may walk
# every succeeded task of every project newest first, as it did on a fresh database without statistics.
_REUSABLE = (
    f"WITH same AS MATERIALIZED (SELECT id, run_id FROM {TASKS} WHERE fingerprint = %s AND status = %s)"
    f" SELECT t.id FROM same t JOIN {RUNS} r ON r.id = t.run_id JOIN {VERSIONS} v ON v.id = r.plan_version_id"
    f" WHERE v.project_id = %s AND t.run_id <> %s"
)
# A run in which some check failed on the way (some attempt repaired files) is no source for a verify task.
_UNREPAIRED = (
    f" AND NOT EXISTS (SELECT 1 FROM {ATTEMPTS} a JOIN {TASKS} o ON o.id = a.task_run_id"
    f" WHERE o.run_id = t.run_id AND a.repair_round IS NOT NULL)"
)
_LATEST = " ORDER BY t.run_id DESC, t.id DESC LIMIT 1"


def any_reusable(project_id: int) -> bool:
    """Whether any run of the project has a succeeded task with a fingerprint: a task of a new run can
    only reuse one of those, so a project without them needs no lookup per task."""
    sql = (
        f"WITH runs AS MATERIALIZED (SELECT r.id FROM {RUNS} r JOIN {VERSIONS} v ON v.id = r.plan_version_id"
        f" WHERE v.project_id = %s)"
        f" SELECT 1 FROM {TASKS} t WHERE t.run_id IN (SELECT id FROM runs) AND t.status = %s AND t.fingerprint <> ''"
        f" LIMIT 1"
    )
    return bool(_rows(sql, [project_id, TaskStatus.SUCCEEDED]))


def reusable(project_id: int, fingerprint: str, *, run_id: int, unrepaired: bool) -> int | None:
    """The id of the latest succeeded task of another run of the project with this fingerprint."""
    sql = _REUSABLE + (_UNREPAIRED if unrepaired else "") + _LATEST
    found = _rows(sql, [fingerprint, TaskStatus.SUCCEEDED, project_id, run_id])
    return found[0][0] if found else None


# --- Finish and hand over ---------------------------------------------------------------


_OWNED, _SUCCEEDED = _sources("mark_succeeded")
_SUCCEED = (
    f"UPDATE {TASKS} SET status = %s, finished_at = %s, lease_expires_at = NULL, error = '', reasoning = %s,"
    f" fingerprint = %s, reused_from_id = %s"
    f" WHERE id = %s AND status IN ({_OWNED}) AND worker = %s AND attempt = %s AND started_at = %s"
)
_CLOSE = (
    f"UPDATE {ATTEMPTS} SET finished_at = %s, succeeded = %s, error = %s, backoff_s = %s"
    f" WHERE task_run_id = %s AND number = %s AND finished_at IS NULL"
)
# PostgreSQL takes the run's lock, marks the task and closes its attempt in one statement: the task's
# row is only reached once the EXISTS on the locked run has been evaluated, so the locks are taken in
# the usual order (run, then task), and a task that a cancel changed meanwhile no longer matches.
_LOCK_SUCCEED_CLOSE = (
    f"WITH locked AS (SELECT id FROM {RUNS} WHERE id = %s FOR UPDATE),"
    f" succeeded AS ({_SUCCEED} AND EXISTS (SELECT 1 FROM locked) RETURNING id),"
    f" closed AS ({_CLOSE.replace('task_run_id = %s', 'task_run_id IN (SELECT id FROM succeeded)')})"
    f" SELECT COUNT(*) FROM succeeded"
)


def succeed(claim: Claim, *, reasoning: str, fingerprint: str = "", reused_from_id: int | None = None) -> bool:
    """With the run locked, mark the claimed task succeeded and close its attempt; False, with nothing
    changed, when the claim is no longer current (see TaskRunQuerySet.owned_by). Call it in a transaction
    that goes on to hand the run over: the run's lock is held until that transaction ends."""
    now = _time(timezone.now())
    succeeding = [_SUCCEEDED, now, reasoning, fingerprint, reused_from_id, claim.task_run_id]
    succeeding += [claim.worker, claim.attempt, _time(claim.started_at)]
    closing = [now, True, "", None]
    if connection.vendor == "postgresql":
        [(count,)] = _rows(_LOCK_SUCCEED_CLOSE, [claim.run_id, *succeeding, *closing, claim.number])
        return bool(count)
    # SQLite has no row locks: its IMMEDIATE transaction already holds the write lock for the run.
    if not _count(_SUCCEED, succeeding):
        return False
    _count(_CLOSE, [*closing, claim.task_run_id, claim.number])
    return True


def close_attempt(claim: Claim, *, succeeded: bool, error: str, backoff_s: float | None) -> None:
    """End the attempt's record, unless something (a cancel) ended it already."""
    _count(_CLOSE, [_time(timezone.now()), succeeded, error, backoff_s, claim.task_run_id, claim.number])


def run_tasks(run_id: int, *, pending_only: bool = False) -> list[tuple[int, str, str, list[str], int]]:
    """Every task of the run: id, key, status, the keys it depends on, and its timeout. With
    `pending_only`, only a pending task's dependencies are read (the others' come as []): the
    hand-over needs no more, and decoding every task's list made it grow with the run's size."""
    rows = _rows(f'SELECT id, "key", status, depends_on, timeout_s FROM {TASKS} WHERE run_id = %s', [run_id])
    return [
        (pk, key, status, [] if pending_only and status != TaskStatus.PENDING else json.loads(depends_on), timeout_s)
        for pk, key, status, depends_on, timeout_s in rows
    ]


_PENDING, _QUEUED = _sources("queue")


def queue(task_run_ids: list[int]) -> set[int]:
    """Move the pending tasks among these to the queue; returns the ids it moved."""
    if not task_run_ids:
        return set()
    marks = ", ".join(["%s"] * len(task_run_ids))
    sql = (
        f"UPDATE {TASKS} SET status = %s, queued_at = %s WHERE id IN ({marks}) AND status IN ({_PENDING}) RETURNING id"
    )
    return {pk for (pk,) in _rows(sql, [_QUEUED, _time(timezone.now()), *task_run_ids])}
