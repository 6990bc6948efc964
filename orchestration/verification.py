"""The run's side of the verify task (agents/verify.py): its checks stored as Check rows, and its
repairs made as attempts of the tasks that wrote the failing files.

A repair is an attempt (TaskAttempt with repair_round set) of an earlier, succeeded task of the same
run: its agent gets the failing checks' output and the files it wrote, asks the model, and its
changed files replace its artifacts. The task stays succeeded; its LLM calls (purpose "repair") and
tokens are its own and are charged to the run's budget like any other. Everything is written only
while the verify task's claim is still current, so a cancelled run or a lost lease changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agents.base import AgentError
from agents.checks import PART_WORDS, CheckResult, names_file
from agents.registry import get_agent
from agents.safe_output import UnsafeOutput
from agents.test_reports import CriterionOutcome
from agents.verify import NotRepaired

from .models import Artifact, Check, Claim, CriterionResult, TaskAttempt, TaskRun

logger = logging.getLogger(__name__)

REPAIR_OUTPUT_CHARS = 4_000  # of each failing check's output, its end, shown to a repair


class RunChecks:
    """VerifyHooks for one attempt of a run's verify task."""

    def __init__(self, task: TaskRun, claim: Claim, context_for: Callable[[TaskRun, str], object]) -> None:
        self.task = task
        self.claim = claim
        self.context_for = context_for  # (task, purpose) -> the agent context of another task of the run
        # A repair left open by an earlier attempt whose worker died ends now, said so.
        TaskAttempt.objects.filter(
            task_run__run_id=task.run_id, repair_round__isnull=False, finished_at__isnull=True
        ).update(
            finished_at=timezone.now(),
            succeeded=False,
            error="Stopped: the verify task's worker stopped during the repair.",
        )

    def record(self, check: CheckResult) -> None:
        limit = settings.VERIFY_OUTPUT_MAX_CHARS
        Check.objects.create(
            run_id=self.task.run_id,
            task_run=self.task,
            attempt=self.claim.number,
            round=check.round,
            part=check.part,
            name=check.name,
            command=check.command,
            status=Check.Status.PASSED if check.passed else Check.Status.FAILED,
            duration_s=check.duration_s,
            exit_code=check.exit_code,
            counts=check.counts,
            output=check.output[-limit:],
            note=check.note[:200],
        )

    def record_criteria(self, outcomes: list[CriterionOutcome], round: int) -> None:
        CriterionResult.objects.bulk_create(
            CriterionResult(
                run_id=self.task.run_id,
                task_run=self.task,
                attempt=self.claim.number,
                round=round,
                criterion=o.id,
                text=o.text,
                status=o.status,
                note=o.note[:300],
                tests=o.tests,
            )
            for o in outcomes
        )

    def repair(self, failing: list[CheckResult], files: dict[str, str], round: int) -> dict[str, str]:
        changed: dict[str, str] = {}
        reasons: list[str] = []
        for writer, problems in self._writers(failing).items():
            try:
                files = self._repair(writer, problems, round)
            except (AgentError, UnsafeOutput) as exc:
                reasons.append(f"the {writer.agent} agent (\u201c{writer.title}\u201d) could not: {exc}")
                continue
            if not files:
                reasons.append(f"the {writer.agent} agent (\u201c{writer.title}\u201d) changed nothing")
            changed |= files
        if not changed:
            raise NotRepaired("; ".join(reasons) or "no task of this run wrote the failing files")
        return changed

    def _writers(self, failing: list[CheckResult]) -> dict[TaskRun, str]:
        """The tasks that wrote the files involved, each with the failures to show it: the tasks whose
        files a failing check's output names, else the part's own builders (its agent's tasks)."""
        owners = dict(Artifact.objects.filter(run_id=self.task.run_id).values_list("path", "task_run_id"))
        tasks = {task.pk: task for task in TaskRun.objects.filter(run_id=self.task.run_id, pk__in=set(owners.values()))}
        found: dict[int, list[CheckResult]] = {}
        for check in failing:
            named = {
                owners[path]
                for path in owners
                if path.startswith(f"{check.part}/") and names_file(check.output, path.removeprefix(f"{check.part}/"))
            }
            if not named:
                named = {pk for pk, task in tasks.items() if task.agent == check.part}
            for pk in named:
                found.setdefault(pk, []).append(check)
        return {tasks[pk]: _problems(checks) for pk, checks in sorted(found.items())}

    def _repair(self, writer: TaskRun, problems: str, round: int) -> dict[str, str]:
        agent = get_agent(writer.agent)
        if not hasattr(agent, "repair"):
            raise NotRepaired(f"the {writer.agent} agent cannot repair files")
        attempt = TaskAttempt.objects.create(
            task_run=writer,
            number=TaskAttempt.last_number(writer.pk) + 1,
            worker=self.claim.worker,
            started_at=timezone.now(),
            repair_round=round,
        )
        own = dict(writer.artifacts.values_list("path", "content"))
        try:
            result = agent.repair(self.context_for(writer, "repair"), problems, own)
            others = Artifact.objects.filter(run_id=writer.run_id, path__in=list(result.files)).exclude(task_run=writer)
            if clash := others.values_list("path", flat=True).first():
                raise UnsafeOutput(f"{clash!r} was written by another task of this run")
            with transaction.atomic():
                if not self.claim.owned().exists():
                    raise NotRepaired("the run was cancelled or the verify task handed to another worker")
                # Artifacts are written once: a changed file is a new row in place of the old.
                writer.artifacts.filter(path__in=list(result.files)).delete()
                Artifact.objects.bulk_create(
                    Artifact.of(writer.run_id, writer.pk, path, content) for path, content in result.files.items()
                )
                _close(attempt, succeeded=True, reasoning=result.reasoning)
        except BaseException as exc:
            _close(attempt, succeeded=False, error=str(exc) or type(exc).__name__)
            raise
        logger.info("run %s: %s repaired %d files in round %d", writer.run_id, writer.key, len(result.files), round)
        return result.files


def _close(attempt: TaskAttempt, *, succeeded: bool, error: str = "", reasoning: str = "") -> None:
    TaskAttempt.objects.filter(pk=attempt.pk).update(
        finished_at=timezone.now(), succeeded=succeeded, error=error, reasoning=reasoning
    )


def _problems(checks: list[CheckResult]) -> str:
    """The failing checks as a repair sees them: what failed, the command, and its output's end."""
    return "\n\n".join(
        f"{PART_WORDS.get(c.part, c.part)} check “{c.name}” failed ({c.words}).\n$ {c.command}\n{c.output[-REPAIR_OUTPUT_CHARS:]}"
        for c in checks
    )
