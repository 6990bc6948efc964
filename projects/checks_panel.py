"""The Checks panel of a run: what the verify task built and tested, round by round, with the repairs
made between rounds, in plain words. Two queries however many checks and repairs a run has; the
page's poller asks only for `checks_key` (three counts), and for the whole panel when that changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Count, Max, QuerySet, Subquery

from agents.checks import PART_WORDS
from agents.verify import VerifyAgent
from orchestration.models import Check, CriterionResult, TaskAttempt, TaskRun, TaskStatus

NOT_STARTED = (TaskStatus.PENDING, TaskStatus.QUEUED, TaskStatus.SKIPPED)


@dataclass
class CheckLine:
    """One check as the panel shows it: a line that opens to its command, time, exit code, note and output."""

    check: Check

    @property
    def passed(self) -> bool:
        return self.check.passed

    @property
    def words(self) -> str:
        """ "Back end: 45 tests pass", "Website: type errors"."""
        return f"{self.check.part_words}: {self.check.words}"

    @property
    def took(self) -> str:
        seconds = self.check.duration_s
        return f"{seconds:.1f} s" if seconds < 60 else f"{int(seconds // 60)} min {int(seconds % 60)} s"

    @property
    def counted(self) -> str:
        """The check's counts in words: tests passed, failed and skipped; the contract's requests and problems."""
        counts, name = self.check.counts or {}, self.check.name
        if name == "tests" and counts:
            return ", ".join(f"{counts.get(k, 0)} {k}" for k in ("passed", "failed", "skipped"))
        if name == "contract" and counts:
            return (
                f"{counts.get('cases', 0)} requests to {counts.get('operations', 0)} routes, "
                f"{counts.get('server_errors', 0)} server errors, {counts.get('violations', 0)} other violations"
            )
        return ""


@dataclass
class Repair:
    """One repair attempt of a round: the failing checks it was sent, and how those checks did after it."""

    attempt: TaskAttempt
    sent: list[CheckLine]
    after: list[CheckLine]

    @property
    def sent_words(self) -> str:
        return "; ".join(line.words for line in self.sent) or "The failing checks"

    @property
    def outcome(self) -> str:
        writer = self.attempt.task_run
        agent = f"the {writer.agent} agent (“{writer.title}”)"
        if self.attempt.succeeded is None:
            return f"being repaired by {agent}…"
        if not self.attempt.succeeded:
            return f"{agent} could not repair it: {self.attempt.error or 'it gave no reason.'}"
        after = "; ".join(line.words for line in self.after)
        return f"repaired by {agent}" + (f" — {after}" if after else "")


@dataclass
class Round:
    number: int  # 0 for the first checks, n for those after the n-th repair round
    checks: list[CheckLine]  # failing ones first
    repairs: list[Repair]  # made before this round's checks (none before the first)
    going: bool = False  # the round's checks are still running

    @property
    def title(self) -> str:
        return "First checks" if self.number == 0 else f"Checks after repair round {self.number}"

    @property
    def summary(self) -> str:
        passed = sum(line.passed for line in self.checks)
        if self.going:
            return f"{len(self.checks)} done so far, {passed} passed" if self.checks else "running…"
        if not self.checks:
            return "not run"
        return f"all {passed} passed" if passed == len(self.checks) else f"{passed} of {len(self.checks)} passed"


@dataclass
class ChecksPanel:
    status: str  # a task status, for the colour: queued, running, succeeded, failed, skipped or cancelled
    label: str  # the outcome in a word or two, beside the heading
    message: str
    rounds: list[Round] = field(default_factory=list)


def find_verify_task(task_runs: list[TaskRun]) -> TaskRun | None:
    """The run's verify task (the last one, should a hand-edited plan have several); None in plans made before it."""
    return next((task for task in reversed(task_runs) if task.agent == VerifyAgent.name), None)


def checks_key(verify: TaskRun) -> str:
    """Changes whenever the panel would: with the verify task's state, its checks and the run's repair attempts;
    and whenever a round's acceptance criteria are recorded, which the page shows in "What it must do"."""
    key = f"{verify.status}-{verify.attempt}-{verify.started_at.timestamp() if verify.started_at else 0}"
    if verify.status in NOT_STARTED or verify.started_at is None:
        return key
    checks = Check.objects.filter(task_run=verify).aggregate(n=Count("pk"), last=Max("pk"))
    repairs = _repairs(verify).aggregate(n=Count("pk"), done=Count("finished_at"))
    criteria = CriterionResult.objects.filter(task_run=verify).count()
    return f"{key}-{checks['n']}-{checks['last']}-{repairs['n']}-{repairs['done']}-{criteria}"


