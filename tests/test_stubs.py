"""The stub LLM servers other tests script: they must fail loudly when a test's script runs out."""

import json
import urllib.error
import urllib.request

import pytest

from testbed.stubs import GeminiStub, OpenAIStub, Reply


def _post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_script_that_runs_out_answers_with_an_error_that_says_so():
    with OpenAIStub([Reply(json={"a": 1})]) as stub:
        assert _post(f"{stub.url}/chat/completions", {"messages": []})[0] == 200
        status, body = _post(f"{stub.url}/chat/completions", {"messages": []})
    assert status == 500
    assert body["error"]["message"] == "the OpenAI-compatible stub has no reply scripted for request 2"


def test_a_responder_answers_from_the_request():
    def echo(request):
        return Reply(json={"heard": request.last_user_text})

    with GeminiStub(echo) as stub:
        status, body = _post(
            f"{stub.url}/v1beta/models/m:generateContent", {"contents": [{"role": "user", "parts": [{"text": "ping"}]}]}
        )
    assert status == 200
    assert json.loads(body["candidates"][0]["content"]["parts"][0]["text"]) == {"heard": "ping"}


@pytest.mark.parametrize("stub_class", [GeminiStub, OpenAIStub])
def test_an_unknown_path_is_not_found_and_uses_no_reply(stub_class):
    with stub_class([Reply(json={})]) as stub:
        status, _ = _post(f"{stub.root_url}/nowhere", {})
        assert stub.remaining == 1
    assert status == 404
