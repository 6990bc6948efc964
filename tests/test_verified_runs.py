"""A verified run end to end on a real django-q2 cluster: a request planned offline, its code written by
the agents, then built and tested by the verify task in the sandbox, every check stored, the run green.
The request asks for Python, so this is the FastAPI back end (tests/test_verify.py checks the Express
one) with the React website, both checked side by side."""

import pytest

from orchestration.models import Check, Run
from orchestration.planning import plan_project
from orchestration.runs import start_run
from testbed.clusters import Cluster, wait_for_run
from testbed.verify import CACHE

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

REQUEST = (
    "A website in Python for a community choir: members with a name, a voice part (soprano, alto, tenor or "
    "bass) and an email, and rehearsals with a date and a venue that members sign up for."
)


def test_an_offline_request_is_verified_green_on_a_cluster(project_a, settings):
    settings.VERIFY_CHECKS = True
    settings.VERIFY_CACHE_DIR = CACHE
    project_a.request = REQUEST
    project_a.save()
    version = plan_project(project_a)
    verify = version.tasks[-1]
    assert verify["agent"] == "verify" and {"backend", "frontend", "tests"} <= set(verify["depends_on"])

    with Cluster(workers=2, VERIFY_CHECKS="true", VERIFY_CACHE_DIR=str(CACHE), VERIFY_CONTRACT_EXAMPLES="3") as cluster:
        run = wait_for_run(start_run(version), timeout=900, log=cluster.log)
        log = cluster.log()

    checks = list(Check.objects.filter(run=run))
    failed = [(c.part, c.name, c.output[-1500:]) for c in checks if not c.passed]
    errors = dict(run.task_runs.exclude(error="").values_list("key", "error"))
    assert run.status == Run.Status.SUCCEEDED, (errors, failed, log)
    assert {(c.part, c.name) for c in checks} == {
        ("backend", name) for name in ("installs", "lint", "format", "types", "migrations", "tests", "contract")
    } | {("frontend", name) for name in ("installs", "types", "lint", "tests", "build")}
    tests = {c.part: c for c in checks if c.name == "tests"}
    assert tests["backend"].counts["passed"] > 10 and tests["frontend"].counts["passed"] > 0
    assert all(c.round == 0 and c.attempt == 1 for c in checks)
    contract = next(c for c in checks if c.name == "contract")
    assert contract.counts["cases"] > 0 and contract.counts["server_errors"] == 0
