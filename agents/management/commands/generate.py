import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from agents.export import write_files
from agents.extraction import title_for
from agents.providers import ProviderError
from agents.stacks import stacks_for
from orchestration.models import Run, TaskRun, TaskStatus
from orchestration.planning import plan_project
from orchestration.plans import PlanInvalid
from orchestration.runs import run_inline, start_run
from projects.models import Project, Team

CLI_TEAM = "CLI"  # the team `manage.py plan` uses too: staff find these projects in the admin
POLL_S = 0.2


def clusters_running() -> bool:
    """Whether a django-q2 cluster reports itself alive. With the ORM broker and a per-process
    cache it cannot be seen from here; the command then runs the tasks itself, and a cluster
    that does exist can only take some of them over (a task is claimed once)."""
    from django_q.status import Stat

    try:
        return bool(Stat.get_all())
    except Exception:  # the broker is unreachable: nothing can be running on it
        return False


class Command(BaseCommand):
    help = 'Plan a request, run every task and write the generated project: generate "<request>" --out DIR.'

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("request", help="What to build, in plain words.")
        parser.add_argument("--out", required=True, type=Path, help="Directory to write the project into.")
        parser.add_argument("--provider", help="offline, gemini or openai (default: the configured one).")
        parser.add_argument("--stack", choices=sorted(stacks_for("backend")),
                            help="The back-end stack (default: the one the request asks for, else the usual one).")
        parser.add_argument("--force", action="store_true", help="Write into DIR even when it is not empty.")
        parser.add_argument("--timeout", type=float, default=1800, help="Give up waiting after this many seconds.")

    def handle(self, *args, request: str, out: Path, provider: str | None, stack: str | None, force: bool, timeout: float,
               **options) -> None:
        if not request.strip():
            raise CommandError('Say what to build: manage.py generate "A booking site for a dog groomer" --out DIR')
        if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not force)):
            raise CommandError(f"{out} is not an empty directory; pick another or add --force to write into it.")
        run = self._start(request.strip(), provider, stack)
        self._drive(run, deadline=time.monotonic() + timeout)
        run.refresh_from_db()
        if run.status != Run.Status.SUCCEEDED:
            raise CommandError(self._failures(run))
        count = write_files(run, out)
        self.stdout.write(self.style.SUCCESS(f"Wrote {count} files to {out}"))
        self.stdout.write(f"Next: {out / 'README.md'} says how to install, test and run it.")

    def _start(self, request: str, provider: str | None, stack: str | None) -> Run:
        team, _ = Team.objects.get_or_create(name=CLI_TEAM)
        project = Project.objects.create(team=team, title=title_for(request), request=request, provider=provider or "",
                                         options={"backend": stack} if stack else {})
        try:
            version = plan_project(project, provider_name=provider)
        except (ProviderError, PlanInvalid) as exc:
            raise CommandError(f"Planning failed: {exc}") from None
        self.stdout.write(f"Project {project.pk} \u201c{project.title}\u201d: plan version {version.number} with {len(version.tasks)} tasks")
        return start_run(version)

    def _drive(self, run: Run, *, deadline: float) -> None:
        """Runs the tasks here unless a cluster does, printing each task as it finishes."""
        shown: set[int] = set()
        inline = not clusters_running()
        self.stdout.write("Running the tasks here (no worker cluster found)." if inline else "A worker cluster runs the tasks.")
        while True:
            if inline:
                run_inline(run, on_progress=lambda task: self._show_finished(run, shown))
            self._show_finished(run, shown)
            if not run.task_runs.exclude(status__in=TaskRun.FINISHED).exists():
                return
            if time.monotonic() > deadline:
                raise CommandError(f"Gave up waiting for run {run.pk} at {timezone.now():%H:%M:%S}; it goes on in the background.")
            time.sleep(POLL_S)

    def _show_finished(self, run: Run, shown: set[int]) -> None:
        for task in run.task_runs.filter(status__in=TaskRun.FINISHED).exclude(pk__in=shown).order_by("finished_at", "pk"):
            shown.add(task.pk)
            files = task.artifacts.count()
            line = f"  {task.status:<9} {task.key} ({task.agent})"
            if task.status == TaskStatus.SUCCEEDED:
                self.stdout.write(self.style.SUCCESS(f"{line}: {files} files"))
            else:
                self.stdout.write(self.style.ERROR(f"{line}{': ' + task.error if task.error else ''}"))

    def _failures(self, run: Run) -> str:
        failed = run.task_runs.filter(status=TaskStatus.FAILED)
        reasons = "; ".join(f"{t.key}: {t.error}" for t in failed) or f"the run ended {run.status}"
        return f"The run did not succeed, so nothing was written ({reasons})."
