"""The pages people use. Every view finds its objects through projects.access, every change is a POST,
and no answer may be stored by a browser or proxy cache (never_cache): they show a team's private work."""

from __future__ import annotations

import io
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_for_filename
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound

from agents.providers import configured_providers, default_provider_name, routable_agents
from agents.registry import listed_agents
from agents.stacks import stacks_for
from orchestration.export import write_zip
from orchestration.models import Artifact, Run
from orchestration.planning import edit_criteria, edit_plan, edit_spec, request_plan
from orchestration.plans import PlanInvalid
from orchestration.runs import RunAlreadyActive, cancel_run, retry_failed, start_run

from . import access
from .cost_panel import cost_panel
from .criteria_editor import CriteriaEditor
from .forms import REQUEST_EXAMPLES, NewProjectForm, ReplanForm, TaskFormSet
from .model_editor import ModelEditor
from .models import Project
from .plan_display import Board, build_board, project_statuses, status_payload, with_latest_activity

RECENT_RUNS = 20
HIGHLIGHT_MAX_BYTES = 256 * 1024


@never_cache
@require_GET
@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    projects = with_latest_activity(access.projects_for_user(request.user)).select_related("created_by")
    projects = projects.order_by("team__name", "-created_at", "-id")
    if query:
        projects = projects.filter(Q(title__icontains=query) | Q(request__icontains=query))
    projects = list(projects)
    statuses = project_statuses(projects)
    for project in projects:
        project.status = statuses[project.pk]
    groups = [(team, list(items)) for team, items in groupby(projects, key=lambda p: p.team)]
    context = {
        "groups": groups,
        "query": query,
        "several_teams": request.user.memberships.count() > 1,
        "can_create": access.teams_user_can_create_in(request.user).exists(),
    }
    return render(request, "projects/project_list.html", context)


def _parse_id(value: str) -> int | None:
    """An id from a query string, or None. Not str.isdigit(): it accepts "²" and "①", which int() refuses."""
    try:
        return int(value)
    except ValueError:
        return None


def _new_project_form(request: HttpRequest, teams) -> NewProjectForm:
    providers = configured_providers()
    initial = {"provider": default_provider_name(), "team": teams.first()}
    return NewProjectForm(request.POST or None, initial=initial, teams=teams, providers=providers)


@never_cache
@login_required
def project_new(request: HttpRequest) -> HttpResponse:
    teams = access.teams_user_can_create_in(request.user)
    form = _new_project_form(request, teams)
    if request.method == "POST" and teams.exists() and form.is_valid():
        with transaction.atomic():
            project = form.save(request.user)
            request_plan(project, user=request.user, provider_name=project.provider or None)
        messages.success(request, "Your project is saved. We are drawing up a plan; it appears below in a moment.")
        return redirect("projects:detail", project_id=project.pk)
    context = {
        "form": form,
        "examples": REQUEST_EXAMPLES,
        "has_teams": teams.exists(),
        "one_team": teams.count() == 1,
        "backend_labels": _stack_labels("backend"),
        "frontend_labels": _stack_labels("frontend"),
        "routable_agents": routable_agents(),
    }
    return render(request, "projects/project_new.html", context, status=400 if form.is_bound and form.errors else 200)


def _stack_labels(part: str) -> list[str]:
    return [stack.label for _, stack in sorted(stacks_for(part).items())]


def _current_board(project: Project) -> Board | None:
    """The latest plan version, with its latest run when it has one."""
    version = project.plan_versions.select_related("created_by").order_by("-number").first()
    if version is None:
        return None
    return build_board(version, version.runs.select_related("triggered_by").order_by("-created_at", "-id").first())


def _render_project(
    request: HttpRequest,
    project: Project,
    board: Board | None,
    *,
    replan_form: ReplanForm | None = None,
    shown_run: Run | None = None,
    status: int = 200,
) -> HttpResponse:
    runs = list(
        Run.objects.filter(plan_version__project=project).select_related("plan_version", "triggered_by")[:RECENT_RUNS]
    )
    latest_success = (
        Run.objects.filter(plan_version__project=project, status=Run.Status.SUCCEEDED)
        .select_related("plan_version")
        .first()
    )
    live = project.planning_status == Project.PlanningStatus.PLANNING or bool(board and board.run_active)
    context = {
        "project": project,
        "board": board,
        "runs": runs,
        "latest_success": latest_success,
        "shown_run": shown_run,
        "download_is_older": bool(latest_success and board and latest_success.plan_version_id != board.version.pk),
        "can_edit": access.user_can_edit(project),
        "live": live,
        "replan_form": replan_form or ReplanForm(),
        "planning": project.planning_status == Project.PlanningStatus.PLANNING,
    }
    context["board_editable"] = bool(board and not context["planning"] and not shown_run and not board.run_active)
    context["cost"] = cost_panel(board, runnable=context["board_editable"] and context["can_edit"])
    return render(request, "projects/project_detail.html", context, status=status)


