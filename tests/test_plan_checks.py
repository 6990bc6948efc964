"""No edit makes a plan that cannot run: saving rehearses what each task would write and read, mends
a missing wait and says so, and refuses the rest in the tasks' titles, before anyone presses Run."""

from html import unescape

import pytest
from django.urls import reverse

from orchestration.models import PlanVersion, TaskRun
from orchestration.offline_planner import offline_plan
from orchestration.plan_checks import check_runnable
from orchestration.planning import edit_plan, plan_project
from orchestration.plans import PlanInvalid
from orchestration.runs import start_run
from orchestration.tasks import run_inline

from .ui_helpers import form_data

REQUESTS = [
    "An appointment booking site for a dog groomer, with customers, their dogs and appointments.",
    "A tool library where members borrow tools and loans have a due date; also suppliers and repairs.",
    "A REST API for a library to track books, authors and loans, in Python.",
]
FIVE_RECORDS = REQUESTS[1]


def _plan(request: str = FIVE_RECORDS):
    plan, spec = offline_plan(request)
    return plan.task_list(), spec


def _without(tasks: list[dict], key: str) -> list[dict]:
    return [dict(t, depends_on=[d for d in t["depends_on"] if d != key]) for t in tasks if t["key"] != key]


def _refusal(tasks: list[dict], spec) -> list[str]:
    with pytest.raises(PlanInvalid) as refused:
        check_runnable(tasks, spec)
    return refused.value.errors


@pytest.mark.parametrize("request_text", REQUESTS)
def test_every_offline_plan_passes_as_it_is(request_text):
    tasks, spec = _plan(request_text)
    assert check_runnable(tasks, spec) == (tasks, [])


def test_a_plan_without_the_architect_is_refused_naming_the_tasks_that_need_it():
    tasks, spec = _plan()
    [error] = _refusal(_without(tasks, "spec"), spec)
    assert error.startswith(
        "No task writes spec/spec.json or spec/openapi.json, the data model and API contract that "
        "“Build the API core”, “Build the member API” and 8 other tasks read"
    )
    assert "put back the architect's task (“Design the data model and API contract”)" in error


def test_a_plan_left_without_its_verify_stage_gets_it_back_waiting_for_every_task_that_writes_code():
    tasks, spec = _plan()
    mended, notes = check_runnable(_without(tasks, "verify"), spec)
    verify = mended[-1]
    assert (verify["key"], verify["agent"], verify["title"]) == ("verify", "verify", "Build and test the project")
    assert set(verify["depends_on"]) == {
        t["key"] for t in tasks if t["agent"] in ("backend", "frontend", "tests", "devops")
    }
    assert notes == [
        "“Build and test the project” was added: every plan ends by building and testing the code its tasks wrote"
    ]


def test_a_verify_stage_that_does_not_wait_for_new_code_is_made_to():
    tasks, spec = _plan(REQUESTS[0])
    extra = {
        "key": "admin-pages",
        "title": "Add admin pages",
        "agent": "frontend",
        "instructions": "",
        "depends_on": ["spec"],
        "scope": [],
        "timeout_s": None,
    }
    frontend_free = [t for t in tasks if t["key"] != "frontend"]
    frontend_free = [dict(t, depends_on=[d for d in t["depends_on"] if d != "frontend"]) for t in frontend_free]
    mended, notes = check_runnable([*frontend_free, extra], spec)
    assert "admin-pages" in next(t for t in mended if t["key"] == "verify")["depends_on"]
    assert notes == [
        "“Build and test the project” now waits for “Add admin pages”, which writes code it builds and tests"
    ]


def test_code_that_waits_for_the_verify_stage_is_refused():
    tasks, spec = _plan(REQUESTS[0])
    frontend_free = [
        dict(t, depends_on=[d for d in t["depends_on"] if d != "frontend"]) for t in tasks if t["key"] != "frontend"
    ]
    late = {
        "key": "admin-pages",
        "title": "Add admin pages",
        "agent": "frontend",
        "instructions": "",
        "depends_on": ["spec", "verify"],
        "scope": [],
        "timeout_s": None,
    }
    [error] = _refusal([*frontend_free, late], spec)
    assert error == (
        "“Add admin pages” waits for “Build and test the project”, which builds and tests the code: the code "
        "must be written first, so “Add admin pages” must not wait for it."
    )


