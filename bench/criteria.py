"""How well acceptance criteria are proven on requests written for this bench (none of them is in the
tests): for each, the offline planner's criteria, how many the generated tests cover (at least one
test tagged with the criterion's id), and how many the verify stage proves by running the back end's
tests for real in the sandbox.

    .venv/bin/python bench/criteria.py [--no-run]

Prints one line per project, then the totals; --no-run skips the verify stage (coverage only).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autodevos_site.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from agents.criteria import CRITERIA_PATH  # noqa: E402
from testbed.verify import Recorded, generated, verify  # noqa: E402

REQUESTS = [
    "A repair café log: volunteers record each item brought in, its owner, what was wrong and whether it was fixed.",
    "Plant swap club in Python: members list cuttings they offer, with a light need (shade, part sun, full sun), and "
    "others reserve them.",
    "My personal reading journal: I log the books I finish with a rating from 1 to 5 and see how many I read per month.",
    "A small gym's class timetable: instructors, classes with a start time and capacity, and members booking a place.",
    "Lost and found desk at a train station: found items with where and when they were found, and a claimed flag.",
    "Community fridge inventory: volunteers add food donations with a best-before date; show what is past its date.",
    "A band's gig tracker with a FastAPI backend: venues, gigs with a date and a fee, and the setlist songs of each gig.",
    "Beekeeping records: hives, inspections with a date and the colony's temper (calm, nervous, aggressive), honey "
    "harvests in kilograms with the total per year.",
    "A school trip permission system: pupils, trips with a price, and permission slips that are due back by a date.",
    "An allotment society: plots with a size, tenants, and yearly rent payments; show the rent collected per year.",
]
WRITERS = ("backend", "tests")  # the back end and its tests: criteria are proven by the API's tests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-run", action="store_true", help="skip the verify stage: coverage only")
    run = not parser.parse_args().no_run
    settings.VERIFY_CHECKS = True
    totals = {"projects": 0, "criteria": 0, "covered": 0, "proven": 0}
    started = time.monotonic()
    for request in REQUESTS:
        files, spec = generated(request, agents=WRITERS)
        rows = json.loads(files[CRITERIA_PATH])["criteria"]
        covered = sum(bool(row["tests"]) for row in rows)
        line = f"{spec.stack.backend:<8} {spec.title[:44]:<44} criteria {len(rows):3}  covered {covered:3}"
        if run:
            hooks, failed = Recorded(), ""
            try:
                verify(files, spec, hooks)
            except Exception as exc:  # a failing check: the criteria it left unproven are counted as such
                failed = f"  ({str(exc)[:160]})"
            proven = sum(o.status == "passed" for o in hooks.criteria.get(0, []))  # offline: no repair round
            totals["proven"] += proven
            line += f"  proven {proven:3}{failed}"
        print(line, flush=True)
        totals["projects"] += 1
        totals["criteria"] += len(rows)
        totals["covered"] += covered
    n = totals["criteria"]
    print(
        f"\n{totals['projects']} projects, {n} criteria ({n / totals['projects']:.1f} per project); "
        f"covered by at least one test {totals['covered'] / n:.1%}"
        + (f"; proven by the verify stage {totals['proven'] / n:.1%}" if run else "")
        + f"; {time.monotonic() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
