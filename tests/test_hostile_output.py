"""A hostile model server through whole runs: the real openai client against a stub on 127.0.0.1
that echoes every configured secret, writes paths that would run commands or break other
systems, wanders out of its agent's area and answers with 50 MB. A viewer of the project never
sees a secret, the refused files are nowhere, and the stored LLM calls stay small."""

import hashlib
import io
import json
import logging
import zipfile
from html import unescape
from itertools import product
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.html import strip_tags

from agents.spec import StackChoice
from orchestration.models import Artifact, LLMCall, PlanVersion, Run, TaskRun
from orchestration.planning import plan_project
from orchestration.runs import start_run
from orchestration.tasks import run_inline
from testbed.stubs import OpenAIStub, Reply, use_openai

pytestmark = pytest.mark.django_db(transaction=True)

OPENAI_KEY = "sk-test-SECRET123"
GEMINI_KEY = "AIza-hostile-GEMINI-7c1e90"
DJANGO_KEY = "django-hostile-SECRETKEY-0f3a9d"
SECRETS = (OPENAI_KEY, GEMINI_KEY, DJANGO_KEY)


def _shown_forms(secret: str) -> list[str]:
    """How a secret could reach a reader: as it is, JSON-escaped, URL-encoded (partly and wholly)
    and as HTML character references."""
    return [
        secret,
        secret.replace("-", "\\u002d"),
        secret.replace("-", "%2D"),
        "".join(f"%{byte:02X}" for byte in secret.encode()),
        secret.replace("-", "&#45;"),
    ]


FORMS = [form for secret in SECRETS for form in _shown_forms(secret)]
# Stands for the secret JSON-escaped in the answer's text (sk\u002dtest...): only decoding it
# gives the secret back. Swapped in after json.dumps, which would escape the backslash.
IN_TRANSIT = "<<escaped-in-transit>>"


def _echo(secret: str) -> str:
    """Text carrying the secret in every form: as it is, escaped in transit, and escaped, URL-
    and HTML-encoded in what the model "writes"."""
    return f"{secret} / {IN_TRANSIT} / " + " / ".join(_shown_forms(secret)[1:])


def _answer(value: dict, secret: str = OPENAI_KEY) -> Reply:
    text = json.dumps(value).replace(IN_TRANSIT, secret.replace("-", "\\u002d"))
    return Reply(text=text)


SPEC = {
    "app_name": "groomer",
    "title": "Dog groomer",
    "summary": f"Bookings. {_echo(OPENAI_KEY)}",
    "entities": [
        {"name": "Dog", "plural": "dogs", "label": "Dog", "fields": [{"name": "name"}]},
        {
            "name": "Booking",
            "plural": "bookings",
            "label": "Booking",
            "fields": [{"name": "startsAt", "type": "datetime"}],
            "relations": [{"name": "dog", "target": "Dog"}],
        },
    ],
}


def _task(key: str, agent: str, *, title: str = "", instructions: str = "", after: tuple[str, ...] = ("spec",)) -> dict:
    return {
        "key": key,
        "title": title or f"Write {key}",
        "agent": agent,
        "instructions": instructions or f"case: {key}",
        "depends_on": list(after),
        "scope": [],
        "timeout_s": None,
    }


def _hostile_server(
    plan: dict, files: dict[str, list[dict]], *, reasoning: str = "Files as asked.", replan: dict | None = None
) -> OpenAIStub:
    """Answers the planner with `plan` (and a re-plan with `replan`), the architect with SPEC and
    each agent task with `files[case]`, the case being named in the task's instructions."""

    def respond(request) -> Reply:
        system, prompt = request.messages[0][1], request.last_user_text
        if system.startswith("You are the planner"):
            return _answer(
                {**(replan if "Feedback from the team" in prompt else plan), "stack": StackChoice().model_dump()}
            )
        if system.startswith("You are the architect"):
            return _answer({"reasoning": f"A booking has one dog. {_echo(OPENAI_KEY)}", "spec": SPEC})
        case = next(key for key in files if f"case: {key}\n" in prompt + "\n")
        return _answer({"reasoning": reasoning, "files": files[case]})

    return OpenAIStub(respond)


def _plan_and_run(project, settings, stub: OpenAIStub) -> Run:
    project.provider = "openai"
    project.save()
    use_openai(
        settings, stub, OPENAI_API_KEY=OPENAI_KEY, GEMINI_API_KEY=GEMINI_KEY, SECRET_KEY=DJANGO_KEY, TASK_MAX_ATTEMPTS=1
    )
    return run_inline(start_run(plan_project(project)))


def _project_patterns() -> list[URLPattern]:
    found = []

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and namespace == "projects" and "project_id" in p.pattern.converters:
                found.append(p)

    walk(get_resolver().url_patterns, None)
    return found


