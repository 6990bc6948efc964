"""What the buttons and forms do: create, run, cancel, retry, re-plan, edit the plan, download."""

import io
import re
import zipfile

import pytest
from django.urls import reverse
from django_q.conf import Conf

from agents.stacks import stacks_for
from orchestration.models import PlanVersion, Run, TaskRun
from projects.forms import FEEDBACK_MAX, REQUEST_MAX
from projects.models import Membership, Project

from .ui_helpers import make_artifact, make_run, make_version

pytestmark = pytest.mark.django_db

REQUEST = "An appointment booking site for a dog groomer, with customers, dogs and appointments."


def _page_text(client, project) -> str:
    return client.get(reverse("projects:detail", args=[project.pk])).content.decode()


def _post(client, name, *args, **data):
    return client.post(reverse(f"projects:{name}", args=args), data)


def test_creating_a_project_stores_it_and_starts_planning(client, alice, team_a):
    client.force_login(alice)
    response = _post(
        client, "new", request=REQUEST, title="", team=team_a.pk, provider="offline", frontend="no", auth=""
    )
    project = Project.objects.get()
    assert response.url == reverse("projects:detail", args=[project.pk])
    assert project.title == "Appointment booking site for a dog groomer"
    assert project.options == {"frontend": False}
    assert project.provider == "offline" and project.team == team_a and project.created_by == alice
    assert project.planning_status == Project.PlanningStatus.PLANNING
    assert "We are drawing up a plan" in client.get(response.url).content.decode()


@pytest.mark.parametrize("backend", sorted(stacks_for("backend")))
def test_the_back_end_chosen_on_the_form_is_kept_with_the_project_and_planned_for(
    client, alice, team_a, backend, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(Conf, "SYNC", True)  # the planning task runs at once, in this process
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, "new", request=REQUEST, team=team_a.pk, provider="offline", backend=backend)
    project = Project.objects.get()
    assert project.options == {"backend": backend}
    assert project.plan_versions.get().spec_model().stack.backend == backend


def test_a_back_end_that_is_not_offered_is_refused_in_plain_words(client, alice, team_a):
    client.force_login(alice)
    response = _post(client, "new", request=REQUEST, team=team_a.pk, provider="offline", backend="cobol")
    assert response.status_code == 400
    assert "That back end is not available; please pick another." in response.content.decode()
    assert not Project.objects.exists()


def test_an_empty_request_is_explained_and_nothing_is_created(client, alice, team_a):
    client.force_login(alice)
    response = _post(client, "new", request="   ", title="My shop", team=team_a.pk, provider="offline")
    assert response.status_code == 400
    assert "Please describe what you would like us to build." in response.content.decode()
    assert 'value="My shop"' in response.content.decode()
    assert not Project.objects.exists()


def test_a_long_paste_reaches_the_server_whole_and_is_refused_saying_how_long_it_was(client, alice, team_a):
    text = "A shop for hats." * 1250
    client.force_login(alice)
    response = _post(client, "new", request=text, team=team_a.pk, provider="offline")
    page = response.content.decode()
    assert response.status_code == 400
    assert f"it has 20,000 characters, and we read at most {REQUEST_MAX:,}" in page
    assert text in page
    assert not Project.objects.exists()


def test_the_request_box_has_no_maxlength_so_the_browser_never_cuts_a_paste(client, alice, team_a):
    client.force_login(alice)
    box = re.search(r"<textarea[^>]*>", client.get(reverse("projects:new")).content.decode()).group()
    assert 'name="request"' in box
    assert "maxlength" not in box
    assert f'data-max-chars="{REQUEST_MAX}"' in box


def test_too_long_feedback_is_refused_saying_how_long_it_was_and_kept(client, alice, project_a):
    make_version(project_a)
    feedback = "Add invoices. " * 200
    client.force_login(alice)
    response = _post(client, "replan", project_a.pk, feedback=feedback)
    page = response.content.decode()
    assert response.status_code == 400
    assert (
        f"The feedback has {len(feedback.strip()):,} characters; please keep it to {FEEDBACK_MAX:,} or fewer." in page
    )
    assert feedback.strip() in page
    assert (
        'data-max-chars="2000"' in page
        and "maxlength" not in re.search(r'<textarea[^>]*name="feedback"[^>]*>', page).group()
    )


def test_an_unconfigured_provider_is_refused_in_plain_words(client, alice, team_a, settings):
    settings.GEMINI_API_KEY = ""
    client.force_login(alice)
    response = _post(client, "new", request=REQUEST, team=team_a.pk, provider="gemini")
    assert "That option is not available right now" in response.content.decode()
    assert not Project.objects.exists()


