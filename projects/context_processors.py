"""What every page's template needs to know about the person looking at it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import access


def project_creation(request: HttpRequest) -> dict[str, Any]:
    """Whether the menu offers "New project": only to people who can start one in some team.
    Lazy, so that pages which never draw the menu never ask the database."""
    user = request.user
    return {
        "can_create_project": SimpleLazyObject(
            lambda: user.is_authenticated and access.teams_user_can_create_in(user).exists()
        )
    }
