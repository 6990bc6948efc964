"""`manage.py plan` prints a plan fitted to the request, with its reasoning, and re-plans with feedback."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from agents.spec import StackChoice
from agents.stacks import get_stack, stacks_for
from projects.models import Project

BACKENDS = sorted(stacks_for("backend"))

pytestmark = pytest.mark.django_db

RECIPES = "A recipe sharing site where users post recipes with ingredients and steps, and rate each other's recipes"


def _plan(*args: str) -> str:
    out = StringIO()
    call_command("plan", *args, stdout=out)
    return out.getvalue()


def test_it_prints_a_plan_table_and_the_reasoning_for_a_new_project():
    output = _plan(RECIPES)
    project = Project.objects.get()
    assert f"Project {project.pk} \u201cRecipe sharing site\u201d (team CLI): plan version 1, offline planner" in output
    assert "KEY" in output and "AGENT" in output and "DEPENDS ON" in output
    assert "spec      architect  -" in output
    assert "Rating (score, linked to Recipe)" in " ".join(output.split())  # the reasoning is wrapped
    assert "Reasoning:" in output


def test_a_new_project_goes_to_the_cli_team_owned_by_nobody():
    _plan("A todo list")
    project = Project.objects.get()
    assert (project.team.name, project.created_by, project.request) == ("CLI", None, "A todo list")


def test_replanning_with_feedback_makes_the_next_version_and_points_at_the_compare_page():
    _plan(RECIPES)
    project = Project.objects.get()
    output = _plan("--project", str(project.pk), "--feedback", "Also let people comment on recipes and keep favourites")
    assert "plan version 2, re-plan with feedback" in output
    assert "Comment (text, linked to Recipe)" in " ".join(output.split())
    assert f"/admin/orchestration/planversion/compare/{project.pk}/?b=2" in output
    assert project.plan_versions.get(number=2).feedback == "Also let people comment on recipes and keep favourites"


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_stack_option_chooses_the_back_end_and_the_plan_names_it(backend):
    output = _plan(RECIPES, "--stack", backend)
    project = Project.objects.get()
    assert project.options == {"backend": backend}
    assert project.plan_versions.get().spec_model().stack.backend == backend
    assert f"Back end: {get_stack(backend).label}" in output
    assert f"Website: {get_stack(StackChoice().frontend).label}" in output


def test_a_replan_keeps_the_back_end_unless_the_stack_option_changes_it():
    _plan(RECIPES, "--stack", BACKENDS[-1])
    project = Project.objects.get()
    _plan("--project", str(project.pk), "--feedback", "Also keep favourites")
    assert project.plan_versions.get(number=2).spec_model().stack.backend == BACKENDS[-1]
    output = _plan("--project", str(project.pk), "--feedback", "And comments", "--stack", BACKENDS[0])
    assert project.plan_versions.get(number=3).spec_model().stack.backend == BACKENDS[0]
    assert f"Back end: {get_stack(BACKENDS[0]).label}" in output


def test_an_api_request_prints_a_plan_without_a_frontend():
    output = _plan("A REST API for books and authors")
    assert "frontend" not in [line.split()[0] for line in output.splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Say what to build"),
        (("--feedback", "more"), "give --project ID too"),
        (("A todo list", "--project", "1"), "leave out the request text"),
        (("--project", "424242"), "There is no project 424242"),
        (("A todo list", "--provider", "psychic"), "no LLM provider called 'psychic'"),
        (("A todo list", "--stack", "cobol"), "invalid choice: 'cobol'"),
    ],
)
def test_it_explains_what_is_wrong_with_the_arguments(args, message):
    with pytest.raises(CommandError, match=message):
        _plan(*args)


def test_it_lists_what_will_not_be_built_before_the_tasks():
    output = _plan("A habit tracker that sends me reminders every evening")
    notes = output.index("Not built:")
    assert "  - Reminders — Sends me reminders every evening. Not built offline: a model builds it" in output[notes:]
    assert notes < output.index("KEY")


def test_it_lists_nothing_as_not_built_when_everything_asked_for_is_built():
    assert "Not built:" not in _plan("A clinic system where patients book appointments with doctors.")
