from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max, Q
from django.utils import timezone

from agents.checks import PART_WORDS, check_words
from agents.spec import Spec
from agents.spec_words import SpecWords, describe
from agents.stacks import get_stack

from .plan_diff import PlanDiff, diff_tasks
from .spec_diff import spec_changes


def _choices_check(field: str, choices: type[models.TextChoices], name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


class ImmutableModel(models.Model):
    """A record that is written once: later saves and deletes of a stored row are refused."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError(f"{self._meta.verbose_name} is immutable once saved.")
        super().save(*args, **kwargs)


class PlanSource(models.TextChoices):
    LLM = "llm", "LLM"
    OFFLINE = "offline", "Offline planner"
    EDIT = "edit", "Manual edit"
    MODEL = "model", "Data model edit"
    REPLAN = "replan", "Re-plan with feedback"


class RunStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class TaskStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    RETRY_WAIT = "retry_wait", "Waiting to retry"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"
    CANCELLED = "cancelled", "Cancelled"


class PlanVersion(ImmutableModel):
    Source = PlanSource

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="plan_versions")
    number = models.PositiveIntegerField()
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    source = models.CharField(max_length=10, choices=PlanSource.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    feedback = models.TextField(blank=True)
    reasoning = models.TextField(blank=True)
    tasks = models.JSONField(help_text="The validated plan: a list of task objects.")
    spec = models.JSONField(
        null=True,
        blank=True,
        help_text="What the project contains (agents.spec.Spec), computed once when the version was planned; "
        "empty for versions made before versions kept their spec.",
    )
    spec_edited = models.BooleanField(
        default=False,
        help_text="A person set the spec in the data-model editor (in this version or the one it was edited from): "
        "the architect writes it as it is, even with a model.",
    )
    provider = models.CharField(max_length=20, blank=True)
    model = models.CharField(max_length=100, blank=True)
    tokens_in = models.PositiveIntegerField(default=0)
    tokens_out = models.PositiveIntegerField(default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="planversion_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="planversion_number_positive"),
            _choices_check("source", PlanSource, "planversion_valid_source"),
        ]

    def __str__(self) -> str:
        return f"{self.project} v{self.number}"

    def spec_model(self) -> Spec | None:
        """The stored spec, validated; None for a version made before versions kept their spec."""
        return None if self.spec is None else Spec.model_validate(self.spec)

    def not_built(self) -> list[str]:
        """What the planner said, in plain words, this version will not build (a game's play, reminders)."""
        return list((self.spec or {}).get("not_built", []))

    def described(self) -> SpecWords | None:
        """What the version will build, in plain words; None for a version made before versions kept their spec."""
        spec = self.spec_model()
        return None if spec is None else describe(spec, self.tasks)

    def built_with(self) -> str:
        """The stacks the version is planned for, in words: "<back-end label> (back end) and <front-end
        label> (website)"; empty for a version made before versions kept their spec."""
        spec = self.spec_model()
        if spec is None:
            return ""
        parts = [f"{get_stack(spec.stack.backend).label} (back end)"] if spec.has_backend else []
        if spec.frontend:
            parts.append(f"{get_stack(spec.stack.frontend).label} (website)")
        return " and ".join(parts)

    def diff(self, other: PlanVersion) -> PlanDiff:
        """What changed going from this version to `other`: the app in plain words, then tasks added, removed
        and changed, edges, and a text diff."""
        labels = {"old_label": f"version {self.number}", "new_label": f"version {other.number}"}
        app_changes = spec_changes(self.spec_model(), other.spec_model(), **labels)
        return diff_tasks(self.tasks, other.tasks, **labels, app_changes=app_changes)

    def changes(self) -> PlanDiff | None:
        """What changed since the version this one was made from; None for a first version."""
        return self.parent.diff(self) if self.parent else None


UNFINISHED_TASK_STATUSES = (TaskStatus.PENDING, TaskStatus.QUEUED, TaskStatus.RUNNING, TaskStatus.RETRY_WAIT)
ACTIVE_RUN_STATUSES = (RunStatus.PENDING, RunStatus.RUNNING)


class RunQuerySet(models.QuerySet):
    def lock(self, run_id: int) -> Run:
        """The run, its row locked until the transaction ends. Every change to a run's DAG takes
        this lock first, so two tasks finishing at once each see the other's result (otherwise both
        could read a sibling as unfinished and leave their common successor pending for ever).
        SQLite ignores it: its IMMEDIATE transactions already serialise all writers."""
        return self.select_for_update().get(pk=run_id)

    def active(self) -> RunQuerySet:
        return self.filter(status__in=ACTIVE_RUN_STATUSES)

    def cancel(self) -> int:
        return self.active().update(status=RunStatus.CANCELLED, finished_at=timezone.now())

    def finish_if_done(self, run_id: int, statuses: set[str] | None = None) -> bool:
        """End a running run once none of its tasks can still run: failed if any task failed, else
        succeeded. `statuses`: the tasks' statuses, when the caller read them under the run's lock."""
        if statuses is None:
            statuses = set(TaskRun.objects.filter(run_id=run_id).values_list("status", flat=True))
        if statuses & set(UNFINISHED_TASK_STATUSES):
            return False
        status = RunStatus.FAILED if TaskStatus.FAILED in statuses else RunStatus.SUCCEEDED
        return bool(self.filter(pk=run_id, status=RunStatus.RUNNING).update(status=status, finished_at=timezone.now()))

    def reopen(self) -> int:
        """A finished (or still running) run runs again, for a retry of its failed tasks."""
        return self.filter(status__in=[RunStatus.FAILED, RunStatus.RUNNING]).update(
            status=RunStatus.RUNNING, finished_at=None
        )


# Every change of a task's status, by the TaskRunQuerySet method that makes it (claim, mark_succeeded
# and queue, which every attempt makes, are statements.py's functions of those names): the statuses it
# may leave and the one it enters. No other change of status is made anywhere.
TASK_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "queue": (frozenset({TaskStatus.PENDING}), TaskStatus.QUEUED),  # its dependencies have all succeeded
    "skip": (frozenset({TaskStatus.PENDING}), TaskStatus.SKIPPED),  # a dependency failed for good
    "claim": (frozenset({TaskStatus.QUEUED}), TaskStatus.RUNNING),
    "mark_succeeded": (frozenset({TaskStatus.RUNNING}), TaskStatus.SUCCEEDED),
    "mark_retry_wait": (frozenset({TaskStatus.RUNNING}), TaskStatus.RETRY_WAIT),
    "mark_requeued": (frozenset({TaskStatus.RUNNING}), TaskStatus.QUEUED),  # its worker died: no fault of the task's
    "mark_failed": (frozenset({TaskStatus.RUNNING}), TaskStatus.FAILED),
    "release_retries": (frozenset({TaskStatus.RETRY_WAIT}), TaskStatus.QUEUED),
    "cancel": (frozenset(UNFINISHED_TASK_STATUSES), TaskStatus.CANCELLED),
    "reset": (frozenset({TaskStatus.FAILED, TaskStatus.SKIPPED}), TaskStatus.PENDING),  # retry_failed starts them over
}


class TaskRunQuerySet(models.QuerySet):
    """Every change of a task's status: each one a single conditional UPDATE of the rows in a status
    TASK_TRANSITIONS lets it leave, returning the rows it changed, so a caller whose precondition no
    longer holds (another process got there first) sees 0 and changes nothing."""

    def _move(self, transition: str, **fields) -> int:
        sources, target = TASK_TRANSITIONS[transition]
        return self.filter(status__in=sources).update(status=target, **fields)

    def unfinished(self) -> TaskRunQuerySet:
        return self.filter(status__in=UNFINISHED_TASK_STATUSES)

    def owned_by(self, worker: str, attempt: int, started_at: datetime) -> TaskRunQuerySet:
        """Tasks still running under this claim. A worker whose lease expired (its task handed to
        another) or whose run was cancelled matches nothing, so whatever it writes is discarded.
        The start time tells a claim from one of an earlier round (retry_failed restarts attempts)."""
        return self.filter(status=TaskStatus.RUNNING, worker=worker, attempt=attempt, started_at=started_at)

    def renew_lease(self, *, lease_s: float) -> int:
        return self.update(lease_expires_at=timezone.now() + timedelta(seconds=lease_s))

    def mark_retry_wait(self, *, error: str, delay_s: float) -> int:
        next_attempt_at = timezone.now() + timedelta(seconds=delay_s)
        return self._move("mark_retry_wait", lease_expires_at=None, error=error, next_attempt_at=next_attempt_at)

    def mark_requeued(self, *, error: str) -> int:
        """Back in the queue at once, e.g. after its worker died: nothing the task did was wrong."""
        return self._move("mark_requeued", queued_at=timezone.now(), lease_expires_at=None, error=error)

    def mark_failed(self, *, error: str) -> int:
        return self._move("mark_failed", finished_at=timezone.now(), lease_expires_at=None, error=error)

    def release_retries(self, now: datetime) -> int:
        """Waiting tasks whose backoff has passed go back to the queue."""
        return self.filter(next_attempt_at__lte=now)._move("release_retries", queued_at=now, next_attempt_at=None)

    def touch_queued(self, queued_before: datetime) -> int:
        """Restart the wait of a queued task nobody claimed, as it is enqueued again."""
        return self.filter(status=TaskStatus.QUEUED, queued_at__lt=queued_before).update(queued_at=timezone.now())

    def skip(self, *, error: str) -> int:
        return self._move("skip", finished_at=timezone.now(), error=error)

    def cancel(self, *, error: str) -> int:
        return self._move(
            "cancel", finished_at=timezone.now(), lease_expires_at=None, next_attempt_at=None, error=error
        )

    def reset(self) -> int:
        """Failed and skipped tasks start over (their attempts stay in TaskAttempt)."""
        return self._move(
            "reset",
            attempt=0,
            error="",
            started_at=None,
            finished_at=None,
            queued_at=None,
            next_attempt_at=None,
            lease_expires_at=None,
            worker="",
        )


class Run(models.Model):
    Status = RunStatus

    plan_version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    provider = models.CharField(max_length=20, blank=True)
    token_budget = models.PositiveIntegerField(default=0, help_text="0 means no limit.")
    reuse = models.BooleanField(
        default=True,
        help_text="Reuse the files of earlier runs' tasks whose inputs are the same; off: run everything again.",
    )
    forecast = models.JSONField(
        default=dict,
        blank=True,
        help_text="What the run was expected to spend when it started: tokens, cost, tasks to run and to reuse.",
    )
    tokens_in = models.PositiveIntegerField(default=0)
    tokens_out = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    trace_parent = models.CharField(
        max_length=55,
        blank=True,
        help_text="The W3C traceparent of the span that started the run: its tasks' spans join that trace.",
    )

    objects = RunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"], name="run_status_recent")]
        constraints = [_choices_check("status", RunStatus, "run_valid_status")]

    def __str__(self) -> str:
        return f"Run {self.pk} of {self.plan_version}"

    @property
    def tokens_total(self) -> int:
        return self.tokens_in + self.tokens_out

    @property
    def is_active(self) -> bool:
        """Not finished yet: waiting for its first task, or running."""
        return self.status in ACTIVE_RUN_STATUSES


class TaskRun(models.Model):
    Status = TaskStatus
    FINISHED = (TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.SKIPPED, TaskStatus.CANCELLED)

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="task_runs")
    key = models.CharField(max_length=64)
    agent = models.CharField(max_length=32)
    title = models.CharField(max_length=200)
    instructions = models.TextField(blank=True)
    scope = models.JSONField(default=list, blank=True)
    depends_on = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.PENDING)
    attempt = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=3)
    timeout_s = models.PositiveIntegerField(default=300)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    reasoning = models.TextField(blank=True)
    tokens_in = models.PositiveIntegerField(default=0)
    tokens_out = models.PositiveIntegerField(default=0)
    provider = models.CharField(
        max_length=20, blank=True, help_text="The provider this task's agent calls; blank: the run's."
    )
    model = models.CharField(
        max_length=100, blank=True, help_text="The model this task's agent calls; blank: the provider's configured one."
    )
    fingerprint = models.CharField(
        max_length=64,
        blank=True,
        help_text="SHA-256 of everything that decides the task's output, taken when its attempt started.",
    )
    reused_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The earlier run's task whose files this task took, with no model call, its inputs being the same.",
    )
    progress = models.JSONField(
        default=list,
        blank=True,
        help_text="The files the agent's model has produced so far, while a streamed call runs.",
    )

    objects = TaskRunQuerySet.as_manager()

    class Meta:
        ordering = ["run", "id"]
        indexes = [
            # The recovery job's three scans: expired leases, elapsed backoffs, stale queue entries.
            models.Index(fields=["status", "lease_expires_at"], name="taskrun_status_lease"),
            models.Index(fields=["status", "next_attempt_at"], name="taskrun_status_next_attempt"),
            models.Index(fields=["status", "queued_at"], name="taskrun_status_queued"),
            models.Index(fields=["run", "status"], name="taskrun_run_status"),
            models.Index(fields=["agent", "status"], name="taskrun_agent_status"),
            models.Index(fields=["fingerprint", "status"], name="taskrun_fingerprint_status"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["run", "key"], name="taskrun_unique_key"),
            _choices_check("status", TaskStatus, "taskrun_valid_status"),
            models.CheckConstraint(condition=Q(max_attempts__gte=1), name="taskrun_max_attempts_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"


class TaskAttempt(models.Model):
    """One try of a TaskRun: when it ran, on which worker, and how it ended."""

    task_run = models.ForeignKey(TaskRun, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    worker = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    succeeded = models.BooleanField(null=True)
    error = models.TextField(blank=True)
    backoff_s = models.FloatField(
        null=True, blank=True, help_text="Delay before the next attempt, when one was scheduled."
    )
    repair_round = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Set when this attempt repaired the task's files after failing checks: which round of repairs.",
    )
    reasoning = models.TextField(blank=True, help_text="What a repair attempt changed and why, in the agent's words.")

    class Meta:
        ordering = ["task_run", "number"]
        constraints = [models.UniqueConstraint(fields=["task_run", "number"], name="taskattempt_unique_number")]

    def __str__(self) -> str:
        return f"{self.task_run.key} attempt {self.number}"

    @staticmethod
    def last_number(task_run_id: int) -> int:
        """The number of the task's latest attempt over its whole history; 0 before its first."""
        return TaskAttempt.objects.filter(task_run_id=task_run_id).aggregate(last=Max("number"))["last"] or 0


class Artifact(ImmutableModel):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="artifacts")
    task_run = models.ForeignKey(TaskRun, on_delete=models.CASCADE, related_name="artifacts")
    path = models.CharField(max_length=255)
    content = models.TextField()
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "path"]
        constraints = [models.UniqueConstraint(fields=["run", "path"], name="artifact_unique_path")]

    def __str__(self) -> str:
        return self.path

    @classmethod
    def of(cls, run_id: int, task_run_id: int, path: str, content: str) -> Artifact:
        """An unsaved row for one file a task wrote, with its hash and size."""
        data = content.encode()
        return cls(
            run_id=run_id,
            task_run_id=task_run_id,
            path=path,
            content=content,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
        )


