"""generate(): one validated, structured answer from a model.

Every HTTP attempt is recorded: a CallRecord handed to the context's UsageRecorder, which
orchestration.usage stores as an LLMCall row and charges to the budget. Attempts that fail with
429, 5xx, a timeout or a lost connection are retried with exponential backoff and jitter (or the
server's Retry-After); an answer that is not JSON, fails the schema or fails `validate` goes back
to the model with the problems, up to LLM_MAX_REPAIRS times. An answer cut off at the model's output limit is not
repaired but continued: the model is asked for the rest, up to LLM_MAX_CONTINUATIONS times, and
the parts are parsed as one answer. The provider is never swapped for another.

With LLM_STREAM and a context that has `on_text`, answers are streamed and on_text is shown the
text so far. A stream that breaks once it has begun is asked again at once, without a stream.

Every configured secret is removed from each answer (agents.providers.redaction) before it is
stored, parsed, shown or sent back: from its text here, and from the parsed value in parse_answer.
The text so far that on_text is shown lacks its last characters, which could be the start of one.
A stored row keeps at most LLM_CALL_STORE_MAX_CHARS of a prompt and of an answer, with the full
lengths and the answer's SHA-256.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from opentelemetry import trace
from pydantic import BaseModel, ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from .base import AttemptFailed, Completion, Message, Provider, ProviderError, StreamBroke, output_limit
from .budget import estimate_call
from .redaction import Redactor, configured_secrets

logger = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)

_FENCE = re.compile(r"^```[A-Za-z0-9_-]*\s*\n?(.*?)\n?\s*```$", re.DOTALL)
# The longest way redaction knows to write one ASCII character of a secret ("&amp;#x2d;"): a streamed
# text keeps this many characters per character of the longest secret back, until it is complete.
_LONGEST_ESCAPE = 10

CONTINUE_REQUEST = (
    "Your answer was cut off at the output limit. Continue exactly where it stopped: reply with only "
    "the rest, starting with the very next character. Repeat nothing, and add no code fences."
)


@dataclass(frozen=True)
class CallRecord:
    """One HTTP attempt as it is stored: prompt and answer without secrets, cut to LLM_CALL_STORE_MAX_CHARS."""

    provider: str
    model: str
    prompt: str
    prompt_chars: int
    response: str
    response_chars: int
    response_sha256: str
    tokens_in: int
    tokens_out: int
    latency_ms: int
    attempt: int
    error: str
    streamed: bool
    truncated: bool

    def fields(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class UsageRecorder(Protocol):
    """Where a call is recorded and charged; orchestration.usage has the one that writes LLMCall rows."""

    def check_budget(self, estimate: int, *, spent_here: int) -> None:
        """Raise BudgetExceeded when a call of about `estimate` tokens would pass the budget;
        `spent_here` is what this generate() has used so far."""

    def record(self, call: CallRecord) -> int | None:
        """Keep the attempt and charge its tokens; returns the stored call's id, if it has one."""


@dataclass
class LLMContext:
    """What a call is recorded and charged to (a task of a run, or planning a project), and who watches it."""

    usage: UsageRecorder
    # Shown the answer's text so far while it streams in (LLM_STREAM), without secrets.
    on_text: Callable[[str], None] | None = None


@dataclass(frozen=True)
class Generated:
    value: Any  # an instance of the schema (or what `validate` returned instead)
    raw_text: str
    tokens_in: int  # all attempts of this call, continuations and repairs included
    tokens_out: int
    latency_ms: int  # wall time of the whole call, waits included
    call_ids: tuple[int, ...] = ()  # the LLMCall rows, e.g. to link them to the PlanVersion


