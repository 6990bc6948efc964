"""What people see on the pages: projects and their status, the new-project form, the plan, runs, history and files."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from agents.stacks import get_stack, stacks_for
from orchestration.models import Run, TaskRun
from orchestration.planning import plan_project
from projects.models import Membership, Project
from projects.plan_display import TaskRow, layered_picture

from .ui_helpers import make_artifact, make_run, make_version, plan_tasks

pytestmark = pytest.mark.django_db

S, F, R = TaskRun.Status.SUCCEEDED, TaskRun.Status.FAILED, TaskRun.Status.RUNNING


def _page(client, name, *args, **query) -> str:
    response = client.get(reverse(f"projects:{name}", args=args), query)
    assert response.status_code == 200
    return response.content.decode()


def _project(team, user, title: str) -> Project:
    return Project.objects.create(team=team, created_by=user, title=title, request=f"A site about {title}.")


def test_the_list_shows_each_projects_status(client, alice, team_a):
    planning = _project(team_a, alice, "Planning one")
    Project.objects.filter(pk=planning.pk).update(planning_status=Project.PlanningStatus.PLANNING)
    make_version(_project(team_a, alice, "Ready one"))
    running = make_version(_project(team_a, alice, "Running one"))
    make_run(running, statuses={"architect": S, "backend-1": S, "frontend-2": R})
    make_run(
        make_version(_project(team_a, alice, "Done one")),
        statuses={t["key"]: S for t in plan_tasks()},
        status=Run.Status.SUCCEEDED,
    )
    client.force_login(alice)
    page = _page(client, "list")
    labels = dict(re.findall(r'>([A-Z][a-z]+ one)</a>.*?class="badge status-[a-z_]+">([^<]+)<', page, re.S))
    assert labels == {
        "Planning one": "Planning",
        "Ready one": "Plan ready",
        "Running one": "Running 40 %",
        "Done one": "Succeeded",
    }


def test_the_list_is_newest_first(client, alice, team_a):
    _project(team_a, alice, "Older")
    _project(team_a, alice, "Newer")
    client.force_login(alice)
    page = _page(client, "list")
    assert page.index("Newer") < page.index("Older")


def test_the_search_box_finds_projects_by_title_or_request(client, alice, team_a):
    _project(team_a, alice, "Bakery")
    Project.objects.create(team=team_a, created_by=alice, title="Vet", request="Clinic with kittens")
    client.force_login(alice)
    page = _page(client, "list", q="kitten")
    assert "Vet" in page and "Bakery" not in page
    assert "No project matches" in _page(client, "list", q="spaceship")


def test_the_new_project_form_guides_with_examples(client, alice):
    client.force_login(alice)
    page = _page(client, "new")
    assert "What should we build?" in page
    assert "dog groomer" in page
    assert 'data-fill="id_request"' in page


def test_the_new_project_form_offers_every_back_end_by_its_label_and_no_python_tests(client, alice):
    client.force_login(alice)
    page = _page(client, "new")
    offered = re.findall(
        r'<option value="([a-z]*)"[^>]*>([^<]*)</option>', page.split('name="backend"')[1].split("</select>")[0]
    )
    assert offered == [("", "Let AutoDevOS decide")] + [(n, s.label) for n, s in sorted(stacks_for("backend").items())]
    assert 'name="python"' not in page


def test_the_new_project_form_offers_only_configured_providers(client, alice, settings):
    settings.GEMINI_API_KEY = ""
    settings.OPENAI_API_KEY = settings.OPENAI_BASE_URL = ""
    client.force_login(alice)
    options = re.findall(
        r'<option value="([a-z]+)"', _page(client, "new").split('name="provider"')[1].split("</select>")[0]
    )
    assert options == ["offline"]
    settings.GEMINI_API_KEY = "test-key"
    options = re.findall(
        r'<option value="([a-z]+)"', _page(client, "new").split('name="provider"')[1].split("</select>")[0]
    )
    assert options == ["offline", "gemini"]


def test_the_team_choice_appears_only_for_people_in_several_teams(client, alice, team_b):
    client.force_login(alice)
    assert '<select name="team"' not in _page(client, "new")
    Membership.objects.create(user=alice, team=team_b, role=Membership.Role.MEMBER)
    assert '<select name="team"' in _page(client, "new")


def test_a_viewer_everywhere_is_told_they_cannot_start_projects(client, victor):
    client.force_login(victor)
    page = _page(client, "new")
    assert "you are a viewer" in page
    assert "<textarea" not in page


def test_the_project_page_draws_the_plan_before_it_runs(client, alice, project_a):
    version = make_version(project_a)
    client.force_login(alice)
    page = _page(client, "detail", project_a.pk)
    assert page.count('class="node status-planned"') == len(version.tasks)
    assert page.count('<path class="edge"') == sum(len(t["depends_on"]) for t in version.tasks)
    assert "Write the backend part 1" in page
    assert "waits for “Design the data model”" in page
    assert "Run this plan" in page
    assert f'name="version" value="{version.pk}"' in page
    assert "The request names customers and dogs." in page


def test_the_project_page_shows_each_tasks_status_attempts_timing_and_error(client, alice, project_a):
    version = make_version(project_a)
    make_run(version, statuses={"architect": S, "backend-1": F, "frontend-2": R})
    client.force_login(alice)
    page = _page(client, "detail", project_a.pk)
    assert 'class="node status-failed"' in page and 'class="node status-running"' in page
    assert "attempt 1 of 3" in page
    assert "The agent stopped: the spec names no entities." in page
    assert "Chose a layout for architect." in page
    assert re.search(r'class="gantt-bar" data-field="bar" x="1\.\d\d"', page)
    assert 'value="40"' in page and "2 of 5 tasks finished, 1 failed" in page
    assert "Cancel run" in page and "Run this plan" not in page


def test_the_status_endpoint_reports_progress_and_tasks(client, alice, project_a):
    make_run(make_version(project_a), statuses={"architect": S, "backend-1": R})
    client.force_login(alice)
    data = client.get(reverse("projects:status", args=[project_a.pk])).json()
    assert data["planning"]["status"] == "idle"
    assert data["run"]["percent"] == 20 and data["run"]["active"] is True
    assert [t["status"] for t in data["run"]["tasks"]][:2] == ["succeeded", "running"]


def test_the_status_endpoint_reports_planning(client, alice, project_a):
    Project.objects.filter(pk=project_a.pk).update(planning_status=Project.PlanningStatus.PLANNING)
    client.force_login(alice)
    data = client.get(reverse("projects:status", args=[project_a.pk])).json()
    assert data == {"planning": {"status": "planning", "label": "Planning", "error": ""}, "version": None, "run": None}


def test_a_failed_planning_is_explained(client, alice, project_a):
    Project.objects.filter(pk=project_a.pk).update(
        planning_status="failed", planning_error="The Gemini service kept failing."
    )
    client.force_login(alice)
    assert "Planning did not work: The Gemini service kept failing." in _page(client, "detail", project_a.pk)


def test_an_older_run_has_its_own_page(client, alice, project_a):
    old = make_run(make_version(project_a), statuses={"architect": F}, status=Run.Status.FAILED)
    make_version(project_a)
    client.force_login(alice)
    page = _page(client, "run", project_a.pk, old.pk)
    assert f"Run {old.pk} of" in page
    assert "Retry failed tasks" in page
    assert "Run this plan" not in page


def test_plan_history_lists_every_version(client, alice, project_a):
    make_version(project_a, user=alice)
    make_version(
        project_a, user=alice, source="replan", feedback="Add a task for a user guide", reasoning="Added docs."
    )
    client.force_login(alice)
    page = _page(client, "versions", project_a.pk)
    assert page.index("Version 2") < page.index("Version 1")
    assert "Re-plan with feedback by alice" in page
    assert "Add a task for a user guide" in page and "Added docs." in page
    assert "Compare with version 1" in page


def test_a_plan_version_has_its_own_page(client, alice, project_a):
    version = make_version(project_a, reasoning="Why: it is small.")
    client.force_login(alice)
    page = _page(client, "version", project_a.pk, version.pk)
    assert "Plan version 1" in page and "Why: it is small." in page and "Design the data model" in page


def test_the_project_and_version_pages_say_which_stacks_the_plan_is_built_with(client, alice, project_a):
    version = plan_project(project_a, provider_name="offline")
    spec = version.spec_model()
    built_with = (
        f"{get_stack(spec.stack.backend).label} (back end) and {get_stack(spec.stack.frontend).label} (website)"
    )
    client.force_login(alice)
    assert f"Built with {built_with}." in _page(client, "detail", project_a.pk)
    assert f"<strong>Built with:</strong> {built_with}" in _page(client, "version", project_a.pk, version.pk)


def test_a_game_is_said_to_be_built_only_as_its_score_table_before_anyone_runs_it(client, alice, team_a):
    project = Project.objects.create(
        team=team_a,
        created_by=alice,
        title="Snake",
        request="A snake game playable in the browser with a high-score table",
    )
    version = plan_project(project, provider_name="offline")
    client.force_login(alice)
    for page in (_page(client, "detail", project.pk), _page(client, "version", project.pk, version.pk)):
        note = page.split('<div class="not-built"', 1)[1].split("</div>", 1)[0]
        assert "What this plan will not build" in note
        assert "your request is mainly a game, so it will only build the high-score table" in note
        assert page.index('class="not-built"') < page.index("Why the plan looks like this")
    assert "Run this plan</button>" in _page(client, "detail", project.pk)  # and they can still go on


def test_a_records_app_has_no_not_built_note(client, alice, project_a):
    plan_project(project_a, provider_name="offline")
    client.force_login(alice)
    assert "What this plan will not build" not in _page(client, "detail", project_a.pk)


def test_an_api_only_plan_is_built_with_a_back_end_alone(client, alice, project_a):
    Project.objects.filter(pk=project_a.pk).update(options={"frontend": False})
    project_a.refresh_from_db()
    version = plan_project(project_a, provider_name="offline")
    client.force_login(alice)
    page = _page(client, "version", project_a.pk, version.pk)
    assert f"<strong>Built with:</strong> {get_stack(version.spec_model().stack.backend).label} (back end)</p>" in page


def test_the_files_page_shows_the_tree(client, alice, project_a):
    run = make_run(make_version(project_a), statuses={"architect": S}, status=Run.Status.SUCCEEDED)
    make_artifact(run, "backend/src/app.ts", "export const app = 1;\n")
    make_artifact(run, "README.md", "# Hello\n")
    client.force_login(alice)
    page = _page(client, "files", project_a.pk, run.pk)
    assert "2 files" in page
    assert page.index("backend/") < page.index("src/") < page.index("app.ts") < page.index("README.md")
    assert reverse("projects:file", args=[project_a.pk, run.pk, "backend/src/app.ts"]) in page


def test_a_file_is_shown_with_syntax_highlighting(client, alice, project_a):
    run = make_run(make_version(project_a), statuses={"architect": S}, status=Run.Status.SUCCEEDED)
    make_artifact(run, "backend/src/app.ts", "export const answer: number = 42;\n")
    client.force_login(alice)
    page = _page(client, "file", project_a.pk, run.pk, "backend/src/app.ts")
    assert 'class="highlight"' in page
    assert '<span class="kd">const</span>' in page
    assert "css/pygments.css" in page
    assert ".highlight .kd" in open(finders.find("css/pygments.css")).read()


def test_a_missing_file_is_404(client, alice, project_a):
    run = make_run(make_version(project_a))
    client.force_login(alice)
    assert client.get(reverse("projects:file", args=[project_a.pk, run.pk, "nope.txt"])).status_code == 404


def test_the_diagram_puts_each_task_right_of_everything_it_waits_for():
    rows = [TaskRow(t["key"], t["title"], t["agent"], "", t["depends_on"]) for t in plan_tasks(9)]
    picture = layered_picture(rows)
    x = {node.row.key: node.x for node in picture.nodes}
    for row in rows:
        assert all(x[dep] < x[row.key] for dep in row.depends_on), row.key
    assert len(set(x.values())) == 3
    assert len(picture.edges) == sum(len(r.depends_on) for r in rows)


def test_the_compare_page_shows_what_changed_between_two_versions(client, alice, project_a):
    first = make_version(project_a)
    tasks = [dict(t) for t in first.tasks]
    tasks[1] = {**tasks[1], "instructions": "Use PostgreSQL."}
    second = make_version(project_a, tasks=tasks[:-1], source="edit")
    client.force_login(alice)
    page = _page(client, "compare", project_a.pk, a=first.pk, b=second.pk)
    assert "Version 1 → version 2" in page
    assert "1 task removed, 1 changed." in page
    assert "<ins>Use PostgreSQL.</ins>" in page


def test_the_compare_page_defaults_to_the_two_latest_versions(client, alice, project_a):
    make_version(project_a)
    make_version(project_a)
    make_version(project_a)
    client.force_login(alice)
    assert "Version 2 → version 3" in _page(client, "compare", project_a.pk)


def test_comparing_with_a_version_of_another_project_is_404(client, alice, project_a, project_b):
    mine, theirs = make_version(project_a), make_version(project_b)
    client.force_login(alice)
    response = client.get(reverse("projects:compare", args=[project_a.pk]), {"a": theirs.pk, "b": mine.pk})
    assert response.status_code == 404


def _failed_run(project, user=None) -> Run:
    """Run of a 5-task plan: the architect succeeded, one task failed, the other three were skipped."""
    skipped = {key: TaskRun.Status.SKIPPED for key in ["frontend-2", "tests-3", "docs-4"]}
    return make_run(
        make_version(project), statuses={"architect": S, "backend-1": F, **skipped}, status=Run.Status.FAILED, user=user
    )


def test_a_failed_run_says_so_in_words_and_colour_and_what_to_do_next(client, alice, project_a):
    run = _failed_run(project_a)
    client.force_login(alice)
    page = _page(client, "detail", project_a.pk)
    assert f"Run {run.pk} failed: 1 of 5 tasks failed and 3 were skipped." in page
    assert 'class="progress-row run-failed"' in page
    assert re.search(r'id="run-percent"[^>]*>Failed<', page)
    assert "Retry the failed tasks, edit the plan, or re-plan with feedback." in page
    assert "Retry failed tasks" in page and "Edit plan" in page and "Re-plan with feedback" in page


def test_a_viewer_is_told_a_run_failed_but_offered_no_next_step(client, victor, project_a):
    run = _failed_run(project_a)
    client.force_login(victor)
    page = _page(client, "detail", project_a.pk)
    assert f"Run {run.pk} failed: 1 of 5 tasks failed and 3 were skipped." in page
    assert "Retry the failed tasks" not in page


def test_a_failed_runs_own_page_points_back_to_the_project_for_plan_changes(client, alice, project_a):
    run = _failed_run(project_a)
    client.force_login(alice)
    page = _page(client, "run", project_a.pk, run.pk)
    assert "Retry the failed tasks, or go back to the project to edit the plan or re-plan with feedback." in page


def test_a_cancelled_run_has_its_own_colour_and_words(client, alice, project_a):
    run = make_run(
        make_version(project_a),
        statuses={"architect": S, "backend-1": TaskRun.Status.CANCELLED},
        status=Run.Status.CANCELLED,
    )
    client.force_login(alice)
    page = _page(client, "detail", project_a.pk)
    assert f"Run {run.pk} was cancelled: 1 of 5 tasks had succeeded; the others stopped." in page
    assert 'class="progress-row run-cancelled"' in page
    assert re.search(r'id="run-percent"[^>]*>Cancelled<', page)
    assert "Run this plan again, edit it, or re-plan with feedback." in page


def test_a_finished_run_is_not_just_a_full_bar_in_the_status_endpoint(client, alice, project_a):
    run = _failed_run(project_a)
    client.force_login(alice)
    data = client.get(reverse("projects:status", args=[project_a.pk])).json()["run"]
    assert data["percent"] == 100
    assert data["outcome"] == "failed" and data["bar_label"] == "Failed"
    assert data["summary"] == f"Run {run.pk} failed: 1 of 5 tasks failed and 3 were skipped."


def test_the_poller_shows_the_same_words_as_the_page(client, alice, project_a):
    """project.js writes the endpoint's summary and outcome where the page drew its own."""
    make_run(make_version(project_a), statuses={"architect": S, "backend-1": R})
    client.force_login(alice)
    data = client.get(reverse("projects:status", args=[project_a.pk])).json()["run"]
    page = _page(client, "detail", project_a.pk)
    assert data["summary"] in page and data["summary"] == f"Run {data['id']}: Running — 1 of 5 tasks finished (20 %)."
    assert f'class="progress-row run-{data["outcome"]}"' in page and data["outcome"] == "active"
    script = open(finders.find("js/project.js")).read()
    assert "run.summary" in script and '"progress-row run-" + run.outcome' in script and "run.bar_label" in script