def _project_urls(project) -> list[str]:
    """Every URL of the projects app for this project, once for each of its versions, runs and
    files, with the query strings the pages themselves use."""
    runs = list(Run.objects.filter(plan_version__project=project))
    values = {
        "project_id": [project.pk],
        "run_id": [r.pk for r in runs],
        "version_id": list(project.plan_versions.values_list("pk", flat=True)),
    }
    urls = []
    for pattern in _project_patterns():
        names = sorted(pattern.pattern.converters)
        if "path" in names:  # each file, linked from its run's Files page as that page's URL + the path
            urls += [
                reverse("projects:files", args=[project.pk, run]) + quote(path)
                for run, path in Artifact.objects.filter(run__in=runs).values_list("run_id", "path")
            ]
            continue
        for combination in product(*(values[name] for name in names)):
            urls.append(reverse(f"projects:{pattern.name}", kwargs=dict(zip(names, combination))))
    urls += [reverse("projects:status", args=[project.pk]) + f"?run={r.pk}" for r in runs]
    urls += [reverse("projects:list")]
    return urls


def _what_a_viewer_gets(client, project) -> dict[str, str]:
    """url -> everything the viewer receives there: the page as sent and as read (tags stripped,
    entities decoded), or each file of a zip with its name."""
    seen = {}
    for url in _project_urls(project):
        response = client.get(url)
        # Actions answer only POST; editing is refused to a viewer; the project's zip redirects
        # while no run has succeeded. A page that breaks raises here (the test client re-raises).
        assert response.status_code in (200, 302, 403, 405), url
        if response.status_code != 200:
            continue
        if response.get("Content-Type") == "application/zip":
            with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
                seen[url] = "\n".join(f"{name}\n{archive.read(name).decode()}" for name in archive.namelist())
        else:
            page = response.content.decode()
            seen[url] = page + "\n" + unescape(strip_tags(page))
    return seen


def _stored_text() -> str:
    rows = [
        *LLMCall.objects.values_list("prompt", "response", "error"),
        *PlanVersion.objects.values_list("reasoning", "tasks"),
        *TaskRun.objects.values_list("title", "instructions", "reasoning", "error"),
        *Artifact.objects.values_list("path", "content"),
    ]
    return "\n".join(json.dumps(value) if not isinstance(value, str) else value for row in rows for value in row)


def test_a_viewer_never_sees_a_secret_the_model_echoed(client, settings, caplog, victor, project_a):
    caplog.set_level(logging.DEBUG)
    plan = {
        "reasoning": f"Planned. {_echo(OPENAI_KEY)} {DJANGO_KEY} {GEMINI_KEY}",
        "tasks": [
            _task(
                "spec", "architect", title=f"Spec for {OPENAI_KEY}", instructions=f"case: spec {IN_TRANSIT}", after=()
            ),
            _task("api", "backend", title=f"API {IN_TRANSIT}"),
            _task("readme", "docs", title=f"Docs {GEMINI_KEY}"),
        ],
    }
    files = {
        "api": [
            {"path": "backend/src/keys.ts", "content": f"export const key = '{_echo(OPENAI_KEY)}';\n"},
            {"path": f"backend/src/{OPENAI_KEY}.ts", "content": f"// {DJANGO_KEY}\n"},
        ],
        "readme": [{"path": "docs/KEYS.md", "content": f"# Keys\n{_echo(GEMINI_KEY)}\n{_echo(DJANGO_KEY)}\n"}],
    }
    replan = {
        "reasoning": f"Re-planned. {_echo(GEMINI_KEY)}",
        "tasks": plan["tasks"][:2]
        + [_task("readme", "docs", title=f"Docs again {IN_TRANSIT}", instructions=_echo(DJANGO_KEY))],
    }
    with _hostile_server(plan, files, reasoning=f"Wrote it. {_echo(OPENAI_KEY)}", replan=replan) as stub:
        run = _plan_and_run(project_a, settings, stub)
        plan_project(project_a, feedback="Say more in the docs.")  # a second version, so Compare has changes to show
    assert run.status == Run.Status.SUCCEEDED, list(run.task_runs.values_list("key", "error"))
    assert OPENAI_KEY in stub.requests[0].headers["authorization"]  # the real key did go to the server

    client.force_login(victor)
    seen = _what_a_viewer_gets(client, project_a)
    assert any(url.endswith(".zip") for url in seen) and any("/files/backend/src/" in url for url in seen)
    assert "[redacted]" in seen[reverse("projects:detail", args=[project_a.pk])]
    assert "Docs again [redacted]" in seen[reverse("projects:compare", args=[project_a.pk])]
    for url, text in seen.items():
        assert not [form for form in FORMS if form in text], url
    assert not [form for form in FORMS if form in _stored_text()]
    assert not [form for form in FORMS if form in caplog.text]


