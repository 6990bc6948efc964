"""The React stack's reading of the contract: the list's search, filters and order are the
contract's list query parameters, and each summary gets a page in the navigation."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from agents.openapi import list_parameters, sort_keys, summary_path
from agents.spec import Spec
from agents.stacks import get_stack
from agents.stacks.react import lookups, search_words, summary_rows
from testbed.rich_specs import RICH_SPECS, rich_spec
from tests.strategies import specs

REACT = get_stack("react")


def _offered(spec: Spec, entity) -> set[str]:
    """Every query parameter the entity's page can send."""
    fields = {f.name: f for f in entity.fields}
    params = {"sort"} | ({"q"} if search_words(entity) else set()) | ({"due"} if entity.due else set())
    for name, param in lookups(entity).items():
        dated = name in fields and fields[name].type in ("date", "datetime")
        params |= {f"{param}From", f"{param}To"} if dated else {param}
    return params


@given(spec=specs())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_list_sends_only_the_contracts_query_parameters(spec):
    for entity in spec.entities:
        assert _offered(spec, entity) <= {p["name"] for p in list_parameters(entity)}


def test_the_rich_lists_offer_every_lookup_of_the_contract():
    for name in RICH_SPECS:
        spec = rich_spec(name)
        for entity in spec.entities:
            assert _offered(spec, entity) == {p["name"] for p in list_parameters(entity)}, entity.name


def test_a_field_named_like_a_lookup_is_not_filtered_on_as_in_the_contract():
    spec = Spec.model_validate(
        {
            "app_name": "shop",
            "title": "Shop",
            "summary": "",
            "entities": [
                {
                    "name": "Item",
                    "plural": "items",
                    "label": "Item",
                    "fields": [
                        {"name": "q", "type": "choice", "options": ["a", "b"]},
                        {"name": "title"},
                        {"name": "sort", "type": "boolean"},
                        {"name": "size", "type": "choice", "options": ["s", "m"]},
                    ],
                }
            ],
        }
    )
    item = spec.entities[0]
    assert lookups(item) == {"size": "size"}
    assert _offered(spec, item) == {p["name"] for p in list_parameters(item)}


def test_the_page_sorts_by_the_contracts_sort_keys_only():
    page = REACT.files(rich_spec("tool-shed"), ["Loan"])["frontend/src/pages/LoanPage.tsx"]
    loan = rich_spec("tool-shed").entity("Loan")
    sortable = {f.name for f in loan.fields if f.name in sort_keys(loan)}
    assert sortable == {"dueOn", "returnedOn"}  # notes is long text: not a sort key
    assert page.count("sortable: true") == len(sortable)


def test_each_summary_has_a_page_and_a_link_with_its_label():
    spec = rich_spec("bakery")
    files = REACT.files(spec, [])
    summaries = files["frontend/src/summaries.ts"]
    for summary in spec.summaries:
        assert f"path: `{summary_path(summary)}`" in summaries
        assert f"label: `{summary.label}`" in summaries
    assert "SummaryPage" in files["frontend/src/App.tsx"]


def test_a_spec_without_summaries_has_no_summary_page():
    files = REACT.files(rich_spec("bakery").model_copy(update={"summaries": []}), [])
    assert not any("ummar" in path for path in files)


def test_sample_summary_rows_fit_the_contract():
    """A row per group (and the group of records without one) when grouped, else exactly one."""
    for name in RICH_SPECS:
        spec = rich_spec(name)
        for summary in spec.summaries:
            rows = summary_rows(spec, summary)
            assert len(rows) == (2 if summary.group_by or summary.period else 1)
            money = summary.field and spec.entity(summary.entity).field(summary.field).type == "money"
            assert all(isinstance(row["value"], str) == bool(money) for row in rows)
