"""An app of features only (a cooking-unit converter) keeps no records and nobody logs in: it has no
back end, no database and no API contract, and every stage builds only the website. A feature of the
spec is a task of its own in a plan with a model, after the parts it plugs into and before verify."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
import yaml
from django.urls import reverse

from agents.criteria import derive_criteria
from agents.file_agent import CONTRACT_PATH, SPEC_PATH
from agents.spec import Feature, Package, Spec
from agents.stacks import chosen_stacks
from orchestration import offline_planner
from orchestration.export import write_zip
from orchestration.models import Artifact, PlanVersion, Run
from orchestration.offline_planner import offline_plan, spec_tasks
from orchestration.plan_checks import check_runnable
from orchestration.plans import PlanInvalid, validate_plan
from orchestration.runs import start_run
from orchestration.tasks import run_inline
from testbed.rich_specs import rich_spec
from testbed.verify import Recorded, generated, verify

from .ui_helpers import form_data, make_version

CONVERTER = Feature(
    name="converter",
    title="Unit converter",
    part="frontend",
    text="Convert between cups, grams and ounces for common ingredients.",
)


def _with_criteria(spec: Spec) -> Spec:
    return spec.model_copy(update={"criteria": derive_criteria(spec)})


def converter_spec() -> Spec:
    return _with_criteria(
        Spec(
            app_name="cooking-converter",
            title="Cooking converter",
            summary="Converts cooking measurements.",
            entities=[],
            auth=False,
            frontend=True,
            features=[CONVERTER],
        )
    )


def tool_shed_with_features() -> Spec:
    """The tool shed, with a feature in each place a feature can live."""
    features = [
        Feature(
            name="dueReminder",
            title="Due reminders",
            part="backend",
            text="Email a reminder the day before a loan is due.",
        ),
        Feature(
            name="loanChart", title="Loans chart", part="both", text="A chart of loans per week, served by the API."
        ),
        CONVERTER,
    ]
    return _with_criteria(rich_spec("tool-shed").model_copy(update={"features": features}))


def _tasks(spec: Spec, **kwargs) -> dict[str, dict]:
    return {task["key"]: task for task in validate_plan({"tasks": spec_tasks(spec, **kwargs)}).task_list()}


def _without(tasks: list[dict], key: str) -> list[dict]:
    return [dict(t, depends_on=[d for d in t["depends_on"] if d != key]) for t in tasks if t["key"] != key]


def _refusal(tasks: list[dict], spec: Spec) -> list[str]:
    with pytest.raises(PlanInvalid) as refused:
        check_runnable(tasks, spec)
    return refused.value.errors


# --- the plan -----------------------------------------------------------------------------------


def test_an_app_of_features_only_is_planned_without_a_back_end():
    tasks = _tasks(converter_spec())
    assert {key: (task["agent"], task["depends_on"]) for key, task in tasks.items()} == {
        "spec": ("architect", []),
        "frontend": ("frontend", ["spec"]),
        "tests": ("tests", ["frontend"]),
        "docs": ("docs", ["spec"]),
        "devops": ("devops", ["spec"]),
        "verify": ("verify", ["frontend", "tests", "devops"]),
    }
    assert tasks["spec"]["title"] == "Describe the app and its features"
    assert "no API contract" in tasks["spec"]["instructions"] and "openapi" not in tasks["spec"]["instructions"]
    assert tasks["docs"]["title"] == "Write the README"
    assert "back end" not in tasks["verify"]["instructions"] and "contract" not in tasks["verify"]["instructions"]


def test_the_plan_says_in_plain_words_that_there_is_no_server(monkeypatch):
    monkeypatch.setattr(offline_planner, "extract_spec", lambda text: converter_spec())
    plan, spec = offline_plan("A unit converter for cooking measurements")
    assert not spec.has_backend
    assert "found no records to store, only what it does: Unit converter." in plan.reasoning
    assert (
        "With nothing to store and no log-ins, it is a website with no server: the plan has no back end and no database."
        in plan.reasoning
    )
    assert "The back end is" not in plan.reasoning and "backend task builds" not in plan.reasoning


def test_with_features_each_gets_a_task_after_the_parts_it_plugs_into_and_before_verify():
    tasks = _tasks(tool_shed_with_features(), features=True)
    backend = [key for key, task in tasks.items() if task["agent"] == "backend"]
    reminder = tasks["feature-due-reminder"]
    assert (reminder["agent"], reminder["title"], reminder["scope"]) == (
        "feature",
        "Build the feature: Due reminders",
        ["dueReminder"],
    )
    assert reminder["instructions"] == "Email a reminder the day before a loan is due."
    assert reminder["depends_on"] == backend
    assert tasks["feature-loan-chart"]["depends_on"] == [*backend, "frontend"]
    assert tasks["feature-converter"]["depends_on"] == ["frontend"]
    features = ["feature-due-reminder", "feature-loan-chart", "feature-converter"]
    assert set(features) <= set(tasks["verify"]["depends_on"])
    assert not set(features) & set(tasks["tests"]["depends_on"])
    assert list(tasks)[-4:] == [*features, "verify"]


def test_offline_plans_carry_no_feature_task():
    assert "feature" not in [task["agent"] for task in _tasks(tool_shed_with_features()).values()]


def test_the_feature_of_an_app_without_a_back_end_waits_for_the_website():
    tasks = _tasks(converter_spec(), features=True)
    assert tasks["feature-converter"]["depends_on"] == ["frontend"]
    assert tasks["verify"]["depends_on"] == ["frontend", "tests", "devops", "feature-converter"]


# --- the checks before Run ------------------------------------------------------------------------


@pytest.mark.parametrize("features", [False, True])
def test_a_plan_without_a_back_end_passes_the_checks_as_it_is(features):
    spec = converter_spec()
    tasks = list(_tasks(spec, features=features).values())
    assert check_runnable(tasks, spec) == (tasks, [])


def test_a_plan_with_feature_tasks_passes_the_checks_as_it_is():
    spec = tool_shed_with_features()
    tasks = list(_tasks(spec, features=True).values())
    assert check_runnable(tasks, spec) == (tasks, [])


def test_without_a_back_end_only_the_spec_is_needed_from_the_architect():
    spec = converter_spec()
    [error] = _refusal(_without(list(_tasks(spec).values()), "spec"), spec)
    assert error.startswith(
        "No task writes spec/spec.json, the spec that “Build the web frontend”, “Add end-to-end tests”"
    )
    assert "put back the architect's task (“Describe the app and its features”)" in error


def test_a_back_end_task_in_an_app_without_one_is_refused():
    spec = converter_spec()
    api = {
        "key": "api",
        "title": "Build the API",
        "agent": "backend",
        "instructions": "",
        "depends_on": ["spec"],
        "scope": [],
        "timeout_s": None,
    }
    [error] = _refusal([*_tasks(spec).values(), api], spec)
    assert error == (
        "“Build the API” builds a back end, and this app has none: it keeps no records and nobody logs in. "
        "Remove the task, or add a kind of record or log-ins to the data model."
    )


def test_a_feature_whose_part_no_task_builds_is_refused():
    spec = converter_spec()
    [error] = _refusal(_without(list(_tasks(spec, features=True).values()), "frontend"), spec)
    assert error == (
        "“Build the feature: Unit converter” plugs into the website, which no task of this plan builds: "
        "add a frontend task, or remove “Build the feature: Unit converter”."
    )


def test_a_feature_task_for_a_feature_the_spec_lacks_is_refused_naming_its_features():
    spec = tool_shed_with_features()
    tasks = [
        dict(t, scope=["snakeGame"]) if t["key"] == "feature-converter" else t
        for t in _tasks(spec, features=True).values()
    ]
    [error] = _refusal(tasks, spec)
    assert error == (
        "“Build the feature: Unit converter” is for snakeGame, but the spec has no such feature: "
        "its features are dueReminder, loanChart, converter."
    )


def test_a_feature_task_that_does_not_wait_for_its_parts_is_made_to_and_says_so():
    spec = tool_shed_with_features()
    tasks = [
        dict(t, depends_on=["spec"]) if t["key"] == "feature-loan-chart" else t
        for t in _tasks(spec, features=True).values()
    ]
    mended, notes = check_runnable(tasks, spec)
    chart = next(t for t in mended if t["key"] == "feature-loan-chart")
    assert set(chart["depends_on"]) == {"spec", "frontend"} | {t["key"] for t in tasks if t["agent"] == "backend"}
    assert notes == [
        (
            "“Build the feature: Loans chart” now waits for “Build the API”, because the feature plugs into the back end, "
            "which that task builds"
        ),
        (
            "“Build the feature: Loans chart” now waits for “Build the web frontend”, because the feature plugs into the "
            "website, which that task builds"
        ),
    ]


def test_a_verify_stage_that_does_not_wait_for_a_feature_is_made_to_and_says_so():
    spec = converter_spec()
    tasks = list(_tasks(spec, features=True).values())
    tasks[-1] = dict(tasks[-1], depends_on=["frontend", "tests", "devops"])
    mended, notes = check_runnable(tasks, spec)
    assert "feature-converter" in mended[-1]["depends_on"]
    assert notes == [
        (
            "“Build and test the project” now waits for “Build the feature: Unit converter”, which writes "
            "code it builds and tests"
        )
    ]


def test_a_part_that_waits_for_a_feature_plugged_into_it_is_refused():
    spec = converter_spec()
    tasks = [
        dict(t, depends_on=["spec", "feature-converter"]) if t["key"] == "frontend" else t
        for t in _tasks(spec, features=True).values()
    ]
    tasks = [dict(t, depends_on=[]) if t["key"] == "feature-converter" else t for t in tasks]
    [error] = _refusal(tasks, spec)
    assert error == (
        "“Build the web frontend” waits for “Build the feature: Unit converter”, which plugs into what "
        "“Build the web frontend” builds: “Build the web frontend” must not wait for it."
    )


# --- the run and what comes out of it ----------------------------------------------------------------


@pytest.fixture
def converter_run(project_a, alice) -> Run:
    spec = converter_spec()
    version = make_version(project_a, tasks=spec_tasks(spec), spec=spec.model_dump(mode="json"))
    return run_inline(start_run(version, user=alice))


@pytest.mark.django_db(transaction=True)
def test_a_run_writes_the_website_and_its_files_and_no_back_end(converter_run):
    assert converter_run.status == Run.Status.SUCCEEDED
    files = dict(Artifact.objects.filter(run=converter_run).values_list("path", "content"))
    assert not [path for path in files if path.startswith("backend/")]
    assert SPEC_PATH in files and CONTRACT_PATH not in files and "docs/API.md" not in files
    assert "spec/criteria.json" in files and "frontend/package.json" in files
    readme = files["README.md"]
    assert "It is a website with no server" in readme and "| Unit converter | the website |" in readme
    assert "## Finding records" not in readme and "## What it stores" not in readme and "API contract" not in readme
    compose = yaml.safe_load(files["docker-compose.yml"])
    assert list(compose["services"]) == ["frontend"] and "depends_on" not in compose["services"]["frontend"]
    assert "frontend/Dockerfile" in files and "backend/Dockerfile" not in files
    assert list(yaml.safe_load(files[".github/workflows/ci.yml"])["jobs"]) == ["frontend"]
    assert list(yaml.safe_load(files[".gitlab-ci.yml"])) == ["stages", "frontend"]


@pytest.mark.django_db(transaction=True)
def test_the_zip_of_such_a_run_holds_the_website_under_the_apps_folder(converter_run):
    buffer = io.BytesIO()
    write_zip(converter_run, buffer)
    names = zipfile.ZipFile(io.BytesIO(buffer.getvalue())).namelist()
    assert all(name.startswith("cooking-converter/") for name in names)
    assert {
        "cooking-converter/README.md",
        "cooking-converter/frontend/Dockerfile",
        "cooking-converter/spec/spec.json",
    } <= set(names)
    assert not [name for name in names if name.startswith("cooking-converter/backend/")]


def test_the_verify_stage_checks_only_the_parts_the_app_has():
    assert [(stack.part, stack.name) for stack in chosen_stacks(converter_spec())] == [("frontend", "react")]
    api_only = rich_spec("tool-shed").model_copy(update={"frontend": False})
    assert [stack.part for stack in chosen_stacks(api_only)] == ["backend"]
    assert [stack.part for stack in chosen_stacks(rich_spec("tool-shed"))] == ["backend", "frontend"]


HALVES = {
    "index.tsx": """import type { FeaturePage } from "../../features";
