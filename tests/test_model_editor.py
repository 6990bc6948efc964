"""What we'll build, said in plain words on the project page, and the data-model editor that changes
it without JSON or internal keys: each edit is a new version, planned again from the edited spec."""

import json
from html import unescape

import pytest
from django.urls import reverse

from agents.file_agent import SPEC_PATH
from agents.spec import Spec
from orchestration.models import Artifact, PlanVersion, TaskRun
from orchestration.offline_planner import spec_tasks
from orchestration.planning import plan_project
from orchestration.runs import start_run
from orchestration.tasks import run_inline
from testbed.rich_specs import rich_spec

from .ui_helpers import form_data, make_version

pytestmark = pytest.mark.django_db

TOOL_SHED = (
    "A tool library: members borrow tools, each loan has a due date and a returned date. Tools have a condition."
)


@pytest.fixture
def v1(project_a):
    project_a.request = TOOL_SHED
    project_a.save()
    return plan_project(project_a, provider_name="offline")


@pytest.fixture
def tool_shed(project_a):
    """A version whose spec is the hand-written tool shed (testbed/rich_specs.py): every kind of detail, links and summaries."""
    spec = rich_spec("tool-shed")
    return make_version(project_a, tasks=spec_tasks(spec), spec=spec.model_dump(mode="json"))


def _editor(client, version):
    return reverse("projects:edit_model", args=[version.project_id, version.pk])


def _page(client, version) -> str:
    return client.get(_editor(client, version)).content.decode()


def _row(data: dict, prefix: str, name: str) -> str:
    """The prefix of the row (r0, r0-d2, ...) under `prefix` whose name field says `name`."""
    return next(
        key.removesuffix("-name")
        for key, value in data.items()
        if key.startswith(prefix)
        and key.endswith("-name")
        and value == name
        and key.count("-") == prefix.count("-") + 1
    )


def _blank(data: dict, prefix: str, field: str = "name") -> str:
    """The first row under `prefix` whose `field` is empty: the page's blank row for a new one."""
    return next(
        key.removesuffix(f"-{field}")
        for key, value in data.items()
        if key.startswith(prefix)
        and key.endswith(f"-{field}")
        and value == ""
        and key.count("-") == prefix.count("-") + 1
    )


def test_the_project_page_says_what_we_will_build_before_the_plan_diagram(client, alice, project_a, tool_shed):
    client.force_login(alice)
    page = client.get(reverse("projects:detail", args=[project_a.pk])).content.decode()
    said = page[page.index("What we’ll build") : page.index('class="dag"')]
    assert (
        "<strong>Tools</strong> — name (text), condition (good / worn / broken; starts as good), bought on (date, optional)"
        in said
    )
    assert "price (money, optional), manual (web address, optional)" in said
    assert "Each Loan is for one Tool." in said and "Each Loan is for one Member." in said
    assert "due by its due on; done once its returned on is set" in said
    assert "only people who are logged in can add, change or remove them" in said
    assert "Tools currently out: how many loans, only those not yet done." in said
    assert "Loans: a list with search, filters by tool and member and open and overdue ones" in said
    assert 'open id="what-we-build"' in page and page.index("What we’ll build") < page.index('id="status-heading"')
    assert "Change what we’ll build" in said


def test_the_editor_shows_records_and_details_in_words_without_internal_keys(client, alice, tool_shed):
    client.force_login(alice)
    page = _page(client, tool_shed)
    assert "Record: Tool" in page and 'value="bought on"' in page and 'value="good, worn, broken"' in page
    shown = "".join(part.split(">", 1)[-1] for part in page.split("<"))  # the text people read, without the markup
    assert "boughtOn" not in shown and "dueOn" not in shown and "{" not in shown


def test_a_person_adds_a_record_a_choice_detail_and_a_link_and_gets_a_new_version_planned_from_it(client, alice, v1):
    client.force_login(alice)
    data = form_data(_page(client, v1))
    new_record = _blank(data, "r")
    data |= {f"{new_record}-name": "Vet", f"{new_record}-d0-name": "name", f"{new_record}-d0-required": "on"}
    tool = _row(data, "r", "Tool")
    condition = _row(data, f"{tool}-d", "condition")
    data |= {f"{condition}-kind": "choice", f"{condition}-options": "good, worn, broken"}
    link = _blank(data, "l", "original")
    data |= {f"{link}-source": tool, f"{link}-kind": "maybe", f"{link}-target": new_record}
    response = client.post(_editor(client, v1), data)

    assert response.status_code == 302
    v2 = PlanVersion.objects.get(number=2)
    assert (v2.parent, v2.source, v2.spec_edited, v2.created_by) == (v1, "model", True, alice)
    spec = v2.spec_model()
    vet, tool_ = spec.entity("Vet"), spec.entity("Tool")
    assert [(f.name, f.type, f.required) for f in vet.fields] == [("name", "string", True)]
    assert tool_.field("condition").options == ["good", "worn", "broken"]
    assert [(r.name, r.target, r.required) for r in tool_.relations] == [("vet", "Vet", False)]
    assert any("Vet" in task["instructions"] for task in v2.tasks), "the tasks are planned again from the new spec"
    page = client.get(response.url).content.decode()
    assert (
        "Saved as plan version 2: added record Vet (name); condition of Tool is now choice: good, worn, broken (was text); "
        "Tool now links to Vet; 6 acceptance criteria changed with it."
    ) in page
    criteria = {c.id for c in v2.spec_model().criteria}
    assert {"records-vet", "choice-tool-condition", "link-tool-vet"} <= criteria, "the new details bring their criteria"
    assert "Each Tool may be for one Vet." in page


