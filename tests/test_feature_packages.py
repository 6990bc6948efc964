"""A feature's own libraries: the part it lives in gains them, its install takes them, and the model
building the feature is told it may use them."""

import json
import tomllib

import pytest
from pydantic import ValidationError

from agents.spec import Feature, Package, Spec
from agents.stacks import get_stack
from orchestration.offline_planner import planned_spec

REQUEST = "A snake game in the browser with a high-score table"
CONFETTI = Package(name="canvas-confetti", version="^1.9.3", part="frontend")
DATES = {
    "express": Package(name="date-fns", version="^4.1.0", part="backend"),
    "fastapi": Package(name="python-dateutil", version=">=2.9,<3", part="backend"),
}


def _with(spec: Spec, *packages: Package, part: str = "both") -> Spec:
    feature = Feature(
        name="celebration",
        title="Celebration",
        text="Confetti when a new high score is set.",
        part=part,
        packages=list(packages),
    )
    return Spec.model_validate(spec.model_copy(update={"features": [*spec.features, feature]}).model_dump())


def _part_files(stack, spec: Spec) -> dict[str, str]:
    return {path.removeprefix(f"{stack.root}/"): text for path, text in stack.files(spec, []).items()}


@pytest.mark.parametrize("backend", ["express", "fastapi"])
def test_each_part_gains_the_packages_of_the_features_that_live_in_it(backend):
    spec = _with(planned_spec(REQUEST, options={"backend": backend}), CONFETTI, DATES[backend])
    react, server = get_stack("react"), get_stack(backend)
    web = json.loads(_part_files(react, spec)["package.json"])
    assert web["dependencies"]["canvas-confetti"] == "^1.9.3" and "date-fns" not in web["dependencies"]
    if backend == "express":
        api = json.loads(_part_files(server, spec)["package.json"])
        assert api["dependencies"]["date-fns"] == "^4.1.0" and "canvas-confetti" not in api["dependencies"]
    else:
        pyproject = tomllib.loads(_part_files(server, spec)["pyproject.toml"])
        assert "python-dateutil>=2.9,<3" in pyproject["project"]["dependencies"]
    guide = server.feature_guide(spec, spec.features[-1])
    assert DATES[backend].name in guide and CONFETTI.name not in guide
    assert "canvas-confetti ^1.9.3" in react.feature_guide(spec, spec.features[-1])


def test_a_package_the_lockfile_does_not_hold_is_installed_with_npm_install_and_keyed_by_it():
    react = get_stack("react")
    plain = planned_spec(REQUEST)
    assert react.verification(_part_files(react, plain)).install.startswith("npm ci")
    added = react.verification(_part_files(react, _with(plain, CONFETTI, part="frontend")))
    assert added.install.startswith("npm install")
    newer = _with(plain, CONFETTI.model_copy(update={"version": "^1.9.4"}), part="frontend")
    assert react.verification(_part_files(react, newer)).install_key != added.install_key


@pytest.mark.parametrize(
    "package, words",
    [
        (Package(name="left-pad", version="^1.3.0", part="backend"), "is for the backend, where it does not live"),
    ],
)
def test_a_package_for_a_part_the_feature_does_not_live_in_is_refused(package, words):
    with pytest.raises(ValidationError, match=words):
        _with(planned_spec(REQUEST), package, part="frontend")


@pytest.mark.parametrize(
    "name, version",
    [
        ('evil"; rm -rf /', "1.0.0"),
        ("left-pad", "git+https://example.com/x.git"),
        ("left-pad", "1.0 ; import os"),
        ("../escape", "1.0.0"),
    ],
)
def test_a_package_name_or_version_that_is_not_one_is_refused(name, version):
    with pytest.raises(ValidationError):
        Package(name=name, version=version)


def test_two_features_asking_for_one_package_in_different_versions_must_agree():
    spec = _with(planned_spec(REQUEST), CONFETTI, part="frontend")
    other = Feature(
        name="fireworks",
        title="Fireworks",
        text="Fireworks on a new record.",
        packages=[CONFETTI.model_copy(update={"version": "^1.0.0"})],
    )
    with pytest.raises(ValidationError, match="different versions of canvas-confetti: agree on one"):
        Spec.model_validate(spec.model_copy(update={"features": [*spec.features, other]}).model_dump())
