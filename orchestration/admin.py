from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.timezone import localtime

from agents.criteria import about_key, uncovered_reason
from autodevos_site.admin_inlines import ReadOnlyTabularInline
from projects.models import Project

from .check_outcomes import CHECKS_FAILED, CHECKS_PASSED, NOT_CHECKED, checks_outcome, with_checks_outcome
from .models import Artifact, Check, CriterionResult, LLMCall, PlanVersion, Run, TaskAttempt, TaskRun
from .plan_diff import normalise_tasks
from .runs import RunAlreadyActive, cancel_run, retry_failed


class ReadOnlyAdmin(admin.ModelAdmin):
    """Immutable records: staff can look, filter and search, but nobody edits them here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


def compare_url(version: PlanVersion, other: PlanVersion | None = None) -> str:
    """The admin page comparing `other` (default: the version's parent, else the one before) with `version`."""
    url = reverse("admin:orchestration_planversion_compare", args=[version.project_id]) + f"?b={version.number}"
    return url + (f"&a={other.number}" if other else "")


@admin.register(PlanVersion)
class PlanVersionAdmin(ReadOnlyAdmin):
    actions = None  # not even "Delete selected": a version is part of the project's history, and refuses deletes
    list_display = ["project", "number", "source", "provider", "model", "created_by", "created_at", "compare_link"]
    list_filter = ["source", "provider", "created_at"]
    search_fields = ["project__title", "reasoning", "feedback"]
    list_select_related = ["project", "created_by"]
    date_hierarchy = "created_at"
    fieldsets = [
        (None, {"fields": ["project", "number", "source", "parent", "created_by", "created_at", "compare_link"]}),
        ("Plan", {"fields": ["plan_table", "built_with", "criteria_table", "reasoning", "feedback", "spec"]}),
        ("Model", {"fields": ["provider", "model", "tokens_in", "tokens_out", "latency_ms", "llm_call_links"]}),
    ]
    readonly_fields = ["created_at", "compare_link", "plan_table", "built_with", "criteria_table", "llm_call_links"]

    def get_urls(self):
        compare = path(
            "compare/<int:project_id>/",
            self.admin_site.admin_view(self.compare_view),
            name="orchestration_planversion_compare",
        )
        return [compare, *super().get_urls()]

    @admin.display(description="compare")
    def compare_link(self, obj: PlanVersion) -> str:
        if obj.number == 1:
            return "—"
        return format_html('<a href="{}">compare with previous</a>', compare_url(obj))

    @admin.display(description="tasks")
    def plan_table(self, obj: PlanVersion) -> str:
        return render_to_string(
            "admin/orchestration/planversion/_plan_table.html", {"tasks": normalise_tasks(obj.tasks)}
        )

    @admin.display(description="what it must do")
    def criteria_table(self, obj: PlanVersion) -> str:
        """The acceptance criteria: who wrote each, and what proves it or why nothing generated can."""
        spec = obj.spec_model()
        if spec is None:
            return "— (made before versions kept their spec)"
        rows = [(c, about_key(c.about) if c.about else "", uncovered_reason(c, spec)) for c in spec.criteria]
        return render_to_string("admin/orchestration/planversion/_criteria_table.html", {"rows": rows})

    @admin.display(description="LLM calls")
    def llm_call_links(self, obj: PlanVersion) -> str:
        calls = obj.llm_calls.order_by("created_at", "id").only("pk", "attempt", "error")
        links = [
            format_html(
                '<a href="{}">attempt {}{}</a>',
                reverse("admin:orchestration_llmcall_change", args=[c.pk]),
                c.attempt,
                " (error)" if c.error else "",
            )
            for c in calls
        ]
        return (
            format_html_join(", ", "{}", ((link,) for link in links))
            if links
            else "none (planned offline or edited by hand)"
        )

    def compare_view(self, request: HttpRequest, project_id: int) -> TemplateResponse:
        """Any two versions of one project side by side; b defaults to the latest, a to b's parent."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        project = get_object_or_404(Project, pk=project_id)
        versions = list(project.plan_versions.order_by("number"))
        by_number = {v.number: v for v in versions}
        new = by_number.get(_int(request.GET.get("b"))) or (versions[-1] if versions else None)
        old = by_number.get(_int(request.GET.get("a")))
        if old is None and new is not None:
            old = new.parent or by_number.get(new.number - 1)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Compare plan versions of {project}",
            "project": project,
            "versions": versions,
            "old": old,
            "new": new,
            "diff": old.diff(new) if old and new else None,
        }
        return TemplateResponse(request, "admin/orchestration/planversion/compare.html", context)


def _int(value: str | None) -> int | None:
    """A version number from the query string, or None. Not str.isdigit(): it accepts "²", which int() refuses."""
    try:
        return int(value or "")
    except ValueError:
        return None


class TaskRunInline(ReadOnlyTabularInline):
    model = TaskRun
    fields = ["key", "agent", "status", "reused", "attempt", "max_attempts", "started_at", "finished_at", "error"]
    readonly_fields = ["reused"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reused_from")

    @admin.display(description="reused")
    def reused(self, obj: TaskRun) -> str:
        return reused_words(obj)


class CheckInline(ReadOnlyTabularInline):
    """The run's checks in the order they ran; the command and the output are on each check's own page."""

    model = Check
    fields = ["attempt", "round", "part", "name", "status", "duration_s", "exit_code", "note"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("command", "output")


class CriterionResultInline(ReadOnlyTabularInline):
    """Whether each acceptance criterion was proven, round by round, with the tests tagged with its id."""

    model = CriterionResult
    fields = ["attempt", "round", "criterion", "status", "text", "note", "tests_shown"]
    show_change_link = False  # no page of its own: everything it holds is in this row

    @admin.display(description="tests")
    def tests_shown(self, obj: CriterionResult) -> str:
        return render_to_string("admin/orchestration/run/_criterion_tests.html", {"tests": obj.tests})


class ChecksFilter(admin.SimpleListFilter):
    """How the last round of the verify task's latest attempt ended (see orchestration.check_outcomes);
    RunAdmin.get_queryset annotates the runs it filters."""

    title = "checks"
    parameter_name = "checks"
    outcomes = {"passed": CHECKS_PASSED, "failed": CHECKS_FAILED, "none": NOT_CHECKED}

    def lookups(self, request, model_admin):
        return [("passed", "passed"), ("failed", "failed"), ("none", "not checked")]

    def queryset(self, request, queryset):
        if self.value() in self.outcomes:
            return queryset.filter(self.outcomes[self.value()])
        return queryset


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "plan_version",
        "status",
        "failed_tasks",
        "checks_result",
        "triggered_by",
        "tokens_in",
        "tokens_out",
        "cost_usd",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", ChecksFilter, ("task_runs__agent", admin.AllValuesFieldListFilter), "created_at"]
    search_fields = ["plan_version__project__title"]
    list_select_related = ["plan_version__project", "triggered_by"]
    date_hierarchy = "created_at"
    readonly_fields = ["checks_result", "repair_rounds"]
    inlines = [TaskRunInline, CheckInline, CriterionResultInline]
    actions = ["retry_failed_tasks", "cancel_runs"]

    def has_control_permission(self, request) -> bool:
        """Retrying and cancelling go through orchestration.runs, not the view-only page, but they still
        change a run: they need the permission to change runs."""
        return request.user.has_perm(f"{self.opts.app_label}.{get_permission_codename('change', self.opts)}")

    @admin.action(description="Retry failed tasks", permissions=["control"])
    def retry_failed_tasks(self, request, queryset) -> None:
        reset, refused = {}, []
        for run in queryset:
            try:
                reset[run.pk] = retry_failed(run, user=request.user)
            except RunAlreadyActive as exc:
                refused.append(f"run {run.pk}: {exc}")
        retried = [pk for pk, count in reset.items() if count]
        self.message_user(
            request,
            f"{sum(reset.values())} failed or skipped tasks of {len(retried)} run(s) will run again."
            if retried
            else "None of the selected runs had failed tasks.",
        )
        if refused:
            self.message_user(request, "Not retried — " + "; ".join(refused), level=messages.WARNING)

    @admin.action(description="Cancel run", permissions=["control"])
    def cancel_runs(self, request, queryset) -> None:
        active = list(queryset.active())
        for run in active:
            cancel_run(run, user=request.user)
        self.message_user(
            request, f"Cancelled {len(active)} run(s); tasks that were working stop at their next checkpoint."
        )

    def get_queryset(self, request):
        failed = Count("task_runs", filter=Q(task_runs__status=TaskRun.Status.FAILED))
        rounds = TaskAttempt.objects.filter(task_run__run=OuterRef("pk"), repair_round__isnull=False).order_by(
            "-repair_round"
        )
        runs = with_checks_outcome(super().get_queryset(request))
        return runs.annotate(failed_count=failed, repair_round_count=Subquery(rounds.values("repair_round")[:1]))

    @admin.display(description="checks")
    def checks_result(self, obj: Run) -> str:
        return checks_outcome(obj) or "—"

    @admin.display(description="repair rounds", ordering="repair_round_count")
    def repair_rounds(self, obj: Run) -> int:
        return obj.repair_round_count or 0

    @admin.display(description="failed tasks", ordering="failed_count")
    def failed_tasks(self, obj: Run) -> str:
        """A link straight to the run's failed tasks, where each error and its LLM calls are shown."""
        if not obj.failed_count:
            return "—"
        url = reverse("admin:orchestration_taskrun_changelist") + f"?run__id__exact={obj.pk}&status__exact=failed"
        return format_html('<a href="{}">{} failed</a>', url, obj.failed_count)


class TaskAttemptInline(ReadOnlyTabularInline):
    model = TaskAttempt
    fields = [
        "number",
        "repair_round",
        "worker",
        "started_at",
        "finished_at",
        "succeeded",
        "backoff_s",
        "error",
        "reasoning",
    ]


class TaskLLMCallInline(ReadOnlyTabularInline):
    """A failed task's model calls right under its error: prompt, answer and error are one click further."""

    model = LLMCall
    fields = ["created_at", "provider", "model", "attempt", "tokens_in", "tokens_out", "latency_ms", "error"]
    verbose_name_plural = "LLM calls"

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*LLM_CALL_TEXTS)


