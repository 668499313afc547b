"""The sandbox's own endpoints: request statistics and injected faults (for the product's retry tests)."""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.error
import xmlrpc.client
from collections.abc import Iterator

import pytest

from sandbox.server import RunningServer
from tests.test_sandbox_support import (
    DB,
    build_store,
    host_port,
    http_request,
    json2,
    jsonrpc,
    odoo,
    serving,
    xmlrpc_proxy,
)


@pytest.fixture
def server() -> Iterator[RunningServer]:
    """A server of its own per test: stats and faults are server-wide state."""
    with serving(build_store()) as running:
        yield running


@pytest.fixture
def server19() -> Iterator[RunningServer]:
    with serving(build_store(version=19)) as running:
        yield running


def stats(server: RunningServer) -> dict:
    answer = http_request(server, "/sandbox/stats", method="GET")
    assert answer.status == 200
    return answer.json


def inject(server: RunningServer, **spec: object) -> None:
    answer = http_request(server, "/sandbox/faults", json.dumps(spec))
    assert answer.status == 200, answer.text
    assert answer.json == {"ok": True}


# -- stats ------------------------------------------------------------------------------------------
def test_stats_count_requests_and_calls_by_model_and_method(server19: RunningServer) -> None:
    server = server19
    client = odoo(server)
    assert http_request(server, "/sandbox/stats/reset", "").json == {"ok": True}
    client.execute_kw("account.move", "search_read", [[]], {"fields": ["name"], "limit": 2})
    client.execute_kw("account.move", "search_read", [[]], {"fields": ["name"], "limit": 2})
    client.execute_kw("res.partner", "search_count", [[]])
    xmlrpc_proxy(server, "object").execute_kw(DB, 2, "admin", "res.partner", "search", [[]])
    json2(server, "sale.order", "search_count", {"domain": []})
    seen = stats(server)
    assert seen["requests"] == 5
    assert seen["calls"] == 5
    assert seen["by_model_method"] == {"account.move.search_read": 2, "res.partner.search_count": 1,
                                       "res.partner.search": 1, "sale.order.search_count": 1}
    assert seen["by_endpoint"] == {"/jsonrpc": 3, "/xmlrpc/2/object": 1, "/json/2": 1}


def test_stats_reset_starts_from_zero_and_stats_requests_are_not_counted(server: RunningServer) -> None:
    jsonrpc(server, "/jsonrpc", {"service": "common", "method": "version", "args": []})
    http_request(server, "/sandbox/stats/reset", "")
    stats(server)
    seen = stats(server)
    assert seen["requests"] == 0
    assert seen["calls"] == 0
    assert seen["by_model_method"] == {}


def test_stats_count_failed_calls_too(server: RunningServer) -> None:
    http_request(server, "/sandbox/stats/reset", "")
    jsonrpc(server, "/jsonrpc", {"service": "object", "method": "execute_kw",
                                 "args": [DB, 2, "admin", "account.move", "nope", [[]]]})
    assert stats(server)["by_model_method"] == {"account.move.nope": 1}


# -- faults -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_faults_fail_the_next_n_requests_with_that_status(server: RunningServer, status: int) -> None:
    inject(server, kind=str(status), count=2)
    ask = {"service": "common", "method": "version", "args": []}
    assert jsonrpc(server, "/jsonrpc", ask).status == status
    assert jsonrpc(server, "/jsonrpc", ask).status == status
    assert jsonrpc(server, "/jsonrpc", ask).json["result"]["server_serie"] == "17.0"


def test_a_gateway_fault_keeps_the_connection_usable(server: RunningServer) -> None:
    inject(server, kind="503", count=1)
    host, port = host_port(server)
    conn = http.client.HTTPConnection(host, port, timeout=10)
    body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": {"service": "db", "method": "list", "args": []}})
    conn.request("POST", "/jsonrpc", body, {"Content-Type": "application/json"})
    first = conn.getresponse()
    first.read()
    conn.request("POST", "/jsonrpc", body, {"Content-Type": "application/json"})
    second = conn.getresponse()
    assert (first.status, second.status) == (503, 200)
    assert json.loads(second.read())["result"] == ["demo"]
    conn.close()


def test_drop_fault_closes_the_connection_without_an_answer(server: RunningServer) -> None:
    inject(server, kind="drop", count=1)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        jsonrpc(server, "/jsonrpc", {"service": "db", "method": "list", "args": []})
    assert jsonrpc(server, "/jsonrpc", {"service": "db", "method": "list", "args": []}).json["result"] == ["demo"]