class LLMCall(ImmutableModel):
    """One attempt at one model call. Prompts and answers are kept up to LLM_CALL_STORE_MAX_CHARS
    each, with their full lengths; API keys and other secrets never are."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="llm_calls"
    )
    plan_version = models.ForeignKey(
        PlanVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="llm_calls"
    )
    task_run = models.ForeignKey(TaskRun, on_delete=models.CASCADE, null=True, blank=True, related_name="llm_calls")
    purpose = models.CharField(max_length=20, default="plan")
    provider = models.CharField(max_length=20)
    model = models.CharField(max_length=100, blank=True)
    prompt = models.TextField(help_text="What was sent, cut to LLM_CALL_STORE_MAX_CHARS characters.")
    prompt_chars = models.PositiveIntegerField(default=0, help_text="Length of the whole prompt, in characters.")
    response = models.TextField(blank=True, help_text="The answer, cut to LLM_CALL_STORE_MAX_CHARS characters.")
    response_chars = models.PositiveIntegerField(default=0, help_text="Length of the whole answer, in characters.")
    response_sha256 = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the whole answer (UTF-8).")
    tokens_in = models.PositiveIntegerField(default=0)
    tokens_out = models.PositiveIntegerField(default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    attempt = models.PositiveIntegerField(default=1)
    streamed = models.BooleanField(default=False, help_text="The answer came as a stream.")
    truncated = models.BooleanField(default=False, help_text="The answer was cut off at the model's output limit.")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["provider", "-created_at"], name="llmcall_provider_recent")]

    def __str__(self) -> str:
        return f"{self.provider}/{self.model} attempt {self.attempt}"


class CheckStatus(models.TextChoices):
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"


class Check(ImmutableModel):
    """One check the verify task ran on the generated project: a part's install, types, lint, tests,
    build or API contract, in one round (0 before any repair, n after the n-th)."""

    Status = CheckStatus

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="checks")
    task_run = models.ForeignKey(TaskRun, on_delete=models.CASCADE, related_name="checks")
    attempt = models.PositiveIntegerField(help_text="The verify task's attempt (TaskAttempt.number) that ran it.")
    round = models.PositiveIntegerField(default=0, help_text="0 before any repair; n after the n-th repair round.")
    part = models.CharField(max_length=20)
    name = models.CharField(max_length=20)
    command = models.TextField()
    status = models.CharField(max_length=10, choices=CheckStatus.choices)
    duration_s = models.FloatField(default=0)
    exit_code = models.IntegerField(null=True, blank=True)
    counts = models.JSONField(
        default=dict, blank=True, help_text="Tests passed/failed/skipped; contract cases, server errors, violations."
    )
    output = models.TextField(
        blank=True, help_text="The end of what the command printed, cut to VERIFY_OUTPUT_MAX_CHARS."
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "attempt", "round", "id"]
        indexes = [models.Index(fields=["run", "attempt", "round"], name="check_run_round")]
        constraints = [_choices_check("status", CheckStatus, "check_valid_status")]

    def __str__(self) -> str:
        return f"{self.part} {self.name} ({self.status})"

    @property
    def passed(self) -> bool:
        return self.status == CheckStatus.PASSED

    @property
    def words(self) -> str:
        """ "45 tests pass", "type errors": the check as the Checks panel says it."""
        return check_words(self.name, self.passed, self.counts)

    @property
    def part_words(self) -> str:
        return PART_WORDS.get(self.part, self.part)


class CriterionStatus(models.TextChoices):
    PASSED = "passed", "Proven"
    FAILED = "failed", "Failed"
    NOT_PROVEN = "not_proven", "Not proven"


class CriterionResult(ImmutableModel):
    """Whether the verify task proved one acceptance criterion of the run's plan version, in one
    round: the tests tagged with its id, each with its status and, when it failed, its message."""

    Status = CriterionStatus

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="criterion_results")
    task_run = models.ForeignKey(TaskRun, on_delete=models.CASCADE, related_name="criterion_results")
    attempt = models.PositiveIntegerField(help_text="The verify task's attempt (TaskAttempt.number) that proved it.")
    round = models.PositiveIntegerField(default=0, help_text="0 before any repair; n after the n-th repair round.")
    criterion = models.CharField(max_length=60, help_text="The criterion's id in the plan version's spec.")
    text = models.TextField(help_text="The criterion as the team agreed it, when the run started.")
    status = models.CharField(max_length=12, choices=CriterionStatus.choices)
    note = models.CharField(max_length=300, blank=True, help_text="Why it is not proven, in plain words.")
    tests = models.JSONField(
        default=list,
        blank=True,
        help_text="The tests tagged with its id: part, file, name, status, and a failure's message.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "attempt", "round", "id"]
        indexes = [models.Index(fields=["run", "attempt", "round"], name="criterion_run_round")]
        constraints = [
            _choices_check("status", CriterionStatus, "criterionresult_valid_status"),
            models.UniqueConstraint(
                fields=["run", "attempt", "round", "criterion"], name="criterionresult_unique_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion} ({self.status})"

    @property
    def passed(self) -> bool:
        return self.status == CriterionStatus.PASSED

    @classmethod
    def latest(cls, run: Run) -> list[CriterionResult]:
        """The run's criteria as its verify task's last round left them (empty before any was proven)."""
        last = cls.objects.filter(run=run).order_by("-attempt", "-round").values_list("attempt", "round").first()
        if last is None:
            return []
        return list(cls.objects.filter(run=run, attempt=last[0], round=last[1]).order_by("id"))


@dataclass(frozen=True)
class Claim:
    """One worker's hold on one attempt of a TaskRun."""

    task_run_id: int
    run_id: int
    worker: str
    attempt: int  # TaskRun.attempt: tries in this round (retry_failed starts a new round)
    started_at: datetime  # with worker and attempt, tells this claim from one of an earlier round
    number: int  # TaskAttempt.number: tries over the task's whole history

    def owned(self) -> TaskRunQuerySet:
        return TaskRun.objects.filter(pk=self.task_run_id).owned_by(self.worker, self.attempt, self.started_at)
