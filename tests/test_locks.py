"""The lock files agree with pyproject.toml: every dependency it names (the runtime ones in both
locks, the dev extras in the dev lock) is pinned with `==` at a version its range allows, with the
hashes of its files; the dev lock pins the runtime packages as the Dockerfile's lock does; and the
language model's hash is one the locks accept. A dependency added to pyproject.toml fails here until
`make lock` is run."""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"
MODEL_REQUIREMENTS = ROOT / "agents" / "understanding" / "model-requirements.txt"


@dataclass
class Pin:
    requirement: Requirement
    hashes: list[str]

    @property
    def version(self) -> str | None:
        """The pinned version, or None when the line is not one `==` pin."""
        specifiers = list(self.requirement.specifier)
        if len(specifiers) == 1 and specifiers[0].operator == "==" and "*" not in specifiers[0].version:
            return specifiers[0].version
        return None

    def __str__(self) -> str:
        """The pin without its name: `==2.4.6`, or `==2.4.6 ; python_full_version < '3.12'`."""
        marker = self.requirement.marker
        return f"{self.requirement.specifier}" + (f" ; {marker}" if marker else "")


def read_pins(path: Path) -> dict[str, list[Pin]]:
    """A pip requirements file: `name==version ; marker` then its `--hash=`es, on one line or
    continued over several as uv writes them. One name may be pinned more than once, under markers
    that exclude each other (uv's --universal locks)."""
    pins: dict[str, list[Pin]] = {}
    last: Pin | None = None
    for line in path.read_text().splitlines():
        text = line.strip().rstrip("\\").strip()
        if not text or text.startswith("#"):
            continue
        requirement, *hashes = text.split("--hash=")
        if requirement.strip():
            last = Pin(Requirement(requirement.strip()), [])
            pins.setdefault(canonicalize_name(last.requirement.name), []).append(last)
        last.hashes += [h.strip() for h in hashes]
    return pins


def lock_problems(requirements: list[str], pins: dict[str, list[Pin]], lock: str) -> list[str]:
    """What is wrong between pyproject.toml's requirements and one lock, in words."""
    problems = []
    for name, entries in pins.items():
        for pin in entries:
            if pin.version is None:
                problems.append(f"{lock}: {pin.requirement} is not pinned with ==")
            if not any(h.startswith("sha256:") for h in pin.hashes):
                problems.append(f"{lock}: {name} has no --hash=sha256:")
    for text in requirements:
        wanted = Requirement(text)
        name = canonicalize_name(wanted.name)
        if name not in pins:
            problems.append(f"{lock}: {wanted} is not pinned; run make lock")
        for pin in pins.get(name, []):
            if pin.version is not None and not wanted.specifier.contains(pin.version, prereleases=True):
                problems.append(f"{lock}: {name}=={pin.version} is outside {wanted}; run make lock")
    return problems


def drift(pyproject: Path, runtime_lock: Path, dev_lock: Path) -> list[str]:
    """Every disagreement between pyproject.toml and the two locks."""
    project = tomllib.loads(pyproject.read_text())["project"]
    runtime = project["dependencies"]
    dev = project.get("optional-dependencies", {}).get("dev", [])
    runtime_pins, dev_pins = read_pins(runtime_lock), read_pins(dev_lock)
    problems = lock_problems(runtime, runtime_pins, runtime_lock.name)
    problems += lock_problems(runtime + dev, dev_pins, dev_lock.name)
    for name, entries in runtime_pins.items():
        versions = sorted(map(str, entries))
        dev_versions = sorted(map(str, dev_pins.get(name, [])))
        if versions != dev_versions:
            problems.append(f"{name}: {runtime_lock.name} pins {versions}, {dev_lock.name} {dev_versions}")
    return problems


def test_the_locks_pin_every_dependency_of_pyproject_with_hashes():
    assert drift(ROOT / "pyproject.toml", RUNTIME_LOCK, DEV_LOCK) == []


def test_the_language_model_is_locked_at_the_wheel_make_install_checks():
    [model] = [pin for entries in read_pins(MODEL_REQUIREMENTS).values() for pin in entries]
    name = canonicalize_name(model.requirement.name)
    for lock in (RUNTIME_LOCK, DEV_LOCK):
        [locked] = read_pins(lock)[name]
        assert locked.version == model.version, lock.name
        assert set(model.hashes) <= set(locked.hashes), lock.name


def test_a_dependency_added_or_narrowed_without_make_lock_is_named(tmp_path):
    """The check itself: the drift a person makes by editing pyproject.toml and not running make lock."""
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\ndependencies = ["Django>=99", "Not_In.The-Lock>=1", "Typing_Extensions>=4"]\n'
        '[project.optional-dependencies]\ndev = ["pytest>=1"]\n'
    )
    typing = "typing-extensions==4.16.0 \\\n    --hash=sha256:cd\n"
    runtime = tmp_path / "requirements.lock"
    runtime.write_text(f"django==5.2.19 \\\n    --hash=sha256:ab\n    # via autodevos\nredis>=5\n{typing}")
    dev = tmp_path / "requirements-dev.lock"
    dev.write_text(f"django==5.2.18 \\\n    --hash=sha256:ab\nredis==5.0.1 \\\n    --hash=sha256:ef\n{typing}")

    problems = drift(pyproject, runtime, dev)

    assert "requirements.lock: django==5.2.19 is outside Django>=99; run make lock" in problems
    assert "requirements.lock: Not_In.The-Lock>=1 is not pinned; run make lock" in problems
    assert "requirements-dev.lock: pytest>=1 is not pinned; run make lock" in problems
    assert "requirements.lock: redis>=5 is not pinned with ==" in problems
    assert "requirements.lock: redis has no --hash=sha256:" in problems
    assert "django: requirements.lock pins ['==5.2.19'], requirements-dev.lock ['==5.2.18']" in problems
    # Names compare as packaging normalises them: Typing_Extensions is typing-extensions.
    assert not any("typing" in problem.lower() for problem in problems)
