"""The generated back end's acceptance-criteria tests (backend/tests/test_criteria.py): for each
criterion a generated test can prove (agents/criteria.py), the test functions that prove it, named
after its id and carrying its words as their docstring. The template writes what each check does;
this module decides which checks a criterion gets and what each one calls, so that the file imports
and defines exactly what its tests use."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agents.criteria import covered
from agents.openapi import creation_required
from agents.spec import CriterionAbout, Entity, Spec

from .names import PyEntity, natural_key

if TYPE_CHECKING:
    from . import Lookup

DOCSTRING_WIDTH = 100  # characters of a docstring line, escapes included; the file allows 320


@dataclass(frozen=True)
class CriterionTest:
    """One test function: the criterion it records, and the check it makes (see the template)."""

    function: str  # test_records_tool_2
    criterion: str  # the id it records
    docstring: str  # the criterion's words as a Python docstring literal
    check: str  # records, required, choice-refused, choice-options, choice-default, unique, link, ...
    entity: PyEntity | None
    subject: Any = None  # what it checks: a Column, a ManyLink, a TestPlan, (SummaryView, Scenario) or required names
    uses: frozenset[str] = frozenset()  # factories and helpers it calls: create_tool, tool_input, ids

    @property
    def stranger(self) -> bool:
        """Whether it needs a second account (someone else's records)."""
        return self.check in ("private-lists", "private-others") or (
            self.check == "summary" and self.entity is not None and self.entity.owned
        )


@dataclass(frozen=True)
class Check:
    check: str
    entity: PyEntity | None
    subject: Any
    uses: frozenset[str]


def criteria_tests(spec: Spec, context: dict[str, Any]) -> list[CriterionTest]:
    """The tests of every covered criterion, in the spec's order; none for one that is not covered.
    `context` is the stack's template context: its py entities, lookups, test plans and summaries."""
    taken: set[str] = set()
    tests = []
    for criterion in spec.criteria:
        if criterion.about is None or not covered(criterion, spec):
            continue
        for check in _checks(spec, context, criterion.about):
            function = _free_name(f"test_{criterion.id.replace('-', '_')}", taken)
            tests.append(
                CriterionTest(
                    function,
                    criterion.id,
                    docstring(criterion.text),
                    check.check,
                    check.entity,
                    check.subject,
                    check.uses,
                )
            )
    return tests


def _free_name(base: str, taken: set[str]) -> str:
    """test_records_tool, then test_records_tool_2, …: never a name another test of the file has."""
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base}_{number}"
    taken.add(name)
    return name


def _checks(spec: Spec, context: dict[str, Any], about: CriterionAbout) -> Iterator[Check]:
    py: dict[str, PyEntity] = context["py"]
    if about.kind == "login":
        for entity in spec.entities:
            if not entity.owned:
                e = py[entity.name]
                yield Check("login", e, None, frozenset({f"create_{e.snake}", f"{e.snake}_data"}))
        return
    entity = spec.entity(about.entity or "")
    e = py[entity.name]
    create, data = f"create_{e.snake}", f"{e.snake}_data"
    # Valid input for a new record: its data, with the records it must link to when it must link to some.
    given = f"{e.snake}_input" if any(c.required for c in e.relations) else data
    if about.kind == "records":
        yield Check("records", e, None, frozenset({given, data, "ids", "assert_kept"}))
        if required := creation_required(entity):
            # Sorted, as the test compares them with the fields the API says are missing.
            yield Check("required", e, sorted(required), frozenset())
    elif about.kind == "choice":
        column = e.column(about.name or "")
        yield Check("choice-refused", e, column, frozenset({given}))
        yield Check("choice-options", e, column, frozenset({create}))
        if column.default is not None:
            yield Check("choice-default", e, column, frozenset({given}))
    elif about.kind == "unique":
        yield Check("unique", e, e.column(about.name or ""), frozenset({create, given}))
    elif about.kind == "link":
        relation = entity.relation(about.name or "")
        assert relation is not None  # covered: the entity has it
        if relation.many:
            link = next(link for link in e.links if link.name == relation.key)
            yield Check("links", e, link, frozenset({create, f"create_{link.target}"}))
            yield Check("links-missing", e, link, frozenset({given, f"create_{link.target}"}))
        else:
            column = e.column(relation.key)
            yield Check("link", e, column, frozenset({create, f"create_{column.target}"}))
            yield Check("link-missing", e, column, frozenset({given}))
    elif about.kind == "private":
        yield Check("private-lists", e, None, frozenset({create, "ids"}))
        yield Check("private-others", e, None, frozenset({create, data}))
    elif about.kind == "find":
        yield from _finders(entity, e, context)
    elif about.kind == "due":
        yield Check("due", e, context["test_plan"](entity), frozenset({create, "ids"}))
    elif about.kind == "summary":
        view, case = next((v, c) for v, c in context["summary_cases"] if v.summary.name == about.name)
        called = {create} | ({f"create_{view.group_target.snake}"} if view.group_target else set())
        called |= {"period_of"} if case.created_period else set()
        yield Check("summary", e, (view, case), frozenset(called))