def test_serialization_fault_is_an_odoo_error_in_each_protocol(server19: RunningServer) -> None:
    server = server19
    inject(server, kind="serialization", count=3)
    answer = jsonrpc(server, "/jsonrpc", {"service": "db", "method": "list", "args": []}, request_id=9)
    assert answer.status == 200
    assert answer.json["id"] == 9
    assert answer.json["error"]["data"]["name"] == "psycopg2.errors.SerializationFailure"
    with pytest.raises(xmlrpc.client.Fault) as caught:
        xmlrpc_proxy(server, "db").list()
    assert caught.value.faultCode == 1
    assert "SerializationFailure" in caught.value.faultString
    rest = json2(server, "res.partner", "search_count", {"domain": []})
    assert rest.status == 500
    assert rest.json["name"] == "psycopg2.errors.SerializationFailure"


def test_a_fault_can_target_one_path_only(server: RunningServer) -> None:
    inject(server, kind="503", count=1, path="/xmlrpc/2/object")
    assert jsonrpc(server, "/jsonrpc", {"service": "db", "method": "list", "args": []}).status == 200
    with pytest.raises(xmlrpc.client.ProtocolError) as caught:
        xmlrpc_proxy(server, "object").execute_kw(DB, 2, "admin", "res.partner", "search_count", [[]])
    assert caught.value.errcode == 503
    assert xmlrpc_proxy(server, "object").execute_kw(DB, 2, "admin", "res.partner", "search_count", [[]]) > 0


def test_a_delayed_fault_answers_late(server: RunningServer) -> None:
    inject(server, kind="slow", count=1, delay=0.3)
    started = time.monotonic()
    answer = jsonrpc(server, "/jsonrpc", {"service": "db", "method": "list", "args": []})
    assert time.monotonic() - started >= 0.3
    assert answer.json["result"] == ["demo"]


def test_faults_reset_clears_pending_faults(server: RunningServer) -> None:
    inject(server, kind="503", count=5)
    http_request(server, "/sandbox/faults/reset", "")
    assert jsonrpc(server, "/jsonrpc", {"service": "db", "method": "list", "args": []}).status == 200


def test_sandbox_endpoints_are_immune_to_faults(server: RunningServer) -> None:
    inject(server, kind="503", count=1)
    assert stats(server)["requests"] == 0
    assert jsonrpc(server, "/jsonrpc", {"service": "db", "method": "list", "args": []}).status == 503


@pytest.mark.parametrize("spec", ['{"kind": "teapot"}', '{"kind": "503", "count": 0}', "[1]", "{bad json",
                                  '{"kind": "503", "count": "many"}', '{"kind": "503", "delay": 1000}'])
def test_invalid_fault_specifications_are_refused_with_400(server: RunningServer, spec: str) -> None:
    answer = http_request(server, "/sandbox/faults", spec)
    assert answer.status == 400
    assert answer.json["ok"] is False
    assert jsonrpc(server, "/jsonrpc", {"service": "db", "method": "list", "args": []}).status == 200


def test_odoorpc_sees_a_503_as_an_http_error(server: RunningServer) -> None:
    client = odoo(server)
    inject(server, kind="503", count=1)
    with pytest.raises(urllib.error.HTTPError) as caught:
        client.execute_kw("res.partner", "search_count", [[]])
    assert caught.value.code == 503
    assert client.execute_kw("res.partner", "search_count", [[]]) > 0


def test_concurrent_clients_are_served_consistently(server: RunningServer) -> None:
    """Reads and writes from many threads at once: every call answers, every write lands once."""
    errors: list[str] = []
    created: list[int] = []

    def work(worker: int) -> None:
        for i in range(15):
            answer = jsonrpc(server, "/jsonrpc", {"service": "object", "method": "execute_kw", "args": [
                DB, 2, "admin", "res.partner", "create", [{"name": f"Concurrent {worker}-{i}"}], {}]})
            body = answer.json
            if "error" in body:
                errors.append(body["error"]["data"]["message"])
            else:
                created.append(body["result"])
            read = jsonrpc(server, "/jsonrpc", {"service": "object", "method": "execute_kw", "args": [
                DB, 2, "admin", "account.move", "search_read", [[]], {"fields": ["name", "partner_id"]}]})
            if "error" in read.json or len(read.json["result"]) != 9:
                errors.append(read.text[:200])

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert len(set(created)) == 8 * 15
    count = jsonrpc(server, "/jsonrpc", {"service": "object", "method": "execute_kw", "args": [
        DB, 2, "admin", "res.partner", "search_count", [[("name", "=like", "Concurrent %")]], {}]})
    assert count.json["result"] == 8 * 15
