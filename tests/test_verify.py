"""The verify agent builds and tests a generated project in the sandbox: an offline project passes every
check of both parts, the API keeps its contract under Schemathesis, and a second verification reuses
the installed dependencies; a project with a type error and a failing test fails with those checks
named, in words, and every check reported as it ended."""

from __future__ import annotations

import pytest

from agents.base import PermanentAgentError
from testbed.rich_specs import RICH_REQUESTS
from testbed.verify import Recorded, generated, verify

pytestmark = pytest.mark.slow


def test_an_offline_project_passes_every_check_and_the_second_verification_reuses_the_installs(verify_settings):
    files, spec = generated(RICH_REQUESTS["tool-shed"])
    first = Recorded()
    result = verify(files, spec, first)
    assert result.files == {}
    assert all(c.passed for c in first.checks), [(c.words, c.output[-2000:]) for c in first.checks if not c.passed]
    names = {(c.part, c.name) for c in first.checks}
    assert names == {("backend", n) for n in ("installs", "types", "lint", "tests", "build", "contract")} | {
        ("frontend", n) for n in ("installs", "types", "lint", "tests", "build")
    }
    backend_tests = next(c for c in first.checks if (c.part, c.name) == ("backend", "tests"))
    assert (
        backend_tests.counts["passed"] > 20
        and backend_tests.words == f"Back end: {backend_tests.counts['passed']} tests pass"
    )
    contract = next(c for c in first.checks if c.name == "contract")
    assert contract.counts["cases"] > 0 and contract.counts["server_errors"] == contract.counts["violations"] == 0
    assert "checks passed" in result.reasoning

    again = Recorded()
    verify(files, spec, again)
    installs = [c for c in again.checks if c.name == "installs"]
    assert len(installs) == 2 and all(c.passed and c.note == "reused installed dependencies" for c in installs)


def test_a_type_error_and_a_failing_test_fail_the_verification_with_those_checks_named(verify_settings):
    files, spec = generated("An API for a plant nursery: plants with a name, a price and a watering day")
    assert not spec.frontend
    files["backend/src/wrong.ts"] = 'export const wrongType: number = "not a number";\n'  # no test imports it
    test = next(p for p in files if p.startswith("backend/tests/") and p.endswith(".test.ts"))
    files[test] += '\ntest("a deliberately failing test", () => {\n  expect(1 + 1).toBe(3);\n});\n'
    hooks = Recorded()
    with pytest.raises(PermanentAgentError) as failed:
        verify(files, spec, hooks)
    message = str(failed.value)
    assert message.startswith("Checks failed: ")
    assert "Back end: type errors" in message and "Back end: tests failed: 1" in message
    types = next(c for c in hooks.checks if c.name == "types")
    assert (
        not types.passed
        and "src/wrong.ts" in types.output
        and "TS2322" in types.output
        and types.exit_code not in (0, None)
    )
    tests = next(c for c in hooks.checks if c.name == "tests")
    assert tests.counts["failed"] == 1 and "a deliberately failing test" in tests.output
    assert next(c for c in hooks.checks if c.name == "installs").passed
