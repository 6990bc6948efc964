""" "What it must do": a plan version's acceptance criteria as the project page lists them, each with
what the verify task proved of it in the shown run's last round, and the tests that proved it. The
criteria about a feature are listed under it, and the feature is ✓ when all of them were proven.

Results are matched to the version's criteria by id, and the words shown are the version's. Two
queries (CriterionResult.latest) however many criteria, and none before the run's checks began."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agents.criteria import uncovered_reason
from agents.spec import Criterion, Spec
from agents.spec_words import built_features
from orchestration.models import CriterionResult, CriterionStatus, PlanVersion, Run

NOT_COVERED_PREFIX = "Not covered: "  # how uncovered_reason starts when `about` names what the spec lacks
TEST_WORDS = {"passed": "Passed", "failed": "Failed", "skipped": "Skipped"}
TEST_COLOURS = {"passed": "succeeded", "failed": "failed"}  # a task status's colour (app.css); any other is grey


@dataclass
class TestLine:
    """One test tagged with a criterion's id, as its runner reported it."""

    name: str
    file: str
    part: str
    status: str  # passed, failed or skipped
    message: str = ""

    @property
    def words(self) -> str:
        return TEST_WORDS.get(self.status, self.status.capitalize())

    @property
    def colour(self) -> str:
        return TEST_COLOURS.get(self.status, "skipped")

    @property
    def where(self) -> str:
        """The test's file, from the project's root: "backend/tests/criteria.test.ts"."""
        return f"{self.part}/{self.file}" if self.part and self.file else self.file or self.part


@dataclass
class CriterionLine:
    id: str
    text: str
    not_covered: str  # why no generated test can prove it, in plain words; empty when one can
    result: CriterionResult | None = None
    tests: list[TestLine] = field(default_factory=list)

    @property
    def proven(self) -> bool:
        return self.result is not None and self.result.status == CriterionStatus.PASSED

    @property
    def verdict(self) -> str:
        """ "Proven", "Failed" or "Not proven", after the ✓ or ✗ the template shows; empty before any result."""
        return self.result.get_status_display() if self.result else ""

    @property
    def note(self) -> str:
        """Why it is not proven, unless that is the not-covered reason the line already says."""
        note = self.result.note if self.result else ""
        return "" if note.removeprefix(NOT_COVERED_PREFIX) == self.not_covered else note


@dataclass
class FeatureLine:
    """A feature of the spec with the criteria about it: ✓ when the shown run proved them all, ✗ when
    one failed, and otherwise why not, in words."""

    name: str
    title: str
    built: bool  # a task of the plan builds it (with a model); offline mode does not
    checked: bool  # the shown run's checks gave results
    lines: list[CriterionLine]

    @property
    def state(self) -> str:
        """ "passed", "failed", or empty when it is neither."""
        if self.lines and all(line.proven for line in self.lines):
            return "passed"
        if any(line.result is not None and line.result.status == CriterionStatus.FAILED for line in self.lines):
            return "failed"
        return ""

    @property
    def words(self) -> str:
        if self.state:
            return "Proven" if self.state == "passed" else "Failed"
        if not self.built:
            return "Not built offline"
        return "Not proven" if self.checked else "Not run yet"


@dataclass
class CriteriaGroup:
    """The criteria listed together: those about one feature, or (feature None) all the others."""

    feature: FeatureLine | None
    lines: list[CriterionLine]


@dataclass
class CriteriaPanel:
    lines: list[CriterionLine]  # the criteria about no feature
    checked: bool  # the shown run's checks proved (or failed to prove) its criteria at least once
    round: int = 0
    features: list[FeatureLine] = field(default_factory=list)

    @property
    def groups(self) -> list[CriteriaGroup]:
        """What the page lists: the criteria about no feature, then each feature with its own."""
        first = [CriteriaGroup(None, self.lines)] if self.lines else []
        return first + [CriteriaGroup(feature, feature.lines) for feature in self.features]

    @property
    def summary(self) -> str:
        every = self.lines + [line for feature in self.features for line in feature.lines]
        proven = sum(line.proven for line in every)
        after = f" after repair round {self.round}" if self.round else ""
        return f"{proven} of {len(every)} proven by the run’s tests{after}."


def criteria_panel(version: PlanVersion, run: Run | None) -> CriteriaPanel | None:
    """The version's criteria, with what `run` proved of them (None: show no results); None for a
    version made before versions kept their spec."""
    spec = version.spec_model()
    if spec is None:
        return None
    results = {r.criterion: r for r in CriterionResult.latest(run)} if run is not None else {}
    by_feature: dict[str, list[CriterionLine]] = {feature.name: [] for feature in spec.features}
    lines = []
    for criterion in spec.criteria:
        line = _line(criterion, spec, results.get(criterion.id))
        feature = criterion.about.name if criterion.about is not None and criterion.about.kind == "feature" else ""
        by_feature.get(feature, lines).append(line)
    built = built_features(version.tasks or [])
    features = [FeatureLine(f.name, f.title, f.name in built, bool(results), by_feature[f.name]) for f in spec.features]
    shown_round = next(iter(results.values())).round if results else 0
    return CriteriaPanel(lines, bool(results), shown_round, features)


def _line(criterion: Criterion, spec: Spec, result: CriterionResult | None) -> CriterionLine:
    tests = [_test(t) for t in result.tests] if result else []
    return CriterionLine(
        criterion.id, criterion.text, uncovered_reason(criterion, spec).removeprefix(NOT_COVERED_PREFIX), result, tests
    )


def _test(test: dict[str, Any]) -> TestLine:
    """A test as the verify stage stored it; a report is generated code's output, so nothing is assumed of it."""
    return TestLine(
        str(test.get("name", "")),
        str(test.get("file", "")),
        str(test.get("part", "")),
        str(test.get("status", "")),
        str(test.get("message", "")),
    )
