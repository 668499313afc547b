"""The sandbox speaks Odoo's external protocols exactly as a real Odoo 17 does.

JSON-RPC (``/jsonrpc``), the web client's session routes, XML-RPC and Odoo 19's
JSON-2, each exercised over real HTTP with the real clients (odoorpc,
xmlrpc.client) or raw requests when the exact bytes matter.
"""

from __future__ import annotations

import json
import xmlrpc.client
from collections.abc import Iterator

import odoorpc
import pytest

from sandbox.server import RunningServer
from tests.test_sandbox_support import (
    DB,
    DECO,
    build_store,
    execute_kw,
    http_request,
    json2,
    jsonrpc,
    odoo,
    rpc_error,
    serving,
    session_login,
    xmlrpc_proxy,
)

VERSION_17 = {"server_version": "17.0", "server_version_info": [17, 0, 0, "final", 0, ""],
              "server_serie": "17.0", "protocol_version": 1}
ERROR_KEYS = {"name", "debug", "message", "arguments", "context"}


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with serving(build_store()) as running:
        yield running


# -- JSON-RPC ---------------------------------------------------------------------------------------
def test_version_info_route_answers_a_json_rpc_envelope_echoing_the_request_id(server: RunningServer) -> None:
    answer = jsonrpc(server, "/web/webclient/version_info", {}, request_id=41)
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/json; charset=utf-8"
    assert answer.json == {"jsonrpc": "2.0", "id": 41, "result": VERSION_17}


def test_common_version_over_jsonrpc_matches_version_info(server: RunningServer) -> None:
    answer = jsonrpc(server, "/jsonrpc", {"service": "common", "method": "version", "args": []})
    assert answer.json["result"] == VERSION_17


def test_common_login_returns_the_uid_or_false_on_a_wrong_password(server: RunningServer) -> None:
    ok = jsonrpc(server, "/jsonrpc", {"service": "common", "method": "login", "args": [DB, "admin", "admin"]})
    wrong = jsonrpc(server, "/jsonrpc", {"service": "common", "method": "login", "args": [DB, "admin", "nope"]})
    assert ok.json["result"] == 2
    assert wrong.json == {"jsonrpc": "2.0", "id": 1, "result": False}


def test_common_authenticate_accepts_passwords_and_api_keys(server: RunningServer) -> None:
    for secret in ("cashbot", "cashbot-api-key"):
        answer = jsonrpc(server, "/jsonrpc", {"service": "common", "method": "authenticate",
                                              "args": [DB, "cashbot", secret, {}]})
        assert answer.json["result"] == 6


def test_db_list_names_the_single_database(server: RunningServer) -> None:
    answer = jsonrpc(server, "/jsonrpc", {"service": "db", "method": "list", "args": []})
    assert answer.json["result"] == ["demo"]


def test_object_execute_takes_positional_arguments(server: RunningServer) -> None:
    params = {"service": "object", "method": "execute",
              "args": [DB, 2, "admin", "account.move", "search_count", [["move_type", "=", "out_invoice"]]]}
    assert jsonrpc(server, "/jsonrpc", params).json["result"] == 5


def test_execute_kw_with_a_wrong_password_is_access_denied(server: RunningServer) -> None:
    params = {"service": "object", "method": "execute_kw",
              "args": [DB, 2, "wrong", "account.move", "search_count", [[]]]}
    answer = jsonrpc(server, "/jsonrpc", params, request_id=21)
    body = answer.json
    assert body["id"] == 21
    assert body["error"]["code"] == 200
    assert body["error"]["message"] == "Odoo Server Error"
    data = body["error"]["data"]
    assert set(data) == ERROR_KEYS
    assert data["name"] == "odoo.exceptions.AccessDenied"
    assert data["message"] == "Access Denied"
    assert data["arguments"] == ["Access Denied"]
    assert data["context"] == {}
    assert data["debug"].startswith("Traceback (most recent call last):")


