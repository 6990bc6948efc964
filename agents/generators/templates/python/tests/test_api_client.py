import pytest

from api_client import ApiClient, ApiError


def test_it_sends_json_and_returns_the_created_row(fake_api):
    client = ApiClient(fake_api.url, token="t")
    row = client.create("things", {"name": "A"})
    assert row == {"name": "A", "id": 1}
    assert fake_api.requests[-1]["body"] == {"name": "A"}


def test_it_keeps_the_token_from_login_for_later_requests(fake_api):
    client = ApiClient(fake_api.url)
    client.login("ada@example.com", "a-long-password")
    client.list("things")
    assert fake_api.requests[-1]["headers"]["Authorization"] == "Bearer fake-token"


def test_it_raises_the_apis_error_message(fake_api):
    client = ApiClient(fake_api.url)
    with pytest.raises(ApiError, match="404: Not found") as caught:
        client.update("things", 99, {"name": "B"})
    assert caught.value.status == 404


def test_it_deletes_a_row(fake_api):
    client = ApiClient(fake_api.url, token="t")
    row = client.create("things", {"name": "A"})
    client.delete("things", row["id"])
    assert client.list("things") == []
