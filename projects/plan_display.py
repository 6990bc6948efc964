"""What the pages show for a plan and its run: the layered DAG picture, task rows with their timing
bars, overall progress, and each project's one-word status. Built from at most a few queries,
however many tasks a plan has."""

from __future__ import annotations

import graphlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from itertools import combinations
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from agents.providers import Route, resolved, routable_agents, route_for
from orchestration.check_outcomes import checks_outcome, with_checks_outcome
from orchestration.models import PlanVersion, Run, TaskRun, TaskStatus

from .checks_panel import ChecksPanel, checks_key, checks_panel, find_verify_task
from .criteria_panel import CriteriaPanel, criteria_panel
from .models import Project

NODE_W = 224
TITLE_PX = NODE_W - 20  # a title line's room inside a node's padding
NARROW, WIDE = frozenset("fijlrtIJ.,:;'’-()/!| "), frozenset("mwMW&@")
LINE_H, TITLE_TOP, META_GAP, NODE_BOTTOM = 16, 20, 20, 12
LANE_H = 8  # the slot an edge takes in a column it crosses
COL_GAP, ROW_GAP, PAD = 56, 18, 10
PROGRESS_SHOWN = 8  # the latest files of a streamed answer a task shows while it runs


@dataclass
class TaskRow:
    key: str
    title: str
    agent: str
    instructions: str
    depends_on: list[str]
    waits_for: list[str] = field(default_factory=list)  # titles of depends_on, for people
    model: str = ""  # the provider and model its agent calls, for people ("Gemini, gemini-2.5-pro"); "" offline
    status: str = "planned"
    status_label: str = "Planned"
    attempt: int = 0
    max_attempts: int = 0
    reasoning: str = ""
    error: str = ""
    note: str = ""  # "Reused from run 4 …", or the files a streamed answer has produced so far
    bar_left: float = 0.0
    bar_width: float = 0.0
    timing: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "status": self.status,
            "status_label": self.status_label,
            "attempt": self.attempt,
            "max_attempts": self.max_attempts,
            "reasoning": self.reasoning,
            "error": self.error,
            "note": self.note,
            "bar_left": self.bar_left,
            "bar_width": self.bar_width,
            "timing": self.timing,
        }


@dataclass
class Node:
    row: TaskRow
    x: int
    y: int
    lines: list[str]  # the whole title, wrapped

    @property
    def title_lines(self) -> list[tuple[int, str]]:
        return [(TITLE_TOP + i * LINE_H, line) for i, line in enumerate(self.lines)]

    @property
    def meta_y(self) -> int:
        return TITLE_TOP + (len(self.lines) - 1) * LINE_H + META_GAP


@dataclass
class Edge:
    source: str
    target: str
    d: str  # SVG path data


@dataclass
class DagPicture:
    nodes: list[Node]
    edges: list[Edge]  # one per dependency
    width: int
    height: int
    node_h: int  # every node as tall as the one with the longest title
    node_w: int = NODE_W