def test_the_download_button_names_its_run_and_plan_version(client, alice, project_a):
    run = make_run(make_version(project_a), statuses={"architect": S}, status=Run.Status.SUCCEEDED)
    client.force_login(alice)
    page = _page(client, "detail", project_a.pk)
    link = reverse("projects:run_download", args=[project_a.pk, run.pk])
    assert re.search(rf'href="{link}"[^>]*>Download run {run.pk} \(plan version 1\) as a zip<', page)
    assert "has no successful run yet" not in page


def test_the_download_of_an_older_version_says_so(client, alice, project_a):
    run = make_run(make_version(project_a), statuses={"architect": S}, status=Run.Status.SUCCEEDED)
    make_run(make_version(project_a), statuses={"architect": F}, status=Run.Status.FAILED)
    client.force_login(alice)
    page = _page(client, "detail", project_a.pk)
    assert f"Download run {run.pk} (plan version 1) as a zip" in page
    assert "Plan version 2 has no successful run yet, so the download is of plan version 1, an older one." in page


def test_every_status_shown_in_the_diagram_is_in_the_legend(client, alice, project_a):
    version = make_version(project_a, tasks=plan_tasks(8))
    statuses = ["succeeded", "failed", "running", "queued", "retry_wait", "skipped", "cancelled"]
    make_run(version, statuses={task["key"]: status for task, status in zip(version.tasks, statuses)})
    client.force_login(alice)
    page = _page(client, "detail", project_a.pk)
    shown = set(re.findall(r'class="node status-([a-z_]+)"', page))
    legend = set(re.findall(r'class="swatch status-([a-z_]+)"', page))
    assert shown == {*statuses, "pending"}
    assert shown <= legend
    assert "waiting to retry" in page


