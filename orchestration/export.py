"""A run's files on the way out: as a zip download or written into a directory.

Every path passes agents.safe_output.check_path again here, so a row that reached the database
by any other route still cannot climb out of the archive or the target directory. The README's
"What it must do" says each acceptance criterion's status as the run's checks left it.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import BinaryIO

from pydantic import ValidationError

from agents.file_agent import SPEC_PATH
from agents.generators.docs import with_criteria_status
from agents.safe_output import check_path
from agents.spec import Spec

from .models import Artifact, CriterionResult, Run

README = "README.md"


def _artifacts(run: Run):
    return Artifact.objects.filter(run=run).order_by("path").only("path", "content", "created_at")


def archive_folder(run: Run) -> str:
    """The folder the zip unpacks into: the spec's app name, else the run's number."""
    spec = Artifact.objects.filter(run=run, path=SPEC_PATH).values_list("content", flat=True).first()
    try:
        return check_path(json.loads(spec)["app_name"]) if spec else f"run-{run.pk}"
    except (ValueError, KeyError, TypeError):
        return f"run-{run.pk}"


def _contents(run: Run):
    """Each artifact with the text it goes out with: the README with its criteria's status."""
    artifacts = list(_artifacts(run))
    spec = _spec(artifacts)
    statuses = (
        {r.criterion: (r.status, r.note) for r in CriterionResult.latest(run)} if spec and spec.criteria else None
    )
    for artifact in artifacts:
        if artifact.path == README and statuses is not None:
            yield artifact, with_criteria_status(artifact.content, spec, statuses)
        else:
            yield artifact, artifact.content


def _spec(artifacts: list[Artifact]) -> Spec | None:
    text = next((a.content for a in artifacts if a.path == SPEC_PATH), None)
    try:
        return Spec.model_validate_json(text) if text else None
    except ValidationError:
        return None


def write_zip(run: Run, fileobj: BinaryIO) -> None:
    """Every file of the run, under one top folder, into `fileobj` as a zip archive."""
    folder = archive_folder(run)
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for artifact, content in _contents(run):
            info = zipfile.ZipInfo(
                f"{folder}/{check_path(artifact.path)}", date_time=artifact.created_at.timetuple()[:6]
            )
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16  # a plain file, readable by all: never a link or an executable
            archive.writestr(info, content)


def write_files(run: Run, directory: Path) -> int:
    """Writes every file of the run under `directory`; returns how many."""
    root = directory.resolve()
    count = 0
    for artifact, content in _contents(run):
        target = (root / check_path(artifact.path)).resolve()
        if not target.is_relative_to(root):  # a symlink already inside `directory` could point elsewhere
            raise ValueError(f"{artifact.path!r} would be written outside {root}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        count += 1
    return count