@dataclass
class Progress:
    total: int
    finished: int
    succeeded: int
    failed: int
    skipped: int = 0

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
    verify_task: TaskRun | None = None  # the run's verify task; None without a run, or in plans made before it
    picture: DagPicture = field(init=False)

    def __post_init__(self) -> None:
        self.picture = layered_picture(self.rows)
        titles = {row.key: row.title for row in self.rows}
        for row in self.rows:
            row.waits_for = [titles.get(key, key) for key in row.depends_on]

    @property
    def run_active(self) -> bool:
        return self.run is not None and self.run.is_active

    @cached_property
    def checks(self) -> ChecksPanel | None:
        """The run's Checks panel; None when its plan has no verify task."""
        return checks_panel(self.verify_task) if self.verify_task else None

    @cached_property
    def criteria(self) -> CriteriaPanel | None:
        """ "What it must do": the version's criteria, with what the run's checks proved of them once they began."""
        checked = self.verify_task is not None and self.verify_task.started_at is not None
        return criteria_panel(self.version, self.run if checked else None)

    @property
    def checks_key(self) -> str:
        """What the page's poller compares to know whether the Checks panel changed (see checks_key)."""
        return checks_key(self.verify_task) if self.verify_task else ""

    @property
    def has_failed_tasks(self) -> bool:
        return any(row.status == TaskStatus.FAILED for row in self.rows)

    @property
    def outcome(self) -> str:
        """The shown run's state for its colour: active, succeeded, failed or cancelled."""
        return "active" if self.run_active else self.run.status

    @property
    def status_line(self) -> str:
        """The shown run in one sentence, so that its state never rests on the bar's colour alone."""
        run, progress = self.run, self.progress
        if run.status == Run.Status.FAILED:
            parts = (
                [f"{progress.failed} of {progress.total} tasks failed"]
                if progress.failed
                else ["it stopped before its tasks finished"]
            )
            if progress.skipped:
                parts.append(f"{progress.skipped} {'was' if progress.skipped == 1 else 'were'} skipped")
            return f"Run {run.pk} failed: {' and '.join(parts)}."
        if run.status == Run.Status.CANCELLED:
            return f"Run {run.pk} was cancelled: {progress.succeeded} of {progress.total} tasks had succeeded; the others stopped."
        if run.status == Run.Status.SUCCEEDED:
            return f"Run {run.pk} succeeded: all {progress.total} tasks finished."
        return f"Run {run.pk}: {run.get_status_display()} — {progress.summary} ({progress.percent} %)."

    @property
    def bar_label(self) -> str:
        """Beside the bar: how far a run got, or in words that it failed or was cancelled."""
        if self.outcome in (Run.Status.FAILED, Run.Status.CANCELLED):
            return self.run.get_status_display()
        return f"{self.progress.percent} %"

    @property
    def legend(self) -> list[tuple[str, str]]:
        """Every status a task can be shown with: planned without a run, the run statuses with one."""
        return TaskStatus.choices if self.run else [("planned", "Planned")]


Slot = str | tuple[str, str, int]  # a task's key, or a lane (from, to, column) of an edge crossing that column


