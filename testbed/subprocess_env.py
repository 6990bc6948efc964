"""The environment for a `manage.py` subprocess whose settings must come only from what a test gives it."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def environ_without_settings() -> dict[str, str]:
    """os.environ less every variable .env.example documents. settings.py copies the checkout's .env
    into os.environ, so without this a subprocess would inherit a developer's local values (such as
    SECURE_SSL_REDIRECT=false) whatever ENV_FILE it is given."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    names = {line.split("=", 1)[0] for line in lines if "=" in line and not line.startswith("#")}
    return {name: value for name, value in os.environ.items() if name not in names}