import { Halves } from "./Halves";

export const feature: FeaturePage = { key: "converter", label: "Unit converter", Page: Halves };
""",
    "Halves.tsx": """import { useState } from "react";
import { half } from "./fraction";

export function Halves() {
  const [amount, setAmount] = useState("3/4");
  return (
    <section>
      <h2 id="page-title">Halve a recipe</h2>
      <label>
        Amount <input value={amount} onChange={(event) => setAmount(event.target.value)} />
      </label>
      <p>Half of it: {half(amount)}</p>
    </section>
  );
}
""",
    "fraction.ts": """import Fraction from "fraction.js";

/** Half of an amount written as a fraction ("3/4" gives "3/8"); "" when it is not one. */
export function half(amount: string): string {
  try {
    return new Fraction(amount).div(2).toFraction();
  } catch {
    return "";
  }
}
""",
    "fraction.test.ts": """import { expect, it } from "vitest";
import { half } from "./fraction";

it("feature-converter: half of three quarters of a cup is three eighths", () => {
  expect(half("3/4")).toBe("3/8");
});

it("feature-converter: an amount that is not a number halves to nothing", () => {
  expect(half("a pinch")).toBe("");
});
""",
}


@pytest.mark.slow
@pytest.mark.usefixtures("verify_settings")
def test_a_feature_brings_its_own_package_and_the_website_installs_builds_and_tests_with_it():
    """The converter's feature adds an npm package the website does not have: package.json asks for it,
    the lockfile does not hold it, so the verify stage installs with npm install, and the feature's
    code that imports it type-checks, lints, passes its tagged tests and builds."""
    feature = CONVERTER.model_copy(
        update={"packages": [Package(name="fraction.js", version="^5.2.0", part="frontend")]}
    )
    spec = _with_criteria(converter_spec().model_copy(update={"features": [feature]}))
    files, spec = generated(
        "A unit converter for cooking measurements", spec=spec, agents=["frontend", "tests", "docs", "devops"]
    )
    assert json.loads(files["frontend/package.json"])["dependencies"]["fraction.js"] == "^5.2.0"
    files |= {f"frontend/src/features/converter/{name}": text for name, text in HALVES.items()}
    recorded = Recorded()
    verify(files, spec, recorded)
    assert all(c.passed for c in recorded.checks), [
        (c.words, c.output[-2000:]) for c in recorded.checks if not c.passed
    ]
    assert {(c.part, c.name) for c in recorded.checks} == {
        ("frontend", name) for name in ("installs", "types", "lint", "tests", "build")
    }
    assert "npm install" in next(c.command for c in recorded.checks if c.name == "installs")
    [outcome] = [o for o in recorded.criteria[0] if o.id == "feature-converter"]
    assert outcome.status == "passed" and len(outcome.tests) == 2


# --- the data-model editor --------------------------------------------------------------------------


@pytest.fixture
def converter_version(project_a):
    spec = converter_spec()
    return make_version(project_a, tasks=spec_tasks(spec), spec=spec.model_dump(mode="json"))


def _editor(version: PlanVersion) -> str:
    return reverse("projects:edit_model", args=[version.project_id, version.pk])


@pytest.mark.django_db
def test_the_editor_says_an_app_of_features_keeps_no_records_and_lets_a_person_add_one(
    client, alice, converter_version
):
    client.force_login(alice)
    page = client.get(_editor(converter_version)).content.decode()
    assert "It keeps no records: it is built from what it does (Unit converter)." in page
    data = form_data(page) | {"r0-name": "Ingredient", "r0-d0-name": "name", "r0-d0-required": "on"}
    response = client.post(_editor(converter_version), data)
    assert response.status_code == 302
    spec = PlanVersion.objects.get(number=2).spec_model()
    assert [e.name for e in spec.entities] == ["Ingredient"] and spec.has_backend
    assert [f.name for f in spec.features] == ["converter"]


@pytest.mark.django_db
def test_removing_the_last_record_of_an_app_with_features_leaves_a_website_with_no_server(client, alice, project_a):
    spec = _with_criteria(
        Spec(
            app_name="pantry",
            title="Pantry",
            summary="Ingredients and a converter.",
            auth=False,
            entities=[
                {"name": "Ingredient", "plural": "ingredients", "label": "Ingredient", "fields": [{"name": "name"}]}
            ],
            features=[CONVERTER],
        )
    )
    version = make_version(project_a, tasks=spec_tasks(spec), spec=spec.model_dump(mode="json"))
    client.force_login(alice)
    data = form_data(client.get(_editor(version)).content.decode())
    response = client.post(_editor(version), data | {"r0-remove": "on"})
    assert response.status_code == 302
    v2 = PlanVersion.objects.get(number=2)
    assert v2.spec_model().entities == [] and "backend" not in [t["agent"] for t in v2.tasks]
    page = client.get(response.url).content.decode()
    assert "with no records and no log-ins the app has no back end: it is a website with no server" in page


@pytest.mark.django_db
def test_removing_the_last_record_of_an_app_without_features_is_refused(client, alice, project_a):
    spec = rich_spec("tool-shed")
    spec = _with_criteria(spec.model_copy(update={"entities": [spec.entity("Tool")], "summaries": []}))
    version = make_version(project_a, tasks=spec_tasks(spec), spec=spec.model_dump(mode="json"))
    client.force_login(alice)
    data = form_data(client.get(_editor(version)).content.decode())
    response = client.post(_editor(version), data | {"r0-remove": "on"})
    assert response.status_code == 400
    assert (
        "The app needs at least one kind of record or one feature: keep a record, or add one."
        in response.content.decode()
    )
