"""The database itself refuses duplicates and impossible states."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from orchestration.models import Artifact, PlanVersion, Run, TaskRun
from projects.models import Membership

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.scaleout]

TASKS = [{"key": "spec", "title": "Write the spec", "agent": "architect", "instructions": "", "depends_on": []}]


@pytest.fixture
def version(project_a):
    return PlanVersion.objects.create(project=project_a, number=1, source="offline", tasks=TASKS)


@pytest.fixture
def run(version):
    return Run.objects.create(plan_version=version)


def test_a_plan_version_number_is_unique_per_project(project_a, version):
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanVersion.objects.create(project=project_a, number=1, source="offline", tasks=TASKS)


def test_a_plan_version_with_an_unknown_source_is_rejected(project_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanVersion.objects.create(project=project_a, number=1, source="magic", tasks=TASKS)


def test_a_saved_plan_version_cannot_be_changed(version):
    version.reasoning = "rewritten history"
    with pytest.raises(ValidationError):
        version.save()
    version.refresh_from_db()
    assert version.reasoning == ""


def test_a_task_key_is_unique_per_run(run):
    TaskRun.objects.create(run=run, key="spec", agent="architect", title="Spec")
    with pytest.raises(IntegrityError), transaction.atomic():
        TaskRun.objects.create(run=run, key="spec", agent="architect", title="Spec again")


@pytest.mark.parametrize("model", ["run", "task"])
def test_a_bad_status_is_rejected(run, model):
    with pytest.raises(IntegrityError), transaction.atomic():
        if model == "run":
            Run.objects.filter(pk=run.pk).update(status="exploded")
        else:
            TaskRun.objects.create(run=run, key="x", agent="architect", title="X", status="exploded")


def test_an_artifact_path_is_unique_per_run(run):
    task = TaskRun.objects.create(run=run, key="spec", agent="architect", title="Spec")
    Artifact.objects.create(run=run, task_run=task, path="README.md", content="a", sha256="0" * 64, size=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Artifact.objects.create(run=run, task_run=task, path="README.md", content="b", sha256="1" * 64, size=1)


def test_a_user_is_a_member_of_a_team_once(alice, team_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=alice, team=team_a, role="viewer")


def test_a_membership_role_must_be_known(alice, team_b):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=alice, team=team_b, role="emperor")
