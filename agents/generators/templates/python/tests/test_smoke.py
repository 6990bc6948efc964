import os

import pytest

from api_client import ApiClient
from smoke import STEPS, run_smoke


def test_the_walk_through_creates_every_kind_of_record(fake_api):
    run_smoke(ApiClient(fake_api.url))
    created = [r["path"] for r in fake_api.requests if r["method"] == "POST" and "/auth/" not in r["path"]]
    assert created == [f"/api/{collection}" for collection, _, _ in STEPS]


def test_the_walk_through_links_records_to_those_created_before(fake_api):
    run_smoke(ApiClient(fake_api.url))
    posts = {r["path"]: r["body"] for r in fake_api.requests if r["method"] == "POST"}
    for collection, _, links in STEPS:
        for field in links:
            assert isinstance(posts[f"/api/{collection}"][field], int)


def test_the_walk_through_leaves_nothing_behind(fake_api):
    run_smoke(ApiClient(fake_api.url))
    assert all(rows == [] for rows in fake_api.rows.values())


@pytest.mark.skipif(not os.environ.get("API_URL"), reason="set API_URL to run against a running API")
def test_the_walk_through_passes_against_the_running_api():
    steps = run_smoke(ApiClient(os.environ["API_URL"]))
    assert steps[-1].startswith("deleted")
