"""Whatever a client sends, the sandbox answers like Odoo: a result or an Odoo-shaped error.

Random domains (valid and invalid leaves, operators, values, nesting) and malformed
requests (bad JSON, wrong parameter types, unknown services and methods, odd
limits and orders), generated from a fixed seed. Never a crash, a 5xx, a hang or a
dropped connection, and the server still answers afterwards.
"""

from __future__ import annotations

import contextlib
import json
import random
import xmlrpc.client
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.server import RunningServer
from tests.test_sandbox_support import DB, Response, build_store, http_request, jsonrpc, serving

SEED = 20261124
ERROR_NAMES = (
    "builtins.ValueError", "builtins.TypeError", "builtins.KeyError", "builtins.AttributeError",
    "odoo.exceptions.UserError", "odoo.exceptions.AccessError", "odoo.exceptions.AccessDenied",
    "odoo.exceptions.MissingError", "odoo.exceptions.ValidationError", "odoo.http.SessionExpiredException", "psycopg2.",
)
"""Exceptions a real Odoo reports; anything else (a SQLite error, an OverflowError ...) is a sandbox bug."""

FIELDS: dict[str, list[Any]] = {
    "account.move": ["name", "move_type", "state", "date", "invoice_date_due", "amount_total", "amount_residual",
                     "partner_id", "partner_id.name", "partner_id.country_id.code", "line_ids", "line_ids.balance",
                     "line_ids.account_id.account_type", "to_check", "ref", "id", "display_name", "currency_id",
                     "company_id", "needed_terms", "invoice_line_ids", "activity_ids", "message_ids",
                     "no_such_field", "partner_id.no_such_field", "name.name", "", 7, None],
    "res.partner": ["name", "active", "parent_id", "child_ids", "child_ids.name", "country_id.code", "customer_rank",
                    "credit", "is_company", "complete_name", "email", "id", "display_name", "commercial_partner_id",
                    "nope"],
    "sale.order": ["name", "state", "date_order", "amount_total", "partner_id", "order_line", "order_line.price_unit",
                   "invoice_ids", "locked", "validity_date", "expected_date", "user_id.login"],
}
OPERATORS = ["=", "!=", "<", "<=", ">", ">=", "=?", "like", "ilike", "not like", "not ilike", "=like", "=ilike",
             "in", "not in", "child_of", "parent_of", "any", "not any", "<>"]
BAD_OPERATORS = ["ILIKE", "==", "", "contains", None, 1]
VALUES: list[Any] = [
    0, 1, -1, 7, 2**70, -(2**70), 3.5, 1e300, True, False, None, "", "a", "INV", "%", "_", "a'b; DROP TABLE x",
    "é", "Ünïcödé", "2026-11-24", "2026-11-24 10:00:00", "2026-13-45", "24/11/2026", [], [1, 2, 3], [False],
    [1, False], ["a", "b"], [[1]], {"a": 1}, [("name", "=", "x")], [["name", "ilike", "a"]], [[1, "=", 1]],
    "x" * 500,
]