def _finders(entity: Entity, e: PyEntity, context: dict[str, Any]) -> Iterator[Check]:
    """A check for each lookup that finds records: the search, and each choice, yes/no and link filter."""
    called = {f"create_{e.snake}", "ids"}
    lookups: list[Lookup] = context["lookups"](entity)
    for lookup in lookups:
        if lookup.kind == "q":
            yield Check("find-q", e, context["test_plan"](entity), frozenset(called))
        elif lookup.kind in ("choice", "flag"):
            yield Check(f"find-{lookup.kind}", e, e.column(lookup.name), frozenset(called))
        elif lookup.kind == "link":
            column = e.column(lookup.name)
            yield Check("find-link", e, column, frozenset(called | {f"create_{column.target}"}))
        elif lookup.kind == "links":
            link = next(link for link in e.links if link.lookup == lookup.name)
            yield Check("find-links", e, link, frozenset(called | {f"create_{link.target}"}))


def inputs(tests: list[CriterionTest], py: dict[str, PyEntity]) -> list[PyEntity]:
    """The kinds of record whose `<name>_input` helper (valid input, with the records it must link to) the tests call."""
    return [e for e in py.values() if any(f"{e.snake}_input" in t.uses for t in tests)]


def checked_records(tests: list[CriterionTest], py: dict[str, PyEntity]) -> list[PyEntity]:
    """The kinds of record whose adding, changing and removing the tests check: the file lists their
    days and times, which the API answers in another form than they were sent."""
    return [e for e in py.values() if any(t.check == "records" and t.entity is e for t in tests)]


def factory_imports(tests: list[CriterionTest], py: dict[str, PyEntity]) -> list[str]:
    """What the file imports from tests.factories: Row for its helpers, and each create_* and *_data it calls."""
    used = set().union(*(t.uses for t in tests))
    given = inputs(tests, py)
    used |= {f"{e.snake}_data" for e in given}
    used |= {f"create_{c.target}" for e in given for c in e.relations if c.required}
    factories = {f"create_{e.snake}" for e in py.values()} | {f"{e.snake}_data" for e in py.values()}
    names = sorted(used & factories, key=natural_key)
    return (["Row"] if given or "assert_kept" in used else []) + names


def calls(tests: list[CriterionTest], name: str) -> bool:
    """Whether any of the tests calls the helper `name` (ids, assert_kept, period_of)."""
    return any(name in t.uses for t in tests)


# --- the criterion's words as a docstring ----------------------------------------------------------


def docstring(text: str, indent: str = "    ") -> str:
    """`text` as a function's docstring literal, laid out as ruff format leaves it: words wrapped at
    DOCSTRING_WIDTH, the text's own line breaks kept, backslashes and quotes escaped, and characters
    that do not print (controls, zero-width and line separators) written as escapes."""
    lines: list[str] = []
    for paragraph in text.strip().splitlines():
        lines += _wrapped(paragraph.split()) or [""]
    if not lines:
        return '""" """'  # ruff format's empty docstring
    if len(lines) == 1:
        return f'"""{lines[0]}"""'
    rest = "\n".join(f"{indent}{line}" if line else "" for line in lines[1:])
    return f'"""{lines[0]}\n{rest}\n{indent}"""'


def _wrapped(words: list[str]) -> list[str]:
    """Escaped words joined by spaces into lines of at most DOCSTRING_WIDTH characters; a longer word
    is cut between its characters, never inside an escape."""
    lines: list[str] = []
    line = ""
    for word in words:
        escaped = "".join(_escaped(char) for char in word)
        if line and len(line) + 1 + len(escaped) <= DOCSTRING_WIDTH:
            line += " " + escaped
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:
            unit = _escaped(char)
            if len(line) + len(unit) > DOCSTRING_WIDTH:
                lines.append(line)
                line = ""
            line += unit
    return lines + ([line] if line else [])


def _escaped(char: str) -> str:
    if char in '\\"':
        return "\\" + char
    if char.isprintable():
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
