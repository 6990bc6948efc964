"""The tests agent (name "tests"): a user's journey through the whole API, and Python tests when asked for."""

from __future__ import annotations

from .base import AgentContext
from .file_agent import FileAgent
from .generators.testing import extra_test_files
from .registry import register
from .spec import Spec


@register
class TestsAgent(FileAgent):
    name = "tests"
    description = (
        "Adds backend/tests/journey.test.ts (every record created, listed, changed and deleted in order) and, "
        "when the request asks for Python, python/ with an API client, a smoke test and pytest tests."
    )
    area = ("backend/tests/journey.test.ts", "python/")
    context_prefixes = ("backend/tests/", "backend/src/")
    role = "You write end-to-end tests of the API, and Python tests when the spec asks for Python."

    def offline(self, spec: Spec, context: AgentContext) -> dict[str, str]:
        return extra_test_files(spec)
