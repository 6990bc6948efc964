"""Whether a run's checks passed, for lists and filters of many runs: worked out in the database, so
a list costs one query however many runs it shows.

A run's checks are those of the last round of its verify task's latest attempt: they failed when any
check of that round failed, and passed when none did and the verify task succeeded (a round still
going, or one stopped by a cancel, has not passed yet)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from agents.verify import VerifyAgent

from .models import Check, Run, TaskRun, TaskStatus

PASSED, FAILED = "passed", "failed"
CHECKS_PASSED = Q(checks_attempt__isnull=False, checks_failed=False, verify_succeeded=True)
CHECKS_FAILED = Q(checks_failed=True)
NOT_CHECKED = Q(checks_attempt__isnull=True)


def with_checks_outcome(runs: QuerySet[Run]) -> QuerySet[Run]:
    """Annotate each run with what `checks_outcome` reads: its last round's attempt and number, whether a
    check of that round failed, and whether its verify task succeeded."""
    last = Check.objects.filter(run=OuterRef("pk")).order_by("-attempt", "-round")
    runs = runs.annotate(
        checks_attempt=Subquery(last.values("attempt")[:1]), checks_round=Subquery(last.values("round")[:1])
    )
    failing = Check.objects.filter(
        run=OuterRef("pk"),
        attempt=OuterRef("checks_attempt"),
        round=OuterRef("checks_round"),
        status=Check.Status.FAILED,
    )
    succeeded = TaskRun.objects.filter(run=OuterRef("pk"), agent=VerifyAgent.name, status=TaskStatus.SUCCEEDED)
    return runs.annotate(checks_failed=Exists(failing), verify_succeeded=Exists(succeeded))


def checks_outcome(run: Run) -> str:
    """ "passed", "failed", or "" when the run's checks did not run or have not finished (needs `with_checks_outcome`)."""
    if run.checks_attempt is None:
        return ""
    if run.checks_failed:
        return FAILED
    return PASSED if run.verify_succeeded else ""