@never_cache
@require_GET
@login_required
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access.get_project_for_user(request.user, project_id)
    return _render_project(request, project, _current_board(project))


@never_cache
@require_GET
@login_required
def run_detail(request: HttpRequest, project_id: int, run_id: int) -> HttpResponse:
    run = access.get_run_for_user(request.user, project_id, run_id)
    project = run.plan_version.project
    return _render_project(request, project, build_board(run.plan_version, run), shown_run=run)


@never_cache
@require_GET
@login_required
def project_status(request: HttpRequest, project_id: int) -> JsonResponse:
    """What the page's poller asks for while planning or a run goes on; `?run=` picks a run. `?checks=` is
    the key of the Checks panel the page shows: when the panel changed since, the answer brings it anew,
    with the criteria of "What it must do" as that round proved them."""
    run_param = request.GET.get("run", "")
    if run_param:
        run_id = _parse_id(run_param)
        if run_id is None:
            return JsonResponse({"error": "run must be the number of a run of this project."}, status=400)
        run = access.get_run_for_user(request.user, project_id, run_id)
        project, board = run.plan_version.project, build_board(run.plan_version, run)
    else:
        project = access.get_project_for_user(request.user, project_id)
        board = _current_board(project)
    payload = status_payload(project, board)
    if board and board.verify_task:
        key = board.checks_key
        payload["checks"] = {"key": key}
        if request.GET.get("checks") != key:
            payload["checks"]["html"] = render_to_string("projects/_checks.html", {"panel": board.checks}, request)
            if board.criteria:
                payload["checks"]["criteria_html"] = render_to_string(
                    "projects/_criteria.html", {"panel": board.criteria}, request
                )
    return JsonResponse(payload)


@never_cache
@require_POST
@login_required
def project_run(request: HttpRequest, project_id: int) -> HttpResponse:
    """Run the version the person was shown: pressing Run is their approval of that plan."""
    project = access.get_project_for_user(request.user, project_id, edit=True)
    latest = project.plan_versions.order_by("-number").first()
    if latest is None or request.POST.get("version") != str(latest.pk):
        messages.error(
            request, "The plan changed since you looked at it. Please review the plan below, then press Run again."
        )
    elif project.planning_status == Project.PlanningStatus.PLANNING:
        messages.error(request, "A new plan is being drawn up. Please wait for it before running.")
    else:
        try:
            run = start_run(latest, user=request.user, reuse=not request.POST.get("fresh"))
        except RunAlreadyActive:
            messages.error(
                request, "A run is already going for this project. Wait for it to finish or cancel it first."
            )
        else:
            messages.success(request, f"Run {run.pk} started. You can watch each task below.")
    return redirect("projects:detail", project_id=project.pk)


@never_cache
@require_POST
@login_required
def run_cancel(request: HttpRequest, project_id: int, run_id: int) -> HttpResponse:
    run = access.get_run_for_user(request.user, project_id, run_id, edit=True)
    if run.is_active:
        cancel_run(run, user=request.user)
        messages.success(request, f"Run {run.pk} is cancelled. Tasks that were working stop at their next checkpoint.")
    else:
        messages.info(request, f"Run {run.pk} had already finished; nothing to cancel.")
    return redirect("projects:run", project_id=project_id, run_id=run.pk)


@never_cache
@require_POST
@login_required
def run_retry(request: HttpRequest, project_id: int, run_id: int) -> HttpResponse:
    run = access.get_run_for_user(request.user, project_id, run_id, edit=True)
    try:
        count = retry_failed(run, user=request.user)
    except RunAlreadyActive:
        messages.error(request, "Another run of this project is going. Wait for it to finish or cancel it, then retry.")
        return redirect("projects:run", project_id=project_id, run_id=run.pk)
    if count:
        messages.success(request, f"Trying again: {count} task{'s' if count != 1 else ''} will run again.")
    else:
        messages.info(request, "No task of this run has failed, so there is nothing to retry.")
    return redirect("projects:run", project_id=project_id, run_id=run.pk)