def test_unknown_service_and_unknown_common_method_are_json_rpc_errors(server: RunningServer) -> None:
    for params in ({"service": "nope", "method": "version", "args": []},
                   {"service": "common", "method": "nope", "args": []},
                   {"service": "object", "method": "nope", "args": []}):
        error = rpc_error(jsonrpc(server, "/jsonrpc", params))
        assert error["code"] == 200
        assert error["data"]["name"] == "builtins.KeyError"


def test_unknown_database_is_an_error_not_a_crash(server: RunningServer) -> None:
    answer = jsonrpc(server, "/jsonrpc", {"service": "common", "method": "login", "args": ["nodb", "admin", "admin"]})
    assert rpc_error(answer)["data"]["name"] == "psycopg2.OperationalError"


# -- odoorpc ----------------------------------------------------------------------------------------
def test_odoorpc_connects_logs_in_and_reads(server: RunningServer) -> None:
    client = odoo(server)
    assert client.version == "17.0"
    assert client.env.uid == 2
    assert client.db.list() == ["demo"]
    rows = client.execute_kw("account.move", "search_read", [[["name", "=", "INV/2026/00001"]]],
                             {"fields": ["name", "partner_id", "amount_total", "invoice_date_due"]})
    assert rows == [{"id": 1, "name": "INV/2026/00001", "partner_id": [DECO, "Deco Addict"],
                     "amount_total": 1000.0, "invoice_date_due": "2026-10-31"}]


def test_odoorpc_login_with_a_wrong_password_fails(server: RunningServer) -> None:
    with pytest.raises(odoorpc.error.RPCError, match="Wrong login ID or password"):
        odoo(server, "admin", "wrong")


def test_odoorpc_surfaces_server_errors_with_odoo_shaped_info(server: RunningServer) -> None:
    client = odoo(server)
    with pytest.raises(odoorpc.error.RPCError) as caught:
        client.execute_kw("account.move", "no_such_method", [[]])
    assert caught.value.info["code"] == 200
    assert caught.value.info["data"]["name"] == "builtins.AttributeError"


def test_odoorpc_model_proxies_work_on_the_sandbox(server: RunningServer) -> None:
    client = odoo(server)
    Partner = client.env["res.partner"]
    deco = Partner.browse(DECO)
    assert deco.name == "Deco Addict"
    assert deco.country_id.code == "BE"
    assert sorted(c.name for c in deco.child_ids) == ["Addison Olson", "Douglas Fletcher"]


# -- web session ------------------------------------------------------------------------------------
def test_session_authenticate_sets_a_cookie_and_returns_session_info(server: RunningServer) -> None:
    answer = jsonrpc(server, "/web/session/authenticate", {"db": DB, "login": "admin", "password": "admin"})
    assert "HttpOnly" in answer.headers["set-cookie"]
    info = answer.json["result"]
    assert info["uid"] == 2
    assert info["db"] == DB
    assert info["username"] == "admin"
    assert info["is_system"] is True
    assert info["user_context"] == {"lang": "en_US", "tz": "Europe/Brussels", "uid": 2}
    assert info["server_version_info"] == VERSION_17["server_version_info"]
    assert info["user_companies"]["current_company"] == 1
    assert set(info["user_companies"]["allowed_companies"]) == {"1", "2"}
    assert info["user_companies"]["allowed_companies"]["1"]["child_ids"] == [2]
    assert info["partner_display_name"] == "Mitchell Admin"
    assert info["currencies"]["1"] == {"symbol": "$", "position": "before", "digits": [69, 2]}
    assert "server_serie" not in info


def test_session_authenticate_with_a_wrong_password_is_access_denied_without_cookie(server: RunningServer) -> None:
    answer = jsonrpc(server, "/web/session/authenticate", {"db": DB, "login": "admin", "password": "bad"})
    assert "set-cookie" not in answer.headers
    error = rpc_error(answer)
    assert error["code"] == 200
    assert error["data"]["name"] == "odoo.exceptions.AccessDenied"