def test_a_task_that_waits_for_nothing_is_made_to_wait_for_what_it_reads():
    tasks, spec = _plan()
    guide = {
        "key": "guide",
        "title": "Write a user guide",
        "agent": "docs",
        "instructions": "",
        "depends_on": [],
        "scope": [],
        "timeout_s": None,
    }
    mended, notes = check_runnable([*_without(tasks, "docs"), guide], spec)
    assert next(t for t in mended if t["key"] == "guide")["depends_on"] == ["spec"]
    assert notes == [
        "“Write a user guide” now waits for “Design the data model and API contract”, because it reads "
        "spec/spec.json, which that task writes"
    ]


def test_a_second_task_writing_the_same_files_is_refused_with_both_titles():
    tasks, spec = _plan()
    extra = {
        "key": "booking",
        "title": "Build the booking API",
        "agent": "backend",
        "instructions": "",
        "depends_on": ["spec"],
        "scope": [],
        "timeout_s": None,
    }
    [error] = _refusal([*tasks, extra], spec)
    assert error.startswith(
        "“Build the booking API” would write files that “Build the API core”, “Build the member API” "
        "and 4 other tasks already write (backend/"
    )
    assert "Each file can come from one task only: remove “Build the booking API”" in error


def test_removing_the_core_of_a_split_back_end_is_refused():
    tasks, spec = _plan()
    core = [
        dict(t, depends_on=["spec" if d == "backend-core" else d for d in t["depends_on"]])
        for t in tasks
        if t["key"] != "backend-core"
    ]
    [error] = _refusal(core, spec)
    assert error == (
        "No task builds part of the back end (its shared files), so it would not run: add a backend task "
        "for the whole of the back end, or put back the task that built that part."
    )


def test_a_task_for_a_record_the_data_model_lacks_is_refused():
    tasks, spec = _plan()
    tasks[2] = dict(tasks[2], scope=["Spaceship"])
    [error] = _refusal(tasks, spec)
    assert error == (
        f"“{tasks[2]['title']}” is for Spaceship, which the data model does not keep: its records are "
        "Loan, Member, Repair, Supplier, Tool."
    )


def test_a_plan_without_a_website_task_runs_and_says_it_makes_none():
    tasks, spec = _plan()
    mended, notes = check_runnable(_without(tasks, "frontend"), spec)
    assert notes == ["No task builds the website, so this plan makes none"]


@pytest.mark.django_db
def test_the_edit_page_refuses_removing_the_architect_and_keeps_the_edit(client, alice, project_a):
    version = plan_project(project_a, provider_name="offline")
    client.force_login(alice)
    url = reverse("projects:edit_version", args=[project_a.pk, version.pk])
    data = form_data(client.get(url).content.decode())
    architect = next(k.removesuffix("-title") for k, v in data.items() if v == "Design the data model and API contract")
    response = client.post(url, data | {f"{architect}-DELETE": "on"})
    page = unescape(response.content.decode())
    assert response.status_code == 400 and "The plan was not saved" in page
    assert "put back the architect's task (“Design the data model and API contract”)" in page
    assert PlanVersion.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_mended_edit_runs_to_the_end(project_a, alice):
    v1 = plan_project(project_a, provider_name="offline")
    tasks = [dict(t, depends_on=[]) if t["key"] == "docs" else t for t in v1.tasks]
    edited, notes = edit_plan(v1, tasks, user=alice)
    assert notes == [
        "“Write the README and API reference” now waits for “Design the data model and API contract”, "
        "because it reads spec/spec.json, which that task writes"
    ]
    assert "Checked before saving: “Write the README" in edited.reasoning
    run = run_inline(start_run(edited, user=alice))
    assert run.status == "succeeded"
    assert set(run.task_runs.values_list("status", flat=True)) == {TaskRun.Status.SUCCEEDED}
