from django.contrib import admin

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


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "created_by", "planning_status", "created_at"]
    list_filter = ["team", "planning_status", "created_at"]
    search_fields = ["title", "request"]
    autocomplete_fields = ["team"]
    readonly_fields = ["created_at"]
    date_hierarchy = "created_at"
