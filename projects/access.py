"""The one place where a request's access to a project, and to everything inside it, is decided.

Every lookup starts from the project the user's team can see: anyone outside the team gets 404
(so its existence is not revealed), a viewer asking to change something gets 403, and an id that
belongs to another project is a 404 even for a member.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from orchestration.models import Artifact, PlanVersion, Run

from .models import Membership, Project, Team

EDIT_ROLES = (Membership.Role.OWNER, Membership.Role.MEMBER)
VIEWER_REFUSAL = "Viewers can look at this project but not change it."


def projects_for_user(user) -> QuerySet[Project]:
    """The user's teams' projects, each annotated with `user_role` (one query, no per-row lookups)."""
    role = Membership.objects.filter(team_id=OuterRef("team_id"), user_id=user.pk).values("role")[:1]
    return Project.objects.visible_to(user).select_related("team").annotate(user_role=Subquery(role))


def user_can_edit(project: Project) -> bool:
    """Whether the user the project was loaded for may change it (needs `projects_for_user`)."""
    return project.user_role in EDIT_ROLES


def get_project_for_user(user, project_id: int, *, edit: bool = False) -> Project:
    """The project if the user's team can see it; 404 for outsiders, 403 for a viewer asking to change it."""
    project = get_object_or_404(projects_for_user(user), pk=project_id)
    if edit and not user_can_edit(project):
        raise PermissionDenied(VIEWER_REFUSAL)
    return project


def get_version_for_user(user, project_id: int, version_id: int, *, edit: bool = False) -> PlanVersion:
    project = get_project_for_user(user, project_id, edit=edit)
    version = get_object_or_404(PlanVersion.objects.select_related("created_by"), project=project, pk=version_id)
    version.project = project
    return version


def get_run_for_user(user, project_id: int, run_id: int, *, edit: bool = False) -> Run:
    project = get_project_for_user(user, project_id, edit=edit)
    run = get_object_or_404(
        Run.objects.select_related("plan_version", "triggered_by"), plan_version__project=project, pk=run_id
    )
    run.plan_version.project = project
    return run


def get_artifact_for_user(user, project_id: int, run_id: int, path: str) -> Artifact:
    run = get_run_for_user(user, project_id, run_id)
    artifact = get_object_or_404(Artifact.objects.select_related("task_run"), run=run, path=path)
    artifact.run = run
    return artifact


def teams_user_can_create_in(user) -> QuerySet[Team]:
    """Teams where the user may start projects: owners and members, not viewers."""
    return Team.objects.filter(memberships__user_id=user.pk, memberships__role__in=EDIT_ROLES).order_by("name")