def test_call_kw_with_the_session_cookie_runs_as_the_logged_in_user(server: RunningServer) -> None:
    cookie = session_login(server, "cashbot")
    answer = jsonrpc(server, "/web/dataset/call_kw/account.move/search_read", {
        "model": "account.move", "method": "search_read", "args": [[["move_type", "=", "out_refund"]]],
        "kwargs": {"fields": ["name", "amount_total"], "context": {"lang": "en_US"}}}, cookie=cookie)
    assert answer.json["result"] == [{"id": 7, "name": "RINV/2026/00001", "amount_total": 50.0}]
    info = jsonrpc(server, "/web/session/get_session_info", {}, cookie=cookie).json["result"]
    assert info["uid"] == 6


def test_call_kw_without_a_session_is_session_expired_code_100(server: RunningServer) -> None:
    answer = jsonrpc(server, "/web/dataset/call_kw/account.move/search_read", {
        "model": "account.move", "method": "search_read", "args": [[]], "kwargs": {"fields": ["name"], "limit": 1}},
        request_id=6)
    body = answer.json
    assert body["id"] is None
    assert body["error"]["code"] == 100
    assert body["error"]["message"] == "Odoo Session Expired"
    assert body["error"]["data"]["name"] == "odoo.http.SessionExpiredException"
    assert body["error"]["data"]["message"] == "Session expired"
    assert body["error"]["data"]["arguments"] == ["Session expired"]


def test_call_kw_with_an_unknown_cookie_is_session_expired(server: RunningServer) -> None:
    answer = jsonrpc(server, "/web/dataset/call_kw", {"model": "res.partner", "method": "search", "args": [[]],
                                                      "kwargs": {}}, cookie="0" * 40)
    assert rpc_error(answer)["code"] == 100


def test_session_destroy_ends_the_session(server: RunningServer) -> None:
    cookie = session_login(server)
    assert jsonrpc(server, "/web/session/destroy", {}, cookie=cookie).json["result"] is None
    answer = jsonrpc(server, "/web/session/get_session_info", {}, cookie=cookie)
    assert rpc_error(answer)["code"] == 100


# -- XML-RPC ----------------------------------------------------------------------------------------
def test_xmlrpc_common_version_and_authenticate(server: RunningServer) -> None:
    common = xmlrpc_proxy(server, "common")
    assert common.version() == VERSION_17
    assert common.authenticate(DB, "controller", "controller", {}) == 7
    assert common.login(DB, "controller", "nope") is False


def test_xmlrpc_execute_kw_returns_false_for_empty_many2one(server: RunningServer) -> None:
    models = xmlrpc_proxy(server, "object")
    rows = models.execute_kw(DB, 2, "admin", "account.journal", "search_read", [[["type", "=", "bank"]]],
                             {"fields": ["name", "type", "code", "currency_id"]})
    assert rows == [{"id": 3, "name": "Bank", "type": "bank", "code": "BNK1", "currency_id": False}]


def test_xmlrpc_wrong_password_is_fault_3_access_denied(server: RunningServer) -> None:
    models = xmlrpc_proxy(server, "object")
    with pytest.raises(xmlrpc.client.Fault) as caught:
        models.execute_kw(DB, 2, "wrong-password", "account.move", "search_count", [[]])
    assert caught.value.faultCode == 3
    assert caught.value.faultString == "Access Denied"


