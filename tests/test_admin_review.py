"""Staff review runs in the admin: filters by status, agent and date; a failed task's error and LLM calls one click away."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from orchestration.models import LLMCall, Run, TaskRun

from .conftest import _user
from .ui_helpers import make_run, make_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_run(project_a):
    return make_run(
        make_version(project_a),
        statuses={"architect": TaskRun.Status.SUCCEEDED, "backend-1": TaskRun.Status.FAILED},
        status=Run.Status.FAILED,
    )


def test_runs_filter_by_status_and_by_the_agents_of_their_tasks(client, staff, project_a, failed_run):
    other = make_run(
        make_version(
            project_a,
            tasks=[
                {
                    "key": "only",
                    "title": "Only docs",
                    "agent": "docs",
                    "instructions": "",
                    "depends_on": [],
                    "scope": [],
                    "timeout_s": None,
                }
            ],
        )
    )
    client.force_login(staff)
    changelist = reverse("admin:orchestration_run_changelist")
    by_agent = client.get(changelist, {"task_runs__agent": "backend"}).context["cl"].result_list
    assert list(by_agent) == [failed_run]
    by_status = client.get(changelist, {"status__exact": "running"}).context["cl"].result_list
    assert list(by_status) == [other]


def test_the_run_list_links_to_its_failed_tasks(client, staff, failed_run):
    client.force_login(staff)
    page = client.get(reverse("admin:orchestration_run_changelist")).content.decode()
    link = (
        reverse("admin:orchestration_taskrun_changelist") + f"?run__id__exact={failed_run.pk}&amp;status__exact=failed"
    )
    assert f'<a href="{link}">1 failed</a>' in page
    tasks = client.get(link.replace("&amp;", "&")).context["cl"].result_list
    assert [t.key for t in tasks] == ["backend-1"]


def test_a_failed_tasks_page_shows_its_error_and_llm_calls(client, staff, project_a, failed_run):
    task = failed_run.task_runs.get(key="backend-1")
    call = LLMCall.objects.create(
        project=project_a,
        task_run=task,
        purpose="agent",
        provider="openai",
        model="llama3.1",
        prompt="Write the backend.",
        error="HTTP 500 from the model server",
    )
    client.force_login(staff)
    page = client.get(reverse("admin:orchestration_taskrun_change", args=[task.pk])).content.decode()
    assert "The agent stopped: the spec names no entities." in page
    assert "HTTP 500 from the model server" in page
    assert reverse("admin:orchestration_llmcall_change", args=[call.pk]) in page


def test_task_runs_filter_by_status_agent_and_date(client, staff, failed_run):
    client.force_login(staff)
    changelist = reverse("admin:orchestration_taskrun_changelist")
    found = client.get(
        changelist, {"agent": "backend", "status__exact": "failed", "started_at__year": timezone.now().year}
    ).context["cl"]
    assert [t.key for t in found.result_list] == ["backend-1"]


@pytest.mark.parametrize("model", ["run", "taskrun"])
def test_run_and_task_pages_are_view_only_without_save_buttons(client, staff, failed_run, model):
    obj = failed_run if model == "run" else failed_run.task_runs.get(key="backend-1")
    client.force_login(staff)
    page = client.get(reverse(f"admin:orchestration_{model}_change", args=[obj.pk])).content.decode()
    assert "<h1>View " in page and "<h1>Change " not in page
    assert 'name="_save"' not in page and 'name="_continue"' not in page
    assert (
        client.post(reverse(f"admin:orchestration_{model}_change", args=[obj.pk]), {"status": "succeeded"}).status_code
        == 403
    )


def test_the_run_list_still_offers_retry_and_cancel(client, staff, failed_run):
    client.force_login(staff)
    page = client.get(reverse("admin:orchestration_run_changelist")).content.decode()
    assert 'value="retry_failed_tasks"' in page and 'value="cancel_runs"' in page


def test_staff_who_may_only_view_runs_get_no_retry_or_cancel(client, project_a):
    viewer = _user("vera", project_a.team, is_staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename__in=["view_run", "view_taskrun"]))
    run = make_run(make_version(project_a))
    client.force_login(viewer)
    changelist = reverse("admin:orchestration_run_changelist")
    page = client.get(changelist).content.decode()
    assert "retry_failed_tasks" not in page and "cancel_runs" not in page
    client.post(changelist, {"action": "cancel_runs", "_selected_action": [run.pk]})
    run.refresh_from_db()
    assert run.status == Run.Status.RUNNING


def test_plan_versions_offer_no_delete_selected(client, staff, project_a):
    make_version(project_a)
    client.force_login(staff)
    page = client.get(reverse("admin:orchestration_planversion_changelist")).content.decode()
    assert "delete_selected" not in page and "Delete selected" not in page


def test_the_task_list_shows_status_and_error_in_narrow_columns(client, staff, failed_run):
    client.force_login(staff)
    page = client.get(reverse("admin:orchestration_taskrun_changelist"), {"status__exact": "failed"}).content.decode()
    headers = re.findall(r'<th scope="col" class="[^"]*column-([a-z_]+)', page)
    assert headers == ["key", "run_number", "agent", "model_called", "status", "attempts", "started", "short_error"]
    assert f'class="field-run_number">{failed_run.pk}<' in page and ">1 of 3<" in page
    assert "The agent stopped: the spec names no entities." in page