@admin.register(TaskRun)
class TaskRunAdmin(ReadOnlyAdmin):
    # Narrow columns, so that status and error fit beside the filters at 1280 px without a sideways scroll.
    list_display = ["key", "run_number", "agent", "model_called", "status", "attempts", "started", "short_error"]
    list_filter = ["status", "agent", "provider", "started_at"]
    list_select_related = ["reused_from"]
    search_fields = ["key", "title", "error", "run__plan_version__project__title"]
    date_hierarchy = "started_at"
    inlines = [TaskAttemptInline, TaskLLMCallInline]

    @admin.display(description="run", ordering="run_id")
    def run_number(self, obj: TaskRun) -> int:
        return obj.run_id

    @admin.display(description="started", ordering="started_at", empty_value="—")
    def started(self, obj: TaskRun) -> str | None:
        return date_format(localtime(obj.started_at), "j M H:i:s") if obj.started_at else None

    @admin.display(description="attempts")
    def attempts(self, obj: TaskRun) -> str:
        return f"{obj.attempt} of {obj.max_attempts}"

    @admin.display(description="model", ordering="model")
    def model_called(self, obj: TaskRun) -> str:
        return f"{obj.provider}: {obj.model}" if obj.model else obj.provider

    @admin.display(description="error")
    def short_error(self, obj: TaskRun) -> str:
        return Truncator(obj.error or reused_words(obj)).chars(60)


