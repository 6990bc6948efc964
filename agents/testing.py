"""The tests agent (name "tests"): a user's journey through the whole API, in the back-end stack's test tool."""

from __future__ import annotations

from .base import AgentContext
from .file_agent import FileAgent
from .registry import register
from .spec import Spec
from .stacks import get_stack


@register
class TestsAgent(FileAgent):
    name = "tests"
    description = "Adds an end-to-end test to backend/tests/: every kind of record created, listed, changed and deleted in order."
    area = ("backend/tests/",)
    context_prefixes = ("backend/tests/", "backend/src/")
    role = "You write end-to-end tests of the API."

    def offline(self, spec: Spec, context: AgentContext) -> dict[str, str]:
        return get_stack(spec.stack.backend).journey_files(spec)