def test_xmlrpc_fault_codes_follow_the_exception_kind(server: RunningServer) -> None:
    models = xmlrpc_proxy(server, "object")
    with pytest.raises(xmlrpc.client.Fault) as access:
        models.execute_kw(DB, 6, "cashbot", "account.move", "write", [[1], {"ref": "x"}])
    assert access.value.faultCode == 4
    assert "You are not allowed to modify 'Journal Entry' (account.move) records." in access.value.faultString
    with pytest.raises(xmlrpc.client.Fault) as user:
        models.execute_kw(DB, 2, "admin", "account.move", "unlink", [[1]])
    assert user.value.faultCode == 2
    assert user.value.faultString.startswith("You can't delete a posted journal item.")
    with pytest.raises(xmlrpc.client.Fault) as value:
        models.execute_kw(DB, 2, "admin", "account.move", "search", [[["nope", "=", 1]]])
    assert value.value.faultCode == 1
    assert value.value.faultString.startswith("Traceback (most recent call last):")
    assert "ValueError: Invalid field account.move.nope in leaf ('nope', '=', 1)" in value.value.faultString


def test_xmlrpc_garbage_body_is_a_fault_not_a_crash(server: RunningServer) -> None:
    answer = http_request(server, "/xmlrpc/2/object", "<methodCall><nope", headers={"Content-Type": "text/xml"})
    assert answer.status == 200
    with pytest.raises(xmlrpc.client.Fault):
        xmlrpc.client.loads(answer.raw)


def test_xmlrpc_db_service_lists_databases(server: RunningServer) -> None:
    assert xmlrpc_proxy(server, "db").list() == ["demo"]


# -- JSON-2 -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server19() -> Iterator[RunningServer]:
    with serving(build_store(version=19)) as running:
        yield running


def test_json2_does_not_exist_before_odoo_19(server: RunningServer) -> None:
    answer = json2(server, "res.partner", "search", {"domain": []})
    assert answer.status == 404
    assert answer.headers["content-type"].startswith("text/html")


def test_json2_calls_a_model_method_with_named_arguments(server19: RunningServer) -> None:
    answer = json2(server19, "res.partner", "search_read", {
        "domain": [["name", "ilike", "deco"], ["is_company", "=", True]], "fields": ["name"],
        "context": {"lang": "en_US"}})
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/json; charset=utf-8"
    assert answer.json == [{"id": DECO, "name": "Deco Addict"}]


def test_json2_record_methods_take_ids(server19: RunningServer) -> None:
    answer = json2(server19, "account.move", "read", {"ids": [2, 1], "fields": ["name"]})
    assert answer.json == [{"id": 2, "name": "INV/2026/00002"}, {"id": 1, "name": "INV/2026/00001"}]


def test_json2_create_returns_the_list_of_new_ids(server19: RunningServer) -> None:
    answer = json2(server19, "res.partner", "create", {"vals_list": [{"name": "Json Two"}]})
    assert answer.status == 200
    assert isinstance(answer.json, list) and len(answer.json) == 1


def test_json2_bad_or_missing_api_key_is_401(server19: RunningServer) -> None:
    for key in ("not-a-key", None):
        answer = json2(server19, "res.partner", "search", {"domain": []}, key=key)
        assert answer.status == 401
        assert answer.json["name"] == "werkzeug.exceptions.Unauthorized"
        assert answer.json["message"] == "Invalid apikey"
        assert answer.json["arguments"] == ["Invalid apikey", 401]
        assert set(answer.json) == ERROR_KEYS


def test_json2_unknown_model_or_method_is_404(server19: RunningServer) -> None:
    model = json2(server19, "no.such.model", "search", {})
    assert model.status == 404
    assert model.json["name"] == "werkzeug.exceptions.NotFound"
    assert model.json["message"] == "the model 'no.such.model' does not exist"
    method = json2(server19, "res.partner", "no_such_method", {})
    assert method.status == 404
    assert method.json["name"] == "werkzeug.exceptions.NotFound"
    assert "no_such_method" in method.json["message"]


