import textwrap

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from agents.extraction import title_for
from agents.providers import ProviderError
from agents.stacks import get_stack, stacks_for
from orchestration.models import PlanVersion
from orchestration.planning import plan_project
from orchestration.plans import PlanInvalid
from projects.models import Project, Team

# Projects planned from the command line belong to this team; staff see them in the admin, and
# adding people to the team shows them in the browser too.
CLI_TEAM = "CLI"


class Command(BaseCommand):
    help = (
        'Plan a request and print the plan with its reasoning: plan "<request>" makes a new project in the "CLI" team; '
        'plan --project ID --feedback "..." re-plans an existing project as its next version. '
        "--stack NAME builds the back end with that stack (a re-plan keeps the project's back end unless it is given)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("request", nargs="?", default="", help="What to build, in plain words.")
        parser.add_argument("--provider", help="offline, gemini or openai (default: the configured one).")
        parser.add_argument("--project", type=int, help="Re-plan this project instead of creating one.")
        parser.add_argument("--feedback", default="", help="With --project: what the new version should change.")
        parser.add_argument(
            "--stack",
            choices=sorted(stacks_for("backend")),
            help="The back-end stack (default: the one the request asks for, else the usual one).",
        )

    def handle(
        self,
        *args,
        request: str,
        provider: str | None,
        project: int | None,
        feedback: str,
        stack: str | None,
        **options,
    ) -> None:
        target = self._project(request.strip(), project, feedback)
        if stack:
            target.choose_backend(stack)
        try:
            version = plan_project(target, provider_name=provider, feedback=feedback)
        except (ProviderError, PlanInvalid) as exc:
            raise CommandError(f"Planning failed: {exc}") from None
        self._print(version)

    def _project(self, request: str, project_id: int | None, feedback: str) -> Project:
        if project_id is None:
            if feedback:
                raise CommandError("--feedback re-plans an existing project: give --project ID too.")
            if not request:
                raise CommandError('Say what to build: manage.py plan "A booking site for a dog groomer".')
            team, _ = Team.objects.get_or_create(name=CLI_TEAM)
            return Project.objects.create(team=team, title=title_for(request), request=request)
        if request:
            raise CommandError("--project re-plans that project from its own request; leave out the request text.")
        project = Project.objects.filter(pk=project_id).first()
        if project is None:
            raise CommandError(f"There is no project {project_id}.")
        return project

    def _print(self, version: PlanVersion) -> None:
        project = version.project
        source = version.get_source_display().lower()
        by = f" ({version.provider} {version.model})".rstrip() if version.model else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Project {project.pk} \u201c{project.title}\u201d (team {project.team}): plan version {version.number}, {source}{by}"
            )
        )
        if (spec := version.spec_model()) is not None:
            self.stdout.write(f"Back end: {get_stack(spec.stack.backend).label}")
            if spec.frontend:
                self.stdout.write(f"Website: {get_stack(spec.stack.frontend).label}")
            if spec.not_built:  # before the tasks, so nobody reads them expecting what will not be built
                self.stdout.write("")
                self.stdout.write("Not built:")
                for note in spec.not_built:
                    self.stdout.write(textwrap.fill(note, width=100, initial_indent="  - ", subsequent_indent="    "))
        self.stdout.write("")
        self.stdout.write(_table(version.tasks))
        self.stdout.write("")
        self.stdout.write("Reasoning:")
        for paragraph in version.reasoning.split("\n"):
            self.stdout.write(textwrap.fill(paragraph, width=100, initial_indent="  ", subsequent_indent="  "))
        self.stdout.write("")
        self.stdout.write(f'Re-plan with feedback: manage.py plan --project {project.pk} --feedback "..."')
        if version.number > 1:
            compare = reverse("admin:orchestration_planversion_compare", args=[project.pk]) + f"?b={version.number}"
            self.stdout.write(f"Compare with the previous version in the admin: {compare}")


def _dependencies(keys: list[str], width: int = 40) -> str:
    """The keys, shortened to "a, b +3 more" so one long list does not widen the whole table."""
    shown: list[str] = []
    for key in keys:
        if shown and len(", ".join([*shown, key])) > width:
            return f"{', '.join(shown)} +{len(keys) - len(shown)} more"
        shown.append(key)
    return ", ".join(shown) or "-"


def _table(tasks: list[dict]) -> str:
    rows = [("KEY", "AGENT", "DEPENDS ON", "SCOPE", "TIMEOUT", "TITLE")]
    for task in tasks:
        timeout = f"{task['timeout_s']} s" if task.get("timeout_s") else "default"
        scope = ", ".join(task.get("scope") or []) or "all"
        rows.append((task["key"], task["agent"], _dependencies(task["depends_on"]), scope, timeout, task["title"]))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1] for row in rows
    )
