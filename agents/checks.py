"""A check of a generated project as people see it: its result, and the words the Checks panel uses.

Kept apart from the verify agent, which runs the checks, so that the orchestration's models can say
a stored check in words without importing the agent."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

PART_WORDS = {"backend": "Back end", "frontend": "Website"}


@dataclass
class CheckResult:
    """One check of one part, as people see it: a row of the run's Checks panel."""

    part: str  # the part's folder: "backend" or "frontend"
    name: str  # "installs", "types", "lint", "format", "migrations", "tests", "build" or "contract"
    command: str
    passed: bool
    duration_s: float
    exit_code: int | None
    output: str  # the end of what the command printed
    counts: dict[str, int] = field(
        default_factory=dict
    )  # tests: passed/failed/skipped; contract: cases/server_errors/violations
    note: str = ""  # "reused installed dependencies", "killed at the 600 s limit"
    round: int = 0  # 0 for the first verification, n for the one after the n-th repair
    tests: list[Any] | None = None  # a tests check: its runner's report, test by test (agents.test_reports.TestOutcome)

    @property
    def words(self) -> str:
        """ "Back end: 45 tests pass", "Website: tests failed: 2"."""
        return f"{PART_WORDS.get(self.part, self.part)}: {check_words(self.name, self.passed, self.counts)}"


def check_words(name: str, passed: bool, counts: dict[str, int]) -> str:
    if name == "tests" and counts:
        if passed:
            return f"{counts.get('passed', 0)} test{'s' if counts.get('passed', 0) != 1 else ''} pass"
        return f"tests failed: {counts.get('failed', 0) or 'the run did not finish'}"
    if name == "contract" and passed:
        if counts.get("cases"):
            return f"keeps its API contract ({counts['cases']} requests to {counts.get('operations', 0)} routes)"
        return "keeps its API contract"
    if name == "contract":
        if counts.get("server_errors") or counts.get("violations"):
            return f"breaks its API contract: {counts.get('server_errors', 0)} server errors, {counts.get('violations', 0)} other"
        return "breaks its API contract"
    return (PASSED if passed else FAILED).get(name, f"{name} {'passes' if passed else 'fails'}")


PASSED = {
    "installs": "installs",
    "types": "types check",
    "lint": "lint and format pass",
    "format": "formatting is clean",
    "migrations": "migrations apply",
    "tests": "tests pass",
    "build": "builds",
}
FAILED = {
    "installs": "does not install",
    "types": "type errors",
    "lint": "lint fails",
    "format": "formatting differs",
    "migrations": "migrations fail",
    "tests": "tests fail",
    "build": "does not build",
}


def names_file(output: str, inner: str) -> bool:
    """Whether a check's output names a file by its path inside its part ("src/app.ts" for
    backend/src/app.ts), as compilers, linters and test runners print it, alone or at the end of
    an absolute path; "src/app.tsx" is another file."""
    return re.search(rf"(?<![\w.-]){re.escape(inner)}(?![\w-])", output) is not None