def test_json2_rejects_positional_or_unexpected_arguments_with_422(server19: RunningServer) -> None:
    answer = json2(server19, "res.partner", "search", {"args": [[]]})
    assert answer.status == 422
    assert answer.json["name"] == "werkzeug.exceptions.UnprocessableEntity"
    assert "unexpected keyword argument 'args'" in answer.json["message"]
    with_ids = json2(server19, "res.partner", "search_count", {"ids": [1], "domain": []})
    assert with_ids.status == 422
    assert with_ids.json["message"] == "cannot call res.partner.search_count with ids"


def test_json2_odoo_errors_carry_their_http_status(server19: RunningServer) -> None:
    denied = json2(server19, "account.move", "write", {"ids": [1], "vals": {"ref": "x"}}, key="cashbot-api-key")
    assert denied.status == 403
    assert denied.json["name"] == "odoo.exceptions.AccessError"
    user_error = json2(server19, "account.move", "unlink", {"ids": [1]})
    assert user_error.status == 422
    assert user_error.json["name"] == "odoo.exceptions.UserError"
    assert set(user_error.json) == ERROR_KEYS


def test_json2_malformed_body_is_400(server19: RunningServer) -> None:
    answer = http_request(server19, "/json/2/res.partner/search", "{not json",
                          headers={"Authorization": "bearer admin-api-key"})
    assert answer.status == 400
    assert answer.json["name"] == "werkzeug.exceptions.BadRequest"
    assert answer.json["message"].startswith("could not parse the body as json")


def test_json2_needs_post(server19: RunningServer) -> None:
    answer = http_request(server19, "/json/2/res.partner/search", method="GET",
                          headers={"Authorization": "bearer admin-api-key"})
    assert answer.status == 404
    assert answer.json["name"] == "werkzeug.exceptions.NotFound"


def test_json2_accepts_a_matching_database_header(server19: RunningServer) -> None:
    ok = json2(server19, "res.partner", "search_count", {"domain": []}, headers={"X-Odoo-Database": DB})
    assert ok.status == 200 and ok.json > 0


# -- malformed HTTP ---------------------------------------------------------------------------------
def test_malformed_json_gets_a_400_invalid_json_data(server: RunningServer) -> None:
    for path in ("/jsonrpc", "/web/dataset/call_kw", "/web/session/authenticate"):
        answer = http_request(server, path, "{'not': json")
        assert answer.status == 400
        assert answer.text == "Invalid JSON data"


def test_json_that_is_not_an_object_gets_a_400_invalid_json_rpc_data(server: RunningServer) -> None:
    answer = http_request(server, "/jsonrpc", "[1, 2, 3]")
    assert answer.status == 400
    assert answer.text == "Invalid JSON-RPC data"


def test_params_of_the_wrong_type_are_a_json_rpc_error(server: RunningServer) -> None:
    answer = http_request(server, "/jsonrpc", json.dumps({"jsonrpc": "2.0", "method": "call", "params": [1]}))
    assert answer.status == 200
    assert answer.json["error"]["code"] == 200


def test_unknown_routes_are_404(server: RunningServer) -> None:
    assert http_request(server, "/web/nothing", "{}").status == 404
    assert http_request(server, "/nothing", method="GET").status == 404


def test_execute_kw_args_of_the_wrong_type_are_errors(server: RunningServer) -> None:
    for args, kwargs in (("notalist", {}), ([[]], "notadict"), ([[]], {"context": "x"})):
        answer = jsonrpc(server, "/jsonrpc", {"service": "object", "method": "execute_kw",
                                              "args": [DB, 2, "admin", "res.partner", "search", args, kwargs]})
        assert rpc_error(answer)["data"]["name"] == "builtins.TypeError"


def test_unexpected_keyword_arguments_are_type_errors(server: RunningServer) -> None:
    error = rpc_error(execute_kw(server, "res.partner", "search", [[]], {"bogus": 1}))
    assert error["data"]["name"] == "builtins.TypeError"
    assert "unexpected keyword argument 'bogus'" in error["data"]["message"]
