"""Token estimates: what a call will cost is checked against the budget before it is made, with
an estimate; the recorder a call is given (LLMContext.usage) knows the budget and the real usage."""

from __future__ import annotations

from django.conf import settings

from .base import Message, estimate_tokens


def estimate_call(system: str, messages: list[Message]) -> int:
    return estimate_tokens(system + "".join(m.text for m in messages)) + settings.LLM_OUTPUT_TOKEN_ESTIMATE
