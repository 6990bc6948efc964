"""Staff review plans in the admin: each version as a table with its reasoning and LLM calls, any
two versions compared side by side, and the project's history with "compare with previous"."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from orchestration.models import LLMCall, PlanVersion
from orchestration.planning import edit_plan, plan_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def versions(project_a, alice):
    v1 = plan_project(project_a, user=alice, provider_name="offline")
    v2 = plan_project(project_a, user=alice, provider_name="offline", feedback="Also keep invoices, vets and reminders")
    return v1, v2


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def _compare(project, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("admin:orchestration_planversion_compare", args=[project.pk]) + (f"?{query}" if query else "")


def test_a_version_page_shows_the_plan_as_a_table_with_its_reasoning(staff_client, versions):
    v1, _ = versions
    page = staff_client.get(reverse("admin:orchestration_planversion_change", args=[v1.pk])).content.decode()
    for header in ("Key", "Agent", "Title", "Depends on", "Scope", "Timeout"):
        assert f'<th scope="col">{header}</th>' in page
    assert "<code>spec</code>" in page and "<td>architect</td>" in page
    assert "I read the request as" in page


def test_a_version_page_shows_the_stored_spec_and_the_stacks_it_is_built_with(staff_client, versions):
    _, v2 = versions
    page = staff_client.get(reverse("admin:orchestration_planversion_change", args=[v2.pk])).content.decode()
    assert escape(v2.built_with()) in page and "(back end)" in page
    assert "&quot;name&quot;: &quot;Invoice&quot;" in page


def test_a_version_page_links_its_llm_calls(staff_client, project_a):
    version = PlanVersion.objects.create(project=project_a, number=1, source="llm", tasks=[], provider="openai")
    call = LLMCall.objects.create(project=project_a, provider="openai", prompt="p", response="r", attempt=1)
    LLMCall.objects.filter(pk=call.pk).update(plan_version=version)
    page = staff_client.get(reverse("admin:orchestration_planversion_change", args=[version.pk])).content.decode()
    assert reverse("admin:orchestration_llmcall_change", args=[call.pk]) in page


def test_a_version_page_has_no_save_button(staff_client, versions):
    page = staff_client.get(reverse("admin:orchestration_planversion_change", args=[versions[0].pk])).content.decode()
    assert 'name="_save"' not in page


def test_the_compare_page_highlights_what_changed(staff_client, project_a, versions):
    page = staff_client.get(_compare(project_a, a=1, b=2)).content.decode()
    assert "Version 1 → version 2" in page
    assert "Added record Invoice (date), linked to Vet" in page
    assert 'Build the invoice API <span class="plan-diff-status">added</span>' in page
    assert 'Add end-to-end tests <span class="plan-diff-status">changed</span>' in page
    assert "Also keep invoices, vets and reminders" in page
    assert 'class="plan-diff-line-add"' in page


def test_the_compare_page_defaults_to_the_latest_version_and_its_parent(staff_client, project_a, versions, alice):
    v1, _ = versions
    tasks = [{**t, "title": "Edited docs"} if t["key"] == "docs" else t for t in v1.tasks]
    edit_plan(v1, tasks, user=alice)
    page = staff_client.get(_compare(project_a)).content.decode()
    assert "Version 1 → version 3" in page
    assert "Edited docs" in page


def test_the_compare_page_compares_any_two_versions_in_either_order(staff_client, project_a, versions):
    page = staff_client.get(_compare(project_a, a=2, b=1)).content.decode()
    assert "Version 2 → version 1" in page
    assert "Removed record Invoice" in page
    assert 'Build the invoice API <span class="plan-diff-status">removed</span>' in page


def test_the_compare_page_says_so_when_there_is_nothing_to_compare(staff_client, project_a):
    plan_project(project_a, provider_name="offline")
    page = staff_client.get(_compare(project_a)).content.decode()
    assert "comparing needs two" in page


def test_the_compare_page_is_for_staff_only(client, alice, project_a, versions):
    client.force_login(alice)
    response = client.get(_compare(project_a))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_an_unknown_project_is_404(staff_client):
    assert staff_client.get(reverse("admin:orchestration_planversion_compare", args=[999999])).status_code == 404


def test_the_project_page_lists_its_versions_each_with_compare_with_previous(staff_client, project_a, versions):
    page = staff_client.get(reverse("admin:projects_project_change", args=[project_a.pk])).content.decode()
    assert "Plan versions" in page
    assert "first version" in page
    assert f"{_compare(project_a, b=2)}".replace("&", "&amp;") in page
    assert 'name="_save"' in page  # the project itself stays editable


def test_saving_a_project_leaves_its_versions_alone(staff_client, project_a, versions):
    url = reverse("admin:projects_project_change", args=[project_a.pk])
    form = staff_client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"title": "Renamed", "plan_versions-TOTAL_FORMS": "2", "plan_versions-INITIAL_FORMS": "2"})
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert project_a.plan_versions.count() == 2


def test_the_version_list_links_each_later_version_to_its_comparison(staff_client, project_a, versions):
    page = staff_client.get(reverse("admin:orchestration_planversion_changelist")).content.decode()
    assert _compare(project_a, b=2).replace("&", "&amp;") in page