def test_a_plan_not_yet_run_has_only_planned_in_its_legend(client, alice, project_a):
    make_version(project_a)
    client.force_login(alice)
    assert set(re.findall(r'class="swatch status-([a-z_]+)"', _page(client, "detail", project_a.pk))) == {"planned"}


def test_the_diagram_shows_whole_titles(client, alice, project_a):
    long_title = "Design the data model and API contract for every record"
    tasks = plan_tasks(3)
    tasks[0]["title"] = long_title
    make_version(project_a, tasks=tasks)
    client.force_login(alice)
    page = _page(client, "detail", project_a.pk)
    node = re.search(r'<g class="node[^"]*" data-task="architect".*?</g>', page, re.S).group()
    assert " ".join(re.findall(r"<tspan x=\"10\" y=\"\d+\">([^<]+)</tspan>", node)) == long_title
    assert f"<title>{long_title} (architect)</title>" in node


def test_the_diagram_box_can_be_reached_and_scrolled_by_keyboard(client, alice, project_a):
    make_version(project_a)
    client.force_login(alice)
    page = _page(client, "detail", project_a.pk)
    box = re.search(r'<div class="dag-scroll"[^>]*>', page).group()
    assert 'tabindex="0"' in box and 'role="region"' in box and 'aria-label="Plan diagram"' in box
    assert 'aria-describedby="dag-scroll-hint"' in box
    assert "Scroll sideways to see the whole plan." in page


def test_the_new_project_link_is_shown_only_to_people_who_can_create_one(client, alice, victor):
    client.force_login(victor)
    assert ">New project<" not in _page(client, "list")
    client.force_login(alice)
    assert ">New project<" in _page(client, "list")
