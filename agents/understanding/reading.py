"""What the reader takes from a request, in the terms of the richer schema that comes next:
money apart from decimals, choices with their options, links one or many, ownership and
summaries. agents/understanding/to_spec.py maps it down to today's Spec."""

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

    @property
    def name(self) -> str:
        return "".join(part.capitalize() for part in self.word.replace("-", " ").split())


@dataclass(frozen=True)
class Link:
    source: str  # record word: each source row ...
    target: str  # ... points at one target row ("one"), or lists several ("many")
    cardinality: str = "one"


@dataclass
class Reading:
    kind: str = "records"  # or one of vocabulary.REQUEST_KINDS
    records: dict[str, Record] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    owned: list[str] = field(default_factory=list)  # records each person sees only their own of
    summaries: list[str] = field(default_factory=list)  # in the request's words
    features: list[str] = field(default_factory=list)  # behaviour beyond records, in plain words


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
