"""Offline generation time per project, for each registered back-end stack (no npm).

    .venv/bin/python bench/generate.py

For each back-end stack and request: the spec is read from the request once, then the contract and
every agent's files (backend, frontend, tests, docs, devops) are generated from it, as a run does;
prints the number of files and the median of 7 timings. The target is under 50 ms per project;
npm's install time is not ours and is not counted. Beside it, measured in the same loop: the check
that rehearses a plan's file lists when an edit is saved (orchestration.plan_checks), for the
offline plan of the same spec, and its share of a whole generation.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autodevos_site.settings")

import django  # noqa: E402

django.setup()

from agents.stacks import stacks_for  # noqa: E402
from orchestration.offline_planner import planned_spec, spec_tasks  # noqa: E402
from orchestration.plan_checks import check_runnable  # noqa: E402
from testbed.rich_specs import RICH_REQUESTS  # noqa: E402
from testbed.verify import generated  # noqa: E402

REQUESTS = [
    "A small clinic appointment system with doctors, patients and appointments; patients book an appointment with a doctor",
    "An inventory tracker for a warehouse: products, suppliers, purchase orders and stock movements",
    "A REST API for a bike rental shop with bikes, customers, rentals and repairs",
    "A conference site: speakers give talks in rooms, attendees register for talks, sponsors fund tracks",
    *RICH_REQUESTS.values(),  # choices, money, many-to-many lists, private records, due dates and summaries
]
REPEATS = 7


def main() -> None:
    # The spec is what planning computes once and stores with the plan version.
    specs = {
        (name, request): planned_spec(request, options={"backend": name})
        for name in stacks_for("backend")
        for request in REQUESTS
    }
    # Warm up: imports and template compiles are paid once per process.
    generated(REQUESTS[0], next(iter(specs.values())))
    print(f"{'back end':<10} {'request':<60} {'files':>5} {'median ms':>10} {'save check ms':>14} {'ratio':>6}")
    for name in stacks_for("backend"):
        for request in REQUESTS:
            spec = specs[(name, request)]
            tasks = spec_tasks(spec)
            timings, checks = [], []
            for _ in range(REPEATS):
                started = time.perf_counter()
                files, _ = generated(request, spec)
                timings.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                check_runnable(tasks, spec)
                checks.append((time.perf_counter() - started) * 1000)
            took, check = statistics.median(timings), statistics.median(checks)
            print(f"{name:<10} {request[:58]:<60} {len(files):>5} {took:>10.1f} {check:>14.1f} {check / took:>6.2f}")


if __name__ == "__main__":
    main()
