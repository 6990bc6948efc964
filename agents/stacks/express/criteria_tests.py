"""The generated criteria test (backend/tests/criteria.test.ts, from _stack/criteria.test.ts.j2): for
each acceptance criterion a generated test can prove (`agents.criteria.covered`), what in the spec its
tests are about, looked up once here so that the template only lays the tests out.

Several criteria may be about the same behaviour (a person's own beside a derived one): each gets
its own tests, which create their own records, so none hangs on another's."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agents.criteria import covered
from agents.spec import Criterion, Entity, EntityField, Relation, Spec

from ..typescript import template_text
from .routes import Lookup, lookups
from .summary_tests import SummaryPlan, summary_plan

# The lookups a "find" criterion is about: searching by words and narrowing by a choice, a yes/no or
# a link (agents.criteria names no date range among the ways to find records).
FINDS = ("q", "choice", "boolean", "link", "list")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def title_literal(text: str) -> str:
    """`text` (a criterion's words, as a person typed them) as a template literal on one line: control
    characters escaped too, since Prettier would turn a carriage return into a line feed."""
    escaped = CONTROL.sub(lambda m: ESCAPES.get(m.group(), f"\\x{ord(m.group()):02x}"), template_text(text))
    return f"`{escaped}`"


@dataclass(frozen=True)
class CriterionTests:
    criterion: Criterion
    kind: str  # the kind of behaviour its tests prove: records, choice, unique, link, ...
    entity: Entity | None = None  # none for log-ins
    field: EntityField | None = None  # a choice's or a unique detail's
    relation: Relation | None = None  # a link's
    plan: SummaryPlan | None = None  # a summary's records and the rows they give
    shared: tuple[Entity, ...] = ()  # log-ins: the records that are not private, which anyone may read
    finds: tuple[Lookup, ...] = ()  # find: the search and the filters, as the list route serves them
    needle: str = ""  # find: a word only the records this criterion searches for hold

    @property
    def searched(self) -> EntityField | None:
        """The text detail a search looks in: the first, as the entity's own test uses."""
        return next((f for f in self.entity.fields if f.type in ("string", "text", "email", "url")), None)

    @property
    def reads_period(self) -> bool:
        """A summary per period of the records' creation, whose exact rows name the period the test reads."""
        plan = self.plan
        return bool(plan and plan.summary.period and not plan.summary.date_field and plan.exact and plan.rows)


def criteria_tests(spec: Spec) -> list[CriterionTests]:
    """What the tests of each covered criterion of `spec` are about, in the spec's order."""
    found = []
    for number, criterion in enumerate(spec.criteria, start=1):
        if not covered(criterion, spec):
            continue
        about = criterion.about
        kind = about.kind
        if kind == "login":
            found.append(CriterionTests(criterion, kind, shared=tuple(e for e in spec.entities if not e.owned)))
            continue
        entity = spec.entity(about.entity)
        if kind in ("choice", "unique"):
            found.append(CriterionTests(criterion, kind, entity, field=entity.field(about.name)))
        elif kind == "link":
            found.append(CriterionTests(criterion, kind, entity, relation=entity.relation(about.name)))
        elif kind == "summary":
            summary = next(s for s in spec.summaries if s.name == about.name)
            found.append(CriterionTests(criterion, kind, entity, plan=summary_plan(spec, summary)))
        elif kind == "find":
            finds = tuple(item for item in lookups(entity) if item.kind in FINDS)
            if not finds:
                continue  # its only filter is named like a lookup that wins ("sort"): the list serves none
            # Numbered by the criterion's place: no needle holds another ("Zq1Xw" is not in "Zq12Xw").
            found.append(CriterionTests(criterion, kind, entity, finds=finds, needle=f"Zq{number}Xw"))
        else:
            found.append(CriterionTests(criterion, kind, entity))
    return found
