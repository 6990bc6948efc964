"""The spec is computed once, when a version is planned, stored with it, and written by the architect
as it is: later changes to the request never reach a version that was already planned."""

import pytest

from agents.file_agent import SPEC_PATH
from agents.spec import Spec
from agents.stacks import stacks_for
from orchestration.models import Artifact, TaskRun
from orchestration.planning import edit_plan, plan_project
from orchestration.runs import start_run
from orchestration.tasks import run_inline
from projects.models import Project

from .ui_helpers import make_version

pytestmark = pytest.mark.django_db(transaction=True)

BACKENDS = sorted(stacks_for("backend"))


def _entities(spec: Spec) -> list[str]:
    return [e.name for e in spec.entities]


def _architect_only(version, alice):
    """A version with the architect's task alone, so that a run writes just the spec."""
    return edit_plan(version, [t for t in version.tasks if t["agent"] == "architect"], user=alice).version


def test_a_planned_version_stores_the_spec_its_tasks_were_fitted_to(project_a):
    version = plan_project(project_a, provider_name="offline")
    spec = version.spec_model()
    assert _entities(spec) == ["Customer", "Dog", "Appointment"]
    assert spec.title == "Appointment booking site for a dog groomer"
    assert "Customer (" in version.tasks[0]["instructions"]


def test_an_edit_keeps_the_spec_of_the_version_it_edits(project_a, alice):
    v1 = plan_project(project_a, provider_name="offline")
    assert _architect_only(v1, alice).spec == v1.spec


def test_a_replan_reads_the_feedback_into_a_new_spec_and_keeps_the_feedback_apart(project_a):
    v1 = plan_project(project_a, provider_name="offline")
    v2 = plan_project(project_a, provider_name="offline", feedback="Also keep invoices")
    assert _entities(v2.spec_model()) == [*_entities(v1.spec_model()), "Invoice"]
    assert v2.feedback == "Also keep invoices"
    assert all("Also keep invoices" not in t["instructions"] for t in v2.tasks)


def test_a_replan_keeps_the_back_end_the_team_chose_for_the_version_before(project_a):
    Project.objects.filter(pk=project_a.pk).update(options={"backend": BACKENDS[-1]})
    project_a.refresh_from_db()
    plan_project(project_a, provider_name="offline")
    Project.objects.filter(pk=project_a.pk).update(options={})
    project_a.refresh_from_db()
    v2 = plan_project(project_a, provider_name="offline", feedback="Also keep invoices")
    assert v2.spec_model().stack.backend == BACKENDS[-1]
    assert "The back end stays" in v2.reasoning


def test_the_offline_architect_writes_the_stored_spec_even_if_the_request_changed_since(project_a, alice):
    version = _architect_only(plan_project(project_a, provider_name="offline"), alice)
    Project.objects.filter(pk=project_a.pk).update(request="A REST API for a library with books and loans")
    run = run_inline(start_run(version))
    assert run.task_runs.get().status == TaskRun.Status.SUCCEEDED
    written = Spec.model_validate_json(Artifact.objects.get(run=run, path=SPEC_PATH).content)
    assert written == version.spec_model()
    assert _entities(written) == ["Customer", "Dog", "Appointment"]


def test_a_version_planned_before_versions_kept_their_spec_fails_its_architect_with_what_to_do(project_a):
    version = make_version(
        project_a,
        tasks=[
            {
                "key": "spec",
                "title": "Design the data model",
                "agent": "architect",
                "instructions": "",
                "depends_on": [],
                "scope": [],
                "timeout_s": None,
            }
        ],
    )
    run = run_inline(start_run(version))
    task = run.task_runs.get()
    assert task.status == TaskRun.Status.FAILED
    assert "Re-plan the project and run the new version." in task.error
    assert task.attempt == 1  # no retry can fix it
