"""The Express back end proves the acceptance criteria: backend/tests/criteria.test.ts holds, for each
criterion a generated test can prove, tests under the criterion's own words whose titles start with
its id; a person's own criterion gets its own tests, free words none, and whatever a person typed is
quoted so that it reads back exactly. tests/test_criteria_proven.py runs them through the real toolchain."""

from __future__ import annotations

import json
import re

import pytest

from agents.criteria import criteria_json, tagged_tests
from agents.spec import Criterion, CriterionAbout, Spec
from agents.stacks import get_stack
from testbed.rich_specs import RICH_SPECS, rich_spec

EXPRESS = get_stack("express")
CRITERIA_TESTS = "backend/tests/criteria.test.ts"
TRICKY = 'It\'s "quoted" `x` ${y} \\ text\nand a second line\r\nand a tab\tthere'
# A template literal without substitutions: anything but a backtick, a backslash or "${", or an escape.
LITERAL = r"`((?:[^`\\$]|\\.|\$(?!\{))*)`"


def _with(spec: Spec, *criteria: Criterion) -> Spec:
    return spec.model_copy(update={"criteria": [*spec.criteria, *criteria]})


def _about(spec: Spec, criterion_id: str) -> CriterionAbout:
    return next(c.about for c in spec.criteria if c.id == criterion_id)


def _read_back(literal: str) -> str:
    """What JavaScript makes of the inside of a template literal the generator wrote."""
    escapes = {"n": "\n", "r": "\r", "t": "\t"}
    return re.sub(
        r"\\(x[0-9a-f]{2}|.)",
        lambda m: chr(int(m.group(1)[1:], 16)) if len(m.group(1)) == 3 else escapes.get(m.group(1), m.group(1)),
        literal,
        flags=re.DOTALL,
    )


@pytest.mark.parametrize("name", list(RICH_SPECS))
def test_every_criterion_of_a_rich_spec_is_mapped_to_tests_tagged_with_its_id(name):
    spec = rich_spec(name)
    files = EXPRESS.criteria_files(spec)
    assert list(files) == [CRITERIA_TESTS]
    rows = json.loads(criteria_json(spec, files))["criteria"]
    assert [r["id"] for r in rows] == [c.id for c in spec.criteria] and all(r["covered"] for r in rows)
    for row in rows:
        assert row["tests"], f"{row['id']} has no test"
        assert all(t["file"] == CRITERIA_TESTS and t["name"].startswith(f"{row['id']}: ") for t in row["tests"])


def test_free_words_and_a_criterion_about_what_the_spec_lacks_get_no_test():
    spec = rich_spec("tool-shed")
    spec = _with(
        spec,
        Criterion(id="own-1", text="It feels friendly.", by="person"),
        Criterion(
            id="own-2", text="Tools are private.", about=CriterionAbout(kind="private", entity="Tool"), by="person"
        ),
    )
    tests = tagged_tests(EXPRESS.criteria_files(spec), ["own-1", "own-2", "records-tool"])
    assert tests["own-1"] == [] and tests["own-2"] == [] and tests["records-tool"]


def test_a_spec_whose_criteria_no_test_can_prove_gets_no_criteria_file():
    spec = rich_spec("bakery")
    spec = spec.model_copy(update={"criteria": [Criterion(id="own-1", text="Cakes look nice.", by="person")]})
    assert EXPRESS.criteria_files(spec) == {}


def test_a_persons_criterion_about_a_derived_behaviour_gets_tests_of_its_own():
    spec = rich_spec("tool-shed")
    spec = _with(spec, Criterion(id="own-1", text="Loans come back.", about=_about(spec, "due-loan"), by="person"))
    tests = tagged_tests(EXPRESS.criteria_files(spec), ["own-1", "due-loan"])
    assert [t["name"].removeprefix("own-1: ") for t in tests["own-1"]] == [
        t["name"].removeprefix("due-loan: ") for t in tests["due-loan"]
    ]
    assert len(tests["own-1"]) == 3  # overdue, due later and returned


def test_whatever_a_person_typed_reads_back_exactly_from_one_line_of_typescript():
    spec = rich_spec("tool-shed")
    spec = _with(spec, Criterion(id="own-1", text=TRICKY, about=_about(spec, "records-tool"), by="person"))
    text = EXPRESS.criteria_files(spec)[CRITERIA_TESTS]
    written = [m.group(1) for m in re.finditer(rf"^describe\({LITERAL}, \(\) => {{$", text, re.MULTILINE)]
    assert len(written) == len(spec.criteria) and not any("\n" in w or "\r" in w for w in written)
    assert [_read_back(w) for w in written] == [c.text for c in spec.criteria]


def test_the_login_criterion_checks_each_kind_of_record_anyone_may_read_and_no_private_one():
    spec = rich_spec("running-club")
    tests = tagged_tests(EXPRESS.criteria_files(spec), ["login"])["login"]
    assert [t["name"] for t in tests] == [
        "login: refuses to add, change or remove a route without a token, and shows it to anyone",
        "login: refuses to add, change or remove a tag without a token, and shows it to anyone",
    ]


def test_a_find_criterion_checks_the_search_and_every_filter_it_names():
    spec = rich_spec("bakery")
    tests = tagged_tests(EXPRESS.criteria_files(spec), ["find-order", "find-cake"])
    assert [t["name"] for t in tests["find-order"]] == [
        "find-order: narrows orders down by status",
        "find-order: narrows orders down by paid",
        "find-order: narrows orders down by customer",
        "find-order: narrows orders down by cake",
    ]
    assert [t["name"] for t in tests["find-cake"]] == [
        "find-cake: finds cakes by a word in their name, whatever its case",
        "find-cake: narrows cakes down by gluten free",
    ]


def test_a_spec_without_log_ins_gets_no_token_in_its_criteria_tests():
    spec = Spec.model_validate(
        {
            "app_name": "plants",
            "title": "Plants",
            "summary": "",
            "auth": False,
            "entities": [{"name": "Plant", "plural": "plants", "label": "Plant", "fields": [{"name": "name"}]}],
        }
    )
    spec = spec.model_copy(
        update={
            "criteria": [
                Criterion(
                    id="records-plant", text="Plants are kept.", about=CriterionAbout(kind="records", entity="Plant")
                )
            ]
        }
    )
    text = EXPRESS.criteria_files(spec)[CRITERIA_TESTS]
    assert "register" not in text and "login" not in text and "records-plant: adds a plant" in text
