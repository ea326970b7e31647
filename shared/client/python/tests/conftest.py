"""Fixtures every test module shares: the running API (npm test starts it:
test/integration/python-client.test.ts passes HM_API_URL and HM_API_KEY)."""

import os

import pytest


@pytest.fixture(scope="session")
def api():
    """The API's base URL and a tenant key."""
    url, key = os.environ.get("HM_API_URL"), os.environ.get("HM_API_KEY")
    if not url or not key:
        raise RuntimeError("set HM_API_URL and HM_API_KEY (npm test runs these tests against its server)")
    return url, key
