from django.contrib import admin

from .models import Artifact, LLMCall, PlanVersion, Run, TaskAttempt, TaskRun


class ReadOnlyAdmin(admin.ModelAdmin):
    """Immutable records: staff can look, filter and search, but nobody edits them here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PlanVersion)
class PlanVersionAdmin(ReadOnlyAdmin):
    list_display = ["project", "number", "source", "provider", "model", "created_by", "created_at"]
    list_filter = ["source", "provider", "created_at"]
    search_fields = ["project__title", "reasoning", "feedback"]
    list_select_related = ["project", "created_by"]
    date_hierarchy = "created_at"


class TaskRunInline(admin.TabularInline):
    model = TaskRun
    fields = ["key", "agent", "status", "attempt", "max_attempts", "started_at", "finished_at", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ["id", "plan_version", "status", "triggered_by", "tokens_in", "tokens_out", "created_at", "finished_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["plan_version__project__title"]
    list_select_related = ["plan_version__project", "triggered_by"]
    readonly_fields = [f.name for f in Run._meta.fields]
    date_hierarchy = "created_at"
    inlines = [TaskRunInline]


class TaskAttemptInline(admin.TabularInline):
    model = TaskAttempt
    fields = ["number", "worker", "started_at", "finished_at", "succeeded", "backoff_s", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TaskRun)
class TaskRunAdmin(admin.ModelAdmin):
    list_display = ["key", "run", "agent", "status", "attempt", "max_attempts", "started_at", "finished_at"]
    list_filter = ["status", "agent", "started_at"]
    search_fields = ["key", "title", "error", "run__plan_version__project__title"]
    list_select_related = ["run__plan_version__project"]
    readonly_fields = [f.name for f in TaskRun._meta.fields]
    inlines = [TaskAttemptInline]


@admin.register(Artifact)
class ArtifactAdmin(ReadOnlyAdmin):
    list_display = ["path", "run", "task_run", "size", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["path", "sha256"]
    list_select_related = ["run", "task_run"]


@admin.register(LLMCall)
class LLMCallAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "provider", "model", "purpose", "attempt", "tokens_in", "tokens_out", "latency_ms", "has_error"]
    list_filter = ["provider", "purpose", "created_at"]
    search_fields = ["prompt", "response", "error", "project__title"]
    list_select_related = ["project", "task_run"]
    date_hierarchy = "created_at"

    @admin.display(boolean=True, description="error")
    def has_error(self, obj: LLMCall) -> bool:
        return bool(obj.error)
