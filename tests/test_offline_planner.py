"""The offline planner fits the plan to the request: its shape follows what the request asks for."""

import pytest

from agents.spec import Spec, StackChoice
from agents.stacks import get_stack, stacks_for
from orchestration.offline_planner import offline_plan

BACKENDS = sorted(stacks_for("backend"))
PYTHON_BACKENDS = [name for name in BACKENDS if get_stack(name).language == "python"]


def _plan(request: str, **kwargs):
    return offline_plan(request, **kwargs)[0]


def _spec(request: str, **kwargs) -> Spec:
    return offline_plan(request, **kwargs)[1]


def _agents(plan) -> list[str]:
    return [t.agent for t in plan.tasks]


def _task(plan, key: str):
    return next(t for t in plan.tasks if t.key == key)


REQUESTS = [
    "A REST API for a library's books, members and loans",
    "A static site for my bakery with a menu and opening hours",
    "A small clinic appointment system with doctors, patients and appointments; patients book an appointment with a doctor",
    "A recipe sharing site where users post recipes with ingredients and steps, and rate each other's recipes",
    "A snake game in the browser with a high score table",
    "A sales dashboard showing orders and products with price and stock quantity",
    "A todo list",
    "A Python FastAPI service for managing warehouse inventory items with SKU and quantity",
    "A project management tool with projects, tasks, milestones and comments on tasks",
    "A marketplace where sellers list products and buyers place orders and leave reviews for sellers",
    "A habit tracker",
    "A kanban board with boards, columns and cards",
    "An event planner where organisers create events with a location and start time and guests RSVP",
]


@pytest.mark.parametrize("request_text", REQUESTS)
def test_every_plan_starts_with_the_architect_and_ends_with_tests_docs_and_devops(request_text):
    plan = _plan(request_text)
    assert _task(plan, "spec").agent == "architect"
    assert {"tests", "docs", "devops"} <= set(_agents(plan))
    assert [t.key for t in plan.tasks if not t.depends_on] == ["spec"]


@pytest.mark.parametrize("request_text", REQUESTS)
def test_every_plan_explains_itself(request_text):
    reasoning = _plan(request_text).reasoning
    assert "found" in reasoning and "architect" in reasoning


def test_an_api_only_request_has_no_frontend_and_says_why():
    plan = _plan("A REST API for a library's books, members and loans")
    assert "frontend" not in _agents(plan)
    assert "API only, so the plan has no frontend task" in plan.reasoning


# Runs once a back end in Python (the fastapi stack, built in parallel) is registered.
@pytest.mark.skipif(not PYTHON_BACKENDS, reason="no back-end stack in Python is registered yet")
@pytest.mark.parametrize(
    "request_text",
    [
        "A Python FastAPI service for managing warehouse inventory items with SKU and quantity",
        "A booking site for a dog groomer, in Python",
        "A recipe site with Django, where users post recipes",
    ],
)
def test_a_request_that_asks_for_python_gets_the_python_back_end_and_says_why(request_text):
    plan, spec = offline_plan(request_text)
    label = get_stack(PYTHON_BACKENDS[0]).label
    assert spec.stack.backend == PYTHON_BACKENDS[0]
    assert f"It asks for Python, so the back end is {label}." in plan.reasoning
    assert label in _task(plan, next(t.key for t in plan.tasks if t.agent == "backend")).instructions


def test_a_request_that_names_no_language_gets_the_default_back_end():
    plan, spec = offline_plan("A booking site for a dog groomer, with customers and dogs")
    default = StackChoice().backend
    assert spec.stack.backend == default
    assert f"The back end is {get_stack(default).label}, the default." in plan.reasoning


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_task_names_the_chosen_stacks_by_their_labels(backend):
    plan, spec = offline_plan(
        "A recipe site with recipes, ingredients, cooks and reviews", options={"backend": backend}
    )
    assert get_stack(backend).label in _task(plan, "backend-core").instructions
    assert get_stack(spec.stack.frontend).label in _task(plan, "frontend").instructions


def test_a_static_site_has_a_frontend_and_no_login():
    plan = _plan("A static site for my bakery with a menu and opening hours")
    assert "frontend" in _agents(plan)
    assert "register" not in _task(plan, "frontend").instructions
    assert "no login" in plan.reasoning


def test_a_crud_app_with_three_entities_has_one_backend_task_for_all_of_them():
    plan = _plan("A small clinic appointment system with doctors, patients and appointments")
    [backend] = [t for t in plan.tasks if t.agent == "backend"]
    assert backend.scope == []
    assert "Doctor, Patient and Appointment" in backend.instructions
    assert "one backend task builds the whole API" in plan.reasoning


