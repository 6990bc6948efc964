"""axe-core, the accessibility checker the browser tests run on each page: fetched from npm once into
a cache folder at a pinned version, checked against the registry's hash, and a page audit with it."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page

from .node_projects import sh

AXE_VERSION = "4.14.1"
# `npm view axe-core@4.14.1 dist.integrity`: the tarball must be this one, whatever the registry or a cache serves.
AXE_INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
BLOCKING = ("serious", "critical")


def axe_source(cache: Path) -> str:
    """The text of axe.min.js. Outside CI a machine that cannot reach npm skips the audit; in CI it fails."""
    tarball = cache / f"axe-core-{AXE_VERSION}.tgz"
    if not tarball.exists():
        try:
            assert shutil.which("npm"), "the accessibility tests need npm to fetch axe-core"
            sh(cache, "npm", "pack", f"axe-core@{AXE_VERSION}", "--pack-destination", str(cache), timeout=300)
        except AssertionError as failure:
            if os.environ.get("CI") == "true":
                raise
            pytest.skip(f"axe-core could not be fetched: {failure}")
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if integrity != AXE_INTEGRITY:
        tarball.unlink()  # so the next session fetches it again instead of failing on the same file
        raise AssertionError(f"{tarball.name} is not the published axe-core {AXE_VERSION}: its hash is {integrity}")
    with tarfile.open(tarball) as archive:
        return archive.extractfile("package/axe.min.js").read().decode()


@dataclass
class Violation:
    rule: str
    impact: str
    help: str
    targets: list[str]

    @property
    def blocking(self) -> bool:
        return self.impact in BLOCKING

    def __str__(self) -> str:
        shown = ", ".join(self.targets[:3]) + (f" and {len(self.targets) - 3} more" if len(self.targets) > 3 else "")
        return f"{self.rule} ({self.impact}): {self.help} — {shown}"


def audit(page: Page) -> list[Violation]:
    """axe's violations on the page as it is now (axe must already be on the page)."""
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        Violation(
            v["id"], v["impact"] or "minor", v["help"], [" ".join(map(str, node["target"])) for node in v["nodes"]]
        )
        for v in results["violations"]
    ]
