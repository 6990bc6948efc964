import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models.signals import post_save
from django.test.utils import override_settings
from django.utils import timezone

from agents.extraction import title_for
from agents.providers import ProviderError
from agents.stacks import stacks_for
from agents.verify import VerifyAgent
from orchestration.export import write_files
from orchestration.models import Check, CriterionResult, Run, TaskRun, TaskStatus
from orchestration.planning import plan_project
from orchestration.plans import PlanInvalid
from orchestration.runs import start_run
from orchestration.tasks import run_inline
from projects.models import Project, Team

CLI_TEAM = "CLI"  # the team `manage.py plan` uses too: staff find these projects in the admin
POLL_S = 0.2
OUTPUT_LINES = 15  # of a failed check's output, its last lines, printed under it


def clusters_running() -> bool:
    """Whether a django-q2 cluster reports itself alive. With the ORM broker and a per-process
    cache it cannot be seen from here; the command then runs the tasks itself, and a cluster
    that does exist can only take some of them over (a task is claimed once)."""
    from django_q.status import Stat

    try:
        return bool(Stat.get_all())
    except Exception:  # the broker is unreachable: nothing can be running on it
        return False


class CheckPrinter:
    """Prints each check of a run once, as it ends, a failed one with the end of its output: at once when
    the verify task runs in this process (the checks are saved on its thread), else when `show_new` looks."""

    def __init__(self, command: BaseCommand, run: Run) -> None:
        self.command = command
        self.run = run
        self.shown: set[int] = set()
        self.round: int | None = None

    @contextmanager
    def listening(self) -> Iterator[None]:
        def saved(sender, instance: Check, created: bool, **kwargs) -> None:
            if created and instance.run_id == self.run.pk:
                self.show(instance)

        post_save.connect(saved, sender=Check, weak=False, dispatch_uid="generate-checks")
        try:
            yield
        finally:
            post_save.disconnect(sender=Check, dispatch_uid="generate-checks")

    def show_new(self) -> None:
        for check in Check.objects.filter(run=self.run).exclude(pk__in=self.shown).order_by("pk"):
            self.show(check)

    def show(self, check: Check) -> None:
        if check.pk in self.shown:
            return
        self.shown.add(check.pk)
        out, style = self.command.stdout, self.command.style
        if check.round != self.round:
            self.round = check.round
            out.write(f"  Checks after repair round {check.round}:" if check.round else "  Checks:")
        line = f"    {'✓' if check.passed else '✗'} {check.part_words}: {check.words} ({check.duration_s:.1f} s)"
        out.write(style.SUCCESS(line) if check.passed else style.ERROR(line))
        if not check.passed:
            for printed in check.output.rstrip().splitlines()[-OUTPUT_LINES:]:
                out.write(f"        {printed}")

    def summary(self) -> str:
        """The last round's checks in one line; a CommandError when none ran (a cluster with VERIFY_CHECKS off)."""
        last = Check.objects.filter(run=self.run).order_by("-attempt", "-round").first()
        if last is None:
            verify = self.run.task_runs.filter(agent=VerifyAgent.name).first()
            raise CommandError(
                (verify.reasoning if verify else "") or "No checks were run: the plan has no verify task."
            )
        count = Check.objects.filter(run=self.run, attempt=last.attempt, round=last.round).count()
        after = f" after {last.round} repair round{'s' if last.round != 1 else ''}" if last.round else ""
        return f"All {count} checks passed{after}."

    def criteria(self) -> list[str]:
        """Each acceptance criterion as the last round left it: "✓ records-tool: A person …"."""
        results = CriterionResult.latest(self.run)
        proven = sum(r.passed for r in results)
        lines = [f"Acceptance criteria: {proven} of {len(results)} proven."] if results else []
        for result in results:
            why = f" ({result.note})" if result.note else ""
            lines.append(f"  {'✓' if result.passed else '✗'} {result.criterion}: {result.text}{why}")
        return lines