class InvalidAnswer(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def generate(
    provider: Provider,
    *,
    system: str,
    prompt: str,
    schema: type[BaseModel],
    context: LLMContext,
    validate: Callable[[Any], Any] | None = None,
) -> Generated:
    """The model's answer as a `schema` instance that passed `validate` (which may raise ValueError,
    or return a replacement value). Raises ProviderError in plain words, BudgetExceeded before
    a call that would pass the token budget."""
    if provider.offline:
        raise ProviderError("The offline provider makes no model calls; its planner and agents run without one.")
    session = _Session(provider, system, schema, context)
    conversation = [Message("user", prompt)]
    tries = settings.LLM_MAX_REPAIRS + 1
    for _ in range(tries):
        answer = session.answer(conversation)
        try:
            value = parse_answer(answer.text, schema, validate, redactor=session.redactor)
        except InvalidAnswer as exc:
            problems = exc.problems
            session.record(
                answer.asked, completion=answer.last, latency_ms=answer.latency_ms, error=f"unusable answer: {exc}"
            )
            conversation = conversation + [Message("assistant", answer.text), Message("user", repair_request(problems))]
            continue
        session.record(answer.asked, completion=answer.last, latency_ms=answer.latency_ms)
        return session.result(value, answer.text)
    raise ProviderError(
        f"The {provider.label} model did not give a usable answer in {tries} tries. "
        f"The last answer had these problems: {session.redactor.text('; '.join(problems))}"
    )


def parse_answer(
    text: str, schema: type[BaseModel], validate: Callable[[Any], Any] | None = None, *, redactor: Redactor
) -> Any:
    """The answer as a schema instance, or InvalidAnswer listing every problem found. Secrets are
    removed from the decoded value, before the schema or `validate` sees it: an escape in the text
    (\\u002d) only becomes the secret once decoded."""
    stripped = text.strip()
    if match := _FENCE.match(stripped):
        stripped = match.group(1).strip()
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError as exc:
        raise InvalidAnswer(
            [f"the answer is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"]
        ) from None
    try:
        value = schema.model_validate(redactor.data(data))
    except ValidationError as exc:
        raise InvalidAnswer([_describe(error) for error in exc.errors()]) from None
    if validate is None:
        return value
    try:
        replacement = validate(value)
    except ValueError as exc:
        errors = getattr(exc, "errors", None)
        raise InvalidAnswer([str(e) for e in errors] if isinstance(errors, list) and errors else [str(exc)]) from None
    return value if replacement is None else replacement


def repair_request(problems: list[str]) -> str:
    listed = "\n".join(f"- {p}" for p in problems)
    return (
        f"Your previous answer could not be used:\n{listed}\n"
        "Reply again with the complete, corrected JSON only, following the schema."
    )


def _describe(error: dict) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "the answer"
    return f"{where}: {error['msg']}"


@dataclass(frozen=True)
class _Answer:
    """A whole answer, with the request and reply of its last part (all earlier parts are recorded)."""

    text: str  # every part, joined
    asked: list[Message]
    last: Completion
    latency_ms: int


class _Session:
    """The attempts of one generate() call: numbering, budget, retries, continuations and their records."""

    def __init__(self, provider: Provider, system: str, schema: type[BaseModel], context: LLMContext):
        self.provider = provider
        self.system_prompt = system
        self.schema = schema
        self.context = context
        self.attempt = 0
        self.tokens_in = 0
        self.tokens_out = 0
        self.call_ids: list[int] = []
        self.started = time.monotonic()
        self.redactor = Redactor.from_settings()
        self.on_text = context.on_text if settings.LLM_STREAM else None
        self.held_back = _LONGEST_ESCAPE * max(map(len, configured_secrets()), default=0)
        self.shown = ""

    @property
    def system(self) -> str:
        """The system text as sent now: a provider may change how it asks for JSON between attempts."""
        return self.provider.instructions(self.system_prompt, self.schema)

    def answer(self, conversation: list[Message]) -> _Answer:
        """The model's whole answer: while it stops at the output limit, it is asked to go on."""
        limit = output_limit(self.provider.model)
        asked, text = conversation, ""
        for part in range(settings.LLM_MAX_CONTINUATIONS + 1):
            # A continuation is the rest of a JSON text, which the schema cannot describe.
            completion, latency_ms = self.ask(asked, self.schema if part == 0 else None, self._progress(text))
            # Redacted whole again: a secret may straddle two parts.
            text = self.redactor.text(text + completion.text)
            if not completion.truncated:
                self._show(text)
                return _Answer(text, asked, completion, latency_ms)
            error = f"answer cut off at the output limit ({limit} tokens)"
            if part < settings.LLM_MAX_CONTINUATIONS:
                error += "; asked to continue"
            self.record(asked, completion=completion, latency_ms=latency_ms, error=error)
            asked = conversation + [Message("assistant", text), Message("user", CONTINUE_REQUEST)]
        raise ProviderError(
            f"The answer kept reaching the model's output limit of {limit} tokens; {settings.LLM_MAX_CONTINUATIONS} "
            f"continuations did not finish it. Raise the limit for {self.provider.model} in LLM_OUTPUT_LIMITS "
            "(or LLM_MAX_OUTPUT_TOKENS) if the model allows more, or ask for less at once."
        )

    def ask(
        self, conversation: list[Message], schema: type[BaseModel] | None, on_text: Callable[[str], None] | None
    ) -> tuple[Completion, int]:
        """One reply, streamed when on_text is given, retrying transient failures; ProviderError once it gives up."""
        tries = settings.LLM_MAX_RETRIES + 1
        retrying = Retrying(
            stop=stop_after_attempt(tries),
            wait=_wait_for_server_or_backoff(),
            retry=retry_if_exception(lambda exc: isinstance(exc, AttemptFailed) and exc.retryable),
            before_sleep=self._log_retry,
            reraise=True,
        )
        first = self.attempt
        streaming = on_text

        def attempt() -> tuple[Completion, int]:
            nonlocal streaming
            try:
                return self._attempt_once(conversation, schema, streaming)
            except StreamBroke:
                # What had arrived is lost: ask again at once, without a stream, and keep it off for
                # the retries of this reply, as what broke it (often a proxy) may break it again.
                streaming = None
                return self._attempt_once(conversation, schema, None)

        try:
            completion, latency_ms = retrying(attempt)
        except AttemptFailed as exc:
            made = self.attempt - first
            label = self.provider.label
            if exc.retryable:
                attempts = f"{made} attempt{'s' if made > 1 else ''}"
                message = f"The {label} service kept failing ({exc.reason}) after {attempts}; try again later."
            else:
                message = f"The {label} service refused the request ({exc}). {exc.hint}".strip()
            logger.warning("%s call gave up: %s", self.provider.name, self.redactor.text(message))
            raise ProviderError(self.redactor.text(message)) from None
        return dataclasses.replace(completion, text=self.redactor.text(completion.text)), latency_ms

    def _attempt_once(
        self, conversation: list[Message], schema: type[BaseModel] | None, on_text: Callable[[str], None] | None
    ) -> tuple[Completion, int]:
        self.context.usage.check_budget(
            estimate_call(self.system, conversation), spent_here=self.tokens_in + self.tokens_out
        )
        self.attempt += 1
        started = time.monotonic()
        # The call's span says which model was asked and what it cost; never the prompt or the answer,
        # nor an error's text, which may quote them.
        with tracer.start_as_current_span(
            f"chat {self.provider.model}",
            kind=trace.SpanKind.CLIENT,
            attributes={
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": self.provider.name,
                "gen_ai.request.model": self.provider.model,
                "autodevos.llm.attempt": self.attempt,
            },
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                completion = self.provider.complete(self.system, conversation, schema, on_text=on_text)
            except AttemptFailed as exc:
                span.set_status(trace.StatusCode.ERROR, self.redactor.text(exc.reason))
                then = "; retried without streaming" if isinstance(exc, StreamBroke) else ""
                self.record(
                    conversation, latency_ms=_ms_since(started), error=f"{exc}{then}", streamed=on_text is not None
                )
                raise
            latency_ms = _ms_since(started)
            span.set_attributes(
                {
                    "gen_ai.usage.input_tokens": completion.tokens_in,
                    "gen_ai.usage.output_tokens": completion.tokens_out,
                    "autodevos.llm.latency_ms": latency_ms,
                }
            )
        return completion, latency_ms

    def _progress(self, before: str) -> Callable[[str], None] | None:
        """What a provider streaming a reply calls with its text so far (None when nobody watches):
        on_text is shown it after the parts `before`, without secrets nor its last characters, which
        may be the start of one still arriving."""
        if self.on_text is None:
            return None

        def show_settled(text: str) -> None:
            shown = self.redactor.text(before + text)
            self._show(shown[: max(0, len(shown) - self.held_back)])

        return show_settled

    def _show(self, text: str) -> None:
        if self.on_text and text and text != self.shown:
            self.shown = text
            self.on_text(text)

    def record(
        self,
        conversation: list[Message],
        *,
        completion: Completion | None = None,
        latency_ms: int,
        error: str = "",
        streamed: bool = False,
    ) -> None:
        tokens_in, tokens_out = (completion.tokens_in, completion.tokens_out) if completion else (0, 0)
        prompt = self.redactor.text(self._transcript(conversation))
        response = completion.text if completion else ""  # ask() redacted it
        kept = settings.LLM_CALL_STORE_MAX_CHARS
        call_id = self.context.usage.record(
            CallRecord(
                provider=self.provider.name,
                model=self.provider.model,
                prompt=prompt[:kept],
                prompt_chars=len(prompt),
                response=response[:kept],
                response_chars=len(response),
                response_sha256=hashlib.sha256(response.encode()).hexdigest(),
                tokens_in=tokens_in,
                tokens_out=tokens_out,
                latency_ms=latency_ms,
                attempt=self.attempt,
                error=self.redactor.text(error),
                streamed=streamed or bool(completion and completion.streamed),
                truncated=bool(completion and completion.truncated),
            )
        )
        if call_id is not None:
            self.call_ids.append(call_id)
        self.tokens_in += tokens_in
        self.tokens_out += tokens_out

    def result(self, value: Any, raw_text: str) -> Generated:
        return Generated(
            value, raw_text, self.tokens_in, self.tokens_out, _ms_since(self.started), tuple(self.call_ids)
        )

    def _transcript(self, conversation: list[Message]) -> str:
        parts = [f"### system\n{self.system}"] + [f"### {m.role}\n{m.text}" for m in conversation]
        return "\n\n".join(parts)

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception()
        logger.info(
            "%s attempt %d failed (%s); retrying in %.1f s",
            self.provider.name,
            self.attempt,
            self.redactor.text(str(exc)),
            state.next_action.sleep if state.next_action else 0,
        )


def _wait_for_server_or_backoff() -> Callable[[RetryCallState], float]:
    """Retry-After when the server sent one (never longer than LLM_BACKOFF_MAX_S), else
    exponential backoff with jitter."""
    cap = settings.LLM_BACKOFF_MAX_S
    backoff = wait_exponential_jitter(initial=settings.LLM_BACKOFF_BASE_S, max=cap, jitter=settings.LLM_BACKOFF_BASE_S)

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, AttemptFailed) and exc.retry_after is not None:
            return min(exc.retry_after, cap)
        return backoff(state)

    return wait


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
