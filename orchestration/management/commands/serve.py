import ctypes
import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
# A running task keeps a worker busy until it ends; past this the stop turns into a kill, and the
# task's attempt is repaired by recovery once its lease expires, as after any crash.
STOP_GRACE_S = 10.0
KILL_WAIT_S = 5.0


def _prctl(option: int, value: int) -> None:
    ctypes.CDLL(None, use_errno=True).prctl(option, value)


def _die_with_parent() -> None:
    """Runs in each child before exec: if this command is killed outright, its children go too."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _reap() -> None:
    """Collect every process that has ended: our children, and as their subreaper, descendants
    whose own parent died first (an unreaped zombie would keep its process group alive)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for_groups(groups: list[int], timeout: float) -> list[int]:
    """Wait until every process of these groups has ended; returns the groups still alive at the timeout."""
    deadline = time.monotonic() + timeout
    while True:
        _reap()
        alive = [pgid for pgid in groups if _group_alive(pgid)]
        if not alive or time.monotonic() >= deadline:
            return alive
        time.sleep(0.1)


class Command(BaseCommand):
    help = "Run the web server, a django-q2 cluster and the recovery loop together in the foreground; Ctrl-C stops all."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, host: str, port: int, **options) -> None:
        lock = self._lock_data_dir()
        # Orphans of the cluster (its workers, when the cluster's main process died first) are
        # re-parented to this process instead of init, so the stop below can reap them.
        _prctl(PR_SET_CHILD_SUBREAPER, 1)
        manage = [sys.executable, "manage.py"]
        commands = [
            ["qcluster"],
            # Re-queues the tasks of workers that died and releases due retries (orchestration.recovery).
            ["recover", "--loop"],
            ["runserver", f"{host}:{port}", "--noreload"],
        ]
        # Each child leads a process group of its own, which holds everything it forks (the cluster's
        # supervisor, workers and monitor): stopping a group stops all of them. Each inherits the lock,
        # so it stays held until the last of those processes has ended.
        processes = [
            subprocess.Popen(
                [*manage, *command], preexec_fn=_die_with_parent, process_group=0, pass_fds=(lock.fileno(),)
            )
            for command in commands
        ]
        self.stdout.write(
            self.style.SUCCESS(f"AutoDevOS at http://{host}:{port}/ with a django-q2 cluster. Ctrl-C stops everything.")
        )

        def stop(signum, frame) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            # Any process ending on its own ends them all: a web app without workers would
            # accept runs that never start.
            while all(p.poll() is None for p in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self._stop([p.pid for p in processes])

    def _lock_data_dir(self):
        """Refuse to start beside another serve on the same data, or beside what is left of one:
        two clusters would each run the recovery schedule and race for the same tasks."""
        path = Path(settings.DATA_DIR) / "serve.lock"
        lock = open(path, "a+")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "unknown"
            lock.close()
            raise CommandError(
                f"Another `manage.py serve` (process {holder}), or a worker cluster it left behind, is still running "
                f"on {settings.DATA_DIR}. Stop it first; this one would run a second cluster beside it."
            ) from None
        lock.truncate(0)
        lock.write(str(os.getpid()))
        lock.flush()
        return lock

    def _stop(self, groups: list[int]) -> None:
        """SIGTERM to each child (the cluster then lets its workers finish their task), SIGKILL to
        whatever of their process groups is still there after STOP_GRACE_S, then wait for the last."""
        # A second Ctrl-C must not cut the clean-up short and leave the workers running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for pgid in groups:
            try:
                # SIGTERM, not SIGINT: a child started from a background shell ignores SIGINT.
                os.kill(pgid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        left = _wait_for_groups(groups, STOP_GRACE_S)
        for pgid in left:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if _wait_for_groups(left, KILL_WAIT_S):
            self.stderr.write("Some worker processes did not stop; look for leftover `manage.py qcluster` processes.")
