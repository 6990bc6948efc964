"""What the reader takes from a request, in the terms of the spec: money apart from decimals,
choices with their options, links one or many, ownership, due dates and summaries.
agents/understanding/to_spec.py maps it to the Spec."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Detail:
    name: str  # camelCase
    kind: str  # in the gold set's plain words: text, long_text, number, decimal, money, date, datetime, yes_no, email, url, choice
    options: list[str] = field(default_factory=list)  # a choice's listed options


@dataclass
class Record:
    word: str  # singular, lower case: "loan"
    plural: str
    details: dict[str, Detail] = field(default_factory=dict)
    due: str | None = None  # the detail that holds the date the record is due by ("dueOn")
    done: str | None = None  # the detail that, once set, means it is no longer due ("returnedOn", "paid")

    @property
    def name(self) -> str:
        return "".join(part.capitalize() for part in self.word.replace("-", " ").split())


@dataclass(frozen=True)
class Link:
    source: str  # record word: each source row ...
    target: str  # ... points at one target row ("one"), or lists several ("many")
    cardinality: str = "one"


@dataclass
class Tally:
    """A figure the request asks to see over records: "a monthly leaderboard of total distance per
    member" is the sum of the runs' distance per member per month. `measure` is None when the
    words could not be read as one."""

    words: str  # in the request's words
    measure: str | None = None  # count, sum, avg, min or max
    record: str | None = None  # the record word counted or measured
    detail: str | None = None  # the number or money detail summed, averaged, ...
    per: str | None = None  # one row per linked record (its word) or per option of a detail (its name)
    period: str | None = None  # day, week, month or year
    only: str | None = None  # open (not yet done) or overdue records


@dataclass
class Behaviour:
    """Behaviour beyond records the request asks for, in its own words: the game itself, a converter,
    reminders sent before a due date. agents/understanding/to_spec.py makes it a spec Feature."""

    name: str  # camelCase, unique in the reading: "snakeGame"
    title: str  # "Snake game"
    text: str  # what the request says of it: "A snake game in the browser with a high-score table."
    part: str  # where it lives: frontend, backend or both


@dataclass
class Reading:
    kind: str = "records"  # or one of vocabulary.REQUEST_KINDS
    records: dict[str, Record] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    owned: list[str] = field(default_factory=list)  # records each person sees only their own of
    summaries: list[Tally] = field(default_factory=list)
    features: list[Behaviour] = field(default_factory=list)  # behaviour beyond records


def reaches(graph: dict[str, list[str]], start: str, goal: str) -> bool:
    """Whether `goal` can be reached from `start` following the graph's edges (node -> targets)."""
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            todo += graph.get(node, [])
    return False
