import logging
import signal
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from orchestration.recovery import recover
from orchestration.tasks import release_due_retries

logger = logging.getLogger(__name__)

RETRY_RELEASE_INTERVAL_S = 1.0


class Command(BaseCommand):
    help = (
        "Repair runs once: re-queue tasks whose worker died, release retries whose backoff passed, "
        "re-enqueue queued tasks nobody claimed. With --loop, repeat until stopped."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--loop", action="store_true", help="Run until SIGINT/SIGTERM.")
        parser.add_argument(
            "--interval",
            type=float,
            default=settings.RECOVERY_INTERVAL_S,
            help="Seconds between full recoveries in --loop (default RECOVERY_INTERVAL_S).",
        )

    def handle(self, *args, loop: bool, interval: float, **options) -> None:
        if not loop:
            self.stdout.write(f"Recovered: {recover()}")
            return
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        tick = min(interval, RETRY_RELEASE_INTERVAL_S)
        self.stdout.write(f"Recovering runs every {interval:g} s; due retries released every {tick:g} s.")
        next_full = 0.0
        while not stop.is_set():
            next_full = self._tick(next_full, interval)
            stop.wait(tick)

    def _tick(self, next_full: float, interval: float) -> float:
        """One pass; returns when the next full recovery is due."""
        # Keeps connections within CONN_MAX_AGE and drops broken ones, as a request cycle would.
        close_old_connections()
        try:
            if time.monotonic() >= next_full:
                recover()
                return time.monotonic() + interval
            release_due_retries()
        except DatabaseError:
            # A database restart or failover must not end the loop; the next tick tries again.
            logger.exception("recovery pass failed")
        return next_full
