"""Offline generation time: request -> spec -> every agent's files, in this process (no npm).

    .venv/bin/python bench/generate.py

Prints, per request, the entities found, the number of files and the median of 5 timings of
the whole offline pipeline (architect, backend, frontend, tests, docs, devops). The target is
under 3 s; npm's install time is not ours and is not counted.
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

from agents.base import AgentContext  # noqa: E402
from agents.registry import get_agent  # noqa: E402
from orchestration.offline_planner import planned_spec  # noqa: E402

REQUESTS = [
    "A small clinic appointment system with doctors, patients and appointments; patients book an appointment with a doctor",
    "An inventory tracker for a warehouse: products, suppliers, purchase orders and stock movements",
    "A REST API in Python for a bike rental shop with bikes, customers, rentals and repairs",
    "A conference site: speakers give talks in rooms, attendees register for talks, sponsors fund tracks",
]
AGENTS = ["backend", "frontend", "tests", "docs", "devops"]
REPEATS = 5


def generate(request: str) -> dict[str, str]:
    spec = planned_spec(request)  # what planning computes once and stores with the plan version

    def context(agent: str, upstream: dict[str, str]) -> AgentContext:
        return AgentContext(request=request, task_key=agent, title=agent, instructions="", scope=[], upstream=upstream, spec=spec)

    files = get_agent("architect").run(context("architect", {})).files
    spec_files = dict(files)
    for agent in AGENTS:
        files |= get_agent(agent).run(context(agent, spec_files)).files
    return files


def main() -> None:
    generate(REQUESTS[0])  # warm up: imports and template reads are paid once per process
    print(f"{'request':<60} {'files':>5} {'median ms':>10}")
    for request in REQUESTS:
        timings = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            files = generate(request)
            timings.append((time.perf_counter() - started) * 1000)
        print(f"{request[:58]:<60} {len(files):>5} {statistics.median(timings):>10.1f}")


if __name__ == "__main__":
    main()
