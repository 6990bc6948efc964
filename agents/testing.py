"""The tests agent (name "tests"): a user's journey through the whole API, and tests that prove each
acceptance criterion, in the back-end stack's test tool; and spec/criteria.json, which maps every
criterion to the tests tagged with its id. An app with no back end gets the map only."""

from __future__ import annotations

from .base import AgentContext, AgentResult, content_hashes
from .criteria import CRITERIA_PATH, criteria_json
from .file_agent import FileAgent, read_spec
from .registry import register
from .spec import Spec
from .stacks import get_stack


@register
class TestsAgent(FileAgent):
    name = "tests"
    description = (
        "Adds an end-to-end test to backend/tests/ (every kind of record created, listed, changed and deleted "
        "in order) and, for each acceptance criterion, tests tagged with its id, mapped in spec/criteria.json."
    )
    area = ("backend/tests/", CRITERIA_PATH)
    context_prefixes = ("backend/tests/", "backend/src/", "backend/app/")
    role = (
        "You write end-to-end tests of the API, and for each acceptance criterion of the spec at least one test "
        'tagged with its id: a TypeScript test\'s title starts with "<id>: "; a pytest test calls '
        'record_property("criterion", "<id>").'
    )

    def offline(self, spec: Spec, context: AgentContext) -> dict[str, str]:
        files: dict[str, str] = {}
        if spec.has_backend:
            stack = get_stack(spec.stack.backend)
            files = stack.journey_files(spec) | stack.criteria_files(spec)
        return files | {CRITERIA_PATH: criteria_json(spec, files)}

    def fingerprint_inputs(self, context: AgentContext) -> dict:
        # The criteria map is made from the tags in every test file of the run, upstream ones included.
        return super().fingerprint_inputs(context) | {"upstream": content_hashes(context.upstream)}

    def run(self, context: AgentContext) -> AgentResult:
        spec = read_spec(context.upstream)
        if not spec.has_backend:
            # No API to test, and a model would have nowhere to put its tests: only the map is written.
            result = AgentResult(
                files={},
                reasoning=(
                    "The app has no back end, so there are no API tests to write; "
                    f"{CRITERIA_PATH} maps each criterion to the tests of the run."
                ),
            )
        else:
            result = super().run(context)
        # The map is the tests' own: made from the tags in every test file of the run, whoever wrote them.
        tests = {path: text for path, text in (context.upstream | result.files).items() if path != CRITERIA_PATH}
        result.files[CRITERIA_PATH] = criteria_json(spec, tests)
        return result
