"""The tests agent (name "tests"): a user's journey through the whole API."""

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
        "Adds backend/tests/journey.test.ts (every record created, listed, changed and deleted in order)."
    )
    area = ("backend/tests/",)
    context_prefixes = ("backend/tests/", "backend/src/")
    role = "You write end-to-end tests of the API."

    def offline(self, spec: Spec, context: AgentContext) -> dict[str, str]:
        return extra_test_files(spec)
