"""The verify agent: the last stage of every plan. It builds and tests what the run generated, in a
sandbox (agents/sandbox.py), and fails the run with the failing checks named.

For each part of the project the spec has (the back end, the website) it installs the dependencies, from a cache
keyed by the lockfile when that tree was installed before, then runs the part's own checks as its
stack lists them (types, lint and format, tests, build); for the back end it then serves the built
API and runs Schemathesis against spec/openapi.json (agents/contract_driver.py). The two parts are
checked side by side. Every check is reported to the run as it ends (`VerifyHooks.record`).

When a check fails and a model wrote the code, the failures go back to the agents that wrote the
files involved (`VerifyHooks.repair`, which the orchestration implements: a new attempt of that task,
with its LLM calls), and the checks run again, at most VERIFY_MAX_REPAIRS times. Offline, a failing
check is a bug of the generator: the run fails with the checks shown.
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import queue
import re
import shlex
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from django.conf import settings
from opentelemetry import trace

from .base import Agent, AgentContext, AgentError, AgentResult, PermanentAgentError
from .checks import CheckResult
from .file_agent import CONTRACT_PATH, read_spec
from .registry import register
from .sandbox import Limits, Sandbox, SandboxUnavailable, bwrap_problem, sandbox
from .stacks import chosen_stacks
from .stacks.base import Verification, digest
from .test_reports import CriterionOutcome, prove_criteria, read_report

DRIVER = Path(__file__).with_name("contract_driver.py")
SCHEMATHESIS = "schemathesis==4.32.5"  # the contract check's tool, installed into the cache once
COUNT = re.compile(r"(\d+) (passed|failed|skipped|todo|errors?)\b")
tracer = trace.get_tracer(__name__)


class NotRepaired(AgentError):
    """No agent could repair the failures (each one's reason in words): the checks stay failed."""


class VerifyHooks(Protocol):
    """What the verify agent asks of the run it belongs to (the orchestration implements it)."""

    def record(self, check: CheckResult) -> None:
        """Store one finished check."""

    def record_criteria(self, outcomes: list[CriterionOutcome], round: int) -> None:
        """Store whether each acceptance criterion was proven in this round."""

    def repair(self, failing: list[CheckResult], files: dict[str, str], round: int) -> dict[str, str]:
        """Send the failures to the agents that wrote the files involved; returns the files they changed,
        or raises NotRepaired saying why none could."""


class _NoHooks:
    def record(self, check: CheckResult) -> None:
        pass

    def record_criteria(self, outcomes: list[CriterionOutcome], round: int) -> None:
        pass

    def repair(self, failing: list[CheckResult], files: dict[str, str], round: int) -> dict[str, str]:
        raise NotRepaired("nothing here can repair it")


@dataclass
class VerifyContext(AgentContext):
    hooks: VerifyHooks = field(default_factory=_NoHooks)
    # Whether a model wrote any of the files checked, as the run's tasks say (each may call its own model);
    # None: the context's provider decides.
    model_wrote: bool | None = None


# The settings that change what the checks find (not where caches live or how long a step may take).
CHECK_SETTINGS = ("VERIFY_CHECKS", "VERIFY_MAX_REPAIRS", "VERIFY_SANDBOX", "VERIFY_CONTRACT_EXAMPLES", "VERIFY_PYTHON")


@register
class VerifyAgent(Agent):
    name = "verify"
    timeout_setting = "VERIFY_TIMEOUT_S"
    calls_model = False  # its repairs are new attempts of the tasks that wrote the files, with their models
    description = (
        "Builds and tests the generated project in a sandbox: installs its dependencies, checks types, "
        "lint and formatting, runs its tests, builds it and checks the API against its contract."
    )

    def fingerprint_inputs(self, context: AgentContext) -> dict:
        """Every file of the run and the spec, and the settings that decide which checks run and how."""
        return super().fingerprint_inputs(context) | {
            "settings": {name: getattr(settings, name) for name in CHECK_SETTINGS}
        }

    def run(self, context: AgentContext) -> AgentResult:
        if not settings.VERIFY_CHECKS:
            return AgentResult(files={}, reasoning="Checks were not run: VERIFY_CHECKS is off on this server.")
        hooks = getattr(context, "hooks", None) or _NoHooks()
        spec = read_spec(context.upstream)
        model_wrote = getattr(context, "model_wrote", None)
        if model_wrote is None:
            model_wrote = context.provider is not None and not context.provider.offline
        files = dict(context.upstream)
        parts = [
            (stack.part, stack) for stack in chosen_stacks(spec) if any(p.startswith(f"{stack.root}/") for p in files)
        ]
        if not parts:
            raise PermanentAgentError("Nothing to check: no task of this run wrote the back end or the website.")
        cache = DependencyCache(Path(settings.VERIFY_CACHE_DIR))
        repairs = settings.VERIFY_MAX_REPAIRS if model_wrote else 0
        with tempfile.TemporaryDirectory(prefix="verify-", dir=cache.work_dir()) as folder:
            root = Path(folder)
            try:
                box = sandbox(
                    root,
                    allow_unsandboxed=settings.VERIFY_UNSANDBOXED_OFFLINE and not model_wrote,
                    kind=settings.VERIFY_SANDBOX,
                )
            except SandboxUnavailable as exc:
                raise PermanentAgentError(
                    f"Checks were not run: {exc} Generated code runs only in a sandbox."
                ) from None
            _write(root, files)
            box.give(root)
            history: list[str] = []
            unrepaired = ""
            for repair in range(repairs + 1):
                results = self._check_parts(box, root, files, parts, cache, context, hooks, repair)
                failing = [r for r in results if not r.passed]
                history.append(_summary(results) + self._prove(spec, parts, results, hooks, repair))
                if not failing:
                    return AgentResult(files={}, reasoning=" Then: ".join(history))
                if repair == repairs:
                    break
                context.checkpoint()
                try:
                    changed = hooks.repair(failing, files, repair + 1)
                    if not changed:
                        raise NotRepaired("no files were changed")
                except NotRepaired as exc:
                    context.checkpoint()  # a repair cut short by the deadline or a cancel ends the attempt as that
                    history.append(f"not repaired: {exc}.")
                    unrepaired = f" Not repaired: {exc}."
                    break
                files |= changed
                _write(root, changed)
                box.give(root, files=list(changed))
        raise PermanentAgentError(
            "Checks failed: "
            + "; ".join(r.words for r in failing)
            + (f" (after {repair} repair round{'s' if repair != 1 else ''})" if repair else "")
            + "."
            + unrepaired
        )

    def _prove(self, spec, parts, results: list[CheckResult], hooks: VerifyHooks, round: int) -> str:
        """Each acceptance criterion against the parts' test reports, recorded; what that proved, in words."""
        if not spec.criteria:
            return ""
        tests = {r.part: r for r in results if r.name == "tests"}
        reports = {stack.root: tests[stack.root].tests if stack.root in tests else None for _, stack in parts}
        outcomes = prove_criteria(spec, reports)
        hooks.record_criteria(outcomes, round)
        proven = sum(o.status == "passed" for o in outcomes)
        return f" {proven} of {len(outcomes)} acceptance criteria proven."

    def _check_parts(
        self,
        box: Sandbox,
        root: Path,
        files: dict[str, str],
        parts,
        cache: DependencyCache,
        context: AgentContext,
        hooks: VerifyHooks,
        round: int,
    ) -> list[CheckResult]:
        """Check every part side by side; record each check as it ends (on this thread, which owns the
        database connection); the results in the order they ended."""
        ended: queue.Queue[CheckResult | None] = queue.Queue()
        threads = [
            threading.Thread(
                target=_part_thread,
                name=f"verify-{part}",
                daemon=True,
                args=(ended, box, root / stack.root, stack, files, cache, context.checkpoint, round),
            )
            for part, stack in parts
        ]
        for thread in threads:
            thread.start()
        results: list[CheckResult] = []
        running = len(threads)
        while running:
            try:
                result = ended.get(timeout=0.5)
            except queue.Empty:
                continue
            if result is None:
                running -= 1
                continue
            results.append(result)
            _trace(result)
            hooks.record(result)
        context.checkpoint()  # a part stopped by the checkpoint ends early; say so as the task's error
        for result in results:
            if isinstance(result.exit_code, int) and result.exit_code < 0:
                raise AgentError(f"{result.words}: the check was killed ({result.output[-200:]})")
        return results


def _trace(check: CheckResult) -> None:
    """A span for a check that has just ended, under the verify task's own span (the parts' threads carry
    no trace): it ends now and began its duration ago."""
    ended = time.time_ns()
    span = tracer.start_span(
        f"check {check.part} {check.name}",
        start_time=ended - int(check.duration_s * 1e9),
        attributes={
            "autodevos.check.part": check.part,
            "autodevos.check.name": check.name,
            "autodevos.check.passed": check.passed,
            "autodevos.check.round": check.round,
        },
    )
    if not check.passed:
        span.set_status(trace.StatusCode.ERROR, check.words)
    span.end(end_time=ended)


def _part_thread(
    ended: queue.Queue,
    box: Sandbox,
    folder: Path,
    stack,
    files: dict[str, str],
    cache: DependencyCache,
    checkpoint: Callable[[], None],
    round: int,
) -> None:
    try:
        part_files = {p.removeprefix(f"{stack.root}/"): t for p, t in files.items() if p.startswith(f"{stack.root}/")}
        for result in check_part(
            box,
            folder,
            stack.root,
            stack.verification(part_files),
            cache,
            checkpoint,
            contract=CONTRACT_PATH in files and stack.part == "backend",
        ):
            result.round = round
            ended.put(result)
    except Exception as exc:  # a bug of ours or of the machine: shown as the part's failed check, not lost
        ended.put(
            CheckResult(stack.root, "installs", "", False, 0.0, None, f"{type(exc).__name__}: {exc}", round=round)
        )
    finally:
        ended.put(None)


def check_part(
    box: Sandbox,
    folder: Path,
    part: str,
    verification: Verification,
    cache: DependencyCache,
    checkpoint: Callable[[], None],
    *,
    contract: bool,
) -> Iterator[CheckResult]:
    """The part's checks in order, each as it ends. A part that does not install is not checked further."""
    env = dict(verification.env)
    limits = Limits(
        wall_s=settings.VERIFY_STEP_TIMEOUT_S,
        cpu_s=settings.VERIFY_STEP_TIMEOUT_S * 2,
        memory_bytes=settings.VERIFY_MEMORY_MB << 20,
    )
    installed = yield from _install(box, folder, part, verification, cache, env, limits, checkpoint)
    if not installed:
        return
    for step in verification.steps:
        report = folder / step.report if step.report else None
        if report is not None:
            report.unlink(missing_ok=True)  # an earlier round's
        outcome = box.run(step.command, folder, env=env, limits=limits, checkpoint=checkpoint)
        counts = _counts(outcome.output) if step.counts else {}
        result = _result(part, step.name, step.command, outcome, counts)
        if report is not None:
            result.tests = read_report(report, part, folder)
        yield result
    if contract and verification.serve:
        yield _contract(box, folder, part, verification, env, limits, checkpoint, cache)


def _install(box, folder, part, verification, cache, env, limits, checkpoint):
    """Put the part's dependency tree in place, from the cache or by installing it (the one step with
    network), then run its prepare commands. Yields the install check; returns whether it passed."""
    prepare = " && ".join(verification.prepare)
    key = verification.install_key
    if verification.tree == "venv":
        key = digest(key, *sandbox_python())
    with cache.slot(key) as slot:
        if verification.tree == "venv":
            venv = slot / "venv"
            if slot not in box.read_only:
                box.read_only.append(slot)
            env["PATH"] = f"{venv}/bin:/usr/local/bin:/usr/bin:/bin"
            env["VIRTUAL_ENV"] = str(venv)
        if cache.ready(slot):
            if verification.tree == "node_modules":
                cache.share(slot / "node_modules", folder / "node_modules", box)
            outcome = box.run(prepare, folder, env=env, limits=limits, checkpoint=checkpoint) if prepare else None
            command = f"{verification.install} (reused)" + (f" && {prepare}" if prepare else "")
            result = _result(part, "installs", command, outcome, {}, reused=True)
        else:
            result = _fresh_install(box, folder, part, verification, slot, env, limits, checkpoint, prepare)
            if result.passed:
                cache.keep(slot, folder / "node_modules" if verification.tree == "node_modules" else None)
    yield result
    return result.passed


def _fresh_install(box, folder, part, verification, slot, env, limits, checkpoint, prepare) -> CheckResult:
    command = verification.install.format(venv=slot / "venv", python=sandbox_python()[0])
    if verification.tree == "venv":
        # The environment is built in the cache's slot, where it is used: a venv cannot move.
        slot.mkdir(parents=True, exist_ok=True)
        builder = Sandbox(box.kind, slot)
        builder.give(slot)
        outcome = builder.run(command, slot, network=True, env=env, limits=limits, checkpoint=checkpoint)
    else:
        outcome = box.run(command, folder, network=True, env=env, limits=limits, checkpoint=checkpoint)
    if outcome.ok and prepare:
        after = box.run(prepare, folder, env=env, limits=limits, checkpoint=checkpoint)
        after.output = outcome.output + after.output
        after.duration_s += outcome.duration_s
        outcome = after
        command = f"{command} && {prepare}"
    return _result(part, "installs", command, outcome, {})


def _contract(box, folder, part, verification, env, limits, checkpoint, cache) -> CheckResult:
    """Serve the built back end and run Schemathesis against the contract, in the part's sandbox with
    no network: the driver and Schemathesis run on the sandbox's Python, from a cached tools venv."""
    tools = _contract_tools(cache, limits, checkpoint)
    shown = f"st run spec/openapi.json --checks all --max-examples {settings.VERIFY_CONTRACT_EXAMPLES}"
    if isinstance(tools, CheckResult):
        tools.part = part
        return tools
    driver = folder.parent / ".contract_driver.py"
    shutil.copyfile(DRIVER, driver)
    box.give(driver)
    if tools not in box.read_only:
        box.read_only.append(tools)
    command = (
        f"{tools / 'venv' / 'bin' / 'python'} {driver} --contract ../{CONTRACT_PATH} --st {tools / 'venv' / 'bin' / 'st'}"
        f" --migrate {shlex.quote(verification.migrate)} --serve {shlex.quote(verification.serve)}"
        f" --max-examples {settings.VERIFY_CONTRACT_EXAMPLES} --max-time {settings.VERIFY_CONTRACT_MAX_S}"
    )
    outcome = box.run(command, folder, env=env, limits=limits, checkpoint=checkpoint)
    counts: dict[str, int] = {}
    for line in outcome.output.splitlines():
        if line.startswith("CONTRACT "):
            found = json.loads(line.removeprefix("CONTRACT "))
            counts = {
                k: v
                for k, v in found.items()
                if k in ("operations", "cases", "server_errors", "violations") and isinstance(v, int)
            }
    return _result(part, "contract", shown, outcome, counts)


def _contract_tools(cache: DependencyCache, limits: Limits, checkpoint) -> Path | CheckResult:
    """The cache slot holding a venv with Schemathesis for the sandbox's Python, installed once;
    the failed install as a check when it cannot be made."""
    python, version = sandbox_python()
    with cache.slot(digest("contract-tools", version, SCHEMATHESIS)) as slot:
        if cache.ready(slot):
            return slot
        slot.mkdir(parents=True, exist_ok=True)
        builder = Sandbox(
            settings.VERIFY_SANDBOX if settings.VERIFY_SANDBOX == "bwrap" and bwrap_problem() is None else "none", slot
        )
        builder.give(slot)
        command = f"{python} -m venv {slot / 'venv'} && {slot / 'venv' / 'bin' / 'pip'} install --quiet --disable-pip-version-check {SCHEMATHESIS}"
        outcome = builder.run(command, slot, network=True, limits=limits, checkpoint=checkpoint)
        if not outcome.ok:
            return _result("backend", "contract", command, outcome, {})
        cache.keep(slot, None)
        return slot


@functools.cache
def sandbox_python() -> tuple[str, str]:
    """The Python the sandbox runs (VERIFY_PYTHON, else python3 under /usr, which the sandbox sees)
    and its version; SandboxUnavailable when there is none."""
    python = settings.VERIFY_PYTHON or shutil.which("python3", path="/usr/local/bin:/usr/bin")
    if not python:
        raise SandboxUnavailable("no Python under /usr for the sandbox (set VERIFY_PYTHON).")
    done = subprocess.run(
        [python, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SandboxUnavailable(f"{python} does not run: {done.stderr.strip()[-200:]}")
    return python, done.stdout.strip()


def _result(
    part: str, name: str, command: str, outcome, counts: dict[str, int], *, reused: bool = False
) -> CheckResult:
    if outcome is None:  # reused with nothing to prepare
        return CheckResult(part, name, command, True, 0.0, 0, "", note="reused installed dependencies")
    note = "reused installed dependencies" if reused else ""
    if outcome.timed_out:
        note = "killed at its time limit"
    elif outcome.stopped:
        note = "stopped: the run was cancelled or the task ran out of time"
    passed = outcome.ok and not counts.get("failed")
    return CheckResult(
        part,
        name,
        command,
        passed,
        round(outcome.duration_s, 2),
        outcome.exit_code,
        outcome.output,
        counts=counts,
        note=note,
    )


def _counts(output: str) -> dict[str, int]:
    """Tests passed, failed and skipped, from the runner's summary line (Jest's "Tests:", Vitest's
    "Tests", pytest's last line)."""
    lines = [line for line in output.splitlines() if COUNT.search(line)]
    summary = next((line for line in reversed(lines) if re.match(r"\s*Tests:?\s", line)), lines[-1] if lines else "")
    counts: dict[str, int] = {}
    for number, word in COUNT.findall(summary):
        key = {"todo": "skipped", "error": "failed", "errors": "failed"}.get(word, word)
        counts[key] = counts.get(key, 0) + int(number)
    return counts


def _summary(results: list[CheckResult]) -> str:
    passed = [r for r in results if r.passed]
    failed = [r for r in results if not r.passed]
    text = f"{len(passed)} of {len(results)} checks passed"
    return text + (f"; failed: {'; '.join(r.words for r in failed)}." if failed else ".")


def _write(root: Path, files: dict[str, str]) -> None:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


class DependencyCache:
    """Installed dependency trees, one folder per key (`<root>/<key>/`), made once and then only read.
    A slot is locked (flock) while it is looked at or filled, so two workers needing the same tree
    install it once. The cache belongs to the worker's user: a sandboxed command gets hard links to
    its files (the sandbox's user cannot write them) or, when the worker is not root, copies."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def work_dir(self) -> str:
        """Where a verification's project folder goes: beside the cache, so hard links reach."""
        folder = self.root / "work"
        folder.mkdir(parents=True, exist_ok=True)
        for made in (self.root, folder):  # passable, not readable, by the sandbox's user
            made.chmod(made.stat().st_mode | 0o111)
        return str(folder)

    @contextmanager
    def slot(self, key: str) -> Iterator[Path]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / f"{key}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield self.root / key
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def ready(self, slot: Path) -> bool:
        return (slot / "ready").exists()

    def keep(self, slot: Path, node_modules: Path | None) -> None:
        """Seal a freshly installed tree: a node_modules is copied in (owned by the worker, not the
        sandbox); a venv built in place is handed back to the worker. Then the slot is ready."""
        if node_modules is not None:
            staging = slot / "node_modules.partial"
            shutil.rmtree(staging, ignore_errors=True)
            slot.mkdir(parents=True, exist_ok=True)
            shutil.copytree(node_modules, staging, symlinks=True)
            staging.rename(slot / "node_modules")
        if os.geteuid() == 0:
            for folder, _dirs, names in os.walk(slot):
                os.chown(folder, 0, 0)
                for name in names:
                    os.chown(os.path.join(folder, name), 0, 0, follow_symlinks=False)
        (slot / "ready").write_text("")

    def share(self, tree: Path, target: Path, box: Sandbox) -> None:
        """The cached tree at `target`: hard links when the sandbox runs as another user, else a copy.
        Its folders become the sandbox's (tools write caches there); its files stay read-only to it."""
        if target.exists():  # a repair round: the tree is in place already
            return
        link = os.geteuid() == 0 and box.isolated
        try:
            shutil.copytree(tree, target, symlinks=True, copy_function=os.link if link else shutil.copy2)
        except shutil.Error:
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(tree, target, symlinks=True)  # another filesystem: hard links cannot reach
        if os.geteuid() == 0 and box.isolated:
            for folder, _, _ in os.walk(target):
                os.chown(folder, box.uid, box.uid)