TEXT_OPS = ["=", "!=", "like", "ilike", "not like", "not ilike", "=like", "=ilike", "in", "not in", "=?"]
ORDER_OPS = ["=", "!=", "<", "<=", ">", ">=", "in", "not in", "=?"]
RELATION_OPS = ["=", "!=", "in", "not in", "child_of", "parent_of", "ilike", "not ilike", "=?"]
VALID_LEAVES: dict[str, tuple[list[str], list[Any]]] = {
    "name": (TEXT_OPS, ["INV", "inv/2026", "%/2026/%", "", False, ["INV/2026/00001", "/"]]),
    "ref": (TEXT_OPS, ["PO", "", False, "%7%"]),
    "move_type": (["=", "!=", "in", "not in"], ["out_invoice", ["in_invoice", "entry"], False, []]),
    "state": (["=", "!=", "in", "not in"], ["posted", ["draft", "cancel"]]),
    "date": (ORDER_OPS, ["2026-11-01", "2026-06-30", False]),
    "invoice_date_due": (ORDER_OPS, ["2026-11-24", "2026-12-31", False]),
    "amount_total": (ORDER_OPS, [0, 100, 999.99, 250.5, [80, 1000]]),
    "to_check": (["=", "!=", "in", "not in"], [True, False, [True], [False, True]]),
    "partner_id": (RELATION_OPS, [3, [3, 4], False, "deco", ["Azure Interior"], 999]),
    "partner_id.country_id.code": (["=", "!=", "in", "ilike"], ["BE", "US", False, ["FR", "BE"]]),
    "partner_id.parent_id": (["=", "!=", "child_of"], [3, False]),
    "line_ids": (["=", "!=", "in", "not in"], [1, [1, 2, 3], False, []]),
    "line_ids.balance": (ORDER_OPS, [0, 100, -50]),
    "line_ids.account_id.account_type": (["=", "in"], ["income", ["asset_receivable", "liability_payable"]]),
    "display_name": (["ilike", "=", "not ilike"], ["INV", "Draft", ""]),
    "id": (ORDER_OPS, [1, [1, 2, 3], 0, 5]),
}
"""Leaves that are all valid on account.move: random domains of them must always get a result."""


def valid_domain(rng: random.Random, depth: int = 0) -> list[Any]:
    if depth > 3 or rng.random() < 0.4:
        field = rng.choice(list(VALID_LEAVES))
        operators, values = VALID_LEAVES[field]
        operator = rng.choice(operators)
        value = rng.choice([v for v in values if not isinstance(v, list)] if operator not in ("in", "not in")
                           else values)
        if operator in ("in", "not in") and not isinstance(value, list):
            value = [value]
        return [[field, operator, value]]
    roll = rng.random()
    if roll < 0.25:
        return ["!", *valid_domain(rng, depth + 1)]
    if roll < 0.4:
        return [["partner_id", rng.choice(["any", "not any"]),
                 [["country_id.code", "=", rng.choice(["BE", "US"])]]], *valid_domain(rng, depth + 1)]
    return [rng.choice(["&", "|"]), *valid_domain(rng, depth + 1), *valid_domain(rng, depth + 1)]


def random_leaf(rng: random.Random, model: str) -> Any:
    roll = rng.random()
    if roll < 0.03:
        return rng.choice([[1, "=", 1], [0, "=", 1], ["name", "="], ["name", "=", "x", "y"], "name", 5, {}, None])
    fields = FIELDS[model]
    field = rng.choice(fields) if rng.random() < 0.15 else rng.choice([f for f in fields[:-4]])
    operator = rng.choice(BAD_OPERATORS) if rng.random() < 0.05 else rng.choice(OPERATORS)
    if operator in ("any", "not any") and rng.random() < 0.7:
        comodel = {"partner_id": "res.partner", "parent_id": "res.partner", "child_ids": "res.partner"}.get(
            str(field), model)
        return [field, operator, random_domain(rng, comodel if comodel in FIELDS else model, 3)]
    value = rng.choice(VALUES)
    return [field, operator, value]


def random_domain(rng: random.Random, model: str, depth: int = 0) -> list[Any]:
    if depth > 3 or rng.random() < 0.35:
        return [random_leaf(rng, model)]
    roll = rng.random()
    if roll < 0.2:
        return ["!", *random_domain(rng, model, depth + 1)]
    if roll < 0.6:
        return [rng.choice(["&", "|"]), *random_domain(rng, model, depth + 1), *random_domain(rng, model, depth + 1)]
    if roll < 0.95:
        return [*random_domain(rng, model, depth + 1), *random_domain(rng, model, depth + 1)]
    broken = [rng.choice(["&", "|", "!", "^", "AND"]), *random_domain(rng, model, depth + 1)]
    return broken[:-1] if rng.random() < 0.5 else broken


