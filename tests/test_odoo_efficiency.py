"""The data layer is cheap on Odoo's API: a full extraction (for status or for a forecast) costs a fixed number
of round trips whatever the size of the company, pagination aside; reads are batched (paged search_read with
named fields, read_group for aggregates, id-batched read), never one call per record."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.server import RunningServer
from tests.conftest import AS_OF
from tests.test_odoo_support import client_for, reset_stats, serving, stats
from tools.odoo.client import OdooClient
from tools.odoo.extract import extract_snapshot
from tools.odoo.status import inventory

NO_PAGES = 10**6
BUDGET = 25


@pytest.fixture(scope="module")
def small() -> Iterator[RunningServer]:
    with serving(scale=0.1) as server:
        yield server


@pytest.fixture(scope="module")
def large() -> Iterator[RunningServer]:
    with serving(scale=0.5) as server:
        yield server


def measure(server: RunningServer, what: str, page_size: int = NO_PAGES) -> tuple[dict[str, int], Any]:
    """Connect and run ``what`` (status or forecast extraction); the calls the server saw, by model.method."""
    reset_stats(server)
    client = client_for(server, page_size=page_size)
    result = inventory(client, as_of=AS_OF) if what == "status" else extract_snapshot(client, as_of=AS_OF)
    seen = stats(server)
    assert seen["requests"] == client.calls  # the client counts what the server sees
    calls = dict(seen["by_model_method"])
    calls.update({k: v for k, v in seen["by_service"].items() if k.startswith("common.")})
    return calls, result


@pytest.mark.parametrize("what", ["status", "forecast"])
def test_the_number_of_calls_does_not_grow_with_the_company(small: RunningServer, large: RunningServer,
                                                            what: str) -> None:
    few, small_result = measure(small, what)
    many, large_result = measure(large, what)
    assert few == many
    if what == "forecast":
        assert len(large_result.installments) > 3 * len(small_result.installments)


@pytest.mark.parametrize("what", ["status", "forecast"])
def test_a_full_extraction_stays_within_the_call_budget(sandbox: RunningServer, what: str) -> None:
    calls, _ = measure(sandbox, what)
    total = sum(calls.values()) + 1  # + the version probe, which is not a model call
    assert total <= BUDGET, calls
    assert max(calls.values()) <= 3, calls  # nothing is read record by record


def test_pagination_only_adds_search_read_and_read_pages(sandbox: RunningServer) -> None:
    whole, one_go = measure(sandbox, "forecast")
    paged, in_pages = measure(sandbox, "forecast", page_size=300)
    assert in_pages.model_dump(exclude={"rpc_calls"}) == one_go.model_dump(exclude={"rpc_calls"})
    extra = {k: paged[k] - whole.get(k, 0) for k in paged if paged[k] != whole.get(k, 0)}
    assert extra and all(k.endswith((".search_read", ".read")) for k in extra), extra
    assert paged["account.move.line.search_read"] >= len(one_go.installments) // 300


def test_every_read_names_its_fields(sandbox: RunningServer) -> None:
    client = client_for(sandbox)
    seen: list[tuple[str, str, dict[str, Any]]] = []
    transport = client._transport
    assert transport is not None
    original = transport.execute_kw

    def spy(model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        seen.append((model, method, kwargs))
        return original(model, method, args, kwargs)

    transport.execute_kw = spy  # type: ignore[method-assign]
    inventory(client, as_of=AS_OF)
    extract_snapshot(client, as_of=AS_OF)
    reads = [(m, kw) for m, method, kw in seen if method in ("search_read", "read")]
    assert reads and all(kw.get("fields") for _, kw in reads)
    assert all("limit" in kw for m, method, kw in seen if method == "search_read")  # paged or bounded
    groups = [m for m, method, _ in seen if method == "read_group"]
    assert groups  # aggregates come from read_group


def test_status_reads_no_history(sandbox: RunningServer) -> None:
    reset_stats(sandbox)
    client: OdooClient = client_for(sandbox)
    inventory(client, as_of=AS_OF)
    calls = stats(sandbox)["by_model_method"]
    assert "account.partial.reconcile.search_read" not in calls and "account.move.line.search_read" not in calls
