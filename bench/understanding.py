"""How well the offline planner understands requests, scored against a gold set.

    python bench/understanding.py [GOLD.yaml ...] [--show]

Prints `entity_f1=… field_f1=… type_accuracy=… relation_f1=… kind_accuracy=… junk_entities=…`
over every request of the gold files (default: bench/gold/understanding.yaml). Sets kept outside
the project are scored the same way: pass their paths. --show prints each request's misses.

Matching: entities by name, singular and case-insensitive; fields by the stem of their first
word ("dueOn" and "dueAt" are both "due"), within matched entities; links as (from, to,
one|many) on matched entities. A junk entity is one the planner made that the reader did not.
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

DEFAULT_GOLD = Path(__file__).parent / "gold" / "understanding.yaml"
# The spec's field types in the gold set's plain words.
KINDS = {"string": "text", "text": "long_text", "int": "number", "float": "decimal", "boolean": "yes_no",
         "date": "date", "datetime": "datetime", "email": "email", "money": "money", "url": "url", "choice": "choice"}


def _entity_key(name: str) -> str:
    return name.lower().removesuffix("entry")


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


def predicted_kind(spec: Spec) -> str:
    return getattr(spec, "kind", "records")


def score_one(case: dict, spec: Spec, score: Score, show: bool) -> None:
    expected_entities = {_entity_key(n): n for n in case.get("entities") or {}}
    got = {_entity_key(e.name): e for e in spec.entities}
    score.requests += 1
    kind = case.get("kind", "records")
    score.kinds_right += predicted_kind(spec) == kind
    if kind == "records" or expected_entities:
        score.entities.add(set(got), set(expected_entities))
        junk = [got[k].name for k in set(got) - set(expected_entities)]
        score.junk += junk
    else:
        junk = []
    matched = set(got) & set(expected_entities)
    for key in matched:
        gold_fields = {_field_key(n): t for n, t in (case["entities"][expected_entities[key]] or {}).items()}
        entity = got[key]
        made = {_field_key(f.name): KINDS.get(f.type, f.type) for f in entity.fields}
        score.fields.add(set(made), set(gold_fields))
        for name in set(made) & set(gold_fields):
            score.types_seen += 1
            score.types_right += made[name] == gold_fields[name]
    gold_links = {(_entity_key(a), _entity_key(b), card) for a, b, card in case.get("links") or []}
    made_links = {
        (_entity_key(e.name), _entity_key(r.target), getattr(r, "cardinality", "one"))
        for e in spec.entities for r in e.relations
    }
    score.relations.add(made_links, gold_links)
    if show and (junk or set(expected_entities) - set(got) or made_links != gold_links or predicted_kind(spec) != kind):
        print(f"- {case['request']}")
        print(f"    entities: made {sorted(e.name for e in spec.entities)}, expected {sorted(expected_entities.values())}")
        print(f"    links: made {sorted(made_links)}, expected {sorted(gold_links)}")
        print(f"    kind: made {predicted_kind(spec)}, expected {kind}")


def score_files(paths: list[Path], show: bool = False) -> Score:
    score = Score()
    for path in paths:
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            score_one(case, extract_spec(case["request"]), score, show)
    return score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="*", type=Path, default=[DEFAULT_GOLD])
    parser.add_argument("--show", action="store_true", help="print each request's misses")
    args = parser.parse_args()
    s = score_files(args.gold, args.show)
    type_accuracy = s.types_right / s.types_seen if s.types_seen else 0.0
    print(
        f"requests={s.requests} entity_f1={s.entities.f1:.3f} field_f1={s.fields.f1:.3f} type_accuracy={type_accuracy:.3f} "
        f"relation_f1={s.relations.f1:.3f} kind_accuracy={s.kinds_right / s.requests:.3f} junk_entities={len(s.junk)}"
    )


if __name__ == "__main__":
    main()