def layered_picture(rows: list[TaskRow]) -> DagPicture:
    """Columns by longest path from a root (graphlib's order puts dependencies first). An edge that
    spans several columns gets a lane in each column it crosses and is drawn along it, so it passes
    between the nodes there, never through one; barycentre sweeps order each column to reduce crossings."""
    by_key = {row.key: row for row in rows}
    graph = {row.key: [d for d in row.depends_on if d in by_key] for row in rows}
    layer: dict[str, int] = {}
    for key in graphlib.TopologicalSorter(graph).static_order():
        layer[key] = 1 + max((layer[d] for d in graph[key]), default=-1)
    columns: list[list[Slot]] = [[] for _ in range(max(layer.values(), default=-1) + 1)]
    for row in rows:
        columns[layer[row.key]].append(row.key)
    chains: list[list[Slot]] = []
    for key, deps in graph.items():
        for dep in deps:
            lanes = [(dep, key, column) for column in range(layer[dep] + 1, layer[key])]
            for lane in lanes:
                columns[lane[2]].append(lane)
            chains.append([dep, *lanes, key])
    links = [link for chain in chains for link in zip(chain, chain[1:])]
    columns = _fewest_crossings(columns, links)

    lines = {row.key: _wrap(row.title) for row in rows}
    node_h = TITLE_TOP + (max(map(len, lines.values()), default=1) - 1) * LINE_H + META_GAP + NODE_BOTTOM

    def slot_h(slot: Slot) -> int:
        return node_h if isinstance(slot, str) else LANE_H

    column_h = [sum(map(slot_h, column)) + ROW_GAP * max(len(column) - 1, 0) for column in columns]
    tallest = max(column_h, default=0)
    top: dict[Slot, int] = {}
    for index, column in enumerate(columns):
        y = PAD + (tallest - column_h[index]) // 2
        for slot in column:
            top[slot] = y
            y += slot_h(slot) + ROW_GAP

    def left(column: int) -> int:
        return PAD + column * (NODE_W + COL_GAP)

    nodes = [Node(row, left(layer[row.key]), top[row.key], lines[row.key]) for row in rows]
    edges = []
    for source, *lanes, target in chains:
        points = [(left(layer[source]) + NODE_W, top[source] + node_h // 2)]
        for lane in lanes:
            points += [(left(lane[2]), top[lane] + LANE_H // 2), (left(lane[2]) + NODE_W, top[lane] + LANE_H // 2)]
        points.append((left(layer[target]) - 4, top[target] + node_h // 2))  # room for the arrow head
        edges.append(Edge(source, target, _path(points)))
    width = PAD * 2 + len(columns) * NODE_W + max(len(columns) - 1, 0) * COL_GAP
    return DagPicture(nodes, edges, width, tallest + PAD * 2, node_h)


def _title_px(text: str) -> float:
    """About how wide `text` is at the title's 13 px bold in DejaVu Sans (Debian's system-ui), the
    widest usual fallback: capitals, m and w are wider, i, l, t and punctuation narrower."""
    return sum(5.5 if c in NARROW else 14 if c in WIDE else 11 if c.isupper() else 9.3 for c in text)


def _wrap(title: str) -> list[str]:
    """The whole title in lines that fit a node, broken between words, inside a word only when it alone is too wide."""
    lines: list[str] = []
    for word in title.split():
        if lines and _title_px(f"{lines[-1]} {word}") <= TITLE_PX:
            lines[-1] += f" {word}"
            continue
        while _title_px(word) > TITLE_PX:
            cut = max(n for n in range(1, len(word)) if _title_px(word[:n]) <= TITLE_PX)
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    return lines or [""]


def _path(points: list[tuple[int, int]]) -> str:
    """SVG path data through `points`: an S-curve across each gap between columns, leaving and
    arriving level so it stays inside the gap, and a straight line along each lane."""
    (x, y), *rest = points
    d = f"M{x},{y}"
    for i, (x2, y2) in enumerate(rest):
        bend = (x2 - x) // 2
        d += f" L{x2},{y2}" if i % 2 else f" C{x + bend},{y} {x2 - bend},{y2} {x2},{y2}"
        x, y = x2, y2
    return d


def _fewest_crossings(columns: list[list[Slot]], links: list[tuple[Slot, Slot]], sweeps: int = 8) -> list[list[Slot]]:
    """Sort each column by the average position of its neighbours in the column before (sweeping
    right) or after (sweeping left); keep the order with the fewest crossing links."""
    before: dict[Slot, list[Slot]] = defaultdict(list)
    after: dict[Slot, list[Slot]] = defaultdict(list)
    for a, b in links:
        after[a].append(b)
        before[b].append(a)
    columns = [list(column) for column in columns]
    best, fewest = [list(c) for c in columns], _crossings(columns, links)
    for sweep in range(sweeps):
        rightwards = sweep % 2 == 0
        order = range(1, len(columns)) if rightwards else range(len(columns) - 2, -1, -1)
        neighbours = before if rightwards else after
        for i in order:
            position = {slot: n for n, slot in enumerate(columns[i - 1 if rightwards else i + 1])}
            # A slot with no neighbours on that side keeps its place.
            barycentres = [
                sum(position[n] for n in neighbours[slot]) / len(neighbours[slot]) if neighbours[slot] else own
                for own, slot in enumerate(columns[i])
            ]
            columns[i] = [
                slot for _, slot in sorted(zip(barycentres, columns[i], strict=True), key=lambda pair: pair[0])
            ]
        crossings = _crossings(columns, links)
        if crossings < fewest:
            best, fewest = [list(c) for c in columns], crossings
    return best


def _crossings(columns: list[list[Slot]], links: list[tuple[Slot, Slot]]) -> int:
    """How many pairs of links between the same two columns cross."""
    place = {slot: (index, n) for index, column in enumerate(columns) for n, slot in enumerate(column)}
    return sum(
        place[a1][0] == place[a2][0] and (place[a1][1] - place[a2][1]) * (place[b1][1] - place[b2][1]) < 0
        for (a1, b1), (a2, b2) in combinations(links, 2)
    )


def build_board(version: PlanVersion, run: Run | None = None, *, now: datetime | None = None) -> Board:
    if run is None:
        project = version.project
        rows = [_planned_row(task, project) for task in version.tasks]
        return Board(version, None, rows, None)
    task_runs = list(run.task_runs.select_related("reused_from"))
    rows = [_run_row(t, run, now or timezone.now()) for t in task_runs]
    return Board(version, run, rows, _progress(task_runs), find_verify_task(task_runs))


def _planned_row(task: dict[str, Any], project: Project) -> TaskRow:
    """A task of a plan not run (yet): the model its agent would call if the plan ran now."""
    route = resolved(route_for(task["agent"], project_provider=project.provider, project_routes=project.llm_routes))
    return TaskRow(
        task["key"],
        task["title"],
        task["agent"],
        task.get("instructions", ""),
        list(task.get("depends_on", [])),
        model=_model_label(task["agent"], route),
    )


def _model_label(agent: str, route: Route) -> str:
    """Nothing for an agent that calls no model (verify) or calls none here (offline)."""
    if agent not in routable_agents() or route.offline or not route.provider:
        return ""
    return route.label


def _note(task: TaskRun) -> str:
    if task.reused_from is not None:
        return (
            f"Reused from run {task.reused_from.run_id}: its inputs are the same as there, so no model was asked "
            "and nothing was generated again."
        )
    if task.status == TaskStatus.RUNNING and task.progress:
        shown = ", ".join(task.progress[-PROGRESS_SHOWN:])
        more = f" (and {len(task.progress) - PROGRESS_SHOWN} before)" if len(task.progress) > PROGRESS_SHOWN else ""
        return f"Files so far: {shown}{more}."
    return ""


def _run_row(task: TaskRun, run: Run, now: datetime) -> TaskRow:
    row = TaskRow(
        task.key,
        task.title,
        task.agent,
        task.instructions,
        list(task.depends_on),
        status=task.status,
        status_label=task.get_status_display(),
        attempt=task.attempt,
        max_attempts=task.max_attempts,
        reasoning=task.reasoning,
        error=task.error,
        # Runs started before tasks kept their route called the run's provider.
        model=_model_label(task.agent, Route(task.provider or run.provider, task.model)),
        note=_note(task),
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
        skipped=statuses.count(TaskStatus.SKIPPED),
    )


def status_payload(project: Project, board: Board | None) -> dict[str, Any]:
    """What the project page's poller needs: planning state, and the shown run's progress and tasks."""
    payload: dict[str, Any] = {
        "planning": {
            "status": project.planning_status,
            "label": project.get_planning_status_display(),
            "error": project.planning_error,
        },
        "version": board.version.number if board else None,
        "run": None,
    }
    if board and board.run:
        progress = board.progress
        payload["run"] = {
            "id": board.run.pk,
            "status": board.run.status,
            "status_label": board.run.get_status_display(),
            "active": board.run_active,
            "outcome": board.outcome,
            "percent": progress.percent,
            "bar_label": board.bar_label,
            "summary": board.status_line,
            "tasks": [row.as_json() for row in board.rows],
        }
    return payload


@dataclass
class ProjectStatus:
    code: str
    label: str
    percent: int | None = None
    checks: str = ""  # "passed" or "failed": how the finished run's checks ended, when it has any


def with_latest_activity(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Annotate each project with its latest plan version number and its latest run's id."""
    latest_version = PlanVersion.objects.filter(project=OuterRef("pk")).order_by("-number").values("number")[:1]
    latest_run = (
        Run.objects.filter(plan_version__project=OuterRef("pk")).order_by("-created_at", "-id").values("pk")[:1]
    )
    return projects.annotate(latest_version=Subquery(latest_version), latest_run_id=Subquery(latest_run))


def project_statuses(projects: list[Project]) -> dict[int, ProjectStatus]:
    """Each project's status for the list, and how its last run's checks ended, from `with_latest_activity`
    plus one query for the runs."""
    run_ids = [p.latest_run_id for p in projects if p.latest_run_id]
    runs = (
        with_checks_outcome(Run.objects.filter(pk__in=run_ids))
        .select_related("plan_version")
        .annotate(total=Count("task_runs"), done=Count("task_runs", filter=Q(task_runs__status__in=TaskRun.FINISHED)))
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
    if run.is_active:
        percent = round(100 * run.done / run.total) if run.total else 0
        return ProjectStatus("running", f"Running {percent} %", percent)
    return ProjectStatus(run.status, run.get_status_display(), checks=checks_outcome(run))