def test_a_team_where_the_user_is_a_viewer_is_refused(client, alice, team_b):
    Membership.objects.create(user=alice, team=team_b, role=Membership.Role.VIEWER)
    client.force_login(alice)
    response = _post(client, "new", request=REQUEST, team=team_b.pk, provider="offline")
    assert "Please pick one of your teams." in response.content.decode()
    assert not Project.objects.exists()


def test_run_starts_the_plan_the_person_was_shown(client, bob, project_a):
    version = make_version(project_a)
    client.force_login(bob)
    response = _post(client, "start_run", project_a.pk, version=version.pk)
    run = Run.objects.get()
    assert run.plan_version == version and run.triggered_by == bob
    assert run.task_runs.count() == len(version.tasks)
    page = client.get(response.url).content.decode()
    assert f"Run {run.pk} started" in page and "Cancel run" in page


def test_run_refuses_a_plan_that_changed_since_it_was_shown(client, bob, project_a):
    old = make_version(project_a)
    make_version(project_a)
    client.force_login(bob)
    page = client.post(
        reverse("projects:start_run", args=[project_a.pk]), {"version": old.pk}, follow=True
    ).content.decode()
    assert "The plan changed since you looked at it" in page
    assert not Run.objects.exists()


def test_run_refuses_a_second_run_while_one_is_going(client, bob, project_a):
    version = make_version(project_a)
    make_run(version)
    client.force_login(bob)
    page = client.post(
        reverse("projects:start_run", args=[project_a.pk]), {"version": version.pk}, follow=True
    ).content.decode()
    assert "A run is already going" in page
    assert Run.objects.count() == 1


def test_cancel_stops_a_run(client, bob, project_a):
    run = make_run(make_version(project_a), statuses={"architect": TaskRun.Status.QUEUED})
    client.force_login(bob)
    _post(client, "cancel_run", project_a.pk, run.pk)
    run.refresh_from_db()
    assert run.status == Run.Status.CANCELLED
    assert set(run.task_runs.values_list("status", flat=True)) == {TaskRun.Status.CANCELLED}


def test_retry_runs_failed_tasks_again(client, bob, project_a):
    run = make_run(make_version(project_a), statuses={"architect": TaskRun.Status.FAILED}, status=Run.Status.FAILED)
    run.task_runs.exclude(key="architect").update(status=TaskRun.Status.SKIPPED)
    client.force_login(bob)
    page = client.post(reverse("projects:retry_run", args=[project_a.pk, run.pk]), follow=True).content.decode()
    assert "Trying again: 5 tasks will run again." in page
    run.refresh_from_db()
    assert run.status == Run.Status.RUNNING
    assert run.task_runs.get(key="architect").status == TaskRun.Status.QUEUED


def test_replan_with_feedback_starts_planning(client, bob, project_a):
    make_version(project_a)
    client.force_login(bob)
    response = _post(client, "replan", project_a.pk, feedback="Add a task that writes a user guide.")
    project_a.refresh_from_db()
    assert project_a.planning_status == Project.PlanningStatus.PLANNING
    assert "re-planning with your feedback" in client.get(response.url).content.decode()


@pytest.mark.parametrize("backend", sorted(stacks_for("backend")))
def test_a_replan_can_change_the_back_end_and_the_new_version_is_planned_for_it(
    client, bob, project_a, backend, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(Conf, "SYNC", True)  # the planning task runs at once, in this process
    make_version(project_a)
    client.force_login(bob)
    assert 'name="backend"' in _page_text(client, project_a)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, "replan", project_a.pk, feedback="Also keep invoices.", backend=backend)
    project_a.refresh_from_db()
    assert project_a.options == {"backend": backend}
    assert project_a.plan_versions.get(number=2).spec_model().stack.backend == backend


def test_a_replan_that_picks_no_back_end_leaves_the_projects_choices_alone(client, bob, project_a):
    make_version(project_a)
    client.force_login(bob)
    _post(client, "replan", project_a.pk, feedback="Also keep invoices.", backend="")
    project_a.refresh_from_db()
    assert project_a.options == {}


def test_replan_without_feedback_asks_for_it(client, bob, project_a):
    make_version(project_a)
    client.force_login(bob)
    response = _post(client, "replan", project_a.pk, feedback="")
    assert response.status_code == 400
    assert "Please say what should change" in response.content.decode()
    project_a.refresh_from_db()
    assert project_a.planning_status == Project.PlanningStatus.IDLE


