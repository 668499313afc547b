"""Transient failures (dropped connections, timeouts, HTTP 502/503/504, PostgreSQL serialization failures) are
retried with exponential backoff and jitter, within a bounded number of attempts and a bounded time, each retry
logged; access errors, bad credentials and bad requests are never retried. The sandbox counts the requests it
saw, so every test states exactly how many were sent."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest

from sandbox import rights
from sandbox.server import RunningServer
from sandbox.store import Store
from tests.test_odoo_support import clear_faults, client_for, inject, reset_stats, serving, stats
from tools.odoo.client import OdooClient
from tools.odoo.errors import OdooAccessError, OdooAuthError, OdooBadRequest, OdooUnavailable

INVOICES = [("move_type", "=", "out_invoice"), ("state", "=", "posted")]


@pytest.fixture(scope="module")
def flaky(demo_base: Store) -> Iterator[RunningServer]:
    """A sandbox of this module's own, so injected faults never reach another test."""
    from sandbox.factory import service_for

    server = RunningServer(service_for(demo_base.copy_to_memory())).start()
    yield server
    server.stop()


@pytest.fixture
def client(flaky: RunningServer) -> Iterator[OdooClient]:
    connected = client_for(flaky, retry_attempts=4)
    reset_stats(flaky)
    yield connected
    clear_faults(flaky)


def requests(server: RunningServer) -> int:
    return int(stats(server)["requests"])


@pytest.mark.parametrize("kind", ["503", "502", "504", "drop", "serialization"])
def test_a_transient_failure_is_retried_until_the_call_succeeds(kind: str, flaky: RunningServer, client: OdooClient,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    expected = client.search_count("account.move", INVOICES)
    reset_stats(flaky)
    inject(flaky, kind, count=2, path="/jsonrpc")
    with caplog.at_level(logging.WARNING, logger="tools.odoo.client"):
        assert client.search_count("account.move", INVOICES) == expected
    assert requests(flaky) == 3  # two failures, then the answer
    retries = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retries) == 2
    assert retries[0].startswith("account.move.search_count failed (attempt 1 of 4): ")


def test_connecting_is_retried_too(flaky: RunningServer) -> None:
    reset_stats(flaky)
    inject(flaky, "503", count=2, path="/web/webclient/version_info")
    client = client_for(flaky)
    assert client.uid == 6
    assert stats(flaky)["by_endpoint"]["/web/webclient/version_info"] == 3


def test_json2_calls_are_retried_the_same_way() -> None:
    with serving(version=19) as odoo19:
        client = client_for(odoo19, secret="cashbot-api-key", api_key=True)
        reset_stats(odoo19)
        inject(odoo19, "502", count=1, path="/json/2")
        inject(odoo19, "drop", count=1, path="/json/2")
        assert client.search_count("res.company", []) == 2
        assert stats(odoo19)["by_endpoint"]["/json/2"] == 3


def test_retries_stop_after_the_configured_number_of_attempts(flaky: RunningServer) -> None:
    client = client_for(flaky, retry_attempts=3)
    reset_stats(flaky)
    inject(flaky, "503", count=10, path="/jsonrpc")
    with pytest.raises(OdooUnavailable) as caught:
        client.search_count("account.move", INVOICES)
    assert requests(flaky) == 3
    assert str(caught.value) == f"Odoo at {flaky.url} is temporarily unavailable (HTTP 503); retry later"
    clear_faults(flaky)


def test_retries_stop_within_the_configured_time(flaky: RunningServer) -> None:
    client = client_for(flaky, retry_attempts=20, retry_base_seconds=0.2, retry_max_seconds=0.6)
    reset_stats(flaky)
    inject(flaky, "503", count=50, path="/jsonrpc")
    started = time.monotonic()
    with pytest.raises(OdooUnavailable):
        client.search_count("account.move", INVOICES)
    assert time.monotonic() - started < 1.5  # never sleeps past the budget
    assert 1 < requests(flaky) < 20
    clear_faults(flaky)


def test_a_timeout_is_retried(flaky: RunningServer) -> None:
    client = client_for(flaky, timeout=0.5)
    reset_stats(flaky)
    inject(flaky, "slow", count=1, path="/jsonrpc", delay=1.2)
    assert client.search_count("res.company", []) == 2
    assert requests(flaky) == 2


def test_a_timeout_that_persists_says_to_raise_the_timeout(flaky: RunningServer) -> None:
    client = client_for(flaky, timeout=0.2, retry_attempts=2)
    inject(flaky, "slow", count=2, path="/jsonrpc", delay=0.6)
    with pytest.raises(OdooUnavailable) as caught:
        client.search_count("res.company", [])
    assert str(caught.value) == (f"Odoo at {flaky.url} did not answer within 0.2 s; retry later or raise "
                                 "ODOO_TIMEOUT")
    time.sleep(0.5)  # let the server finish the slow requests


def test_an_access_error_is_not_retried(flaky: RunningServer, client: OdooClient,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(rights.ACCESS, "account.payment", [("account.group_account_invoice", "rwcu")])
    reset_stats(flaky)
    with pytest.raises(OdooAccessError):
        client.search_read("account.payment", [], ["name"])
    assert requests(flaky) == 1


def test_a_bad_request_is_not_retried(flaky: RunningServer, client: OdooClient) -> None:
    with pytest.raises(OdooBadRequest):
        client.search_read("account.move", [("no_such_field", "=", 1)], ["name"])
    assert requests(flaky) == 1


def test_wrong_credentials_are_not_retried(flaky: RunningServer) -> None:
    reset_stats(flaky)
    with pytest.raises(OdooAuthError):
        client_for(flaky, secret="wrong", retry_attempts=5)
    seen = stats(flaky)
    assert seen["requests"] == 2  # version_info and one login, no retry
    assert seen["by_service"]["common.login"] == 1
