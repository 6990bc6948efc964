"""Exit 0 when PostgreSQL and Redis answer; 3 (skip) when not, or 1 under CI=true, where they must."""

import os
import socket
import sys
from urllib.parse import urlsplit


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port), timeout=2):
            return True
    except OSError:
        return False


def main(postgres_url: str, redis_url: str) -> int:
    down = [url for url in (postgres_url, redis_url) if not reachable(url)]
    if not down:
        return 0
    names = ", ".join(urlsplit(u).scheme for u in down)
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        print(f"FAIL: {names} unreachable; CI requires the PostgreSQL + Redis test run.", file=sys.stderr)
        return 1
    print(f"SKIP: {names} unreachable; the PostgreSQL + Redis test run was skipped.", file=sys.stderr)
    return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
