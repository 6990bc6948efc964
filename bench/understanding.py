"""How well the offline planner understands requests, scored against a gold set.

    python bench/understanding.py [GOLD.yaml ...] [--show] [--spec]

Prints `entity_f1=… field_f1=… type_accuracy=… relation_f1=… kind_accuracy=… junk_entities=…
owned_accuracy=… choice_f1=… due_f1=… summary_f1=…` over every request of the gold files (default: bench/gold/understanding.yaml). Sets kept outside
the project are scored the same way: pass their paths. --show prints each request's misses.

Matching: entities by name, singular and case-insensitive; fields by the stem of their first
word ("dueOn" and "dueAt" are both "due"), within matched entities; links as (from, to,
one|many) on matched entities. A junk entity is one the planner made that the reader did not.
Ownership: the share of requests for records whose set of owned entities is exactly the gold's.
Choices: (entity, field, option) triples; due dates: (entity, due field, done field); summaries:
(entity, measure, field, group, period, only), fields by the same stem as above. A summary the
gold writes in words cannot be expressed, and is expected to be none of the made summaries.

By default it scores the planner's reading of each request (agents.understanding.read), which
money, choices and links as the request says them; --spec scores the Spec that reading is mapped
to, as the generators receive it.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import django
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autodevos_site.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
django.setup()

from agents.extraction import extract_spec  # noqa: E402
from agents.spec import Spec  # noqa: E402
from agents.understanding import Reading, read  # noqa: E402

DEFAULT_GOLD = Path(__file__).parent / "gold" / "understanding.yaml"
# The spec's field types in the gold set's plain words.
KINDS = {
    "string": "text",
    "text": "long_text",
    "int": "number",
    "float": "decimal",
    "boolean": "yes_no",
    "date": "date",
    "datetime": "datetime",
    "email": "email",
    "money": "money",
    "url": "url",
    "choice": "choice",
}


def _entity_key(name: str) -> str:
    key = name.lower().removesuffix("entry")
    # Singular, as the matching promises: "Points" and "Point" name the same records.
    if key.endswith("ies") and len(key) > 4:
        return key[:-3] + "y"
    return key[:-1] if key.endswith("s") and not key.endswith(("ss", "us", "is")) else key


def _field_key(name: str) -> str:
    first = re.split(r"(?=[A-Z])", name)[0].lower()
    return re.sub(r"(ing|ed|s)$", "", first) or first


@dataclass
class Tally:
    hit: int = 0
    predicted: int = 0
    expected: int = 0

    def add(self, predicted: set, expected: set) -> None:
        self.hit += len(predicted & expected)
        self.predicted += len(predicted)
        self.expected += len(expected)

    @property
    def f1(self) -> float:
        if not self.predicted and not self.expected:
            return 1.0
        precision = self.hit / self.predicted if self.predicted else 0.0
        recall = self.hit / self.expected if self.expected else 0.0
        return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


@dataclass
class Score:
    entities: Tally = field(default_factory=Tally)
    fields: Tally = field(default_factory=Tally)
    relations: Tally = field(default_factory=Tally)
    types_right: int = 0
    types_seen: int = 0
    kinds_right: int = 0
    requests: int = 0
    junk: list[str] = field(default_factory=list)
    owned_right: int = 0
    owned_seen: int = 0
    choices: Tally = field(default_factory=Tally)
    due: Tally = field(default_factory=Tally)
    summaries: Tally = field(default_factory=Tally)


@dataclass
class Made:
    """What the planner made of one request, in the gold set's terms."""

    kind: str
    entities: dict[str, dict[str, str]]  # entity name -> {field name: kind of value}
    links: set[tuple[str, str, str]]  # (from, to, one|many), by entity name
    owned: set[str] = field(default_factory=set)  # entity names
    choices: set[tuple[str, str, str]] = field(default_factory=set)  # (entity, field, option)
    due: set[tuple[str, str, str]] = field(default_factory=set)  # (entity, due field, done field or "")
    summaries: set[tuple[str, ...]] = field(default_factory=set)  # (entity, measure, field, group, period, only)


def made_from_spec(spec: Spec) -> Made:
    return Made(
        kind=spec.kind,
        entities={e.name: {f.name: KINDS.get(f.type, f.type) for f in e.fields} for e in spec.entities},
        links={(e.name, r.target, "many" if r.many else "one") for e in spec.entities for r in e.relations},
        owned={e.name for e in spec.entities if e.owned},
        choices={(e.name, f.name, o) for e in spec.entities for f in e.fields for o in f.options},
        due={(e.name, e.due, e.done or "") for e in spec.entities if e.due},
        summaries={
            (s.entity, s.measure, s.field or "", s.group_by or "", s.period or "", s.only or "") for s in spec.summaries
        },
    )


def made_from_reading(reading: Reading) -> Made:
    name = {word: record.name for word, record in reading.records.items()}
    return Made(
        kind=reading.kind,
        entities={r.name: {d.name: d.kind for d in r.details.values()} for r in reading.records.values()},
        links={(name[k.source], name[k.target], k.cardinality) for k in reading.links},
        owned={name[w] for w in reading.owned if w in name},
        choices={(r.name, d.name, o) for r in reading.records.values() for d in r.details.values() for o in d.options},
        due={(r.name, r.due, r.done or "") for r in reading.records.values() if r.due},
        summaries={
            (name[s.record], s.measure, s.detail or "", s.per or "", s.period or "", s.only or "")
            for s in reading.summaries
            if s.measure and s.record in name
        },
    )