def _edit_data(version: PlanVersion, **changes) -> dict:
    """The edit form as the page sends it, with `changes` like {"1-instructions": "..."} applied."""
    data = {
        "tasks-TOTAL_FORMS": len(version.tasks) + 1,
        "tasks-INITIAL_FORMS": len(version.tasks),
        "tasks-MIN_NUM_FORMS": 0,
        "tasks-MAX_NUM_FORMS": 40,
    }
    for i, task in enumerate(version.tasks):
        data.update(
            {
                f"tasks-{i}-title": task["title"],
                f"tasks-{i}-agent": task["agent"],
                f"tasks-{i}-instructions": task["instructions"],
                f"tasks-{i}-depends_on": task["depends_on"],
            }
        )
    data.update({f"tasks-{k}": v for k, v in changes.items()})
    return data


def test_editing_a_task_saves_a_new_validated_version(client, bob, project_a):
    version = make_version(project_a)
    client.force_login(bob)
    response = _post(
        client, "edit_version", project_a.pk, version.pk, **_edit_data(version, **{"1-instructions": "Use PostgreSQL."})
    )
    new = project_a.plan_versions.get(number=2)
    assert response.url == reverse("projects:detail", args=[project_a.pk])
    assert new.source == "edit" and new.parent == version and new.created_by == bob
    assert new.tasks[1]["instructions"] == "Use PostgreSQL."
    assert [t["key"] for t in new.tasks] == [t["key"] for t in version.tasks]


def test_removing_a_task_also_removes_waits_on_it(client, bob, project_a):
    version = make_version(project_a)
    client.force_login(bob)
    _post(client, "edit_version", project_a.pk, version.pk, **_edit_data(version, **{"0-DELETE": "on"}))
    new = project_a.plan_versions.get(number=2)
    assert "architect" not in [t["key"] for t in new.tasks]
    assert {t["key"]: t["depends_on"] for t in new.tasks if t["depends_on"]} == {"docs-4": ["tests-3"]}


def test_adding_a_task_gives_it_a_key_from_its_title(client, bob, project_a):
    version = make_version(project_a)
    n = len(version.tasks)
    client.force_login(bob)
    _post(
        client,
        "edit_version",
        project_a.pk,
        version.pk,
        **_edit_data(
            version,
            **{
                f"{n}-title": "Write a user guide",
                f"{n}-agent": "docs",
                f"{n}-instructions": "For groomers.",
                f"{n}-depends_on": ["architect"],
            },
        ),
    )
    added = project_a.plan_versions.get(number=2).tasks[-1]
    assert added["key"] == "write-a-user-guide" and added["depends_on"] == ["architect"] and added["agent"] == "docs"


def test_too_long_instructions_are_refused_saying_how_long_they_were_and_kept(client, bob, project_a):
    version = make_version(project_a)
    instructions = "Use PostgreSQL. " * 300
    client.force_login(bob)
    response = _post(
        client, "edit_version", project_a.pk, version.pk, **_edit_data(version, **{"1-instructions": instructions})
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert (
        f"These instructions have {len(instructions.strip()):,} characters; please keep them to 4,000 or fewer." in page
    )
    assert instructions.strip() in page
    assert project_a.plan_versions.count() == 1


def test_an_invalid_edit_is_explained_and_kept(client, bob, project_a):
    version = make_version(project_a)
    client.force_login(bob)
    response = _post(
        client,
        "edit_version",
        project_a.pk,
        version.pk,
        **_edit_data(version, **{"0-depends_on": ["backend-1"], "0-instructions": "My careful edit"}),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "go round in a circle" in page
    assert "My careful edit" in page
    assert project_a.plan_versions.count() == 1


def test_download_gives_the_latest_successful_runs_files_as_a_zip(client, victor, project_a):
    run = make_run(
        make_version(project_a), statuses={"architect": TaskRun.Status.SUCCEEDED}, status=Run.Status.SUCCEEDED
    )
    make_artifact(run, "backend/src/app.ts", "export const app = 1;\n")
    client.force_login(victor)
    response = client.get(reverse("projects:download", args=[project_a.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="dog-groomer-bookings-run-{run.pk}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert any(name.endswith("backend/src/app.ts") for name in archive.namelist())


def test_download_without_a_successful_run_explains_why(client, alice, project_a):
    make_run(make_version(project_a))
    client.force_login(alice)
    page = client.get(reverse("projects:download", args=[project_a.pk]), follow=True).content.decode()
    assert "There is nothing to download yet" in page
