"""What a spec may say, and what the API contract makes of it: choices, money, many-to-many links,
private records, due dates, lookups and summaries. A model's spec that breaks a rule is refused with
the reason in words (the architect sends it back to the model)."""

from __future__ import annotations

import copy

import pytest
from pydantic import ValidationError

from agents.openapi import list_parameters, openapi_document, summary_path
from agents.spec import Spec
from testbed.rich_specs import BAKERY, RUNNING_CLUB, TOOL_SHED, rich_spec


def _refused(data: dict, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        Spec.model_validate(data)


def _with(data: dict, change) -> dict:
    changed = copy.deepcopy(data)
    change(changed)
    return changed


def _tool(data: dict) -> dict:
    return next(e for e in data["entities"] if e["name"] == "Tool")


def test_the_three_example_specs_are_valid():
    for name in ("tool-shed", "bakery", "running-club"):
        assert rich_spec(name).entities


def test_a_choice_needs_its_options():
    _refused(
        _with(TOOL_SHED, lambda d: _tool(d)["fields"][1].update(options=[], default=None)), "a choice needs its options"
    )


def test_a_choices_default_must_be_one_of_its_options():
    _refused(_with(TOOL_SHED, lambda d: _tool(d)["fields"][1].update(default="lost")), "default 'lost' is not one of")


def test_options_that_repeat_one_another_are_refused():
    _refused(_with(TOOL_SHED, lambda d: _tool(d)["fields"][1].update(options=["good", "Good"], default=None)), "repeat")


def test_an_option_with_quotes_or_slashes_is_refused():
    _refused(
        _with(TOOL_SHED, lambda d: _tool(d)["fields"][1].update(options=['ok"', "a/b"], default=None)),
        "must be 1-40 letters",
    )


def test_only_a_choice_has_options():
    _refused(_with(TOOL_SHED, lambda d: _tool(d)["fields"][0].update(options=["x"])), "only a choice has options")


def test_a_many_to_many_link_is_never_required():
    order = rich_spec("bakery").entity("Order")
    assert order.relation("cake").many and not order.relation("cake").required


def test_private_records_need_log_ins():
    _refused(_with(RUNNING_CLUB, lambda d: d.update(auth=False)), "private to its creator, which needs log-ins")


def test_a_due_field_must_be_a_date():
    loan = lambda d: next(e for e in d["entities"] if e["name"] == "Loan")  # noqa: E731
    _refused(_with(TOOL_SHED, lambda d: loan(d).update(due="notes")), "due must name one of its date fields")


def test_a_sum_needs_a_number_field():
    _refused(_with(BAKERY, lambda d: d["summaries"][0].update(field="status")), "sum needs one of Order's number")


def test_a_summary_groups_by_a_one_record_link_or_a_choice_only():
    _refused(_with(BAKERY, lambda d: d["summaries"][1].update(group_by="cake")), "group_by must name a one-record link")


def test_only_open_records_needs_a_done_field():
    _refused(_with(BAKERY, lambda d: d["summaries"][1].update(only="open")), "needs Order to have a done field")


def test_a_summary_of_an_unknown_entity_is_refused():
    _refused(_with(BAKERY, lambda d: d["summaries"][1].update(entity="Invoice")), "unknown entity Invoice")


def test_no_entity_may_take_the_summaries_route_when_there_are_summaries():
    _refused(_with(BAKERY, lambda d: d["entities"][0].update(plural="summaries")), "may not be 'summaries'")


def test_money_is_a_string_in_and_two_decimals_out():
    schemas = openapi_document(rich_spec("bakery"))["components"]["schemas"]
    price_in, price_out = schemas["CakeInput"]["properties"]["price"], schemas["Cake"]["properties"]["price"]
    assert price_in["type"] == price_out["type"] == "string"
    assert price_in["pattern"] == "^-?[0-9]{1,9}(\\.[0-9]{1,2})?$" and price_out["pattern"] == "^-?[0-9]+\\.[0-9]{2}$"


def test_a_choice_with_a_default_may_be_left_out_of_a_create():
    schemas = openapi_document(rich_spec("tool-shed"))["components"]["schemas"]
    condition = schemas["ToolInput"]["properties"]["condition"]
    assert condition == {"type": "string", "enum": ["good", "worn", "broken"], "default": "good"}
    assert "condition" not in schemas["ToolInput"]["required"]


def test_a_many_link_is_a_list_of_distinct_ids():
    schemas = openapi_document(rich_spec("bakery"))["components"]["schemas"]
    cakes = schemas["OrderInput"]["properties"]["cakeIds"]
    assert cakes["type"] == "array" and cakes["uniqueItems"] and cakes["maxItems"] == 100
    assert schemas["Order"]["properties"]["cakeIds"]["items"] == {"type": "integer"}


def test_every_route_of_a_private_record_needs_a_log_in_and_a_shared_ones_reads_do_not():
    paths = openapi_document(rich_spec("running-club"))["paths"]
    assert all("security" in paths["/api/runs"][verb] for verb in ("get", "post"))
    assert all("security" in paths["/api/runs/{id}"][verb] for verb in ("get", "put", "delete"))
    assert "security" not in paths["/api/routes"]["get"] and "security" in paths["/api/routes"]["post"]


def test_a_list_takes_search_filters_date_ranges_links_sort_and_due():
    names = [p["name"] for p in list_parameters(rich_spec("tool-shed").entity("Loan"))]
    assert names == ["q", "sort", "due", "dueOnFrom", "dueOnTo", "returnedOnFrom", "returnedOnTo", "toolId", "memberId"]
    tool = {p["name"]: p["schema"] for p in list_parameters(rich_spec("tool-shed").entity("Tool"))}
    assert tool["condition"] == {"type": "string", "enum": ["good", "worn", "broken"]}
    assert "-price" in tool["sort"]["enum"] and "manual" in tool["sort"]["enum"]


def test_a_field_named_like_a_lookup_is_not_filtered_on_twice():
    data = _with(
        TOOL_SHED, lambda d: _tool(d)["fields"].append({"name": "sort", "type": "choice", "options": ["a", "b"]})
    )
    names = [p["name"] for p in list_parameters(Spec.model_validate(data).entity("Tool"))]
    assert names.count("sort") == 1


def test_each_summary_is_a_route_of_rows_with_group_period_and_value():
    spec = rich_spec("bakery")
    paths = openapi_document(spec)["paths"]
    takings = paths[summary_path(spec.summaries[0])]["get"]
    assert summary_path(spec.summaries[0]) == "/api/summaries/takings-per-month"
    row = takings["responses"]["200"]["content"]["application/json"]["schema"]["items"]
    assert row["required"] == ["group", "groupId", "period", "value"]
    assert row["properties"]["value"]["pattern"] == "^-?[0-9]+\\.[0-9]{2}$"  # a total of money stays exact
    assert takings["description"].startswith("Sum of total over orders, per month of pickup at (UTC). Without a group")


def test_a_summary_of_private_records_needs_a_log_in():
    spec = rich_spec("running-club")
    route = openapi_document(spec)["paths"][summary_path(spec.summaries[0])]["get"]
    assert route["security"] == [{"bearerAuth": []}] and "401" in route["responses"]
    assert "only your own records count" in route["description"]
