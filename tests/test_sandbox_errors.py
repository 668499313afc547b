"""Errors travel exactly as Odoo 17 sends them: HTTP 200, a JSON-RPC ``error`` with Odoo's payload.

This is the catalogue of the errors a client meets, each checked on the raw wire
(code, message, data.name/message/arguments/debug/context, the request id echoed).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.server import RunningServer
from tests.test_sandbox_support import DB, build_store, execute_kw, jsonrpc, serving


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with serving(build_store()) as running:
        yield running


def odoo_error(server: RunningServer, model: str, method: str, args: list[Any], kwargs: dict[str, Any] | None = None,
               login: str = "admin") -> dict[str, Any]:
    """Call over raw JSON-RPC and check the envelope every Odoo error has; return ``error.data``."""
    answer = execute_kw(server, model, method, args, kwargs, login=login)
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/json; charset=utf-8"
    body = answer.json
    assert set(body) == {"jsonrpc", "id", "error"}
    assert body["jsonrpc"] == "2.0" and body["id"] == 1
    assert body["error"]["code"] == 200
    assert body["error"]["message"] == "Odoo Server Error"
    data = body["error"]["data"]
    assert set(data) == {"name", "debug", "message", "arguments", "context"}
    assert data["arguments"] == [data["message"]]
    assert data["context"] == {}
    assert data["debug"].startswith("Traceback (most recent call last):\n")
    short_name = data["name"].rsplit(".", 1)[-1]
    assert f"{short_name}: " in data["debug"]
    return data


def test_wrong_password_on_execute_kw_is_access_denied(server: RunningServer) -> None:
    answer = jsonrpc(server, "/jsonrpc", {"service": "object", "method": "execute_kw",
                                          "args": [DB, 2, "wrong-password", "account.move", "search_count", [[]]]})
    data = answer.json["error"]["data"]
    assert data["name"] == "odoo.exceptions.AccessDenied"
    assert data["message"] == "Access Denied"


def test_wrong_uid_is_access_denied(server: RunningServer) -> None:
    answer = jsonrpc(server, "/jsonrpc", {"service": "object", "method": "execute_kw",
                                          "args": [DB, 6, "admin", "account.move", "search_count", [[]]]})
    assert answer.json["error"]["data"]["name"] == "odoo.exceptions.AccessDenied"


def test_unknown_model(server: RunningServer) -> None:
    data = odoo_error(server, "no.such.model", "search_read", [[]], {"fields": ["name"]})
    assert data["name"] == "odoo.exceptions.UserError"
    assert data["message"] == "Object no.such.model doesn't exist"


def test_unknown_field_in_a_domain(server: RunningServer) -> None:
    data = odoo_error(server, "account.move", "search_read", [[["no_such_field", "=", 1]]], {"fields": ["name"]})
    assert data["name"] == "builtins.ValueError"
    assert data["message"] == "Invalid field account.move.no_such_field in leaf ('no_such_field', '=', 1)"


def test_unknown_field_in_the_field_list(server: RunningServer) -> None:
    data = odoo_error(server, "account.move", "search_read", [[]], {"fields": ["name", "no_such_field"], "limit": 1})
    assert data["name"] == "builtins.ValueError"
    assert data["message"] == "Invalid field 'no_such_field' on model 'account.move'"


def test_missing_method(server: RunningServer) -> None:
    data = odoo_error(server, "account.move", "no_such_method", [[]])
    assert data["name"] == "builtins.AttributeError"
    assert data["message"] == "The method 'no_such_method' does not exist on the model 'account.move'"


def test_private_method(server: RunningServer) -> None:
    data = odoo_error(server, "account.move", "_compute_amount", [[1]])
    assert data["name"] == "odoo.exceptions.AccessError"
    assert data["message"] == "Private methods (such as _compute_amount) cannot be called remotely."


def test_bad_selection_value(server: RunningServer) -> None:
    data = odoo_error(server, "sale.order", "write", [[1], {"state": "not_a_state"}])
    assert data["name"] == "builtins.ValueError"
    assert data["message"] == "Wrong value for sale.order.state: 'not_a_state'"


def test_unserialisable_needed_terms(server: RunningServer) -> None:
    data = odoo_error(server, "account.move", "read", [[1]], {"fields": ["needed_terms"]})
    assert data["name"] == "builtins.TypeError"
    assert data["message"] == "keys must be str, int, float, bool or None, not frozendict"


def test_reading_all_fields_of_account_move(server: RunningServer) -> None:
    data = odoo_error(server, "account.move", "read", [[1]])
    assert data["name"] == "builtins.TypeError"


def test_recursive_partner(server: RunningServer) -> None:
    data = odoo_error(server, "res.partner", "write", [[4], {"parent_id": 4}])
    assert data["name"] == "odoo.exceptions.ValidationError"
    assert data["message"] == "You cannot create recursive Partner hierarchies."


def test_unlink_posted_move(server: RunningServer) -> None:
    data = odoo_error(server, "account.move", "unlink", [[1]])
    assert data["name"] == "odoo.exceptions.UserError"
    assert data["message"].startswith("You can't delete a posted journal item.")


def test_cashbot_writing_accounting(server: RunningServer) -> None:
    data = odoo_error(server, "account.move", "write", [[1], {"ref": "x"}], login="cashbot")
    assert data["name"] == "odoo.exceptions.AccessError"
    assert data["message"].startswith("You are not allowed to modify 'Journal Entry' (account.move) records.")


def test_missing_record(server: RunningServer) -> None:
    data = odoo_error(server, "res.partner", "unlink", [[987654]])
    assert data["name"] == "odoo.exceptions.MissingError"


def test_wrong_arguments(server: RunningServer) -> None:
    data = odoo_error(server, "res.partner", "read", [[1], ["name"], "_classic_read", "extra"])
    assert data["name"] == "builtins.TypeError"
    assert "too many positional arguments" in data["message"]


def test_a_leaf_that_is_not_a_leaf(server: RunningServer) -> None:
    data = odoo_error(server, "res.partner", "search", [[["name", "="]]])
    assert data["name"] == "builtins.ValueError"
    assert data["message"] == "Invalid leaf ['name', '=']"


def test_a_domain_that_is_not_a_list(server: RunningServer) -> None:
    data = odoo_error(server, "res.partner", "search", ["name = 'x'"])
    assert data["name"] == "builtins.ValueError"
