from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MEMBER = "member", "Member"
        VIEWER = "viewer", "Viewer"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="membership_unique_user_team"),
            models.CheckConstraint(condition=Q(role__in=["owner", "member", "viewer"]), name="membership_valid_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user) -> ProjectQuerySet:
        """Projects of the teams the user belongs to, in any role."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(team__memberships__user=user)


class Project(models.Model):
    class PlanningStatus(models.TextChoices):
        IDLE = "idle", "Idle"
        PLANNING = "planning", "Planning"
        FAILED = "failed", "Planning failed"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="projects")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    title = models.CharField(max_length=200)
    request = models.TextField(help_text="The plain-language request this project was created from.")
    provider = models.CharField(
        max_length=20, blank=True, help_text="Planner/agent provider; blank means the configured default."
    )
    options = models.JSONField(default=dict, blank=True, help_text="Optional stack choices made on the form.")
    token_budget = models.PositiveIntegerField(
        null=True, blank=True, help_text="Overrides RUN_TOKEN_BUDGET for this project's runs."
    )
    llm_routes = models.JSONField(
        default=dict,
        blank=True,
        help_text="Agent name -> \"provider:model\" for this project's runs, over the deployment's LLM_ROUTES.",
    )
    planning_status = models.CharField(max_length=10, choices=PlanningStatus.choices, default=PlanningStatus.IDLE)
    planning_error = models.TextField(blank=True, help_text="Why the last planning attempt failed, in plain words.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "-created_at"], name="project_team_recent")]
        constraints = [
            models.CheckConstraint(
                condition=Q(planning_status__in=["idle", "planning", "failed"]), name="project_valid_planning_status"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def choose_backend(self, stack: str) -> None:
        """Record the team's choice of back-end stack, made after the project was created: the
        next plan is built with it, and later re-plans keep it."""
        self.options = {**self.options, "backend": stack}
        self.save(update_fields=["options"])