def _group_key(name: str) -> str:
    """A group is a linked entity ("Member", "member") or a field ("mood"): one key for both spellings."""
    return _field_key(name[:1].lower() + name[1:]) if name else ""


def _summary_key(entity: str, measure: str, field_name: str, group: str, period: str, only: str) -> tuple[str, ...]:
    return (_entity_key(entity), measure, _field_key(field_name) if field_name else "", _group_key(group), period, only)


def score_one(case: dict, made: Made, score: Score, show: bool) -> None:
    expected_entities = {_entity_key(n): n for n in case.get("entities") or {}}
    got = {_entity_key(name): name for name in made.entities}
    score.requests += 1
    kind = case.get("kind", "records")
    score.kinds_right += made.kind == kind
    if kind == "records" or expected_entities:
        score.entities.add(set(got), set(expected_entities))
        junk = [got[k] for k in set(got) - set(expected_entities)]
        score.junk += junk
    else:
        junk = []
    matched = set(got) & set(expected_entities)
    for key in matched:
        gold_fields = {_field_key(n): t for n, t in (case["entities"][expected_entities[key]] or {}).items()}
        fields = {_field_key(name): value for name, value in made.entities[got[key]].items()}
        score.fields.add(set(fields), set(gold_fields))
        for name in set(fields) & set(gold_fields):
            score.types_seen += 1
            score.types_right += fields[name] == gold_fields[name]
    gold_links = {(_entity_key(a), _entity_key(b), card) for a, b, card in case.get("links") or []}
    made_links = {(_entity_key(a), _entity_key(b), card) for a, b, card in made.links}
    score.relations.add(made_links, gold_links)
    if kind == "records":
        score.owned_seen += 1
        score.owned_right += {_entity_key(n) for n in made.owned} == {_entity_key(n) for n in case.get("owned") or []}
    gold_choices = {
        (_entity_key(where.split(".")[0]), _field_key(where.split(".")[1]), str(o).lower())
        for where, options in (case.get("choices") or {}).items()
        for o in options
    }
    score.choices.add({(_entity_key(e), _field_key(f), o) for e, f, o in made.choices}, gold_choices)
    gold_due = {
        (_entity_key(e), _field_key(fields[0]), _field_key(fields[1]) if len(fields) > 1 else "")
        for e, fields in (case.get("due") or {}).items()
    }
    score.due.add({(_entity_key(e), _field_key(d), _field_key(f) if f else "") for e, d, f in made.due}, gold_due)
    gold_summaries = {
        _summary_key(
            s["entity"], s["measure"], s.get("field", ""), s.get("group_by", ""), s.get("period", ""), s.get("only", "")
        )
        for s in case.get("summaries") or []
        if isinstance(s, dict)
    }
    made_summaries = {_summary_key(*s) for s in made.summaries}
    score.summaries.add(made_summaries, gold_summaries)
    if show and (junk or set(expected_entities) - set(got) or made_links != gold_links or made.kind != kind):
        print(f"- {case['request']}")
        print(f"    entities: made {sorted(made.entities)}, expected {sorted(expected_entities.values())}")
        print(f"    links: made {sorted(made_links)}, expected {sorted(gold_links)}")
        print(f"    kind: made {made.kind}, expected {kind}")
    made_owned = {_entity_key(n) for n in made.owned}
    gold_owned = {_entity_key(n) for n in case.get("owned") or []}
    made_choices = {(_entity_key(e), _field_key(f), o) for e, f, o in made.choices}
    made_due = {(_entity_key(e), _field_key(d), _field_key(f) if f else "") for e, d, f in made.due}
    for what, made_set, gold_set in (
        ("summaries", made_summaries, gold_summaries),
        ("owned", made_owned, gold_owned),
        ("choices", made_choices, gold_choices),
        ("due", made_due, gold_due),
    ):
        if show and made_set != gold_set and (what != "owned" or kind == "records"):
            print(f"- {case['request']}")
            print(f"    {what}: made {sorted(made_set)}, expected {sorted(gold_set)}")


def score_files(paths: list[Path], show: bool = False, *, spec: bool = False) -> Score:
    score = Score()
    for path in paths:
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            request = case["request"]
            made = made_from_spec(extract_spec(request)) if spec else made_from_reading(read(request))
            score_one(case, made, score, show)
    return score


def summary(s: Score) -> str:
    type_accuracy = s.types_right / s.types_seen if s.types_seen else 0.0
    return (
        f"requests={s.requests} entity_f1={s.entities.f1:.3f} field_f1={s.fields.f1:.3f} type_accuracy={type_accuracy:.3f} "
        f"relation_f1={s.relations.f1:.3f} kind_accuracy={s.kinds_right / s.requests:.3f} junk_entities={len(s.junk)} "
        f"owned_accuracy={s.owned_right / s.owned_seen if s.owned_seen else 0.0:.3f} choice_f1={s.choices.f1:.3f} "
        f"due_f1={s.due.f1:.3f} summary_f1={s.summaries.f1:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="*", type=Path, default=[DEFAULT_GOLD])
    parser.add_argument("--show", action="store_true", help="print each request's misses")
    parser.add_argument("--spec", action="store_true", help="score the Spec the generators get, not the reading")
    args = parser.parse_args()
    print(summary(score_files(args.gold, args.show, spec=args.spec)))


if __name__ == "__main__":
    main()
