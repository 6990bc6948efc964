"""The plan diagram: whole titles, and arrows that go around the tasks they do not connect."""

import re

import pytest

from orchestration.offline_planner import offline_plan
from projects.plan_display import TaskRow, layered_picture

from .ui_helpers import plan_tasks

OFFLINE_REQUESTS = [
    "A small clinic system with doctors, patients, appointments, prescriptions and invoices.",
    "A library where members borrow books by authors from branches; track loans and fines.",
    "A school with teachers, students, classes, rooms, grades and parents, with a website and logins.",
]


def _rows(tasks: list[dict]) -> list[TaskRow]:
    return [TaskRow(t["key"], t["title"], t["agent"], "", t["depends_on"]) for t in tasks]


def _points_along(d: str, steps: int = 60) -> list[tuple[float, float]]:
    """Points sampled along SVG path data made of M, C and L commands."""
    tokens = re.findall(r"[MCL]|-?\d+(?:\.\d+)?", d)
    points: list[tuple[float, float]] = []
    i, command, current = 0, "", (0.0, 0.0)
    while i < len(tokens):
        if tokens[i] in "MCL":
            command, i = tokens[i], i + 1
        count = {"M": 2, "L": 2, "C": 6}[command]
        n = [float(t) for t in tokens[i : i + count]]
        i += count
        if command == "M":
            current = (n[0], n[1])
        elif command == "L":
            points += [
                (current[0] + (n[0] - current[0]) * s / steps, current[1] + (n[1] - current[1]) * s / steps)
                for s in range(steps + 1)
            ]
            current = (n[0], n[1])
        else:
            p0, p1, p2, p3 = current, (n[0], n[1]), (n[2], n[3]), (n[4], n[5])
            for s in range(steps + 1):
                t = s / steps
                points.append(
                    tuple(
                        (1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t**2 * c + t**3 * e
                        for a, b, c, e in zip(p0, p1, p2, p3)
                    )
                )
            current = p3
    return points


PLANS = {f"{n} tasks": plan_tasks(n) for n in (5, 9, 12, 20, 40)} | {
    request[:30]: offline_plan(request)[0].task_list() for request in OFFLINE_REQUESTS
}


@pytest.mark.parametrize("tasks", PLANS.values(), ids=PLANS.keys())
def test_no_arrow_passes_through_a_task_it_does_not_connect(tasks):
    picture = layered_picture(_rows(tasks))
    boxes = {node.row.key: (node.x, node.y, node.x + picture.node_w, node.y + picture.node_h) for node in picture.nodes}
    assert len(picture.edges) == sum(len(t["depends_on"]) for t in tasks)
    for edge in picture.edges:
        for x, y in _points_along(edge.d):
            for key, (left, top, right, bottom) in boxes.items():
                if key not in (edge.source, edge.target):
                    assert not (left < x < right and top < y < bottom), f"{edge.source} → {edge.target} crosses {key}"


def test_the_offline_plans_used_here_have_arrows_that_skip_a_column():
    """Otherwise the test above would not exercise the routing around tasks."""
    for tasks in PLANS.values():
        picture = layered_picture(_rows(tasks))
        columns = {node.row.key: node.x for node in picture.nodes}
        assert any(columns[e.target] - columns[e.source] > picture.node_w * 2 for e in picture.edges)


def test_every_title_is_drawn_whole_on_as_many_lines_as_it_needs():
    tasks = plan_tasks(4)
    tasks[1]["title"] = "Build the appointment booking API with reminders for customers and their dogs"
    tasks[2]["title"] = "MANAGE WAREHOUSE INVENTORY"
    tasks[3]["title"] = "Write Rechtsschutzversicherungsgesellschaften"
    picture = layered_picture(_rows(tasks))
    lines = {node.row.key: node.lines for node in picture.nodes}
    for node in picture.nodes[:3]:
        assert " ".join(node.lines) == node.row.title
    assert len(lines["backend-1"]) >= 3
    assert lines["frontend-2"] == ["MANAGE WAREHOUSE", "INVENTORY"]  # capitals are wide: 26 of them do not fit one line
    assert (
        "".join(lines["tests-3"]) == "WriteRechtsschutzversicherungsgesellschaften"
    )  # a word too long for a line is split
    assert all(picture.node_h > node.meta_y for node in picture.nodes)