class Command(BaseCommand):
    help = 'Plan a request, run every task and write the generated project: generate "<request>" --out DIR.'

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("request", help="What to build, in plain words.")
        parser.add_argument("--out", required=True, type=Path, help="Directory to write the project into.")
        parser.add_argument("--provider", help="offline, gemini or openai (default: the configured one).")
        parser.add_argument(
            "--stack",
            choices=sorted(stacks_for("backend")),
            help="The back-end stack (default: the one the request asks for, else the usual one).",
        )
        parser.add_argument("--force", action="store_true", help="Write into DIR even when it is not empty.")
        parser.add_argument("--timeout", type=float, default=1800, help="Give up waiting after this many seconds.")
        parser.add_argument(
            "--verify",
            action="store_true",
            help="Build and test the project in a sandbox, printing each check as it ends; "
            "fail when a check fails. Needs VERIFY_CHECKS on, bubblewrap and npm.",
        )

    def handle(
        self,
        *args,
        request: str,
        out: Path,
        provider: str | None,
        stack: str | None,
        force: bool,
        timeout: float,
        verify: bool,
        **options,
    ) -> None:
        if not request.strip():
            raise CommandError('Say what to build: manage.py generate "A booking site for a dog groomer" --out DIR')
        if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not force)):
            raise CommandError(f"{out} is not an empty directory; pick another or add --force to write into it.")
        if verify and not settings.VERIFY_CHECKS:
            raise CommandError(
                "--verify runs the checks, but VERIFY_CHECKS is off here: set VERIFY_CHECKS=true to run them."
            )
        run = self._start(request.strip(), provider, stack)
        checks = CheckPrinter(self, run) if verify else None
        # The plan's verify task runs the checks only with --verify: without it, it runs here with
        # VERIFY_CHECKS off and passes at once. A worker cluster that takes tasks over follows its own setting.
        with override_settings(VERIFY_CHECKS=verify), checks.listening() if checks else nullcontext():
            self._drive(run, deadline=time.monotonic() + timeout, checks=checks)
        run.refresh_from_db()
        if run.status != Run.Status.SUCCEEDED:
            raise CommandError(self._failures(run))
        if checks:
            self.stdout.write(self.style.SUCCESS(checks.summary()))
            for line in checks.criteria():
                self.stdout.write(line)
        count = write_files(run, out)
        self.stdout.write(self.style.SUCCESS(f"Wrote {count} files to {out}"))
        self.stdout.write(f"Next: {out / 'README.md'} says how to install, test and run it.")

    def _start(self, request: str, provider: str | None, stack: str | None) -> Run:
        team, _ = Team.objects.get_or_create(name=CLI_TEAM)
        project = Project.objects.create(
            team=team,
            title=title_for(request),
            request=request,
            provider=provider or "",
            options={"backend": stack} if stack else {},
        )
        try:
            version = plan_project(project, provider_name=provider)
        except (ProviderError, PlanInvalid) as exc:
            raise CommandError(f"Planning failed: {exc}") from None
        self.stdout.write(
            f"Project {project.pk} \u201c{project.title}\u201d: plan version {version.number} with {len(version.tasks)} tasks"
        )
        return start_run(version)

    def _drive(self, run: Run, *, deadline: float, checks: CheckPrinter | None) -> None:
        """Runs the tasks here unless a cluster does, printing each task (and check) as it finishes."""
        shown: set[int] = set()
        self.stdout.write(
            "A worker cluster runs the tasks."
            if clusters_running()
            else "Running the tasks here (no worker cluster found)."
        )
        while True:
            # Asked again each round: a cluster that stops (or a report it left behind that expires)
            # must not leave the run waiting. Tasks are claimed once, so both may work side by side.
            if not clusters_running():
                run_inline(run, on_progress=lambda task: self._show_finished(run, shown))
            if checks:
                checks.show_new()
            self._show_finished(run, shown)
            if not run.task_runs.exclude(status__in=TaskRun.FINISHED).exists():
                return
            if time.monotonic() > deadline:
                raise CommandError(
                    f"Gave up waiting for run {run.pk} at {timezone.now():%H:%M:%S}; it goes on in the background."
                )
            time.sleep(POLL_S)

    def _show_finished(self, run: Run, shown: set[int]) -> None:
        for task in (
            run.task_runs.filter(status__in=TaskRun.FINISHED).exclude(pk__in=shown).order_by("finished_at", "pk")
        ):
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
