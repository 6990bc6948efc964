"""What the pages show for a plan and its run: the layered DAG picture, task rows with their timing
bars, overall progress, and each project's one-word status. Built from at most a few queries,
however many tasks a plan has."""

from __future__ import annotations

import graphlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.text import Truncator

from orchestration.models import PlanVersion, Run, TaskRun, TaskStatus

from .models import Project

NODE_W, NODE_H = 196, 54
COL_GAP, ROW_GAP, PAD = 56, 18, 10
ACTIVE_RUN = (Run.Status.PENDING, Run.Status.RUNNING)


@dataclass
class TaskRow:
    key: str
    title: str
    agent: str
    instructions: str
    depends_on: list[str]
    waits_for: list[str] = field(default_factory=list)  # titles of depends_on, for people
    status: str = "planned"
    status_label: str = "Planned"
    attempt: int = 0
    max_attempts: int = 0
    reasoning: str = ""
    error: str = ""
    bar_left: float = 0.0
    bar_width: float = 0.0
    timing: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key, "status": self.status, "status_label": self.status_label, "attempt": self.attempt,
            "max_attempts": self.max_attempts, "reasoning": self.reasoning, "error": self.error,
            "bar_left": self.bar_left, "bar_width": self.bar_width, "timing": self.timing,
        }


@dataclass
class Node:
    row: TaskRow
    x: int
    y: int
    label: str


@dataclass
class DagPicture:
    nodes: list[Node]
    edges: list[str]  # SVG path data, one per dependency
    width: int
    height: int
    node_w: int = NODE_W
    node_h: int = NODE_H


@dataclass
class Progress:
    total: int
    finished: int
    succeeded: int
    failed: int

    @property
    def percent(self) -> int:
        return round(100 * self.finished / self.total) if self.total else 0

    @property
    def summary(self) -> str:
        parts = [f"{self.finished} of {self.total} tasks finished"]
        if self.failed:
            parts.append(f"{self.failed} failed")
        return ", ".join(parts)


@dataclass
class Board:
    """One plan version, and optionally one run of it, ready for a template or the status endpoint."""

    version: PlanVersion
    run: Run | None
    rows: list[TaskRow]
    progress: Progress | None
    picture: DagPicture = field(init=False)

    def __post_init__(self) -> None:
        self.picture = layered_picture(self.rows)
        titles = {row.key: row.title for row in self.rows}
        for row in self.rows:
            row.waits_for = [titles.get(key, key) for key in row.depends_on]

    @property
    def run_active(self) -> bool:
        return self.run is not None and self.run.status in ACTIVE_RUN

    @property
    def has_failed_tasks(self) -> bool:
        return any(row.status == TaskStatus.FAILED for row in self.rows)


def layered_picture(rows: list[TaskRow]) -> DagPicture:
    """Columns by longest path from a root (graphlib's order guarantees dependencies come
    first); within a column, nodes sit near the average row of what they depend on."""
    by_key = {row.key: row for row in rows}
    graph = {row.key: [d for d in row.depends_on if d in by_key] for row in rows}
    layer: dict[str, int] = {}
    for key in graphlib.TopologicalSorter(graph).static_order():
        layer[key] = 1 + max((layer[d] for d in graph[key]), default=-1)
    columns: list[list[str]] = [[] for _ in range(max(layer.values(), default=-1) + 1)]
    for row in rows:
        columns[layer[row.key]].append(row.key)
    slot: dict[str, int] = {}
    for column in columns:
        column.sort(key=lambda k: sum(slot[d] for d in graph[k]) / len(graph[k]) if graph[k] else -1)
        slot.update((key, i) for i, key in enumerate(column))
    tallest = max((len(c) for c in columns), default=0)
    height = PAD * 2 + tallest * NODE_H + max(tallest - 1, 0) * ROW_GAP
    position: dict[str, tuple[int, int]] = {}
    for index, column in enumerate(columns):
        top = (height - len(column) * NODE_H - (len(column) - 1) * ROW_GAP) // 2
        for i, key in enumerate(column):
            position[key] = (PAD + index * (NODE_W + COL_GAP), top + i * (NODE_H + ROW_GAP))
    nodes = [Node(row, *position[row.key], Truncator(row.title).chars(23)) for row in rows]
    edges = [_edge(position[d], position[key]) for key in graph for d in graph[key]]
    width = PAD * 2 + len(columns) * NODE_W + max(len(columns) - 1, 0) * COL_GAP
    return DagPicture(nodes, edges, width, height)


def _edge(start: tuple[int, int], end: tuple[int, int]) -> str:
    x1, y1 = start[0] + NODE_W, start[1] + NODE_H // 2
    x2, y2 = end[0] - 4, end[1] + NODE_H // 2
    bend = (x2 - x1) // 2
    return f"M{x1},{y1} C{x1 + bend},{y1} {x2 - bend},{y2} {x2},{y2}"


