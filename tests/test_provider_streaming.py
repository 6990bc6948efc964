"""Streamed answers (LLM_STREAM): the text so far is shown as it arrives, and a stream that breaks
is asked again without one. Real SDK clients against the stub servers, for both APIs."""

import json
from itertools import pairwise

import pytest
from pydantic import BaseModel, Field

from agents.providers import generate, get_provider
from orchestration.models import LLMCall
from orchestration.usage import llm_context
from testbed.stubs import APIS, Reply

LONG = {"title": "Pancakes", "steps": [f"Step {n}: stir the batter once more" for n in range(1, 31)]}
LONG_TEXT = json.dumps(LONG)


class Recipe(BaseModel):
    title: str
    steps: list[str] = Field(min_length=1)


@pytest.fixture(params=APIS, ids=lambda api: api.name)
def api(request):
    return request.param


def _ask(project, shown: list[str] | None = None):
    context = llm_context(project, on_text=None if shown is None else shown.append)
    return generate(
        get_provider(), system="You write recipes.", prompt="Pancakes, please.", schema=Recipe, context=context
    )


def _calls(project) -> list[LLMCall]:
    return list(LLMCall.objects.filter(project=project).order_by("attempt"))


def _streaming(settings, stub, api, **overrides):
    api.use(settings, stub, LLM_STREAM=True, LLM_STREAM_PROGRESS_S=0, **overrides)


def test_a_streamed_answer_is_shown_growing_and_ends_as_the_unstreamed_one(settings, project_a, api):
    with api.stub([Reply(json=LONG, tokens_in=70, tokens_out=300), Reply(json=LONG)]) as stub:
        _streaming(settings, stub, api)
        shown = []
        streamed = _ask(project_a, shown)
        settings.LLM_STREAM = False
        unstreamed = _ask(project_a)
    assert [r.asks_for_stream for r in stub.requests] == [True, False]
    assert len(shown) > 3
    assert all(earlier != later and later.startswith(earlier) for earlier, later in pairwise(shown))
    assert shown[-1] == streamed.raw_text == unstreamed.raw_text == LONG_TEXT
    assert streamed.value == unstreamed.value == Recipe(**LONG)
    first, second = _calls(project_a)
    assert (first.streamed, first.tokens_in, first.tokens_out, first.error) == (True, 70, 300, "")
    assert second.streamed is False


def test_nothing_streams_without_LLM_STREAM(settings, project_a, api):
    with api.stub([Reply(json=LONG)]) as stub:
        api.use(settings, stub, LLM_STREAM=False)
        shown = []
        _ask(project_a, shown)
    assert shown == []
    assert not stub.requests[0].asks_for_stream


def test_nothing_streams_when_nobody_watches(settings, project_a, api):
    with api.stub([Reply(json=LONG)]) as stub:
        _streaming(settings, stub, api)
        _ask(project_a)
    assert not stub.requests[0].asks_for_stream
    assert _calls(project_a)[0].streamed is False


def test_a_continued_answer_is_shown_growing_across_its_parts(settings, project_a, api):
    half = len(LONG_TEXT) // 2
    script = [Reply(text=LONG_TEXT[:half], finish_reason=api.cut_off), Reply(text=LONG_TEXT[half:])]
    with api.stub(script) as stub:
        _streaming(settings, stub, api)
        shown = []
        generated = _ask(project_a, shown)
    assert generated.value == Recipe(**LONG)
    assert any(len(text) > half for text in shown[:-1])
    assert all(later.startswith(earlier) for earlier, later in pairwise(shown))
    assert shown[-1] == LONG_TEXT
    assert [(c.streamed, c.truncated) for c in _calls(project_a)] == [(True, True), (True, False)]


def test_a_broken_stream_is_asked_again_without_streaming(settings, project_a, api):
    with api.stub([Reply(json=LONG, break_stream_after=3), Reply(json=LONG, tokens_out=300)]) as stub:
        _streaming(settings, stub, api)
        shown = []
        generated = _ask(project_a, shown)
    assert generated.value == Recipe(**LONG)
    assert [r.asks_for_stream for r in stub.requests] == [True, False]
    assert stub.requests[1].messages == stub.requests[0].messages
    broken, retried = _calls(project_a)
    assert (
        broken.streamed
        and broken.error.startswith("stream broke: ")
        and broken.error.endswith("; retried without streaming")
    )
    assert (retried.streamed, retried.error, retried.tokens_out) == (False, "", 300)
    assert shown[-1] == LONG_TEXT


def test_a_failing_retry_after_a_broken_stream_is_retried_as_usual_without_streaming(settings, project_a, api):
    with api.stub([Reply(json=LONG, break_stream_after=2), Reply(status=503), Reply(json=LONG)]) as stub:
        _streaming(settings, stub, api)
        assert _ask(project_a, []).value == Recipe(**LONG)
    assert [r.asks_for_stream for r in stub.requests] == [True, False, False]
    assert [c.error.split(":")[0] for c in _calls(project_a)] == ["stream broke", "HTTP 503", ""]


def test_an_error_before_the_stream_starts_is_retried_streamed(settings, project_a, api):
    with api.stub([Reply(status=429), Reply(json=LONG)]) as stub:
        _streaming(settings, stub, api)
        assert _ask(project_a, []).value == Recipe(**LONG)
    assert [r.asks_for_stream for r in stub.requests] == [True, True]
    assert [(c.streamed, c.error.split(":")[0]) for c in _calls(project_a)] == [(True, "HTTP 429"), (True, "")]


def test_a_secret_in_a_streamed_answer_never_reaches_on_text(settings, project_a, api):
    answer = {"title": f"The key is {api.key}", "steps": LONG["steps"]}
    with api.stub([Reply(json=answer, chunk_chars=5)]) as stub:
        _streaming(settings, stub, api)
        shown = []
        generated = _ask(project_a, shown)
    assert len(shown) > 3
    assert not any(api.key[:6] in text for text in shown)
    assert generated.value.title == "The key is [redacted]"
    assert '"The key is [redacted]"' in shown[-1]
