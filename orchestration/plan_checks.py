"""Whether a valid plan can also run: checked when it is saved, in the words of the people editing it.

validate_plan checks a plan's shape (keys, known agents, no loops). A plan of the right shape can
still fail when it runs: a task that reads the architect's spec without waiting for it, two tasks
writing the same file, part of the back end built by nobody. Offline, every agent's files follow
from the spec and the task's scope alone, so the run is rehearsed here, file lists only, in tens
of milliseconds (bench/generate.py): what can be mended one obvious way (a missing wait) is mended and said; the rest is
refused with the tasks' titles, before anyone presses Run. A model writing the code is asked for
the same files (the offline layout is its expected layout), so the same checks hold for a person's
edit of any version; a model's own plan may divide a part by instructions, so for it only what
the tasks read is checked.

A feature's task (agent "feature") writes nothing offline, so its files cannot show what it needs:
it is scoped by one feature of the spec, waits for the tasks that build the parts the feature plugs
into, and the verify stage waits for it. An app with no back end has no API contract, so nothing
reads one there.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from agents.base import AgentContext
from agents.file_agent import CONTRACT_PATH, SPEC_PATH
from agents.openapi import openapi_json
from agents.registry import get_agent
from agents.spec import Spec
from agents.spec_words import listed
from agents.stacks.base import CORE
from agents.verify import VerifyAgent

from .offline_planner import FEATURE_AGENT, architect_title, verify_task
from .plans import PlanInvalid, reachable

ARCHITECT = "architect"
VERIFY = VerifyAgent.name
CODE_FOLDERS = ("backend/", "frontend/")
# Each part of the project, the agent that builds it, and how people call it.
PARTS = {"backend": "the back end", "frontend": "the website"}


def check_runnable(
    tasks: list[dict[str, Any]], spec: Spec, *, model_divides: bool = False
) -> tuple[list[dict[str, Any]], list[str]]:
    """The tasks, with missing waits added, and what was mended or is worth knowing, in plain words;
    PlanInvalid says what cannot be mended. `tasks` are validated tasks (PlanVersion.tasks' shape).

    With `model_divides` (a model's own plan) the model may split a part between tasks by their
    instructions, which the offline layout cannot show: only the records named and what each task
    reads are checked, not who writes which file."""
    tasks = [dict(task, depends_on=list(task.get("depends_on", []))) for task in tasks]
    titles = {task["key"]: f"\u201c{task['title']}\u201d" for task in tasks}
    problems = _scope_problems(tasks, spec, titles)
    if problems:
        raise PlanInvalid(problems)
    upstream = {SPEC_PATH: json.dumps(spec.model_dump())} | (
        {CONTRACT_PATH: openapi_json(spec)} if spec.has_backend else {}
    )
    files = {task["key"]: _files_of(task, spec, upstream) for task in tasks}
    notes: list[str] = []
    if not model_divides:
        problems += _clashes(tasks, files, titles)
        uncovered, notes = _uncovered_parts(tasks, spec)
        problems += uncovered
    if not problems:
        problems, mended = _waits(tasks, spec, files, titles)
        notes = mended + notes
    if not problems:
        problems, mended = _feature_waits(tasks, spec, titles)
        notes = mended + notes
    if not problems:
        problems, mended = _verify_stage(tasks, spec, files, titles)
        notes = mended + notes
    if problems:
        raise PlanInvalid(problems)
    return tasks, notes


def _scope_problems(tasks: list[dict[str, Any]], spec: Spec, titles: dict[str, str]) -> list[str]:
    """A record's task names records of the spec (or the shared files); a feature's task names one feature."""
    names = {entity.name for entity in spec.entities}
    features = [feature.name for feature in spec.features]
    problems = []
    for task in tasks:
        scope = task.get("scope", [])
        if task["agent"] == FEATURE_AGENT:
            problems += _feature_scope_problems(titles[task["key"]], scope, features)
            continue
        if task["agent"] == "backend" and not spec.has_backend:
            problems.append(
                f"{titles[task['key']]} builds a back end, and this app has none: it keeps no records and "
                "nobody logs in. Remove the task, or add a kind of record or log-ins to the data model."
            )
            continue
        unknown = [name for name in scope if name != CORE and name not in names]
        if unknown:
            which = ", ".join(unknown)
            records = f"its records are {', '.join(sorted(names))}" if names else "it keeps no records"
            problems.append(f"{titles[task['key']]} is for {which}, which the data model does not keep: {records}.")
    return problems


def _feature_scope_problems(title: str, scope: list[str], features: list[str]) -> list[str]:
    known = f"its features are {', '.join(features)}" if features else "it has none"
    unknown = [name for name in scope if name not in features]
    if not scope:
        return [f"{title} names no feature: a feature's task builds one feature of the spec, and {known}."]
    if unknown:
        return [f"{title} is for {', '.join(unknown)}, but the spec has no such feature: {known}."]
    if len(scope) > 1:
        return [f"{title} is for {listed(scope)}: a feature's task builds one feature, so give each its own task."]
    return []


def _files_of(task: dict[str, Any], spec: Spec, upstream: dict[str, str]) -> set[str]:
    """The paths the task's agent writes offline for this spec and the task's scope."""
    agent = get_agent(task["agent"])
    if task["agent"] == ARCHITECT:
        return set(upstream)  # what the architect writes is what the others read
    if not hasattr(agent, "offline"):  # the verify task writes no files
        return set()
    context = AgentContext(
        request="",
        task_key=task["key"],
        title=task["title"],
        instructions=task.get("instructions", ""),
        scope=list(task.get("scope", [])),
        upstream=upstream,
        spec=spec,
    )
    return set(agent.offline(spec, context))


def _clashes(tasks: list[dict[str, Any]], files: dict[str, set[str]], titles: dict[str, str]) -> list[str]:
    """Each task that would write a file an earlier task writes, with the tasks it collides with."""
    problems = []
    for i, task in enumerate(tasks):
        earlier = [other for other in tasks[:i] if files[other["key"]] & files[task["key"]]]
        if not earlier:
            continue
        shared = sorted(set().union(*(files[other["key"]] for other in earlier)) & files[task["key"]])
        more = f" and {len(shared) - 1} more" if len(shared) > 1 else ""
        problems.append(
            f"{titles[task['key']]} would write files that {_titles(titles[other['key']] for other in earlier)} "
            f"already write{'s' if len(earlier) == 1 else ''} ({shared[0]}{more}). Each file can come from one task only: "
            f"remove {titles[task['key']]}, or say what you want through the instructions of the task that writes those files."
        )
    return problems


def _uncovered_parts(tasks: list[dict[str, Any]], spec: Spec) -> tuple[list[str], list[str]]:
    """A part of the project that some task builds must be built whole: its shared files and every
    record's files (a stack's files for a scope are exactly those, agents.stacks.base.select). A part
    nobody builds is left out of the project, which runs; that is said, not refused."""
    problems, notes = [], []
    for part, words in ((part, PARTS[part]) for part in spec.parts):
        scopes = [set(task.get("scope", [])) for task in tasks if task["agent"] == part]
        if not scopes:
            notes.append(f"No task builds {words}, so this plan makes none")
            continue
        if any(not scope for scope in scopes):
            continue  # a task for the whole part
        covered = set().union(*scopes)
        missing = ([] if CORE in covered else ["its shared files"]) + [
            e.label for e in spec.entities if e.name not in covered
        ]
        if missing:
            problems.append(
                f"No task builds part of {words} ({listed(missing)}), so it would not run: "
                f"add a {part} task for the whole of {words}, or put back the task that built that part."
            )
    return problems, notes


def _waits(
    tasks: list[dict[str, Any]], spec: Spec, files: dict[str, set[str]], titles: dict[str, str]
) -> tuple[list[str], list[str]]:
    """Every file a task reads must come from a task it waits for, directly or not. A missing wait
    is added when it makes no loop; a file nobody writes cannot be mended here."""
    writer = {path: key for key, written in files.items() for path in written}
    by_key = {task["key"]: task for task in tasks}
    problems, notes = [], []
    needs_missing: dict[str, list[str]] = {}
    for task in tasks:
        reads = getattr(get_agent(task["agent"]), "reads", ())
        for path in (p for p in reads if p != CONTRACT_PATH or spec.has_backend):  # no back end, no contract
            source = writer.get(path)
            if source is None:
                needs_missing.setdefault(path, []).append(titles[task["key"]])
            elif source != task["key"] and source not in _ancestors(by_key, task["key"]):
                if task["key"] in _ancestors(by_key, source):
                    problems.append(
                        f"{titles[task['key']]} reads {path}, which {titles[source]} writes, but "
                        f"{titles[source]} waits for it: one of the two must not wait for the other."
                    )
                else:
                    task["depends_on"].append(source)
                    notes.append(
                        f"{titles[task['key']]} now waits for {titles[source]}, because it reads {path}, "
                        "which that task writes"
                    )
    if needs_missing:
        readers = list(dict.fromkeys(title for titles_ in needs_missing.values() for title in titles_))
        what = "the data model and API contract" if spec.has_backend else "the spec"
        problems.append(
            f"No task writes {' or '.join(needs_missing)}, {what} that "
            f"{_titles(readers)} read{'s' if len(readers) == 1 else ''}: put back the architect's task "
            f"(\u201c{architect_title(spec)}\u201d), or add a task for the architect agent."
        )
    return problems, list(dict.fromkeys(notes))


def _feature_waits(tasks: list[dict[str, Any]], spec: Spec, titles: dict[str, str]) -> tuple[list[str], list[str]]:
    """A feature's task plugs into the parts its feature lives in, so it waits for every task that
    builds them, directly or not: a missing wait is added when it makes no loop. A feature whose
    part no task builds has nothing to plug into."""
    features = {feature.name: feature for feature in spec.features}
    by_key = {task["key"]: task for task in tasks}
    problems, notes = [], []
    for task in (task for task in tasks if task["agent"] == FEATURE_AGENT):
        feature = features[task["scope"][0]]
        for part in feature.parts:
            builders = [other["key"] for other in tasks if other["agent"] == part]
            if not builders:
                problems.append(
                    f"{titles[task['key']]} plugs into {PARTS[part]}, which no task of this plan builds: "
                    f"add a {part} task, or remove {titles[task['key']]}."
                )
                continue
            missing, looped = _wait_for(task, builders, by_key)
            problems += [
                f"{titles[key]} waits for {titles[task['key']]}, which plugs into what {titles[key]} builds: "
                f"{titles[key]} must not wait for it."
                for key in looped
            ]
            if missing and not looped:
                notes.append(
                    f"{titles[task['key']]} now waits for {_titles(titles[k] for k in missing)}, because "
                    f"the feature plugs into {PARTS[part]}, which {'that task builds' if len(missing) == 1 else 'those tasks build'}"
                )
    return problems, notes


def _verify_stage(
    tasks: list[dict[str, Any]], spec: Spec, files: dict[str, set[str]], titles: dict[str, str]
) -> tuple[list[str], list[str]]:
    """Every plan ends by building and testing what it wrote: a plan without a verify task gets one,
    and a verify task waits for every task that writes code (the back end or the website, or a
    feature, which writes only with a model)."""
    problems, notes = [], []
    writers = [
        task["key"]
        for task in tasks
        if task["agent"] == FEATURE_AGENT or any(path.startswith(CODE_FOLDERS) for path in files[task["key"]])
    ]
    if not writers:
        return problems, notes
    if not any(task["agent"] == VERIFY for task in tasks):
        keys = {task["key"] for task in tasks}
        key = next(k for k in ("verify", *(f"verify-{n}" for n in range(2, len(tasks) + 3))) if k not in keys)
        added = verify_task(spec, writers, key).model_dump()
        tasks.append(added)
        files[key] = set()
        titles[key] = f"\u201c{added['title']}\u201d"
        notes.append(f"{titles[key]} was added: every plan ends by building and testing the code its tasks wrote")
    by_key = {task["key"]: task for task in tasks}
    for task in (task for task in tasks if task["agent"] == VERIFY):
        missing, looped = _wait_for(task, writers, by_key)
        problems += [
            f"{titles[writer]} waits for {titles[task['key']]}, which builds and tests the code: the code "
            f"must be written first, so {titles[writer]} must not wait for it."
            for writer in looped
        ]
        if missing and not looped:
            notes.append(
                f"{titles[task['key']]} now waits for {_titles(titles[w] for w in missing)}, which "
                f"write{'s' if len(missing) == 1 else ''} code it builds and tests"
            )
    return problems, notes


def _wait_for(
    task: dict[str, Any], needed: list[str], by_key: dict[str, dict[str, Any]]
) -> tuple[list[str], list[str]]:
    """The tasks of `needed` that `task` does not wait for yet, and those of them that wait for `task`
    (a wait would close a loop). When none does, `task` is made to wait for them all."""
    missing = [key for key in needed if key not in _ancestors(by_key, task["key"])]
    looped = [key for key in missing if task["key"] in _ancestors(by_key, key)]
    if missing and not looped:
        task["depends_on"] += missing
    return missing, looped


def _ancestors(by_key: dict[str, dict[str, Any]], key: str) -> set[str]:
    return reachable({k: task["depends_on"] for k, task in by_key.items()}, [key])


def _titles(items: Iterable[str]) -> str:
    """Task titles in a sentence; past three, "“A”, “B” and 5 other tasks"."""
    items = list(items)
    return f"{', '.join(items[:2])} and {len(items) - 2} other tasks" if len(items) > 3 else listed(items)
