"""An LLM call row keeps a bounded beginning of its prompt and answer (LLM_CALL_STORE_MAX_CHARS)
with their full lengths and the answer's hash, also for rows stored before there was a limit."""

import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from pydantic import BaseModel

from agents.providers import generate, get_provider
from orchestration.models import LLMCall
from orchestration.usage import llm_context
from testbed.stubs import OpenAIStub, Reply, use_openai

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("orchestration", "0001_initial")]
AFTER = [("orchestration", "0002_llmcall_stored_lengths")]


class Answer(BaseModel):
    text: str


def test_a_long_prompt_and_answer_keep_their_beginning_length_and_hash(settings, project_a):
    settings.LLM_CALL_STORE_MAX_CHARS = 100
    answer = '{"text": "%s"}' % ("a" * 500)
    with OpenAIStub([Reply(text=answer)]) as stub:
        use_openai(settings, stub)
        generate(get_provider(), system="Answer.", prompt="p" * 300, schema=Answer, context=llm_context(project_a))
    call = LLMCall.objects.get()
    assert call.response == answer[:100] and call.response_chars == len(answer)
    assert call.response_sha256 == hashlib.sha256(answer.encode()).hexdigest()
    assert len(call.prompt) == 100 and call.prompt_chars > 300


def test_a_short_answer_is_kept_whole(settings, project_a):
    with OpenAIStub([Reply(json={"text": "hi"})]) as stub:
        use_openai(settings, stub)
        generate(get_provider(), system="Answer.", prompt="Say hi.", schema=Answer, context=llm_context(project_a))
    call = LLMCall.objects.get()
    assert call.response == '{"text": "hi"}' and call.response_chars == len(call.response)
    assert call.prompt_chars == len(call.prompt)


def test_calls_stored_before_the_limit_are_measured_and_cut(settings):
    settings.LLM_CALL_STORE_MAX_CHARS = 10
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    try:
        old_model = executor.loader.project_state(BEFORE).apps.get_model("orchestration", "LLMCall")
        old_model.objects.create(provider="openai", prompt="p" * 25, response="r" * 30)
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
    finally:
        MigrationExecutor(connection).migrate(leaves)
    call = LLMCall.objects.get()
    assert (call.prompt, call.prompt_chars) == ("p" * 10, 25)
    assert (call.response, call.response_chars) == ("r" * 10, 30)
    assert call.response_sha256 == hashlib.sha256(b"r" * 30).hexdigest()
