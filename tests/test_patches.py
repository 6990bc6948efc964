"""The strict patch applier: a model's new files, search/replace edits and small rewrites, all or nothing."""

import pytest

from agents.patches import WHOLE_REWRITE_MAX_LINES, Changes, PatchRejected, apply_changes
from agents.safe_output import UnsafeOutput

APP = 'import express from "express";\n\nexport const app = express();\napp.get("/health", ok);\n'
LONG = "".join(f"line {n}\n" for n in range(WHOLE_REWRITE_MAX_LINES + 5))


def apply(current, **answer):
    changes = Changes.model_validate({"reasoning": "why", **answer})
    return apply_changes(
        current,
        changes,
        may_write=lambda path: path.startswith("backend/"),
        area_words="the backend agent may only write backend/",
    )


def test_edits_apply_in_order_and_only_changed_or_new_files_come_back():
    current = {"backend/src/app.ts": APP, "backend/src/other.ts": "x\n"}
    written = apply(
        current,
        edits=[
            {
                "path": "backend/src/app.ts",
                "search": 'app.get("/health", ok);',
                "replace": 'app.get("/health", ok);\napp.use(features);',
            },
            {"path": "backend/src/app.ts", "search": "app.use(features);", "replace": "app.use(features());"},
        ],
        files=[{"path": "backend/src/features.ts", "content": "export const features = 1;\n"}],
    )
    assert written == {
        "backend/src/app.ts": APP.replace("ok);\n", "ok);\napp.use(features());\n"),
        "backend/src/features.ts": "export const features = 1;\n",
    }


def test_an_edit_that_does_not_apply_applies_nothing_and_shows_the_files_current_text():
    current = {"backend/src/app.ts": APP}
    with pytest.raises(PatchRejected) as raised:
        apply(
            current,
            files=[{"path": "backend/src/new.ts", "content": "new\n"}],
            edits=[
                {"path": "backend/src/app.ts", "search": "export const app", "replace": "export const server"},
                {"path": "backend/src/app.ts", "search": "app.get('/health', ok);", "replace": "nothing"},
            ],
        )
    message = str(raised.value)
    assert "edit 2 of backend/src/app.ts: its search text is not in the file; copy it exactly" in message
    # The file as it is, not as the answer's first edit left it: nothing was applied.
    assert f"--- current text of backend/src/app.ts ---\n{APP}" in message
    assert current == {"backend/src/app.ts": APP}


def test_a_search_text_found_twice_asks_for_more_lines_around_it():
    with pytest.raises(PatchRejected, match="occurs 2 times in the file; include more of the lines around it"):
        apply({"backend/src/app.ts": "a\na\n"}, edits=[{"path": "backend/src/app.ts", "search": "a", "replace": "b"}])


def test_a_long_file_is_edited_not_rewritten_whole_but_a_short_one_may_be():
    with pytest.raises(PatchRejected, match=f"has {WHOLE_REWRITE_MAX_LINES + 6} lines: change it with edits"):
        apply({"backend/src/long.ts": LONG}, files=[{"path": "backend/src/long.ts", "content": "short\n"}])
    assert apply({"backend/src/app.ts": APP}, files=[{"path": "backend/src/app.ts", "content": "short\n"}]) == {
        "backend/src/app.ts": "short\n"
    }


def test_an_edit_of_a_file_that_is_not_there_says_to_write_it_whole():
    with pytest.raises(PatchRejected, match="there is no file backend/src/missing.ts to edit; write a new file whole"):
        apply({}, edits=[{"path": "backend/src/missing.ts", "search": "x", "replace": "y"}])


@pytest.mark.parametrize(
    "path, words",
    [
        ("../../etc/passwd", "climbs out of the project"),
        ("frontend/src/App.tsx", "may only write backend/"),
    ],
)
def test_a_path_outside_the_area_is_refused_outright_not_sent_back(path, words):
    with pytest.raises(UnsafeOutput, match=words):
        apply({"backend/src/app.ts": APP}, edits=[{"path": path, "search": "x", "replace": "y"}])
    with pytest.raises(UnsafeOutput, match=words):
        apply({}, files=[{"path": path, "content": "x"}])


def test_an_answer_with_no_changes_keeps_everything_and_an_unchanged_rewrite_is_not_a_change():
    assert apply({"backend/src/app.ts": APP}) == {}
    assert apply({"backend/src/app.ts": APP}, files=[{"path": "backend/src/app.ts", "content": APP}]) == {}
