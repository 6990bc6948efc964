"""How long the verify stage takes on a generated project (both parts, every check, the contract
check included): cold, with an empty dependency cache, and warm, when the lockfiles were seen before.

    .venv/bin/python bench/verify.py ["<request>"]

Prints each check with its time, then the cold and warm totals side by side.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autodevos_site.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from testbed.rich_specs import RICH_REQUESTS  # noqa: E402
from testbed.verify import Recorded, generated, verify  # noqa: E402


def timed(files, spec, label: str) -> float:
    hooks = Recorded()
    started = time.monotonic()
    verify(files, spec, hooks)
    total = time.monotonic() - started
    print(f"{label}:")
    for check in hooks.checks:
        print(f"  {'✓' if check.passed else '✗'} {check.words:<66} {check.duration_s:6.1f} s")
    print(f"  total {total:.1f} s")
    return total


def main() -> None:
    request = sys.argv[1] if len(sys.argv) > 1 else RICH_REQUESTS["tool-shed"]
    files, spec = generated(request)
    settings.VERIFY_CHECKS = True
    with tempfile.TemporaryDirectory(prefix="verify-bench-cache-") as cache:
        settings.VERIFY_CACHE_DIR = Path(cache)
        cold = timed(files, spec, "cold (empty dependency cache)")
        warm = timed(files, spec, "warm (lockfiles seen before)")
        shutil.rmtree(Path(cache) / "work", ignore_errors=True)
    print(
        f"\nverify of {spec.title!r} on {os.cpu_count()} cores: cold {cold:.1f} s, warm {warm:.1f} s, "
        f"warm/cold {warm / cold:.2f}"
    )


if __name__ == "__main__":
    main()
