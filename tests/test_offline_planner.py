"""The offline planner fits the plan to the request: its shape follows what the request asks for."""

import pytest

from agents.extraction import extract_spec, request_with_feedback
from orchestration.offline_planner import offline_plan


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
    plan = offline_plan(request_text)
    assert plan.order()[0] == "spec"
    assert _task(plan, "spec").agent == "architect"
    assert {"tests", "docs", "devops"} <= set(_agents(plan))
    assert [t.key for t in plan.tasks if not t.depends_on] == ["spec"]


@pytest.mark.parametrize("request_text", REQUESTS)
def test_every_plan_explains_itself(request_text):
    reasoning = offline_plan(request_text).reasoning
    assert "found" in reasoning and "architect" in reasoning


def test_an_api_only_request_has_no_frontend_and_says_why():
    plan = offline_plan("A REST API for a library's books, members and loans")
    assert "frontend" not in _agents(plan)
    assert "API only, so the plan has no frontend task" in plan.reasoning


def test_a_python_api_has_no_frontend_and_asks_for_pytest():
    plan = offline_plan("A Python FastAPI service for managing warehouse inventory items with SKU and quantity")
    assert "frontend" not in _agents(plan)
    assert "PyTest" in _task(plan, "tests").instructions


def test_a_static_site_has_a_frontend_and_no_login():
    plan = offline_plan("A static site for my bakery with a menu and opening hours")
    assert "frontend" in _agents(plan)
    assert "register" not in _task(plan, "frontend").instructions
    assert "no login" in plan.reasoning


def test_a_crud_app_with_three_entities_has_one_backend_task_for_all_of_them():
    plan = offline_plan("A small clinic appointment system with doctors, patients and appointments")
    [backend] = [t for t in plan.tasks if t.agent == "backend"]
    assert backend.scope == []
    assert "Doctor, Patient and Appointment" in backend.instructions
    assert "one backend task builds the whole API" in plan.reasoning


def test_a_larger_request_gets_a_backend_core_and_one_task_per_resource():
    plan = offline_plan("A project management tool with projects, tasks, milestones and comments on tasks")
    backend = {t.key: t for t in plan.tasks if t.agent == "backend"}
    assert backend["backend-core"].scope == ["core"]
    assert {k: t.scope for k, t in backend.items() if k != "backend-core"} == {
        "backend-project": ["Project"], "backend-task": ["Task"], "backend-milestone": ["Milestone"], "backend-comment": ["Comment"],
    }
    assert all(t.depends_on == ["backend-core"] for k, t in backend.items() if k != "backend-core")
    assert "one task per resource" in plan.reasoning


def test_tests_wait_for_all_the_code():
    plan = offline_plan("A marketplace where sellers list products and buyers place orders and leave reviews for sellers")
    code = [t.key for t in plan.tasks if t.agent in ("backend", "frontend")]
    assert sorted(_task(plan, "tests").depends_on) == sorted(code)


def test_docs_and_devops_work_from_the_contract_alongside_the_code():
    plan = offline_plan("A todo list")
    assert _task(plan, "docs").depends_on == ["spec"]
    assert _task(plan, "devops").depends_on == ["spec"]


def test_a_game_plan_keeps_a_frontend_and_names_what_it_stores():
    plan = offline_plan("A snake game in the browser")
    assert "frontend" in _agents(plan)
    assert "Score" in _task(plan, "spec").instructions


def test_a_dashboard_plan_names_the_data_it_shows():
    plan = offline_plan("A sales dashboard showing orders and products with price and stock quantity")
    assert "frontend" in _agents(plan)
    assert "Order" in plan.reasoning and "Product" in plan.reasoning


def test_the_reasoning_names_what_was_found_in_the_request():
    plan = offline_plan("A recipe sharing site where users post recipes with ingredients and steps")
    assert "Recipe (title, steps)" in plan.reasoning
    assert "Ingredient (name, linked to Recipe)" in plan.reasoning


def test_feedback_changes_the_plan():
    before = offline_plan("A REST API for books and authors")
    after = offline_plan("A REST API for books and authors", feedback="Also track publishers and reviews")
    assert "backend-publisher" not in [t.key for t in before.tasks]
    assert {"backend-publisher", "backend-review"} <= {t.key for t in after.tasks}
    assert "Also track publishers and reviews" in _task(after, "spec").instructions
    assert "feedback" in after.reasoning


def test_the_same_request_gives_the_same_plan():
    assert offline_plan(REQUESTS[3]) == offline_plan(REQUESTS[3])


def test_the_teams_stack_choices_override_what_the_request_suggests():
    plan = offline_plan("A REST API for books and authors", options={"frontend": True, "python": True})
    assert "frontend" in _agents(plan)
    assert "PyTest" in _task(plan, "tests").instructions
    assert "The team chose a website" in plan.reasoning


def test_choosing_no_accounts_removes_the_login_pages():
    plan = offline_plan("A members area where users log in to see events", options={"auth": False})
    assert "register" not in _task(plan, "frontend").instructions
    assert "The team chose no accounts" in plan.reasoning


def test_the_architect_task_carries_the_feedback_for_the_offline_architect():
    plan = offline_plan("A clinic with doctors and patients", feedback="Also keep invoices\nand vets")
    spec = extract_spec(request_with_feedback("A clinic with doctors and patients", _task(plan, "spec").instructions))
    assert [e.name for e in spec.entities] == ["Doctor", "Patient", "Invoice", "Vet"]
