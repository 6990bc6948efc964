"""A plan is refused, with reasons a person can read, unless it is a proper DAG of known agents."""

import os
import subprocess
import sys

import pytest

from orchestration.plans import MAX_TASKS, PlanInvalid, validate_plan
from testbed.clusters import ROOT
from testbed.subprocess_env import environ_without_settings


def _task(key: str, agent: str = "backend", depends_on: list[str] | None = None, **extra) -> dict:
    return {
        "key": key,
        "title": f"Do {key}",
        "agent": agent,
        "instructions": "",
        "depends_on": depends_on or [],
        **extra,
    }


def _errors(data) -> list[str]:
    with pytest.raises(PlanInvalid) as caught:
        validate_plan(data)
    return caught.value.errors


def test_a_good_plan_passes_with_every_field_filled_in():
    plan = validate_plan({"reasoning": "why", "tasks": [_task("spec", "architect"), _task("api", depends_on=["spec"])]})
    assert plan.reasoning == "why"
    assert plan.task_list()[1] == {
        "key": "api",
        "title": "Do api",
        "agent": "backend",
        "instructions": "",
        "depends_on": ["spec"],
        "scope": [],
        "timeout_s": None,
    }


def test_a_bare_task_list_is_accepted():
    assert [t.key for t in validate_plan([_task("spec", "architect")]).tasks] == ["spec"]


def test_duplicate_keys_are_refused():
    assert _errors([_task("api"), _task("api")]) == ["task keys must be unique; repeated: api"]


def test_an_unknown_agent_is_refused_and_the_known_ones_are_named():
    [error] = _errors([_task("magic", "wizard")])
    assert "agent 'wizard' does not exist" in error
    assert "architect" in error and "backend" in error


def test_a_test_only_agent_is_not_allowed_in_a_plan():
    [error] = _errors([_task("p", "probe")])
    assert "agent 'probe' does not exist" in error


def test_a_missing_dependency_is_refused_naming_the_task_by_its_title():
    assert _errors([_task("api", depends_on=["spec"])]) == [
        "“Do api” waits for 'spec', which is not a task in this plan"
    ]


def test_a_cycle_is_refused_and_spelled_out_with_the_titles_people_see():
    [error] = _errors([_task("a", depends_on=["c"]), _task("b", depends_on=["a"]), _task("c", depends_on=["b"])])
    assert error.startswith("the dependencies go round in a circle:")
    assert "“Do a”, which waits for “Do c”" in error and "“Do c”, which waits for “Do b”" in error
    assert "'a'" not in error


def test_tasks_that_share_a_title_are_told_apart_by_their_keys():
    twins = [{**_task("api", depends_on=["gone"]), "title": "Build it"}, {**_task("web"), "title": "Build it"}]
    assert _errors(twins) == ["“Build it” (api) waits for 'gone', which is not a task in this plan"]


def test_an_unknown_agent_is_named_with_the_tasks_title():
    [error] = _errors([_task("magic", "wizard")])
    assert error.startswith("“Do magic”: agent 'wizard' does not exist")


def test_a_self_dependency_is_removed_and_the_reasoning_says_so():
    plan = validate_plan({"reasoning": "Plan.", "tasks": [_task("a", "architect", depends_on=["a"])]})
    assert plan.tasks[0].depends_on == []
    assert "“Do a” waited for itself; removed that" in plan.reasoning
    assert plan.reasoning.startswith("Plan.")


def test_a_duplicate_dependency_is_kept_once_and_the_reasoning_says_so():
    plan = validate_plan([_task("a", "architect"), _task("b", depends_on=["a", "a"])])
    assert plan.tasks[1].depends_on == ["a"]
    assert "“Do b” listed a task to wait for twice; kept it once" in plan.reasoning


def test_a_plan_without_tasks_is_refused():
    assert _errors({"reasoning": "nothing to do", "tasks": []}) == ["the plan: a plan needs at least one task"]


def test_a_plan_with_too_many_tasks_is_refused():
    tasks = [_task(f"t{i}") for i in range(MAX_TASKS + 1)]
    assert _errors(tasks) == [f"the plan: a plan may have at most {MAX_TASKS} tasks"]


def test_forty_tasks_are_allowed():
    assert len(validate_plan([_task(f"t{i}") for i in range(MAX_TASKS)]).tasks) == MAX_TASKS


@pytest.mark.parametrize("key", ["Backend", "back end", "-api", "api_v2", "ä", "x" * 49, ""])
def test_a_key_must_be_a_slug(key):
    [error] = _errors([_task(key)])
    assert "a key must be a short slug" in error


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "t" * 201),
        ("instructions", "i" * 4001),
        ("agent", "a" * 33),
        ("scope", ["S"] * 21),
    ],
)
def test_every_text_has_a_size_limit(field, value):
    [error] = _errors([_task("api", **{field: value})])
    assert error.startswith(f"task 1 ('api'): {field}:")


def test_overlong_reasoning_is_refused():
    [error] = _errors({"reasoning": "r" * 8001, "tasks": [_task("api")]})
    assert error.startswith("the plan: reasoning:")


def test_an_empty_title_is_refused():
    [error] = _errors([_task("api", title="   ")])
    assert error.startswith("task 1 ('api'): title:")


def test_scope_names_entities_or_core():
    assert validate_plan([_task("api", scope=["core"]), _task("books", scope=["Book"])]).tasks[1].scope == ["Book"]
    [error] = _errors([_task("api", scope=["../etc"])])
    assert "scope entries must be entity or feature names or 'core'" in error


@pytest.mark.parametrize("timeout", [0, 4, 3601])
def test_a_timeout_outside_limits_is_refused(timeout):
    [error] = _errors([_task("api", timeout_s=timeout)])
    assert "timeout_s" in error


def test_an_unknown_task_field_is_refused():
    [error] = _errors([_task("api", colour="red")])
    assert error == "task 1 ('api'): colour: is not a task field"


def test_every_problem_is_reported_at_once():
    errors = _errors([_task("a", "wizard"), _task("b", depends_on=["nope"])])
    assert len(errors) == 2


def test_something_that_is_not_a_plan_is_refused():
    assert _errors("just some text") == ["a plan must be an object with 'reasoning' and 'tasks'"]


def test_the_site_does_not_load_the_test_only_agent_at_all():
    # Unlisted is not enough: a plan edited in the admin could still name it. Only AGENTS_EXTRA loads it.
    check = "from agents.registry import get_agent\ntry:\n    get_agent('probe')\nexcept KeyError as e:\n    print(e)"
    env = {**environ_without_settings(), "ENV_FILE": os.devnull, "SECRET_KEY": "x"}
    shell = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", check], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert "unknown agent 'probe'" in shell.stdout, shell.stderr
    assert "known agents: architect, backend," in shell.stdout  # the site's own agents are loaded
