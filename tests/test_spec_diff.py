"""Between two plan versions, what changed in the app is said in plain words: records, details and
links added, removed or renamed, kinds and options, private records, due dates, summaries, log-ins,
the website and the stacks."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from agents.generators.naming import normalise_spec
from agents.spec import Spec
from orchestration.spec_diff import spec_changes
from testbed.rich_specs import BAKERY, RUNNING_CLUB, TOOL_SHED


def _spec(data: dict) -> Spec:
    return normalise_spec(Spec.model_validate(data))


def _said(base: dict, edit: Callable[[dict], None]) -> list[str]:
    """The sentences for going from `base` to a copy of it changed by `edit`."""
    changed = copy.deepcopy(base)
    edit(changed)
    return [c.text for c in spec_changes(_spec(base), _spec(changed))]


def _entity(spec: dict, name: str) -> dict:
    return next(e for e in spec["entities"] if e["name"] == name)


def _field(spec: dict, entity: str, name: str) -> dict:
    return next(f for f in _entity(spec, entity)["fields"] if f["name"] == name)


@pytest.mark.parametrize("base", [TOOL_SHED, BAKERY, RUNNING_CLUB])
def test_equal_specs_have_no_changes(base):
    assert spec_changes(_spec(base), _spec(copy.deepcopy(base))) == []


def test_an_added_record_is_named_with_its_details_and_links():
    def add_repair(spec):
        spec["entities"].append(
            {
                "name": "Repair",
                "plural": "repairs",
                "label": "Repair",
                "fields": [{"name": "doneOn", "type": "date"}, {"name": "cost", "type": "money"}],
                "relations": [{"name": "tool", "target": "Tool"}],
            }
        )

    assert _said(TOOL_SHED, add_repair) == ["added record Repair (done on, cost), linked to Tool"]


def test_a_removed_record_is_named():
    def drop_tags(spec):
        spec["entities"] = [e for e in spec["entities"] if e["name"] != "Tag"]

    assert _said(RUNNING_CLUB, drop_tags) == ["removed record Tag"]


def test_a_record_that_comes_back_under_another_name_is_renamed_and_links_to_it_follow():
    def rename(spec):
        customer = _entity(spec, "Customer")
        customer.update(name="Client", plural="clients", label="Client")
        _entity(spec, "Order")["relations"][0]["target"] = "Client"

    assert _said(BAKERY, rename) == ["renamed record Customer to Client"]


def test_a_record_replaced_by_a_different_one_is_removed_and_added():
    def replace(spec):
        spec["entities"][0] = {
            "name": "Client",
            "plural": "clients",
            "label": "Client",
            "fields": [{"name": "email", "type": "email"}],
        }
        _entity(spec, "Order")["relations"][0]["target"] = "Client"

    assert _said(BAKERY, replace) == [
        "removed record Customer",
        "added record Client (email)",
        "Order now links to Client (its customer) instead of Customer",
    ]


def test_added_removed_and_renamed_details_are_said_with_their_kind():
    def edit(spec):
        tool = _entity(spec, "Tool")
        tool["fields"] = [f for f in tool["fields"] if f["name"] != "manual"]
        tool["fields"].append({"name": "colour", "type": "choice", "options": ["red", "green"]})
        _field(spec, "Loan", "notes")["name"] = "remarks"

    assert _said(TOOL_SHED, edit) == [
        "removed detail manual from Tool",
        "added detail colour (choice: red, green) to Tool",
        "renamed detail notes to remarks on Loan",
    ]


def test_a_detail_of_a_new_kind_says_the_old_kind_too():
    assert _said(BAKERY, lambda s: _field(s, "Cake", "price").update(type="float")) == [
        "price of Cake is now decimal number (was money)"
    ]


def test_new_options_of_a_choice_are_listed_with_the_old_ones():
    def edit(spec):
        _field(spec, "Order", "status")["options"] = ["open", "baking", "ready", "collected"]

    assert _said(BAKERY, edit) == [
        "options of status on Order are now open, baking, ready, collected (were open, in progress, done)"
    ]


def test_a_choice_that_starts_elsewhere_says_so():
    assert _said(TOOL_SHED, lambda s: _field(s, "Tool", "condition").update(default="worn")) == [
        "a new Tool now starts with condition worn"
    ]


def test_a_detail_made_optional_or_required_says_so():
    def edit(spec):
        _field(spec, "Loan", "notes")["required"] = True
        _field(spec, "Member", "name")["required"] = False

    assert _said(TOOL_SHED, edit) == ["name on Member is now optional", "notes on Loan is now required"]


def test_a_detail_that_must_be_unique_says_so():
    assert _said(TOOL_SHED, lambda s: _field(s, "Member", "email").update(unique=False)) == [
        "members may now share an email"
    ]


def test_added_and_removed_links_are_said():
    def edit(spec):
        loan = _entity(spec, "Loan")
        loan["relations"] = [r for r in loan["relations"] if r["name"] != "member"]
        spec["summaries"] = [s for s in spec["summaries"] if s.get("group_by") != "member"]
        _entity(spec, "Tool")["relations"] = [{"name": "owner", "target": "Member", "required": False}]

    assert _said(TOOL_SHED, edit) == [
        "Tool now links to Member (its owner)",
        "Loan no longer links to Member",
        "removed summary Loans per member",
    ]


def test_a_link_to_one_that_now_lists_several_says_so():
    def edit(spec):
        _entity(spec, "Order")["relations"][1]["many"] = False

    assert _said(BAKERY, edit) == ["an Order now has one Cake (was several)"]

    def back(spec):
        _entity(spec, "Order")["relations"][1]["many"] = True

    one_cake = copy.deepcopy(BAKERY)
    edit(one_cake)
    assert _said(one_cake, back) == ["an Order now has several Cakes (was one)"]


def test_records_made_private_or_shared_say_so():
    assert _said(RUNNING_CLUB, lambda s: _entity(s, "Run").update(owned=False)) == [
        "Runs are no longer private to the person who adds them"
    ]
    assert _said(TOOL_SHED, lambda s: _entity(s, "Loan").update(owned=True)) == [
        "Loans are now private to the person who adds them"
    ]


def test_due_and_done_changes_are_said():
    def edit(spec):
        _entity(spec, "Loan")["done"] = None
        spec["summaries"] = [s for s in spec["summaries"] if s.get("only") != "open"]

    assert _said(TOOL_SHED, edit) == ["Loans no longer say when they are done", "removed summary Tools currently out"]


def test_a_record_that_becomes_due_by_a_date_says_by_which():
    assert _said(BAKERY, lambda s: _entity(s, "Order").update(due="pickupAt")) == [
        "Orders are now due by their pickup at"
    ]


def test_summaries_added_removed_and_changed_are_said():
    def edit(spec):
        spec["summaries"][0]["period"] = "week"
        spec["summaries"][1]["label"] = "Orders in each state"
        spec["summaries"].pop()
        spec["summaries"].append(
            {"name": "cakesCount", "label": "How many cakes", "entity": "Cake", "measure": "count"}
        )

    assert _said(BAKERY, edit) == [
        "removed summary Average cake price",
        (
            "summary Takings per month now shows the total total of orders, per week of pickup at "
            "(was the total total of orders, per month of pickup at)"
        ),
        "renamed summary Orders by status to Orders in each state",
        "added summary How many cakes",
    ]


def test_log_ins_the_website_and_the_stack_say_what_they_are_now():
    def edit(spec):
        spec["title"] = "Cake orders"
        spec["auth"] = False
        spec["frontend"] = False
        spec["stack"] = {"backend": "fastapi"}

    assert _said(BAKERY, edit) == [
        "the app is now called Cake orders (was Bakery orders)",
        "log-ins switched off",
        "the website switched off",
        "the back end is now FastAPI + SQLAlchemy 2 + Alembic (Python) (was Express 5 + TypeScript + Prisma 7 (Node.js))",
    ]


def test_what_will_not_be_built_says_what_was_added_and_dropped():
    with_note = copy.deepcopy(TOOL_SHED) | {"not_built": ["email reminders"]}
    assert _said(with_note, lambda s: s.update(not_built=["text messages"])) == [
        "now says it will not build: text messages",
        "no longer says it will not build: email reminders",
    ]


def test_a_version_without_a_spec_says_so_instead_of_failing():
    said = spec_changes(None, _spec(TOOL_SHED), old_label="version 1", new_label="version 2")
    assert [c.text for c in said] == ["version 1 does not record what the app keeps"]
    assert [c.text for c in spec_changes(None, None, old_label="version 1", new_label="version 2")] == [
        "version 1 and version 2 do not record what the app keeps"
    ]
