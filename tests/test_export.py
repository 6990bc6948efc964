"""Getting a run's files out: the zip download and `manage.py generate`."""

import hashlib
import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from agents.extraction import title_for
from agents.safe_output import UnsafeOutput
from agents.spec import Spec
from agents.stacks import stacks_for
from orchestration.export import write_files, write_zip
from orchestration.models import Artifact, PlanVersion, Run, TaskRun
from projects.models import Project

CLINIC = "A small clinic appointment system with doctors, patients and appointments; patients book an appointment with a doctor"


@pytest.fixture
def run(project_a) -> Run:
    version = PlanVersion.objects.create(project=project_a, number=1, source="offline", tasks=[])
    run = Run.objects.create(plan_version=version, status=Run.Status.SUCCEEDED)
    TaskRun.objects.create(run=run, key="spec", agent="architect", title="Spec")
    return run


def _store(run: Run, path: str, content: str) -> None:
    data = content.encode()
    Artifact.objects.create(
        run=run,
        task_run=run.task_runs.get(),
        path=path,
        content=content,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )


def _zip(run: Run) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    write_zip(run, buffer)
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


def test_the_zip_holds_every_file_under_the_apps_folder(run):
    _store(run, "spec/spec.json", json.dumps({"app_name": "groomer"}))
    _store(run, "backend/src/app.ts", "export {};\n")
    archive = _zip(run)
    assert sorted(archive.namelist()) == ["groomer/backend/src/app.ts", "groomer/spec/spec.json"]
    assert archive.read("groomer/backend/src/app.ts") == b"export {};\n"


def test_zip_entries_are_plain_files_not_links_or_programs(run):
    _store(run, "run.sh", "echo hi\n")
    [info] = _zip(run).infolist()
    assert info.external_attr >> 16 == 0o644


def test_a_hostile_path_in_the_database_is_refused_on_the_way_out(run):
    _store(run, "../outside.txt", "x")
    with pytest.raises(UnsafeOutput, match="climbs out"):
        write_zip(run, io.BytesIO())


def test_files_are_written_below_the_directory(run, tmp_path):
    _store(run, "docs/API.md", "# API\n")
    assert write_files(run, tmp_path) == 1
    assert (tmp_path / "docs" / "API.md").read_text() == "# API\n"


@pytest.mark.django_db(transaction=True)
def test_generate_plans_runs_and_writes_the_project(tmp_path):
    out = tmp_path / "clinic"
    report = io.StringIO()
    call_command("generate", CLINIC, "--out", str(out), stdout=report)
    assert (out / "backend" / "src" / "routes" / "appointments.ts").exists()
    assert (out / "frontend" / "src" / "pages" / "DoctorPage.tsx").exists()
    assert (out / "README.md").exists() and (out / "docs" / "API.md").exists()
    assert "succeeded backend (backend)" in report.getvalue()
    assert f"Next: {out / 'README.md'} says how to install, test and run it." in report.getvalue()
    assert Run.objects.get().status == Run.Status.SUCCEEDED
    assert Project.objects.get().title == title_for(CLINIC)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("backend", sorted(stacks_for("backend")))
def test_generate_builds_the_back_end_named_by_the_stack_option(tmp_path, backend):
    call_command("generate", CLINIC, "--out", str(tmp_path), "--stack", backend, stdout=io.StringIO())
    assert Project.objects.get().options == {"backend": backend}
    assert Spec.model_validate_json((tmp_path / "spec" / "spec.json").read_text()).stack.backend == backend


@pytest.mark.django_db(transaction=True)
def test_generate_refuses_a_directory_that_is_not_empty(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(CommandError, match="not an empty directory"):
        call_command("generate", CLINIC, "--out", str(tmp_path), stdout=io.StringIO())
    assert not Project.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_generate_with_force_writes_into_a_directory_that_is_not_empty(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    call_command("generate", CLINIC, "--out", str(tmp_path), "--force", stdout=io.StringIO())
    assert (tmp_path / "keep.txt").read_text() == "mine"
    assert (tmp_path / "backend" / "package.json").exists()


def _with_criteria(run: Run) -> None:
    from agents.generators.docs import readme
    from testbed.rich_specs import rich_spec

    spec = rich_spec("tool-shed")
    _store(run, "spec/spec.json", spec.model_dump_json())
    _store(run, "README.md", readme(spec))


def test_the_zips_readme_says_each_criterion_as_the_runs_checks_left_it(run):
    from orchestration.models import CriterionResult

    _with_criteria(run)
    verify = TaskRun.objects.create(run=run, key="verify", agent="verify", title="Build and test the project")
    for criterion, status, note in [
        ("records-tool", "passed", ""),
        ("login", "failed", ""),
        ("due-loan", "not_proven", "No test tagged with its id ran."),
    ]:
        CriterionResult.objects.create(
            run=run, task_run=verify, attempt=1, round=0, criterion=criterion, text="x", status=status, note=note
        )
    readme = _zip(run).read("tool-shed/README.md").decode()
    assert "whether the tests tagged with its id proved it when the project was built" in readme
    assert "| `records-tool` | A person who is logged in can add a tool" in readme
    assert "| ✓ proven |" in readme.split("`records-tool`")[1].splitlines()[0]
    assert readme.split("`login`")[1].splitlines()[0].endswith("| ✗ failed |")
    assert readme.split("`due-loan`")[1].splitlines()[0].endswith("| ✗ not proven: No test tagged with its id ran. |")
    assert readme.count("## What it must do") == 1


def test_a_run_whose_checks_did_not_run_says_its_criteria_were_not_proven(run):
    _with_criteria(run)
    readme = _zip(run).read("tool-shed/README.md").decode()
    assert (
        readme.split("`records-tool`")[1].splitlines()[0].endswith("| ✗ not proven: the project's checks did not run |")
    )


def test_a_readme_a_model_wrote_without_the_section_gets_it_at_the_end(run):
    from testbed.rich_specs import rich_spec

    _store(run, "spec/spec.json", rich_spec("tool-shed").model_dump_json())
    _store(run, "README.md", "# Tool shed\n\nBy a model.\n")
    readme = _zip(run).read("tool-shed/README.md").decode()
    assert readme.startswith("# Tool shed\n\nBy a model.\n\n<!-- criteria")
    assert "`records-tool`" in readme