# Each case is one task whose answer holds a harmless file and then the hostile one.
HOSTILE_PATHS = {
    "git-config": ("backend", "backend/.git/config", "version-control folder"),
    "git-upper": ("backend", "backend/.GIT/hooks/post-checkout", "version-control folder"),
    "npmrc": ("backend", "backend/.npmrc", "package manager"),
    "yarnrc": ("backend", "backend/.yarnrc.yml", "package manager"),
    "pip-conf": ("tests", "backend/tests/pip.conf", "package manager"),
    "newline": ("backend", "backend/newline.ts\n", "characters outside"),
    "option": ("backend", "backend/-rf", "option"),
    "device": ("backend", "backend/CON", "Windows device"),
    "device-ext": ("backend", "backend/aux.ts", "Windows device"),
    "at-sign": ("docs", "docs/link@target", "characters outside"),
    "trailing-dot": ("backend", "backend/name.", "ending in '.'"),
    "docs-area": ("docs", "README.md.d/evil.sh", "may only write"),
    "devops-area": ("devops", "backend/Dockerfile.d/x", "may only write"),
}
HARMLESS = {
    "backend": "backend/src/{case}.ts",
    "tests": "backend/tests/{case}.ts",
    "docs": "docs/{case}.md",
    "devops": "docker-compose.yml",
}


def test_refused_paths_fail_their_task_and_appear_on_no_page(client, settings, victor, project_a):
    tasks = [_task("spec", "architect", after=())] + [
        _task(case, agent) for case, (agent, _, _) in HOSTILE_PATHS.items()
    ]
    files = {
        case: [
            {"path": HARMLESS[agent].format(case=case), "content": "ok\n"},
            {"path": path, "content": '[core]\n\tfsmonitor = "touch /tmp/pwned"\nregistry=https://evil.example/\n'},
        ]
        for case, (agent, path, _) in HOSTILE_PATHS.items()
    }
    with _hostile_server({"reasoning": "One task per case.", "tasks": tasks}, files) as stub:
        run = _plan_and_run(project_a, settings, stub)

    client.force_login(victor)
    seen = _what_a_viewer_gets(client, project_a)  # a stored 'newline.ts\n' used to break the Files page
    files_page = seen[reverse("projects:files", args=[project_a.pk, run.pk])]
    assert "spec.json" in files_page
    zipped = seen[reverse("projects:run_download", args=[project_a.pk, run.pk])]
    for path in ("fsmonitor", "registry=", "/.git/", "newline.ts", "evil.sh", "Dockerfile.d", "aux.ts", "link@target"):
        assert path not in files_page and path not in zipped, path

    outcome = dict(run.task_runs.values_list("key", "status"))
    # The verify stage the planner added never runs: every task it waits for failed.
    assert outcome == {"spec": TaskRun.Status.SUCCEEDED, "verify": TaskRun.Status.SKIPPED} | {
        case: TaskRun.Status.FAILED for case in HOSTILE_PATHS
    }
    for case, (_, _path, rule) in HOSTILE_PATHS.items():
        assert rule in run.task_runs.get(key=case).error, case
    assert set(Artifact.objects.filter(run=run).values_list("task_run__key", flat=True)) == {"spec"}


def test_a_50_mb_answer_is_refused_and_only_its_beginning_is_stored(client, settings, staff, project_a):
    content = "x" * (50 * 1024 * 1024)
    plan = {"reasoning": "One big file.", "tasks": [_task("spec", "architect", after=()), _task("huge", "backend")]}
    with _hostile_server(plan, {"huge": [{"path": "backend/src/huge.ts", "content": content}]}) as stub:
        run = _plan_and_run(project_a, settings, stub)
        sent = stub.requests[-1]
    huge = run.task_runs.get(key="huge")
    assert huge.status == TaskRun.Status.FAILED and "one file may have at most" in huge.error
    assert not huge.artifacts.exists()

    call = LLMCall.objects.get(task_run=huge)
    answer = json.dumps(
        {"reasoning": "Files as asked.", "files": [{"path": "backend/src/huge.ts", "content": content}]}
    )
    assert len(call.response) == settings.LLM_CALL_STORE_MAX_CHARS == 262144
    assert call.response == answer[:262144]
    assert call.response_chars == len(answer)
    assert call.response_sha256 == hashlib.sha256(answer.encode()).hexdigest()
    assert call.prompt_chars == len(call.prompt) > 0
    assert sent.last_user_text in call.prompt

    client.force_login(staff)
    lists = [
        reverse("admin:orchestration_llmcall_changelist"),
        reverse("admin:orchestration_taskrun_change", args=[huge.pk]),
        reverse("admin:orchestration_planversion_change", args=[run.plan_version_id]),
    ]
    for url in lists:  # pages that list calls never load a prompt or an answer
        with CaptureQueriesContext(connection) as queries:
            listing = client.get(url)
        assert listing.status_code == 200 and len(listing.content) < 200_000, url
        assert not [q["sql"] for q in queries if '"orchestration_llmcall"."response"' in q["sql"]], url
    page = client.get(reverse("admin:orchestration_llmcall_change", args=[call.pk]))
    assert page.status_code == 200 and len(page.content) < 1_000_000
    assert f"answer: the first 262,144 of {len(answer):,} characters" in page.content.decode()