def test_a_larger_request_gets_a_backend_core_and_one_task_per_resource():
    plan = _plan("A project management tool with projects, tasks, milestones and comments on tasks")
    backend = {t.key: t for t in plan.tasks if t.agent == "backend"}
    assert backend["backend-core"].scope == ["core"]
    assert {k: t.scope for k, t in backend.items() if k != "backend-core"} == {
        "backend-project": ["Project"],
        "backend-task": ["Task"],
        "backend-milestone": ["Milestone"],
        "backend-comment": ["Comment"],
    }
    assert all(t.depends_on == ["backend-core"] for k, t in backend.items() if k != "backend-core")
    assert "one task per resource" in plan.reasoning


def test_tests_wait_for_all_the_code():
    plan = _plan("A marketplace where sellers list products and buyers place orders and leave reviews for sellers")
    code = [t.key for t in plan.tasks if t.agent in ("backend", "frontend")]
    assert sorted(_task(plan, "tests").depends_on) == sorted(code)


def test_docs_and_devops_work_from_the_contract_alongside_the_code():
    plan = _plan("A todo list")
    assert _task(plan, "docs").depends_on == ["spec"]
    assert _task(plan, "devops").depends_on == ["spec"]


def test_a_game_plan_keeps_a_frontend_and_names_what_it_stores():
    plan = _plan("A snake game in the browser")
    assert "frontend" in _agents(plan)
    assert "Score" in _task(plan, "spec").instructions


def test_a_dashboard_plan_names_the_data_it_shows():
    plan = _plan("A sales dashboard showing orders and products with price and stock quantity")
    assert "frontend" in _agents(plan)
    assert "Order" in plan.reasoning and "Product" in plan.reasoning


def test_the_reasoning_names_what_was_found_in_the_request():
    plan = _plan("A recipe sharing site where users post recipes with ingredients and steps")
    assert "Recipe (title, steps)" in plan.reasoning
    assert "Ingredient (name, linked to Recipe)" in plan.reasoning


def test_feedback_changes_the_plan():
    before = _plan("A REST API for books and authors")
    after = _plan("A REST API for books and authors", feedback="Also track publishers and reviews")
    assert "backend-publisher" not in [t.key for t in before.tasks]
    assert {"backend-publisher", "backend-review"} <= {t.key for t in after.tasks}
    assert "Also track publishers and reviews" in after.reasoning


def test_the_same_request_gives_the_same_plan():
    assert _plan(REQUESTS[3]) == _plan(REQUESTS[3])


def test_the_teams_choices_override_what_the_request_suggests():
    plan = _plan("A REST API in Python for books and authors", options={"frontend": True, "backend": BACKENDS[0]})
    assert "frontend" in _agents(plan)
    assert "The team chose a website" in plan.reasoning
    assert f"The team chose the back end: {get_stack(BACKENDS[0]).label}." in plan.reasoning


def test_a_choice_that_is_not_a_registered_stack_is_ignored():
    spec = _spec("A REST API for books and authors", options={"backend": "cobol", "python": True})
    assert spec.stack.backend in BACKENDS


def test_choosing_no_accounts_removes_the_login_pages():
    plan = _plan("A members area where users log in to see events", options={"auth": False})
    assert "register" not in _task(plan, "frontend").instructions
    assert "The team chose no accounts" in plan.reasoning


def test_the_spec_is_read_from_the_request_and_all_the_feedback_and_the_plan_is_fitted_to_it():
    plan, spec = offline_plan("A clinic with doctors and patients", feedback="Also keep invoices\nand vets")
    assert [e.name for e in spec.entities] == ["Doctor", "Patient", "Invoice", "Vet"]
    assert "Invoice (" in _task(plan, "spec").instructions and "Vet (" in _task(plan, "spec").instructions
    assert "Feedback" not in _task(plan, "spec").instructions


def test_a_replan_keeps_the_current_stacks():
    _, first = offline_plan("A clinic with doctors and patients", options={"backend": BACKENDS[-1]})
    plan, spec = offline_plan("A clinic with doctors and patients", feedback="Also keep invoices", previous=first)
    assert spec.stack == first.stack
    assert f"The back end stays {get_stack(BACKENDS[-1]).label}, as in the current plan." in plan.reasoning


@pytest.mark.skipif(not PYTHON_BACKENDS, reason="no back-end stack in Python is registered yet")
def test_feedback_that_asks_for_python_changes_the_back_end_of_a_replan():
    _, first = offline_plan("A clinic with doctors and patients")
    _, spec = offline_plan("A clinic with doctors and patients", feedback="Please write it in Python", previous=first)
    assert spec.stack.backend == PYTHON_BACKENDS[0]


def test_turning_log_ins_off_on_the_form_makes_owned_records_shared_and_says_so():
    plan, spec = offline_plan(
        "A to-do list where each task has a title. Everyone only sees their own tasks.", options={"auth": False}
    )
    assert not spec.auth and not spec.entity("Task").owned
    note = "Everyone sees all tasks: keeping each person's own apart needs log-ins, and this app has none."
    assert note in spec.not_built and note in plan.reasoning
