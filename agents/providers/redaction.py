"""Configured secrets out of everything a model says, before anything stores, shows or uses it.

A server that echoes the API key (some proxies do), or a model that was shown a secret, must not
get it into a plan, a file, a page or the database. generate() passes every answer through a
Redactor twice: its text (what the LLMCall row keeps and what is parsed) and the parsed JSON
value (a string can hold an escape that only decoding turns into the secret).

A secret is matched as it is and in the encodings that turn back into it on the way to a
reader, mixed freely character by character: JSON and JavaScript escapes (\\u002d, \\x2d,
\\u{2d}, \\/), URL encoding (%2D) and HTML character references (&#45;, &#x2d;), each also
applied twice (\\\\u002d, %252D, &amp;#45;). Not caught: a secret split into pieces, reversed,
base64- or hex-encoded, or only partly repeated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings

REDACTED = "[redacted]"
# Shorter values would match ordinary words (a test run's SECRET_KEY=x, Ollama's key "ollama").
MIN_SECRET_LENGTH = 8
_JSON_SHORT_ESCAPES = '"/\\'


def configured_secrets() -> list[str]:
    """The values of the settings named in SECRET_SETTINGS; of a URL, only its password."""
    found = []
    for name in settings.SECRET_SETTINGS:
        value = getattr(settings, name, "") or ""
        for item in [value] if isinstance(value, str) else value:
            if "://" in item:
                item = unquote(urlsplit(item).password or "")
            found.append(item)
    return found


class Redactor:
    def __init__(self, secrets: Iterable[str]):
        # Longest first, so that a secret containing another is replaced whole.
        kept = sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)
        self._pattern = re.compile("|".join(a for secret in kept for a in _alternatives(secret))) if kept else None

    @classmethod
    def from_settings(cls) -> Redactor:
        return cls(configured_secrets())

    def text(self, text: str) -> str:
        return self._pattern.sub(REDACTED, text) if self._pattern else text

    def data(self, value: Any) -> Any:
        """Decoded JSON with every string (keys included) redacted."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.data(item) for item in value]
        if isinstance(value, dict):
            return {self.text(key): self.data(item) for key, item in value.items()}
        return value


def _alternatives(secret: str) -> list[str]:
    """Patterns matching the secret, one for each way its first character may be written.

    Each starts with a plain character (a run of backslashes is "one, then any more", not "one or
    more"), so that the regex engine skips ahead to the few characters a match can start with: a
    50 MB answer takes under a second to scan rather than seconds per secret."""
    rest = "".join(f"(?:{'|'.join(_forms(char))})" for char in secret[1:])
    return [first + rest for first in _forms(secret[0])]


def _forms(char: str) -> list[str]:
    """One character of a secret written as itself or escaped in any of the ways above."""
    code = ord(char)
    forms = [re.escape(char), rf"\\\\*u\{{(?i:0*{code:x})\}}", rf"&(?:amp;)*#(?:0*{code}|[xX](?i:0*{code:x}));"]
    if code < 0x10000:
        forms.append(rf"\\\\*u(?i:{code:04x})")
    if code < 0x100:
        forms.append(rf"\\\\*x(?i:{code:02x})")
    if char in _JSON_SHORT_ESCAPES:
        forms.append(r"\\\\*" + re.escape(char))
    forms.append("".join(rf"%(?:25)*(?i:{byte:02x})" for byte in char.encode()))
    return forms