def test_running_an_edited_version_writes_the_edited_data_model(client, alice, v1):
    client.force_login(alice)
    data = form_data(_page(client, v1))
    new_record = _blank(data, "r")
    client.post(_editor(client, v1), data | {f"{new_record}-name": "Supplier", f"{new_record}-d0-name": "phone"})
    run = run_inline(start_run(PlanVersion.objects.get(number=2), user=alice))
    assert run.status == "succeeded"
    written = Spec.model_validate_json(Artifact.objects.get(run=run, path=SPEC_PATH).content)
    assert [e.name for e in written.entities][-1] == "Supplier"
    assert Artifact.objects.filter(run=run, path__contains="suppliers").exists()
    assert "as the team set it in the editor" in run.task_runs.get(key="spec").reasoning


def test_a_choice_without_options_is_refused_in_plain_words_and_what_was_typed_stays(client, alice, v1):
    client.force_login(alice)
    data = form_data(_page(client, v1))
    tool = _row(data, "r", "Tool")
    blank = _blank(data, f"{tool}-d")
    response = client.post(_editor(client, v1), data | {f"{blank}-name": "size", f"{blank}-kind": "choice"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "The choice size (Tool) needs 2 to 20 different options, separated by commas" in page
    assert 'value="size"' in page and "Your changes were not saved" in page
    assert PlanVersion.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"-name": "id"}, "“id” (Tool) is a name the app uses itself"),
        ({"-name": "2nd phone"}, "“2nd phone” (Tool) cannot be a detail's name: use letters, digits and spaces"),
        ({"-name": "condition"}, "Tool has two details called “condition”"),
        ({"-name": "state", "-kind": "choice", "-options": "ok, 50%"}, "“50%” cannot be an option of state (Tool)"),
    ],
)
def test_a_bad_new_detail_is_refused_with_the_reason(client, alice, v1, change, message):
    client.force_login(alice)
    data = form_data(_page(client, v1))
    blank = _blank(data, f"{_row(data, 'r', 'Tool')}-d")
    response = client.post(_editor(client, v1), data | {f"{blank}{k}": v for k, v in change.items()})
    assert response.status_code == 400 and message in unescape(response.content.decode())
    assert PlanVersion.objects.count() == 1


def test_private_records_need_log_ins_and_the_editor_says_so(client, alice, v1):
    client.force_login(alice)
    data = form_data(_page(client, v1))
    del data["app-auth"]
    response = client.post(_editor(client, v1), data | {f"{_row(data, 'r', 'Loan')}-private": "on"})
    assert response.status_code == 400
    assert "Loan is private to the person who adds them, which needs log-ins" in response.content.decode()


def test_removing_a_linked_record_takes_its_links_and_summaries_with_it_and_says_so(client, alice, tool_shed):
    client.force_login(alice)
    data = form_data(_page(client, tool_shed))
    response = client.post(_editor(client, tool_shed), data | {f"{_row(data, 'r', 'Member')}-remove": "on"})
    assert response.status_code == 302
    spec = PlanVersion.objects.get(number=2).spec_model()
    assert [e.name for e in spec.entities] == ["Tool", "Loan"]
    assert [r.name for r in spec.entity("Loan").relations] == ["tool"]
    assert [s.name for s in spec.summaries] == ["toolsOut", "toolsByCondition"]
    page = client.get(response.url).content.decode()
    assert "removed record Member" in page
    assert "the link from Loan to Member went with the record it joined" in page
    assert "the summary Loans per member went with the record it was split by" in page


def test_renaming_a_record_and_a_due_date_keeps_its_links_and_due_date(client, alice, tool_shed):
    client.force_login(alice)
    data = form_data(_page(client, tool_shed))
    loan = _row(data, "r", "Loan")
    data |= {
        f"{_row(data, 'r', 'Tool')}-name": "Power tool",
        f"{_row(data, f'{loan}-d', 'due on')}-name": "due back on",
    }
    assert client.post(_editor(client, tool_shed), data).status_code == 302
    spec = PlanVersion.objects.get(number=2).spec_model()
    assert spec.entity("PowerTool").plural == "powerTools" and spec.entity("PowerTool").label == "Power tool"
    assert [(r.name, r.target) for r in spec.entity("Loan").relations] == [("tool", "PowerTool"), ("member", "Member")]
    assert spec.entity("Loan").due == "dueBackOn" and spec.entity("Loan").done == "returnedOn"
    assert next(s for s in spec.summaries if s.name == "toolsByCondition").entity == "PowerTool"


