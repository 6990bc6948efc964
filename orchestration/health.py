"""Is this process able to work? The database and the task queue's broker answer, or they do not.

/healthz (for a load balancer or compose's healthcheck on the web service) and `manage.py health`
(for worker machines, whose processes serve no HTTP) ask the same two questions and say which one
failed; neither needs a login nor says anything about versions or settings.
"""

from __future__ import annotations

import json
import logging

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .tasks import queue_broker

logger = logging.getLogger(__name__)


def components() -> dict[str, str]:
    """ "ok" or what went wrong, for the database and for the broker (the database again with the ORM broker)."""
    found = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        found["database"] = "ok"
    except Exception as exc:  # any driver's error: the answer is "not working", logged with its reason
        logger.warning("health: the database does not answer: %s", exc)
        found["database"] = "unreachable"
    try:
        found["broker"] = "ok" if queue_broker().ping() else "unreachable"
    except Exception as exc:
        logger.warning("health: the broker does not answer: %s", exc)
        found["broker"] = "unreachable"
    return found


def healthy(found: dict[str, str]) -> bool:
    return all(state == "ok" for state in found.values())


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    found = components()
    ok = healthy(found)
    return JsonResponse({"status": "ok" if ok else "unavailable", **found}, status=200 if ok else 503)


def report(found: dict[str, str]) -> str:
    return json.dumps({"status": "ok" if healthy(found) else "unavailable", **found})
