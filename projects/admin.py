from django import forms
from django.contrib import admin
from django.utils.html import format_html

from agents.providers import format_routes
from autodevos_site.admin_inlines import ReadOnlyTabularInline
from orchestration.admin import compare_url
from orchestration.models import PlanVersion

from .forms import routes_field, stored_routes
from .models import Membership, Project, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role"]
    list_filter = ["role", "team"]
    search_fields = ["user__username", "team__name"]
    autocomplete_fields = ["user", "team"]


class PlanVersionInline(ReadOnlyTabularInline):
    """The project's plan history, newest first, each version one click from its diff."""

    model = PlanVersion
    fk_name = "project"
    fields = ["number", "source", "created_by", "created_at", "provider", "compare"]
    ordering = ["-number"]
    verbose_name_plural = "plan versions"

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # versions are immutable

    @admin.display(description="compare")
    def compare(self, obj: PlanVersion) -> str:
        if obj.number == 1:
            return "first version"
        return format_html('<a href="{}">compare with previous</a>', compare_url(obj))


class ProjectAdminForm(forms.ModelForm):
    """Models per agent edited as the text the new-project form takes, not as JSON."""

    llm_routes = routes_field()

    class Meta:
        model = Project
        fields = "__all__"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initial["llm_routes"] = format_routes(self.instance.llm_routes)

    def clean_llm_routes(self) -> dict[str, str]:
        return stored_routes(self.cleaned_data["llm_routes"])


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    form = ProjectAdminForm
    list_display = ["title", "team", "created_by", "planning_status", "created_at"]
    list_filter = ["team", "planning_status", "created_at"]
    search_fields = ["title", "request"]
    autocomplete_fields = ["team"]
    readonly_fields = ["created_at"]
    date_hierarchy = "created_at"
    inlines = [PlanVersionInline]