def test_a_summary_is_added_from_plain_choices(client, alice, tool_shed):
    client.force_login(alice)
    data = form_data(_page(client, tool_shed))
    tool = _row(data, "r", "Tool")
    summary = _blank(data, "s", "original")
    data |= {
        f"{summary}-measure": "sum",
        f"{summary}-record": tool,
        f"{summary}-detail": _row(data, f"{tool}-d", "price"),
        f"{summary}-group_by": _row(data, f"{tool}-d", "condition"),
    }
    assert client.post(_editor(client, tool_shed), data).status_code == 302
    added = PlanVersion.objects.get(number=2).spec_model().summaries[-1]
    assert (added.label, added.entity, added.measure, added.field, added.group_by) == (
        "The total of price of tools per condition",
        "Tool",
        "sum",
        "price",
        "condition",
    )


def test_a_summary_that_adds_up_another_records_detail_is_refused(client, alice, tool_shed):
    client.force_login(alice)
    data = form_data(_page(client, tool_shed))
    summary = _blank(data, "s", "original")
    tool = _row(data, "r", "Tool")
    data |= {
        f"{summary}-measure": "sum",
        f"{summary}-record": _row(data, "r", "Loan"),
        f"{summary}-detail": _row(data, f"{tool}-d", "price"),
    }
    response = client.post(_editor(client, tool_shed), data)
    assert response.status_code == 400
    assert "counts Loan records, so the detail it adds up must be one of Loan's details" in unescape(
        response.content.decode()
    )


def test_switching_the_website_off_plans_no_frontend_task(client, alice, v1):
    client.force_login(alice)
    data = form_data(_page(client, v1))
    del data["app-frontend"]
    assert client.post(_editor(client, v1), data).status_code == 302
    v2 = PlanVersion.objects.get(number=2)
    assert v2.spec["frontend"] is False and "frontend" not in [t["agent"] for t in v2.tasks]


def test_saving_without_a_change_is_refused(client, alice, v1):
    client.force_login(alice)
    response = client.post(_editor(client, v1), form_data(_page(client, v1)))
    assert response.status_code == 400 and "Nothing changed" in response.content.decode()


def test_add_another_buttons_add_a_blank_row_and_keep_what_was_typed(client, alice, v1):
    client.force_login(alice)
    data = form_data(_page(client, v1))
    tool = _row(data, "r", "Tool")
    blank = _blank(data, f"{tool}-d")
    page = client.post(_editor(client, v1), data | {f"{blank}-name": "colour", "add": tool}).content.decode()
    again = form_data(page)
    assert again[f"{blank}-name"] == "colour" and int(again[f"{tool}-details"]) == int(data[f"{tool}-details"]) + 1
    assert "Your changes were not saved" not in page and PlanVersion.objects.count() == 1


@pytest.mark.parametrize("tamper", [{"records": "1"}, {"records": "x"}, {"r0-original": "Nobody"}, {"l0-original": ""}])
def test_a_page_changed_in_a_way_we_cannot_read_saves_nothing(client, alice, tool_shed, tamper):
    client.force_login(alice)
    response = client.post(_editor(client, tool_shed), form_data(_page(client, tool_shed)) | tamper)
    assert response.status_code == 400 and "changed in a way we cannot read" in response.content.decode()
    assert PlanVersion.objects.count() == 1


def test_viewers_cannot_open_the_editor_and_outsiders_do_not_find_it(client, victor, charlie, tool_shed):
    client.force_login(victor)
    assert client.get(_editor(client, tool_shed)).status_code == 403
    client.force_login(charlie)
    assert client.get(_editor(client, tool_shed)).status_code == 404


def test_a_task_edit_after_a_data_model_edit_keeps_the_data_model_as_set(client, alice, v1):
    client.force_login(alice)
    data = form_data(_page(client, v1))
    new_record = _blank(data, "r")
    client.post(_editor(client, v1), data | {f"{new_record}-name": "Vet", f"{new_record}-d0-name": "name"})
    v2 = PlanVersion.objects.get(number=2)
    edit = reverse("projects:edit_version", args=[v2.project_id, v2.pk])
    tasks = form_data(client.get(edit).content.decode())
    docs = next(k.removesuffix("-title") for k, v in tasks.items() if v == "Write the README and API reference")
    client.post(edit, tasks | {f"{docs}-instructions": "Keep it short."})
    v3 = PlanVersion.objects.get(number=3)
    assert v3.spec == v2.spec and v3.spec_edited
    assert json.dumps(v3.spec).count('"Vet"') >= 1
    assert TaskRun.objects.count() == 0