def reused_words(task: TaskRun) -> str:
    """ "reused from run 3" for a task that took an earlier run's files; empty for one that ran."""
    return f"reused from run {task.reused_from.run_id}" if task.reused_from_id else ""


class CheckChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).defer("command", "output")


@admin.register(Check)
class CheckAdmin(ReadOnlyAdmin):
    actions = None  # a check is a record of what ran: it goes with its run, never on its own
    list_display = ["run", "part", "name", "status", "duration", "round", "attempt", "created_at"]
    list_filter = ["status", "part", "name"]
    search_fields = ["run__plan_version__project__title", "command", "note"]
    list_select_related = ["run__plan_version__project"]
    fields = [
        "run",
        "task_run",
        "attempt",
        "round",
        "part",
        "name",
        "status",
        "command",
        "duration_s",
        "exit_code",
        "counts",
        "note",
        "created_at",
        "printed",
    ]
    readonly_fields = ["created_at", "printed"]

    def get_changelist(self, request, **kwargs):
        return CheckChangeList

    @admin.display(description="duration", ordering="duration_s")
    def duration(self, obj: Check) -> str:
        return f"{obj.duration_s:.1f} s"

    @admin.display(description="output (its end)")
    def printed(self, obj: Check) -> str:
        return format_html('<pre class="check-output">{}</pre>', obj.output) if obj.output else "—"


@admin.register(Artifact)
class ArtifactAdmin(ReadOnlyAdmin):
    list_display = ["path", "run", "task_run", "size", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["path", "sha256"]
    list_select_related = ["run", "task_run"]


# Up to LLM_CALL_STORE_MAX_CHARS each: lists and inlines never load them, only a call's own page does.
LLM_CALL_TEXTS = ("prompt", "response")


class LLMCallChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).defer(*LLM_CALL_TEXTS)


@admin.register(LLMCall)
class LLMCallAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "provider",
        "model",
        "purpose",
        "attempt",
        "tokens_in",
        "tokens_out",
        "latency_ms",
        "response_chars",
        "has_error",
    ]
    list_filter = ["provider", "purpose", "created_at"]
    search_fields = ["prompt", "response", "error", "project__title"]
    list_select_related = ["project", "task_run"]
    date_hierarchy = "created_at"

    readonly_fields = ["stored"]

    def get_changelist(self, request, **kwargs):
        return LLMCallChangeList

    @admin.display(boolean=True, description="error")
    def has_error(self, obj: LLMCall) -> bool:
        return bool(obj.error)

    @admin.display(description="stored")
    def stored(self, obj: LLMCall) -> str:
        return "; ".join(
            f"{what}: {'all' if len(kept) >= total else f'the first {len(kept):,}'} of {total:,} characters"
            for what, kept, total in (
                ("prompt", obj.prompt, obj.prompt_chars),
                ("answer", obj.response, obj.response_chars),
            )
        )