def checks_panel(verify: TaskRun) -> ChecksPanel:
    """The panel for the verify task's latest attempt."""
    status = verify.status
    if status in (TaskStatus.PENDING, TaskStatus.QUEUED):
        return ChecksPanel(
            TaskStatus.QUEUED,
            "Waiting",
            "Checks run once the code is written: the project is built and "
            "tested in a sandbox, and failures go back to the agents that wrote it.",
        )
    if status == TaskStatus.SKIPPED:
        return ChecksPanel(status, "Not run", f"Checks were not run. {verify.error}".strip())
    if verify.started_at is None:
        return ChecksPanel(status, "Not run", "Checks were not run: the run was cancelled before they started.")
    rounds = _rounds(verify)
    if status in (TaskStatus.RUNNING, TaskStatus.RETRY_WAIT):
        if rounds and status == TaskStatus.RUNNING:  # unless a repair is still being made, the last round goes on
            rounds[-1].going = all(repair.attempt.succeeded is not None for repair in rounds[-1].repairs)
        again = (
            f" The checks stopped ({verify.error}); they run again shortly." if status == TaskStatus.RETRY_WAIT else ""
        )
        return ChecksPanel(
            TaskStatus.RUNNING, "Checking", f"Checking… the project is being built and tested.{again}", rounds
        )
    if status == TaskStatus.CANCELLED:
        return ChecksPanel(status, "Stopped", "Checks stopped before they finished: the run was cancelled.", rounds)
    if status == TaskStatus.FAILED:
        # Its error names the failing checks of the last round ("Checks failed: …"), then says what was not
        # repaired; a failure of another kind (its time ran out) is said as the reason the checks failed.
        error = verify.error or "no reason was given."
        return ChecksPanel(
            status, "Failed", error if error.startswith("Checks ") else f"Checks failed: {error}", rounds
        )
    if not rounds:  # it succeeded without checking: VERIFY_CHECKS is off where it ran, and its reasoning says so
        return ChecksPanel(TaskStatus.SKIPPED, "Not run", verify.reasoning or "Checks were not run.")
    last = rounds[-1]
    after = f" after {last.number} repair round{'s' if last.number != 1 else ''}" if last.number else ""
    return ChecksPanel(status, "Passed", f"All {len(last.checks)} checks passed{after}.", rounds)


def _repairs(verify: TaskRun) -> QuerySet[TaskAttempt]:
    """The repairs made for the verify task's current attempt: repair attempts of the run's tasks begun since it began."""
    return TaskAttempt.objects.filter(
        task_run__run_id=verify.run_id, repair_round__isnull=False, started_at__gte=verify.started_at
    )


def _rounds(verify: TaskRun) -> list[Round]:
    latest = TaskAttempt.objects.filter(task_run=verify).order_by("-number").values("number")[:1]
    checks = Check.objects.filter(task_run=verify, attempt=Subquery(latest)).order_by("round", "id")
    by_round = {number: [CheckLine(c) for c in found] for number, found in groupby(checks, key=lambda c: c.round)}
    repairs = list(_repairs(verify).select_related("task_run").order_by("repair_round", "task_run_id", "number"))
    rounds = []
    for number in sorted(set(by_round) | {attempt.repair_round for attempt in repairs}):
        done = by_round.get(number, [])
        failing = [line for line in by_round.get(number - 1, []) if not line.passed]
        made = [_repair(attempt, failing, done) for attempt in repairs if attempt.repair_round == number]
        rounds.append(Round(number, sorted(done, key=lambda line: line.passed), made))
    return rounds


def _repair(attempt: TaskAttempt, failing: list[CheckLine], after: list[CheckLine]) -> Repair:
    """The writer of a part is counted as sent that part's failures, any other writer (tests) all of them:
    orchestration.verification sends each writer the failures whose output names its files."""
    part = attempt.task_run.agent if attempt.task_run.agent in PART_WORDS else None
    sent = [line for line in failing if line.check.part == part] or failing
    again = {(line.check.part, line.check.name): line for line in after}
    return Repair(attempt, sent, [again[key] for line in sent if (key := (line.check.part, line.check.name)) in again])
