"""What the test runners' reports say, test by test, and what that proves of each acceptance criterion.

The verify stage has each part's test runner write a report beside the part's folder: Jest's and
Vitest's JSON (the same shape: files with their assertion results) or pytest's JUnit XML. A test
proves a criterion when it is tagged with the criterion's id (agents/criteria.py): a TypeScript
test's title starts with "<id>: ", a pytest test records the property criterion=<id>.

Reports are written by generated code, so they are read as untrusted: size-limited, parsed as
data only, and a report that cannot be read is said so rather than trusted.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .criteria import covered, uncovered_reason
from .spec import Spec

MAX_REPORT_BYTES = 20 << 20
MAX_MESSAGE_CHARS = 2_000
TITLE_TAG = re.compile(r"^([a-z][a-z0-9-]{0,59}): ")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class TestOutcome:
    """One test as its runner reported it."""

    part: str  # "backend" or "frontend"
    file: str  # the test file, inside the part ("tests/criteria.test.ts")
    name: str  # the test's title (TypeScript, with its describe blocks before it) or function name (pytest)
    status: str  # "passed", "failed" or "skipped"
    message: str = ""  # a failure's message, its start
    criterion: str = ""  # the id it is tagged with, if any


@dataclass
class CriterionOutcome:
    """Whether one criterion was proven: "passed" (every test tagged with its id passed), "failed" (one
    failed) or "not_proven" (no such test ran), with the tests and, when not proven, why."""

    id: str
    text: str
    status: str
    note: str = ""
    tests: list[dict] = field(default_factory=list)


def read_report(path: Path, part: str, root: Path) -> list[TestOutcome] | None:
    """The tests in the report at `path` (JSON from Jest or Vitest, else JUnit XML); None when there is
    no report a generated project could honestly have written there (missing, a link, too large, or
    not a report). `root` is the part's folder: file paths are made relative to it."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_REPORT_BYTES:
            return None
        text = path.read_text(errors="replace")
    except OSError:
        return None
    try:
        return (
            _json_report(json.loads(text), part, root) if text.lstrip().startswith("{") else _junit_report(text, part)
        )
    except (ValueError, TypeError, KeyError, AttributeError, ElementTree.ParseError):
        return None


def _json_report(report: dict, part: str, root: Path) -> list[TestOutcome]:
    outcomes = []
    for suite in report["testResults"]:
        file = _inside(str(suite.get("name", "")), root)
        for test in suite.get("assertionResults", []):
            title = str(test.get("title", ""))
            ancestors = [str(a) for a in test.get("ancestorTitles", [])]
            status = {"passed": "passed", "failed": "failed"}.get(test.get("status"), "skipped")
            message = "\n".join(str(m) for m in test.get("failureMessages") or [])
            tag = TITLE_TAG.match(title)
            outcomes.append(
                TestOutcome(
                    part, file, " › ".join([*ancestors, title]), status, _short(message), tag.group(1) if tag else ""
                )
            )
        if not suite.get("assertionResults") and suite.get("status") == "failed":
            # A file that did not compile or load ran none of its tests: it counts as one failure.
            outcomes.append(TestOutcome(part, file, file, "failed", _short(str(suite.get("message", "")))))
    return outcomes


def _junit_report(text: str, part: str) -> list[TestOutcome]:
    outcomes = []
    for case in ElementTree.fromstring(text).iter("testcase"):
        module = case.get("classname", "")
        file = case.get("file") or (module.replace(".", "/") + ".py" if module else "")
        problem = next((case.find(tag) for tag in ("failure", "error") if case.find(tag) is not None), None)
        status = "failed" if problem is not None else "skipped" if case.find("skipped") is not None else "passed"
        message = "" if problem is None else f"{problem.get('message', '')}\n{problem.text or ''}".strip()
        tags = [p.get("value", "") for p in case.iter("property") if p.get("name") == "criterion"]
        outcomes.append(TestOutcome(part, file, case.get("name", ""), status, _short(message), tags[0] if tags else ""))
    return outcomes


def _inside(path: str, root: Path) -> str:
    """A report's absolute test path as a path inside the part ("tests/x.test.ts")."""
    marker = f"/{root.name}/"
    return path.split(marker, 1)[1] if marker in path else path.rsplit("/", 1)[-1]


def _short(message: str) -> str:
    return ANSI.sub("", message)[:MAX_MESSAGE_CHARS]


def prove_criteria(spec: Spec, reports: dict[str, list[TestOutcome] | None]) -> list[CriterionOutcome]:
    """Each criterion of `spec` against the parts' reports (`reports`: part -> its tests, or None when
    its tests did not run or left no report)."""
    tagged: dict[str, list[TestOutcome]] = {}
    for tests in reports.values():
        for test in tests or []:
            if test.criterion:
                tagged.setdefault(test.criterion, []).append(test)
    missing = [part for part, tests in reports.items() if tests is None]
    outcomes = []
    for criterion in spec.criteria:
        tests = tagged.get(criterion.id, [])
        ran = [t for t in tests if t.status != "skipped"]
        if any(t.status == "failed" for t in ran):
            status, note = "failed", ""
        elif ran:
            status, note = "passed", ""
        elif not covered(criterion, spec) and not tests:
            status, note = "not_proven", uncovered_reason(criterion, spec)
        elif missing:
            status, note = (
                "not_proven",
                f"The tests of the {' and the '.join(_part(p) for p in missing)} did not run to the end.",
            )
        else:
            status, note = "not_proven", "No test tagged with its id ran."
        outcomes.append(CriterionOutcome(criterion.id, criterion.text, status, note, [asdict(t) for t in tests]))
    return outcomes


def _part(part: str) -> str:
    return {"backend": "back end", "frontend": "website"}.get(part, part)
