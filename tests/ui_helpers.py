"""Plan versions, runs and files made directly in the database, for tests of what the pages show."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from html.parser import HTMLParser

from django.utils import timezone

from orchestration.models import ACTIVE_RUN_STATUSES, Artifact, Check, PlanVersion, Run, TaskAttempt, TaskRun
from projects.models import Project

AGENTS = ["backend", "frontend", "tests", "docs", "devops"]


def plan_tasks(count: int = 5) -> list[dict]:
    """An architect first; every other task waits for it, and every fourth one also for the task before it."""
    tasks = [
        {
            "key": "architect",
            "title": "Design the data model",
            "agent": "architect",
            "instructions": "Write the spec.",
            "depends_on": [],
            "scope": [],
            "timeout_s": None,
        }
    ]
    for i in range(1, count):
        depends = ["architect"] + ([tasks[-1]["key"]] if i % 4 == 0 and i > 1 else [])
        agent = AGENTS[(i - 1) % len(AGENTS)]
        tasks.append(
            {
                "key": f"{agent}-{i}",
                "title": f"Write the {agent} part {i}",
                "agent": agent,
                "instructions": f"Do step {i}.",
                "depends_on": sorted(set(depends)),
                "scope": [],
                "timeout_s": None,
            }
        )
    return tasks


def make_version(
    project: Project,
    *,
    tasks: list[dict] | None = None,
    user=None,
    source: str = "offline",
    reasoning: str = "The request names customers and dogs.",
    feedback: str = "",
    spec: dict | None = None,
) -> PlanVersion:
    latest = project.plan_versions.order_by("-number").first()
    return PlanVersion.objects.create(
        project=project,
        number=(latest.number + 1) if latest else 1,
        parent=latest,
        source=source,
        created_by=user,
        reasoning=reasoning,
        feedback=feedback,
        tasks=tasks if tasks is not None else plan_tasks(),
        spec=spec,
    )


def make_run(
    version: PlanVersion, *, statuses: dict[str, str] | None = None, status: str = Run.Status.RUNNING, user=None
) -> Run:
    """A run of the version; tasks named in `statuses` get that status, with start and end times
    one second apart in plan order, so their timing bars differ."""
    start = timezone.now() - timedelta(seconds=60)
    finished = status not in ACTIVE_RUN_STATUSES
    run = Run.objects.create(
        plan_version=version,
        status=status,
        triggered_by=user,
        started_at=start,
        finished_at=start + timedelta(seconds=50) if finished else None,
    )
    statuses = statuses or {}
    for i, task in enumerate(version.tasks):
        task_status = statuses.get(task["key"], TaskRun.Status.PENDING)
        begun = task_status not in (TaskRun.Status.PENDING, TaskRun.Status.QUEUED, TaskRun.Status.SKIPPED)
        TaskRun.objects.create(
            run=run,
            key=task["key"],
            agent=task["agent"],
            title=task["title"],
            instructions=task["instructions"],
            depends_on=task["depends_on"],
            status=task_status,
            attempt=1 if begun else 0,
            started_at=start + timedelta(seconds=i) if begun else None,
            finished_at=start + timedelta(seconds=i + 1) if task_status in TaskRun.FINISHED and begun else None,
            error="The agent stopped: the spec names no entities." if task_status == TaskRun.Status.FAILED else "",
            reasoning=f"Chose a layout for {task['key']}." if task_status == TaskRun.Status.SUCCEEDED else "",
        )
    return run


def make_artifact(run: Run, path: str, content: str, *, task_key: str = "architect") -> Artifact:
    data = content.encode()
    return Artifact.objects.create(
        run=run,
        task_run=run.task_runs.get(key=task_key),
        path=path,
        content=content,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )


BACKEND_TASK = {
    "key": "backend-1",
    "title": "Build the API",
    "agent": "backend",
    "instructions": "Write it.",
    "depends_on": [],
    "scope": [],
    "timeout_s": None,
}
VERIFY_TASK = {
    "key": "verify",
    "title": "Build and test the project",
    "agent": "verify",
    "instructions": "Run the checks.",
    "depends_on": ["backend-1"],
    "scope": [],
    "timeout_s": None,
}


def make_verified_run(
    project: Project,
    *,
    verify: str = TaskRun.Status.SUCCEEDED,
    status: str = Run.Status.SUCCEEDED,
    reasoning: str = "",
    error: str = "",
) -> Run:
    """A run of backend → verify, the verify task in the `verify` state with its first attempt opened once it started."""
    run = make_run(
        make_version(project, tasks=[BACKEND_TASK, VERIFY_TASK]),
        statuses={"backend-1": TaskRun.Status.SUCCEEDED, "verify": verify},
        status=status,
    )
    task = run.task_runs.get(key="verify")
    TaskRun.objects.filter(pk=task.pk).update(reasoning=reasoning, error=error)
    if task.started_at:
        TaskAttempt.objects.create(
            task_run=task,
            number=1,
            started_at=task.started_at,
            error=error,
            succeeded={TaskRun.Status.SUCCEEDED: True, TaskRun.Status.FAILED: False}.get(verify),
        )
    return run


def make_check(
    run: Run,
    name: str,
    *,
    part: str = "backend",
    passed: bool = True,
    round: int = 0,
    attempt: int = 1,
    counts: dict | None = None,
    output: str = "",
    note: str = "",
) -> Check:
    """A check of the run's verify task, as the verify agent records it."""
    return Check.objects.create(
        run=run,
        task_run=run.task_runs.get(key="verify"),
        attempt=attempt,
        round=round,
        part=part,
        name=name,
        command=f"npm run {name}",
        status=Check.Status.PASSED if passed else Check.Status.FAILED,
        duration_s=12.34,
        exit_code=0 if passed else 2,
        counts=counts or {},
        output=output,
        note=note,
    )


def make_repair(run: Run, round: int, *, succeeded: bool = True, reasoning: str = "", error: str = "") -> TaskAttempt:
    """A finished repair attempt of the run's backend task, in repair round `round`."""
    backend = run.task_runs.get(key="backend-1")
    now = timezone.now()
    return TaskAttempt.objects.create(
        task_run=backend,
        number=backend.attempts.count() + 2,
        started_at=now,
        finished_at=now,
        succeeded=succeeded,
        repair_round=round,
        reasoning=reasoning,
        error=error,
    )


class _FormReader(HTMLParser):
    """What a browser would submit from the page's forms: text, hidden and checked inputs, selected options, text areas."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name")
        if tag == "input" and name and a.get("type", "text") not in ("submit", "button"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.data[name] = a.get("value", "on" if a.get("type") == "checkbox" else "")
        elif tag == "select" and name:
            self._select, self._select_first = name, None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
                self.data.setdefault(self._select, value)
            if "selected" in a:
                self.data[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += data


def form_data(page: str) -> dict[str, str]:
    """The fields of the page's forms as a browser would post them untouched (csrf token aside)."""
    reader = _FormReader()
    reader.feed(page)
    reader.data.pop("csrfmiddlewaretoken", None)
    return reader.data
