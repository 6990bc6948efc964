import pytest

from fake_api import FakeApi


@pytest.fixture
def fake_api():
    api = FakeApi()
    yield api
    api.close()
