"""Staff review runs in the admin: filters by status, agent and date; a failed task's error and LLM calls one click away."""

import pytest
from django.urls import reverse
from django.utils import timezone

from orchestration.models import LLMCall, Run, TaskRun

from .ui_helpers import make_run, make_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_run(project_a):
    return make_run(make_version(project_a), statuses={"architect": TaskRun.Status.SUCCEEDED, "backend-1": TaskRun.Status.FAILED},
                    status=Run.Status.FAILED)


def test_runs_filter_by_status_and_by_the_agents_of_their_tasks(client, staff, project_a, failed_run):
    other = make_run(make_version(project_a, tasks=[{"key": "only", "title": "Only docs", "agent": "docs", "instructions": "",
                                                     "depends_on": [], "scope": [], "timeout_s": None}]))
    client.force_login(staff)
    changelist = reverse("admin:orchestration_run_changelist")
    by_agent = client.get(changelist, {"task_runs__agent": "backend"}).context["cl"].result_list
    assert list(by_agent) == [failed_run]
    by_status = client.get(changelist, {"status__exact": "running"}).context["cl"].result_list
    assert list(by_status) == [other]


def test_the_run_list_links_to_its_failed_tasks(client, staff, failed_run):
    client.force_login(staff)
    page = client.get(reverse("admin:orchestration_run_changelist")).content.decode()
    link = reverse("admin:orchestration_taskrun_changelist") + f"?run__id__exact={failed_run.pk}&amp;status__exact=failed"
    assert f'<a href="{link}">1 failed</a>' in page
    tasks = client.get(link.replace("&amp;", "&")).context["cl"].result_list
    assert [t.key for t in tasks] == ["backend-1"]


def test_a_failed_tasks_page_shows_its_error_and_llm_calls(client, staff, project_a, failed_run):
    task = failed_run.task_runs.get(key="backend-1")
    call = LLMCall.objects.create(project=project_a, task_run=task, purpose="agent", provider="openai", model="llama3.1",
                                  prompt="Write the backend.", error="HTTP 500 from the model server")
    client.force_login(staff)
    page = client.get(reverse("admin:orchestration_taskrun_change", args=[task.pk])).content.decode()
    assert "The agent stopped: the spec names no entities." in page
    assert "HTTP 500 from the model server" in page
    assert reverse("admin:orchestration_llmcall_change", args=[call.pk]) in page


def test_task_runs_filter_by_status_agent_and_date(client, staff, failed_run):
    client.force_login(staff)
    changelist = reverse("admin:orchestration_taskrun_changelist")
    found = client.get(changelist, {"agent": "backend", "status__exact": "failed", "started_at__year": timezone.now().year}).context["cl"]
    assert [t.key for t in found.result_list] == ["backend-1"]
