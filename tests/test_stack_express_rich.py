"""The Express stack's Python side for the richer spec: the Prisma tables it derives (money in
cents, join tables, owners), the list lookups it serves against the contract's, the layouts it
leaves Prettier nothing to change in, and the summary rows its generated tests expect."""

from __future__ import annotations

from datetime import date

import pytest

from agents.openapi import list_parameters
from agents.spec import Spec
from agents.stacks import get_stack
from agents.stacks.express.prisma import tables
from agents.stacks.express.routes import assign, lookups, remove, ts_array
from agents.stacks.express.summary_tests import _period, summary_plan
from testbed.rich_specs import RICH_SPECS, rich_spec

EXPRESS = get_stack("express")


def _table(spec: Spec, name: str):
    return next(t for t in tables(spec) if t.name == name)


def _migration(spec: Spec) -> str:
    return EXPRESS.files(spec, ["core"])["backend/prisma/migrations/0_init/migration.sql"]


def test_money_is_stored_as_whole_cents_in_a_64_bit_column():
    spec = rich_spec("bakery")
    price = next(c for c in _table(spec, "Cake").columns if c.name == "price")
    assert price.prisma_type == "BigInt"
    assert '"price" BIGINT NOT NULL' in _migration(spec)


def test_a_many_to_many_link_is_a_join_table_whose_pairs_go_with_either_record():
    spec = rich_spec("bakery")
    join = _table(spec, "Order_cake")
    assert join.primary_key == ["sourceId", "targetId"]
    assert {(fk.column, fk.target, fk.on_delete) for fk in join.foreign_keys} == {
        ("sourceId", "Order", "CASCADE"),
        ("targetId", "Cake", "CASCADE"),
    }
    assert "cakeIds" not in [c.name for c in _table(spec, "Order").columns]


def test_an_owned_entity_links_each_row_to_its_account_and_keeps_the_link_out_of_the_api():
    spec = rich_spec("running-club")
    run = _table(spec, "Run")
    assert ("ownerId", "User", "CASCADE") in {(fk.column, fk.target, fk.on_delete) for fk in run.foreign_keys}
    route = EXPRESS.files(spec, [])["backend/src/routes/runs.ts"]
    assert "router.get(PATH, guard, async" in route and "router.get(ITEM, guard, async" in route
    assert "delete record.ownerId" in EXPRESS.files(spec, ["core"])["backend/src/records.ts"]


def test_the_stacks_own_names_never_clash_with_an_entitys():
    spec = Spec.model_validate(
        {
            "app_name": "clash",
            "title": "Clash",
            "summary": "",
            "entities": [
                {
                    "name": "Order",
                    "plural": "orders",
                    "label": "Order",
                    "owned": True,
                    "fields": [{"name": "owner"}, {"name": "ownedOrders"}],
                    "relations": [{"name": "cake", "target": "Cake", "many": True}],
                },
                {"name": "OrderCake", "plural": "orderCakes", "label": "Order cake", "fields": [{"name": "name"}]},
                {"name": "Cake", "plural": "cakes", "label": "Cake", "fields": [{"name": "name"}]},
            ],
        }
    )
    names = [t.name for t in tables(spec)]
    assert len(names) == len(set(names)) and "Order_cake" in names
    for table in tables(spec):
        fields = [line[0] for line in table.lines]
        assert len(fields) == len(set(fields)), table.name


@pytest.mark.parametrize("name", list(RICH_SPECS))
def test_the_lists_lookups_are_the_contracts(name):
    spec = rich_spec(name)
    for entity in spec.entities:
        assert [item.param for item in lookups(entity)] == [p["name"] for p in list_parameters(entity)]


def test_a_field_named_like_a_lookup_is_not_filtered_on():
    spec = Spec.model_validate(
        {
            "app_name": "sorting",
            "title": "Sorting",
            "summary": "",
            "entities": [
                {
                    "name": "Card",
                    "plural": "cards",
                    "label": "Card",
                    "fields": [{"name": "title"}, {"name": "sort", "type": "choice", "options": ["a", "b"]}],
                }
            ],
        }
    )
    sort = next(item for item in lookups(spec.entities[0]) if item.param == "sort")
    assert sort.kind == "sort" and not sort.test


def test_arrays_stay_on_one_line_when_they_fit_and_take_a_line_each_when_not():
    assert ts_array(['"a"', '"b"'], "const X = ", " as const;") == 'const X = ["a", "b"] as const;'
    long = [f'"{"x" * 30}{n}"' for n in range(4)]
    assert ts_array(long, "const X = ", ";").splitlines() == ["const X = [", *(f"  {item}," for item in long), "];"]


def test_fields_named_like_objects_methods_are_set_without_typescript_reading_the_method():
    assert assign("sent", "price", '"1.00"') == 'sent.price = "1.00";'
    assert assign("sent", "constructor", "1") == "Object.assign(sent, { constructor: 1 });"
    assert remove("sent", "toString") == 'Reflect.deleteProperty(sent, "toString");'


def test_a_summary_tests_rows_follow_the_spec_newest_period_first_with_exact_money():
    spec = rich_spec("bakery")
    plan = summary_plan(spec, next(s for s in spec.summaries if s.name == "takingsPerMonth"))
    assert plan.empty == []
    assert [(row["period"], row["value"]) for row in plan.rows] == [('"2020-02"', '"5.05"'), ('"2020-01"', '"0.25"')]


def test_a_summary_without_group_or_period_has_one_row_even_over_nothing():
    spec = rich_spec("bakery")
    plan = summary_plan(spec, next(s for s in spec.summaries if s.name == "averageCakePrice"))
    assert plan.empty == [{"group": "null", "groupId": "null", "period": "null", "value": "null"}]
    assert plan.rows[0]["value"] == '"1.77"'  # (0.10 + 0.15 + 5.05) / 3, rounded half up


def test_a_summary_of_open_records_leaves_the_done_one_out():
    spec = rich_spec("tool-shed")
    plan = summary_plan(spec, next(s for s in spec.summaries if s.name == "toolsOut"))
    assert len(plan.records) == 4 and plan.rows[0]["value"] == "3"


def test_a_summary_grouped_by_a_link_names_each_group_by_its_records_first_short_text():
    spec = rich_spec("running-club")
    plan = summary_plan(spec, next(s for s in spec.summaries if s.name == "longestRunPerRoute"))
    assert [(row["group"], row["groupId"], row["value"]) for row in plan.rows] == [
        ('"Group B"', "b.id", "8"),
        ('"Group A"', "a.id", "2.25"),
    ]


def test_iso_weeks_belong_to_the_year_of_their_thursday():
    assert _period(date(2021, 1, 3), "week") == "2020-W53"
    assert _period(date(2024, 12, 30), "week") == "2025-W01"
    assert _period(date(2030, 1, 31), "month") == "2030-01"
