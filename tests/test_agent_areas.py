"""Each agent may write only its own files and folders, compared by whole path segments, not by
string prefix: the docs agent owns README.md, not README.md.d/evil.sh."""

import pytest

from agents.file_agent import FileAgent, in_area
from agents.registry import get_agent
from orchestration.models import Artifact
from orchestration.planning import plan_project
from orchestration.runs import start_run
from orchestration.tasks import run_inline

pytestmark = pytest.mark.django_db(transaction=True)

DOCS = get_agent("docs").area
DEVOPS = get_agent("devops").area


@pytest.mark.parametrize("path", ["README.md", "docs/API.md", "docs/guides/setup.md"])
def test_the_docs_agent_may_write_its_readme_and_under_docs(path):
    assert in_area(path, DOCS)


@pytest.mark.parametrize("path", ["README.md.d/evil.sh", "README.md2", "docs", "docsx/API.md", "backend/README.md"])
def test_a_path_that_only_begins_like_a_docs_file_is_outside_the_area(path):
    assert not in_area(path, DOCS)


@pytest.mark.parametrize(
    "path", ["backend/Dockerfile.d/x", "backend/Dockerfile2", ".github", ".gitignore/x", "backend/.dockerignore.bak"]
)
def test_a_path_that_only_begins_like_a_devops_file_is_outside_the_area(path):
    assert not in_area(path, DEVOPS)


def test_every_file_an_agent_writes_offline_lies_in_its_own_area(project_a):
    project_a.options = {"frontend": True, "auth": True, "python": True}
    project_a.save()
    run = run_inline(start_run(plan_project(project_a)))
    written = list(Artifact.objects.filter(run=run).values_list("task_run__agent", "path"))
    agents = {name for name, _ in written}
    assert {"backend", "frontend", "tests", "docs", "devops"} <= agents
    for name, path in written:
        agent = get_agent(name)
        assert not isinstance(agent, FileAgent) or in_area(path, agent.area), (name, path)
