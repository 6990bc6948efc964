"""A scripted model for the OpenAI-compatible stub: it reads each prompt and answers as a model would,
with fixed, realistic answers — the planner's plan for two requests with features, the architect's
spec, no changes from the scaffold agents, and each feature's files (testbed/fixtures/features/<name>/).

    model = ScriptedModel()
    with OpenAIStub(model) as stub: ...

`miss_first` names agents whose first answer carries an edit that does not apply (its search text
is not in the file); the answer after it is the right one. `feature_batches` splits the feature's
files into that many answers, each sending files the prompt does not list as written so far, with
more true until the last. `calls` counts the answers by role.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from agents.spec import StackChoice

from .stubs import RecordedRequest, Reply

FIXTURES = Path(__file__).parent / "fixtures" / "features"

SNAKE_REQUEST = "A snake game in the browser with a high-score table"
CONVERTER_REQUEST = "A unit converter for cooking measurements"

SNAKE_GAME = {
    "name": "snakeGame",
    "title": "Snake game",
    "part": "frontend",
    "text": "A snake game on a canvas: the arrow keys steer, eating food makes the snake longer and scores a point, "
    "hitting a wall or itself ends the game, and the score is posted to the high-score table when the game ends.",
}
CONVERTER = {
    "name": "converter",
    "title": "Cooking unit converter",
    "part": "frontend",
    "text": "Convert an amount between cups, tablespoons, teaspoons, millilitres, grams and ounces for common "
    "ingredients such as flour, sugar, butter, rice, milk and water.",
}


def _task(key: str, agent: str, title: str, depends_on: list[str], scope: list[str] | None = None) -> dict:
    return {
        "key": key,
        "title": title,
        "agent": agent,
        "instructions": "",
        "depends_on": depends_on,
        "scope": scope or [],
        "timeout_s": None,
    }


def _plan(feature: dict, *, backend: bool) -> dict:
    key = "feature-" + feature["title"].split()[0].lower()
    code = ["backend", "frontend"] if backend else ["frontend"]
    tasks = [_task("spec", "architect", "Design the data model", [])]
    if backend:
        tasks.append(_task("backend", "backend", "Build the API", ["spec"]))
    tasks += [
        _task("frontend", "frontend", "Build the website", ["spec"]),
        _task(key, "feature", f"Build the feature: {feature['title']}", ["frontend"], [feature["name"]]),
        _task("tests", "tests", "Add end-to-end tests", code),
        _task("docs", "docs", "Write the README", ["spec"]),
        _task("devops", "devops", "Add Docker and CI", ["spec"]),
        _task("verify", "verify", "Build and test the project", [*code, "tests", "devops", key]),
    ]
    what = "a high-score table kept by a small API" if backend else "no records, so no back end and no database"
    return {
        "reasoning": f"The heart of the request is the {feature['title'].lower()}, built by its own task on top of "
        f"the generated project; the app has {what}.",
        "tasks": tasks,
        "stack": StackChoice().model_dump(),
        "features": [feature],
        "keeps_records": backend,
    }


PLANS = {SNAKE_REQUEST: _plan(SNAKE_GAME, backend=True), CONVERTER_REQUEST: _plan(CONVERTER, backend=False)}
SPEC_MARK = "The planner's spec, to start from"
SENT_MARK = "Files written or edited so far: "


def feature_files(name: str) -> dict[str, str]:
    """The fixture's files as the feature's task writes them, paths from the project root."""
    folder = FIXTURES / name
    return {
        f"frontend/src/features/{name}/{path.relative_to(folder).as_posix()}": path.read_text()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


class ScriptedModel:
    def __init__(self, *, miss_first: frozenset[str] = frozenset(), feature_batches: int = 1) -> None:
        self.miss_first = set(miss_first)
        self.feature_batches = feature_batches
        self.calls: Counter[str] = Counter()

    def __call__(self, request: RecordedRequest) -> Reply:
        system, prompt = request.messages[0][1], request.last_user_text
        role = system.removeprefix("You are the ").split(" ", 1)[0]
        self.calls[role] += 1
        if role == "planner":
            request_text = prompt.split("Request:\n", 1)[1].split("\n\n", 1)[0].strip()
            return Reply(json=PLANS[request_text])
        if role == "architect":
            start = prompt.index("{", prompt.index(SPEC_MARK))
            spec, _ = json.JSONDecoder().raw_decode(prompt, start)
            return Reply(json={"reasoning": "The planner's reading fits the request.", "spec": spec})
        if role == "feature":
            name = next(f["name"] for f in (SNAKE_GAME, CONVERTER) if f"The feature: {f['title']}" in prompt)
            files = feature_files(name)
            sent = prompt.split(SENT_MARK, 1)[1].split("\n", 1)[0].split(", ") if SENT_MARK in prompt else []
            rest = [{"path": path, "content": text} for path, text in files.items() if path not in sent]
            size = -(-len(files) // self.feature_batches)
            more = len(rest) > size
            still = f" Still to send: {', '.join(f['path'] for f in rest[size:])}." if more else ""
            return Reply(
                json={
                    "reasoning": f"The {name} feature, with tests tagged with its criterion.{still}",
                    "files": rest[:size],
                    "more": more,
                }
            )
        if role in self.miss_first:
            # A title for the page: first from memory (wrong), then copied from the file's text shown back.
            if "could not be used" not in prompt:
                return Reply(
                    json={
                        "reasoning": "A title for the page.",
                        "edits": [
                            {
                                "path": "frontend/index.html",
                                "search": "<title>Untitled</title>",
                                "replace": "<title>Play</title>",
                            }
                        ],
                    }
                )
            self.miss_first.discard(role)
            line = next(line for line in prompt.splitlines() if "<title>" in line)
            title = line.strip().removeprefix("<title>").removesuffix("</title>")
            return Reply(
                json={
                    "reasoning": "A title for the page, copied from the file.",
                    "edits": [
                        {
                            "path": "frontend/index.html",
                            "search": line,
                            "replace": line.replace(title, f"{title} - play"),
                        }
                    ],
                }
            )
        return Reply(json={"reasoning": "The scaffold already does what this task asks; nothing to change."})
