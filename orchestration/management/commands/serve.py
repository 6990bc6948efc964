import ctypes
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Runs in each child before exec: if this command is killed outright, its children go too."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Command(BaseCommand):
    help = "Run the web server, a django-q2 cluster and the recovery loop together in the foreground; Ctrl-C stops all."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, host: str, port: int, **options) -> None:
        manage = [sys.executable, "manage.py"]
        processes = [
            subprocess.Popen([*manage, "qcluster"], preexec_fn=_die_with_parent),
            # Re-queues the tasks of workers that died and releases due retries (orchestration.recovery).
            subprocess.Popen([*manage, "recover", "--loop"], preexec_fn=_die_with_parent),
            subprocess.Popen([*manage, "runserver", f"{host}:{port}", "--noreload"], preexec_fn=_die_with_parent),
        ]
        self.stdout.write(self.style.SUCCESS(f"AutoDevOS at http://{host}:{port}/ with a django-q2 cluster. Ctrl-C stops everything."))

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
            for p in processes:
                if p.poll() is None:
                    # SIGTERM, not SIGINT: a child started from a background shell ignores SIGINT.
                    p.terminate()
            for p in processes:
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