def check_answer(answer: Response) -> Any:
    """A JSON-RPC answer: a result, or an error shaped as Odoo shapes it. Returns the result (or None)."""
    assert answer.status == 200, (answer.status, answer.text[:500])
    body = answer.json
    assert body.get("jsonrpc") == "2.0"
    if "result" in body:
        return body["result"]
    error = body["error"]
    assert error["code"] in (100, 200)
    data = error["data"]
    assert set(data) == {"name", "debug", "message", "arguments", "context"}
    assert data["name"].startswith(ERROR_NAMES), data["name"] + ": " + data["message"][:300]
    assert isinstance(data["message"], str) and isinstance(data["arguments"], list)
    return None


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with serving(build_store()) as running:
        yield running


@pytest.fixture(autouse=True)
def no_unexpected_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every error must be one the sandbox meant to raise: none may escape as an internal failure."""
    yield
    failures = [r.getMessage() for r in caplog.records if r.name.startswith("sandbox") and r.levelname == "ERROR"]
    assert not failures, f"{len(failures)} internal errors, e.g. {caplog.records[0].exc_text}"


def execute_kw(server: RunningServer, model: Any, method: Any, args: Any, kwargs: Any) -> Response:
    return jsonrpc(server, "/jsonrpc", {"service": "object", "method": "execute_kw",
                                        "args": [DB, 2, "admin", model, method, args, kwargs]})


def still_alive(server: RunningServer) -> None:
    answer = jsonrpc(server, "/jsonrpc", {"service": "common", "method": "version", "args": []})
    assert answer.json["result"]["server_serie"] == "17.0"


def test_random_valid_domains_always_get_consistent_results(server: RunningServer) -> None:
    rng = random.Random(f"{SEED}-valid")
    for _ in range(150):
        domain = valid_domain(rng)
        ids = check_answer(execute_kw(server, "account.move", "search", [domain], {}))
        assert ids is not None, domain
        assert check_answer(execute_kw(server, "account.move", "search_count", [domain], {})) == len(ids), domain
        rows = check_answer(execute_kw(server, "account.move", "search_read", [domain], {"fields": ["name"]}))
        assert [row["id"] for row in rows] == ids, domain
    still_alive(server)


@pytest.mark.parametrize("model", list(FIELDS))
def test_random_domains_get_a_result_or_an_odoo_error(server: RunningServer, model: str) -> None:
    rng = random.Random(f"{SEED}-{model}")
    outcomes = {"result": 0, "error": 0}
    for _ in range(120):
        domain = random_domain(rng, model)
        method = rng.choice(["search", "search_count", "search_read"])
        kwargs = {"fields": rng.sample([f for f in FIELDS[model][:8] if isinstance(f, str) and "." not in f], 2)} \
            if method == "search_read" else {}
        answer = execute_kw(server, model, method, [domain], kwargs)
        outcomes["result" if check_answer(answer) is not None else "error"] += 1
    assert outcomes["result"] > 10 and outcomes["error"] > 10, outcomes
    still_alive(server)


def test_random_read_group_calls_get_a_result_or_an_odoo_error(server: RunningServer) -> None:
    rng = random.Random(f"{SEED}-read_group")
    groupbys = ["partner_id", "move_type", "state", "invoice_date_due:month", "date:week", "date:fortnight",
                "to_check", "line_ids", "amount_total", "display_name", "nope", "company_id", "currency_id", 5]
    fields = ["amount_total:sum", "amount_residual", "x:max(amount_total)", "amount_total:median", "nope:sum",
              "name", "__count", "partner_id:count_distinct", "id:count", 3]
    for _ in range(80):
        args = [random_domain(rng, "account.move") if rng.random() < 0.5 else [],
                rng.sample(fields, rng.randint(0, 3)), rng.sample(groupbys, rng.randint(0, 2))]
        kwargs = {"lazy": rng.choice([True, False, 0, "yes"]), "limit": rng.choice([None, 0, 2, -1, "x"]),
                  "offset": rng.choice([None, 0, 1, 10**20]),
                  "orderby": rng.choice([False, "__count desc", "amount_total", "partner_id desc", "nope", "1;"])}
        check_answer(execute_kw(server, "account.move", "read_group", args, kwargs))
    still_alive(server)


def test_odd_search_parameters_get_a_result_or_an_odoo_error(server: RunningServer) -> None:
    rng = random.Random(f"{SEED}-params")
    limits = [None, 0, 1, 5, -1, -(2**70), 2**70, 1.5, "10", "ten", True, [], {}]
    orders = [None, "", "id", "name desc", "partner_id, id desc", "date desc nulls last", "id desc, name asc",
              "nope", "name; DROP TABLE res_partner", "name ascending", ",", "name,", "1", 'name"', "\u00e9", 42, []]
    for _ in range(100):
        kwargs = {"limit": rng.choice(limits), "offset": rng.choice(limits), "order": rng.choice(orders)}
        kwargs = {k: v for k, v in kwargs.items() if rng.random() < 0.7}
        method = rng.choice(["search", "search_read"])
        check_answer(execute_kw(server, "account.move", method, [[]], kwargs))
    still_alive(server)


def test_wrong_parameter_types_get_an_odoo_error(server: RunningServer) -> None:
    rng = random.Random(f"{SEED}-types")
    junk: list[Any] = [None, 0, -5, 2**70, "x", "", [], [[]], [None], {}, {"a": 1}, True, 1.5, "res.partner",
                       [["name", "=", "x"]], [1, 2], "search_read"]
    models = ["res.partner", "account.move", "no.such.model", "", "_private", "res.partner.nope", 5, None, [], {}]
    methods = ["search", "read", "search_read", "read_group", "fields_get", "name_search", "create", "write",
               "unlink", "message_post", "has_group", "check_access_rights", "_secret", "__class__", "nope", "",
               None, 3, ["search"]]
    for _ in range(150):
        args = [rng.choice(junk) for _ in range(rng.randint(0, 4))] if rng.random() < 0.8 else rng.choice(junk)
        kwargs = {rng.choice(["fields", "limit", "context", "domain", "bogus", "order", "load"]): rng.choice(junk)
                  for _ in range(rng.randint(0, 3))} if rng.random() < 0.8 else rng.choice(junk)
        check_answer(execute_kw(server, rng.choice(models), rng.choice(methods), args, kwargs))
    still_alive(server)


def test_unknown_services_and_methods_get_an_odoo_error(server: RunningServer) -> None:
    rng = random.Random(f"{SEED}-services")
    services = ["common", "object", "db", "report", "", None, 5, ["object"], "Common"]
    methods = ["version", "login", "authenticate", "execute", "execute_kw", "list", "drop", "create_database",
               "server_version", "about", "", None, 0]
    argses: list[Any] = [[], None, "x", {}, [DB], [DB, "admin"], [DB, "admin", "admin"], [DB, 2, "admin"],
                         [DB, 2, "admin", "res.partner"], [DB, "2", "admin", "res.partner", "search", [[]]],
                         [DB, 2, None, "res.partner", "search", [[]]], [None, None, None, None, None]]
    for _ in range(80):
        params = {"service": rng.choice(services), "method": rng.choice(methods), "args": rng.choice(argses)}
        check_answer(jsonrpc(server, "/jsonrpc", params))
    still_alive(server)


def test_malformed_http_bodies_never_get_a_5xx(server: RunningServer) -> None:
    rng = random.Random(f"{SEED}-bodies")
    paths = ["/jsonrpc", "/web/dataset/call_kw", "/web/dataset/call_kw/res.partner/search",
             "/web/session/authenticate", "/web/session/get_session_info", "/web/webclient/version_info",
             "/json/2/res.partner/search", "/json/2/res.partner", "/xmlrpc/2/object", "/xmlrpc/2/common",
             "/xmlrpc/2/nope", "/nope"]
    bodies: list[bytes] = [
        b"", b"{", b"}", b"null", b"[]", b"[1,2]", b"42", b'"text"', b"\xff\xfe\x00garbage", b'{"jsonrpc": "2.0"}',
        b'{"params": null}', b'{"params": "x"}', b'{"params": []}', b'{"params": {"service": "object"}}',
        b'{"id": {"nested": 1}, "params": {}}', b"NaN", b'{"params": {"args": [1e999]}}',
        b"[" * 5000 + b"]" * 5000, b'{"a":' * 3000 + b"1" + b"}" * 3000, json.dumps({"x": "y" * 200000}).encode(),
        b"<?xml version='1.0'?><methodCall><methodName>version</methodName></methodCall>",
        b"<?xml version='1.0'?><methodCall><methodName>execute_kw</methodName><params><param><value><int>9999999999"
        b"</int></value></param></params></methodCall>",
        b"<methodCall><methodName>", bytes(rng.randrange(256) for _ in range(300)),
    ]
    for path in paths:
        for body in bodies:
            headers = {"Authorization": "bearer admin-api-key"} if path.startswith("/json/2") else {}
            answer = http_request(server, path, body, headers=headers)
            assert answer.status < 500, (path, body[:60], answer.status, answer.text[:300])
            if answer.status == 200 and path.startswith(("/jsonrpc", "/web/")):
                check_answer(answer)
            if path.startswith("/xmlrpc/2/") and answer.status == 200:
                with contextlib.suppress(xmlrpc.client.Fault):
                    xmlrpc.client.loads(answer.raw)
    still_alive(server)


def test_odd_http_requests_never_get_a_5xx(server: RunningServer) -> None:
    for method in ("GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "BREW"):
        for path in ("/jsonrpc", "/json/2/res.partner/search", "/web/webclient/version_info", "/xmlrpc/2/object",
                     "/sandbox/stats", "/", "/%00", "/" + "a" * 3000):
            assert http_request(server, path, b"{}", method=method).status < 500
    answer = http_request(server, "/jsonrpc", b"{}", headers={"Content-Length": "not-a-number"})
    assert answer.status == 400
    assert http_request(server, "/jsonrpc", b"{}", headers={"Content-Length": "-3"}).status < 500
    still_alive(server)


def test_a_domain_of_thousands_of_leaves_is_fine(server: RunningServer) -> None:
    names = [f"Partner {i}" for i in range(3000)] + ["Deco Addict"]
    domain: list[Any] = ["|"] * (len(names) - 1) + [["name", "=", name] for name in names]
    result = check_answer(execute_kw(server, "res.partner", "search", [domain], {}))
    assert result == [3]
    deep: list[Any] = ["!"] * 3001 + [["name", "=", "Deco Addict"]]
    assert check_answer(execute_kw(server, "res.partner", "search_count", [deep], {})) > 0
    still_alive(server)


def test_json2_answers_random_calls_with_a_result_or_an_error_object() -> None:
    rng = random.Random(f"{SEED}-json2")
    junk: list[Any] = [None, 0, -1, 2**70, "x", [], [[]], [1, "a"], {}, {"a": 1}, True, [["name", "ilike", "a"]]]
    names = ["domain", "fields", "limit", "offset", "order", "ids", "context", "vals", "vals_list", "bogus", "args"]
    with serving(build_store(version=19)) as server19:
        for _ in range(120):
            model = rng.choice(["res.partner", "account.move", "sale.order", "no.model", "_x"])
            method = rng.choice(["search", "search_read", "read", "write", "create", "search_count", "read_group",
                                 "fields_get", "name_search", "unlink", "_private", "nope"])
            body = {rng.choice(names): rng.choice(junk) for _ in range(rng.randint(0, 4))}
            answer = http_request(server19, f"/json/2/{model}/{method}", json.dumps(body),
                                  headers={"Authorization": "bearer admin-api-key"})
            assert answer.status in (200, 400, 403, 404, 422), (model, method, body, answer.status, answer.text[:300])
            if answer.status != 200:
                assert set(answer.json) == {"name", "message", "arguments", "context", "debug"}
                assert answer.json["name"].startswith((*ERROR_NAMES, "werkzeug.exceptions.")), answer.json["name"]
        version = jsonrpc(server19, "/jsonrpc", {"service": "common", "method": "version", "args": []})
        assert version.json["result"]["server_serie"] == "19.0"