def build_board(version: PlanVersion, run: Run | None = None, *, now: datetime | None = None) -> Board:
    if run is None:
        rows = [_planned_row(task) for task in version.tasks]
        return Board(version, None, rows, None)
    task_runs = list(run.task_runs.all())
    rows = [_run_row(t, run, now or timezone.now()) for t in task_runs]
    return Board(version, run, rows, _progress(task_runs))


def _planned_row(task: dict[str, Any]) -> TaskRow:
    return TaskRow(task["key"], task["title"], task["agent"], task.get("instructions", ""), list(task.get("depends_on", [])))


def _run_row(task: TaskRun, run: Run, now: datetime) -> TaskRow:
    row = TaskRow(
        task.key, task.title, task.agent, task.instructions, list(task.depends_on),
        status=task.status, status_label=task.get_status_display(), attempt=task.attempt,
        max_attempts=task.max_attempts, reasoning=task.reasoning, error=task.error,
    )
    origin = run.started_at or run.created_at
    span = max(((run.finished_at or now) - origin).total_seconds(), 1.0)
    if task.started_at:
        begun = (task.started_at - origin).total_seconds()
        took = ((task.finished_at or now) - task.started_at).total_seconds()
        row.bar_left = round(max(begun, 0) / span * 100, 2)
        row.bar_width = round(max(min(took / span * 100, 100 - row.bar_left), 0.5), 2)
        verb = "took" if task.finished_at else "running for"
        row.timing = f"started {_duration(timedelta(seconds=begun))} after the run began, {verb} {_duration(timedelta(seconds=took))}"
    return row


def _duration(delta: timedelta) -> str:
    seconds = max(delta.total_seconds(), 0)
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60)} s"


def _progress(task_runs: list[TaskRun]) -> Progress:
    statuses = [t.status for t in task_runs]
    return Progress(
        total=len(statuses),
        finished=sum(s in TaskRun.FINISHED for s in statuses),
        succeeded=statuses.count(TaskStatus.SUCCEEDED),
        failed=statuses.count(TaskStatus.FAILED),
    )


def status_payload(project: Project, board: Board | None) -> dict[str, Any]:
    """What the project page's poller needs: planning state, and the shown run's progress and tasks."""
    payload: dict[str, Any] = {
        "planning": {"status": project.planning_status, "label": project.get_planning_status_display(), "error": project.planning_error},
        "version": board.version.number if board else None,
        "run": None,
    }
    if board and board.run:
        progress = board.progress
        payload["run"] = {
            "id": board.run.pk, "status": board.run.status, "status_label": board.run.get_status_display(),
            "active": board.run_active, "percent": progress.percent, "summary": progress.summary,
            "tasks": [row.as_json() for row in board.rows],
        }
    return payload


@dataclass
class ProjectStatus:
    code: str
    label: str
    percent: int | None = None


def with_latest_activity(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Annotate each project with its latest plan version number and its latest run's id."""
    latest_version = PlanVersion.objects.filter(project=OuterRef("pk")).order_by("-number").values("number")[:1]
    latest_run = Run.objects.filter(plan_version__project=OuterRef("pk")).order_by("-created_at", "-id").values("pk")[:1]
    return projects.annotate(latest_version=Subquery(latest_version), latest_run_id=Subquery(latest_run))


def project_statuses(projects: list[Project]) -> dict[int, ProjectStatus]:
    """Each project's status for the list, from `with_latest_activity` plus one query for the runs."""
    run_ids = [p.latest_run_id for p in projects if p.latest_run_id]
    runs = Run.objects.filter(pk__in=run_ids).select_related("plan_version").annotate(
        total=Count("task_runs"), done=Count("task_runs", filter=Q(task_runs__status__in=TaskRun.FINISHED))
    )
    runs_by_id = {run.pk: run for run in runs}
    return {p.pk: _project_status(p, runs_by_id.get(p.latest_run_id)) for p in projects}


def _project_status(project: Project, run: Run | None) -> ProjectStatus:
    if project.planning_status == Project.PlanningStatus.PLANNING:
        return ProjectStatus("planning", "Planning")
    if project.planning_status == Project.PlanningStatus.FAILED:
        return ProjectStatus("failed", "Planning failed")
    if project.latest_version is None:
        return ProjectStatus("idle", "No plan yet")
    if run is None or run.plan_version.number != project.latest_version:
        return ProjectStatus("ready", "Plan ready")
    if run.status in ACTIVE_RUN:
        percent = round(100 * run.done / run.total) if run.total else 0
        return ProjectStatus("running", f"Running {percent} %", percent)
    return ProjectStatus(run.status, run.get_status_display())