@never_cache
@require_POST
@login_required
def project_replan(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access.get_project_for_user(request.user, project_id, edit=True)
    form = ReplanForm(request.POST)
    if not form.is_valid():
        return _render_project(request, project, _current_board(project), replan_form=form, status=400)
    with transaction.atomic():  # the planning task is enqueued on commit, so it sees the back end chosen here
        started = request_plan(
            project, user=request.user, provider_name=project.provider or None, feedback=form.cleaned_data["feedback"]
        )
        if started and form.cleaned_data["backend"]:
            project.choose_backend(form.cleaned_data["backend"])
    if started:
        messages.success(
            request, "Thanks. We are re-planning with your feedback; the new plan appears here in a moment."
        )
    else:
        messages.error(request, "A new plan is already being drawn up. Please wait for it.")
    return redirect("projects:detail", project_id=project.pk)


@never_cache
@require_GET
@login_required
def version_list(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access.get_project_for_user(request.user, project_id)
    versions = list(project.plan_versions.select_related("created_by", "parent").order_by("-number"))
    return render(request, "projects/version_list.html", {"project": project, "versions": versions})


@never_cache
@require_GET
@login_required
def version_detail(request: HttpRequest, project_id: int, version_id: int) -> HttpResponse:
    version = access.get_version_for_user(request.user, project_id, version_id)
    context = {
        "project": version.project,
        "version": version,
        "board": build_board(version),
        "can_edit": access.user_can_edit(version.project),
        "changes": version.changes(),
    }
    return render(request, "projects/version_detail.html", context)


@never_cache
@require_GET
@login_required
def version_compare(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access.get_project_for_user(request.user, project_id)
    versions = list(project.plan_versions.select_related("created_by").order_by("-number"))
    chosen = {v.pk: v for v in versions}
    old_id, new_id = request.GET.get("a", ""), request.GET.get("b", "")
    if not (old_id or new_id) and len(versions) >= 2:
        old, new = versions[1], versions[0]
    else:
        old, new = chosen.get(_parse_id(old_id)), chosen.get(_parse_id(new_id))
        if (old_id or new_id) and (old is None or new is None):
            raise Http404("Pick two versions of this project to compare.")
    context = {
        "project": project,
        "versions": versions,
        "old": old,
        "new": new,
        "diff": old.diff(new) if old and new else None,
    }
    return render(request, "projects/version_compare.html", context)


def _agent_choices() -> list[tuple[str, str]]:
    return [(name, f"{name} — {agent.description}") for name, agent in listed_agents().items()]


@never_cache
@login_required
def version_edit(request: HttpRequest, project_id: int, version_id: int) -> HttpResponse:
    version = access.get_version_for_user(request.user, project_id, version_id, edit=True)
    originals = {task["key"]: task for task in version.tasks}
    formset = TaskFormSet(
        request.POST or None,
        initial=[{**t, "depends_on": t.get("depends_on", [])} for t in version.tasks],
        form_kwargs={"agents": _agent_choices(), "tasks": [(t["key"], t["title"]) for t in version.tasks]},
        prefix="tasks",
    )
    problems: list[str] = []
    if request.method == "POST" and formset.is_valid():
        try:
            saved, notes = edit_plan(version, formset.tasks(originals), user=request.user)
        except PlanInvalid as invalid:
            problems = list(invalid.errors)
        else:
            mended = f" While checking it: {'; '.join(notes)}." if notes else ""
            messages.success(
                request,
                f"Saved as plan version {saved.number}.{mended} Review it below, then press Run when it looks right.",
            )
            return redirect("projects:detail", project_id=version.project.pk)
    context = {"project": version.project, "version": version, "formset": formset, "problems": problems}
    status = 400 if request.method == "POST" else 200
    return render(request, "projects/version_edit.html", context, status=status)


def _spec_editor(
    request: HttpRequest, project_id: int, version_id: int, *, editor_class, save, template: str, what: str
) -> HttpResponse:
    """An editor of a version's spec (`editor_class`, reading the POST; `add` asks for one more row and
    saves nothing): `save(version, result, user=...)` stores the change as a new version."""
    version = access.get_version_for_user(request.user, project_id, version_id, edit=True)
    spec = version.spec_model()
    if spec is None:
        messages.info(
            request,
            f"This plan version was made before versions kept {what}, so it cannot be changed "
            "here. Re-plan the project, then change the new version.",
        )
        return redirect("projects:detail", project_id=version.project.pk)
    posted = request.method == "POST"
    add = request.POST.get("add", "") if posted else ""
    editor = editor_class(spec, request.POST if posted else None, add=add)
    if posted and not add and editor.is_valid():
        try:
            saved, notes = save(version, editor.result, user=request.user)
        except PlanInvalid as invalid:
            editor.errors = list(invalid.errors)
        else:
            messages.success(
                request,
                f"Saved as plan version {saved.number}: {'; '.join(notes + editor.notes)}. "
                "Review it below, then press Run when it looks right.",
            )
            return redirect("projects:detail", project_id=version.project.pk)
    context = {"project": version.project, "version": version, "editor": editor}
    return render(request, template, context, status=400 if editor.errors else 200)


@never_cache
@login_required
def version_model(request: HttpRequest, project_id: int, version_id: int) -> HttpResponse:
    """The data-model editor: what the app keeps, changed in plain words, saved as a new version."""
    return _spec_editor(
        request,
        project_id,
        version_id,
        editor_class=ModelEditor,
        save=edit_spec,
        template="projects/model_edit.html",
        what="what the app stores",
    )


@never_cache
@login_required
def version_criteria(request: HttpRequest, project_id: int, version_id: int) -> HttpResponse:
    """The criteria editor: what the app must do, reworded, removed or added, saved as a new version."""
    return _spec_editor(
        request,
        project_id,
        version_id,
        editor_class=CriteriaEditor,
        save=edit_criteria,
        template="projects/criteria_edit.html",
        what="what the app must do",
    )


def _zip_response(run: Run) -> FileResponse:
    buffer = io.BytesIO()
    write_zip(run, buffer)
    buffer.seek(0)
    name = f"{slugify(run.plan_version.project.title) or 'project'}-run-{run.pk}.zip"
    return FileResponse(buffer, as_attachment=True, filename=name, content_type="application/zip")


@never_cache
@require_GET
@login_required
def project_download(request: HttpRequest, project_id: int) -> HttpResponse:
    """The files of the latest run that succeeded."""
    project = access.get_project_for_user(request.user, project_id)
    run = (
        Run.objects.filter(plan_version__project=project, status=Run.Status.SUCCEEDED)
        .select_related("plan_version")
        .first()
    )
    if run is None:
        messages.info(request, "There is nothing to download yet: no run of this project has finished successfully.")
        return redirect("projects:detail", project_id=project.pk)
    run.plan_version.project = project
    return _zip_response(run)


@never_cache
@require_GET
@login_required
def run_download(request: HttpRequest, project_id: int, run_id: int) -> HttpResponse:
    return _zip_response(access.get_run_for_user(request.user, project_id, run_id))


def _file_tree(paths: list[str]) -> list[dict]:
    """Nested folders and files: [{"name", "path", "children"}], folders first, each level sorted."""
    root: dict = {}
    for path in paths:
        node = root
        for part in path.split("/")[:-1]:
            node = node.setdefault(part + "/", {})
        node[path.rsplit("/", 1)[-1]] = path

    def entries(node: dict, prefix: str) -> list[dict]:
        folders = sorted(k for k, v in node.items() if isinstance(v, dict))
        files = sorted(k for k, v in node.items() if isinstance(v, str))
        return [{"name": k, "path": prefix + k, "children": entries(node[k], prefix + k)} for k in folders] + [
            {"name": k, "path": node[k], "children": None} for k in files
        ]

    return entries(root, "")


@never_cache
@require_GET
@login_required
def run_files(request: HttpRequest, project_id: int, run_id: int) -> HttpResponse:
    run = access.get_run_for_user(request.user, project_id, run_id)
    listing = list(Artifact.objects.filter(run=run).values_list("path", "size"))
    context = {
        "project": run.plan_version.project,
        "run": run,
        "tree": _file_tree([p for p, _ in listing]),
        "file_count": len(listing),
        "total_bytes": sum(size for _, size in listing),
    }
    return render(request, "projects/run_files.html", context)


def _highlighted(artifact: Artifact) -> str:
    try:
        lexer = get_lexer_for_filename(artifact.path, stripnl=False)
    except ClassNotFound:
        lexer = TextLexer(stripnl=False)
    if artifact.size > HIGHLIGHT_MAX_BYTES:
        lexer = TextLexer(stripnl=False)  # Highlighting huge files would hold up the page for little gain.
    return highlight(artifact.content, lexer, HtmlFormatter(cssclass="highlight", linenos="table", lineanchors="line"))


@never_cache
@require_GET
@login_required
def file_detail(request: HttpRequest, project_id: int, run_id: int, path: str) -> HttpResponse:
    artifact = access.get_artifact_for_user(request.user, project_id, run_id, path)
    folders = artifact.path.split("/")[:-1]
    context = {
        "project": artifact.run.plan_version.project,
        "run": artifact.run,
        "artifact": artifact,
        "folders": folders,
        "name": artifact.path.rsplit("/", 1)[-1],
        "code": _highlighted(artifact),
    }
    return render(request, "projects/file_detail.html", context)
