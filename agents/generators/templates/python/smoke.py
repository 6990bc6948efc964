"""A walk through the whole API: create one record of each kind, list, change, then delete them.

    API_URL=http://localhost:3000 python smoke.py
"""

from __future__ import annotations

import os
import uuid

from api_client import ApiClient

# Each kind of record in an order where what a record points at is created first:
# (collection, sample input, {relation id field: collection it points at}).
STEPS: list[tuple[str, dict, dict[str, str]]] = %%STEPS%%
NEEDS_LOGIN = %%NEEDS_LOGIN%%


def run_smoke(client: ApiClient) -> list[str]:
    """Runs the walk-through and returns what it did, one line per step."""
    done: list[str] = []
    if NEEDS_LOGIN:
        client.register(f"smoke-{uuid.uuid4().hex[:8]}@example.com", "smoke-test-password")
        done.append("registered an account")
    created: dict[str, dict] = {}
    for collection, sample, links in STEPS:
        data = dict(sample) | {field: created[target]["id"] for field, target in links.items()}
        created[collection] = client.create(collection, data)
        done.append(f"created {collection} #{created[collection]['id']}")
    for collection, sample, _ in STEPS:
        ids = [row["id"] for row in client.list(collection)]
        assert created[collection]["id"] in ids, f"{collection} #{created[collection]['id']} is not listed"
        client.update(collection, created[collection]["id"], sample)
        done.append(f"listed and changed {collection}")
    for collection, _, _ in reversed(STEPS):
        client.delete(collection, created[collection]["id"])
        done.append(f"deleted {collection} #{created[collection]['id']}")
    return done


if __name__ == "__main__":
    for line in run_smoke(ApiClient(os.environ.get("API_URL", "http://localhost:3000"))):
        print(line)
