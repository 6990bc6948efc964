"""Repairs that do not trust the broker: django-q2's ORM broker can deliver a task twice, and
its Redis broker loses the tasks that were in flight when a worker died.

recover() does three things, each through conditional UPDATEs, so any number of copies may run
at once on any number of machines:
- a running task whose lease expired (its worker was killed or hung) counts as a failed
  attempt and is queued again at once, or fails for good when it has no attempts left;
- a task waiting to retry whose backoff has passed is queued again;
- a queued task nobody claimed within QUEUED_STALE_S is enqueued again.

Where it runs: `manage.py recover --loop`, which `manage.py serve` (and so `make run`) starts
next to the cluster, runs recover() every RECOVERY_INTERVAL_S and releases due retries every
second in between. A django-q2 schedule also runs recover() once a minute, as a safety net
where only `qcluster` runs: django-q2 counts schedules in whole minutes and looks at them every
30 s, too coarse to be the only trigger.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_q.models import Schedule

from .models import TaskRun, TaskStatus
from .tasks import current_claim, dispatch, fail_attempt, release_due_retries
from .telemetry import run_ids

logger = logging.getLogger(__name__)

SCHEDULE_NAME = "Recover runs (safety net for recover --loop)"


@dataclass(frozen=True)
class Recovered:
    requeued: int  # running tasks whose lease expired
    released: int  # retries whose backoff passed
    reenqueued: int  # queued tasks nobody claimed in time

    def __str__(self) -> str:
        return f"requeued={self.requeued} released={self.released} reenqueued={self.reenqueued}"


def recover() -> Recovered:
    recovered = Recovered(requeue_expired_leases(), release_due_retries(), reenqueue_unclaimed())
    if recovered != Recovered(0, 0, 0):
        logger.info("recovery: %s", recovered)
    return recovered


def requeue_expired_leases() -> int:
    now = timezone.now()
    expired = TaskRun.objects.filter(status=TaskStatus.RUNNING, lease_expires_at__lt=now)
    count = 0
    for task in expired.select_related("run__plan_version__project"):
        claim = current_claim(task)
        # Conditional on the lease still being expired: a worker that was only slow may have renewed it.
        status = fail_attempt(
            claim,
            f"The worker {task.worker} stopped responding (its lease expired).",
            backoff=False,
            expired_before=now,
        )
        if status is not None:
            count += 1
            ids = {"task_run_id": task.pk, "task_key": task.key, "attempt": claim.number, "agent": task.agent}
            logger.warning(
                "task %s of run %s: the lease of worker %s expired -> %s",
                task.key,
                task.run_id,
                task.worker,
                status,
                extra=ids | run_ids(task.run),
            )
    return count


def reenqueue_unclaimed() -> int:
    cutoff = timezone.now() - timedelta(seconds=settings.QUEUED_STALE_S)
    stale = TaskRun.objects.filter(status=TaskStatus.QUEUED, queued_at__lt=cutoff).values_list("pk", "timeout_s")
    touched = {pk: timeout_s for pk, timeout_s in stale if TaskRun.objects.filter(pk=pk).touch_queued(cutoff)}
    dispatch(touched)
    return len(touched)


def ensure_schedule(using: str = "default", **kwargs) -> None:
    """Create (or repair) the once-a-minute schedule; a post_migrate handler, so it is idempotent."""
    Schedule.objects.using(using).update_or_create(
        name=SCHEDULE_NAME,
        defaults={
            # A schedule names its function by its dotted path; taken from the function, it follows a rename.
            "func": f"{recover.__module__}.{recover.__qualname__}",
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
            # Our tables record what recovery did; django-q2 need not keep a result row a minute.
            "kwargs": "{'q_options': {'save': False}}",
        },
    )
