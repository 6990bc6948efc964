"""A model's answer as changes to files it was shown, applied all or nothing.

An agent with a model starts from files it already has (the offline scaffold, which verifies green,
or the files it wrote before a repair) and asks the model only for what should differ: new files
whole, edits to existing files as search/replace blocks, and whole rewrites of small files. The
output a model writes is then the difference, not the project.

`apply_changes` is strict: each edit's search text must occur exactly once in the file as it is
after the answer's earlier edits, whitespace included. When any edit does not apply, nothing is
applied and PatchRejected (a ValueError, so `generate` sends it back to the model as a repair) says
which edits failed and shows those files' current text, within a budget.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, Field

from .safe_output import UnsafeOutput, check_path

# An existing file longer than this is changed with edits, never rewritten whole.
WHOLE_REWRITE_MAX_LINES = 80
# The current text of files whose edits failed, shown back to the model, in characters.
SHOWN_BACK_CHARS = 24_000


class GeneratedFile(BaseModel):
    path: str = Field(description="Relative POSIX path inside the project, e.g. backend/src/app.ts")
    content: str


class FileEdit(BaseModel):
    path: str = Field(description="The file to change, one of the files you were shown")
    search: str = Field(
        min_length=1, description="Text copied exactly from the file (whitespace included); it must occur once"
    )
    replace: str = Field(description="What replaces it")


class Changes(BaseModel):
    """What an agent asks a model for: the changes to make to the files it was shown."""

    reasoning: str = Field(description="What you changed and why, for the people reviewing the run")
    files: list[GeneratedFile] = Field(
        default_factory=list,
        description=f"New files, each whole; an existing file of at most {WHOLE_REWRITE_MAX_LINES} lines may be rewritten whole",
    )
    edits: list[FileEdit] = Field(
        default_factory=list, description="Changes to existing files as search/replace blocks"
    )
    more: bool = Field(
        default=False,
        description="true when you have more changes to send than fit in this answer: you will be asked for the rest",
    )

    @property
    def output_chars(self) -> int:
        return sum(len(f.content) for f in self.files) + sum(len(e.search) + len(e.replace) for e in self.edits)


class PatchRejected(ValueError):
    """The changes do not apply; nothing was applied."""


CHANGES_GUIDE = (
    'Answer with JSON: {"reasoning": "...", "files": [{"path": "...", "content": "..."}], '
    '"edits": [{"path": "...", "search": "...", "replace": "..."}], "more": false}. '
    "files holds new files, each whole (or an existing file of at most "
    f"{WHOLE_REWRITE_MAX_LINES} lines rewritten whole); edits changes an existing file: its search text is copied exactly "
    "from the file as you were shown it, whitespace included, and must occur there exactly once (include a few "
    "surrounding lines to make it unique); several edits to one file apply in order. Leave out everything that "
    "needs no change: an answer with no files and no edits keeps the files as they are."
)


def answer_size_guide(tokens: int) -> str:
    """What a model is told about the length of one answer, `tokens` being what fits in it."""
    return (
        f"Each answer must stay within about {tokens} tokens. When your changes do not fit in one answer, send the "
        "files and edits that fit, each whole, set more to true and end reasoning with what remains to send: you will "
        "be asked for the rest, and told what you already sent. Set more to false with the last answer."
    )


def apply_changes(
    current: dict[str, str], changes: Changes, *, may_write: Callable[[str], bool], area_words: str
) -> dict[str, str]:
    """The files `changes` write or change (path -> new text), given the files as they are
    (`current`). A path that is unsafe or outside the agent's area (`may_write` false, `area_words`
    naming the area) raises UnsafeOutput: the task fails and nothing is written. An edit that does
    not apply, or a whole rewrite of a long file, raises PatchRejected listing every such problem."""
    written: dict[str, str] = {}
    problems: list[str] = []
    failed: set[str] = set()
    for item in changes.files:
        path = _allowed(item.path, may_write, area_words)
        if path in written:
            raise UnsafeOutput(f"the model wrote {path!r} twice")
        lines = current[path].count("\n") + 1 if path in current else 0
        if lines > WHOLE_REWRITE_MAX_LINES:
            problems.append(f"{path} has {lines} lines: change it with edits (search/replace), not by writing it whole")
            continue
        written[path] = item.content
    result = {**current, **written}
    for number, edit in enumerate(changes.edits, 1):
        path = _allowed(edit.path, may_write, area_words)
        if path not in result:
            problems.append(f"edit {number}: there is no file {path} to edit; write a new file whole in files")
            continue
        found = result[path].count(edit.search)
        if found != 1:
            where = "is not in" if found == 0 else f"occurs {found} times in"
            hint = "copy it exactly from the file below" if found == 0 else "include more of the lines around it"
            problems.append(f"edit {number} of {path}: its search text {where} the file; {hint}")
            failed.add(path)
            continue
        result[path] = result[path].replace(edit.search, edit.replace, 1)
        written[path] = result[path]
    if problems:
        raise PatchRejected("; ".join(problems) + _shown_back(failed, {**result, **current}))
    return {path: text for path, text in written.items() if current.get(path) != text}


def _allowed(path: str, may_write: Callable[[str], bool], area_words: str) -> str:
    path = check_path(path)
    if not may_write(path):
        raise UnsafeOutput(f"{area_words}; the model wrote {path!r}")
    return path


def _shown_back(paths: set[str], files: dict[str, str]) -> str:
    """The current text of the files whose edits failed, so the next answer can copy from it."""
    parts, room = [], SHOWN_BACK_CHARS
    for path in sorted(paths):
        text = files[path]
        if len(text) > room:
            text = text[:room] + "\n[... cut to fit ...]"
        parts.append(f"\n--- current text of {path} ---\n{text}")
        room -= len(text)
        if room <= 0:
            break
    return "".join(parts)
