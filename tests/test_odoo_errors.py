"""When something is wrong, the data layer says so in one line naming the server, database, user, model or
field and what to do; it never shows the server's traceback, and never a password or API key, not even in
debug logs (odoorpc's own included)."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sandbox import rights
from sandbox.factory import DEFAULT_MODULES
from sandbox.server import RunningServer
from tests.conftest import AS_OF
from tests.test_odoo_support import DB, client_for, closed_port, reset_stats, serving, stats
from tools.odoo.errors import (
    OdooAccessError,
    OdooAuthError,
    OdooBadRequest,
    OdooError,
    OdooNotFound,
    OdooUnavailable,
)
from tools.odoo.extract import extract_snapshot
from tools.odoo.read_tools import OpenOrdersQuery, open_orders
from tools.odoo.status import inventory

SECRET = "Zq8-very-secret-pw"


def one_line(error: OdooError) -> str:
    message = str(error)
    assert "\n" not in message and "Traceback" not in message and 'File "' not in message
    return message


@pytest.fixture
def no_statement_lines_for_cashbot(monkeypatch: pytest.MonkeyPatch) -> None:
    """The integration user loses read access to bank statement lines (as on a misconfigured Odoo)."""
    model = "account.bank.statement.line"
    kept = [(g, p) for g, p in rights.ACCESS[model] if g not in ("account.group_account_readonly",
                                                                  "cashflow.group_reader")]
    monkeypatch.setitem(rights.ACCESS, model, kept)


@pytest.fixture(scope="module")
def without_purchase() -> Iterator[RunningServer]:
    with serving(modules=tuple(m for m in DEFAULT_MODULES if m != "purchase")) as server:
        yield server


@pytest.fixture
def secret_password(fresh_sandbox: RunningServer) -> RunningServer:
    """cashbot's password becomes a distinctive secret (so a leak cannot hide behind the login)."""
    store = fresh_sandbox.service.databases[DB].store
    with store.transaction():
        store.execute("UPDATE sandbox_credentials SET password = ? WHERE uid = 6", (SECRET,))
    return fresh_sandbox


# -- credentials and addresses ----------------------------------------------------------------------
def test_a_wrong_password_names_server_database_and_user(sandbox: RunningServer) -> None:
    with pytest.raises(OdooAuthError) as caught:
        client_for(sandbox, secret="not-the-password")
    message = one_line(caught.value)
    assert message == (f"Odoo at {sandbox.url} refused the credentials of user 'cashbot' on database 'demo': "
                       "check ODOO_USER and ODOO_PASSWORD or ODOO_API_KEY")
    assert caught.value.exit_code == 4


def test_an_unknown_login_is_refused_the_same_way(sandbox: RunningServer) -> None:
    with pytest.raises(OdooAuthError, match="refused the credentials of user 'nobody'"):
        client_for(sandbox, login="nobody")


def test_a_wrong_api_key_over_json2_says_to_check_the_key() -> None:
    with serving(version=19) as odoo19, pytest.raises(OdooAuthError) as caught:
        client_for(odoo19, secret="wrong-api-key", api_key=True)
    assert one_line(caught.value) == (f"Odoo at {odoo19.url} refused the API key of user 'cashbot' on database "
                                      "'demo': check ODOO_API_KEY and ODOO_DB")


def test_an_unknown_database_says_to_check_odoo_db(sandbox: RunningServer) -> None:
    with pytest.raises(OdooNotFound) as caught:
        client_for(sandbox, database="nope")
    assert one_line(caught.value) == f"database 'nope' does not exist on {sandbox.url}: check ODOO_DB"


def test_an_unreachable_url_is_retried_briefly_then_explained() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    started = time.monotonic()
    with pytest.raises(OdooUnavailable) as caught:
        client_for(url, retry_attempts=3, retry_base_seconds=0.01)
    assert time.monotonic() - started < 3
    assert one_line(caught.value) == (f"cannot reach Odoo at {url}: connection refused; is the server up and "
                                      "ODOO_URL right?")
    assert caught.value.exit_code == 3


class _NotOdoo(BaseHTTPRequestHandler):
    """A web server that is not Odoo: every page is HTML."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b"<html><body>Welcome to nginx!</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.mark.parametrize("protocol", ["jsonrpc", "json2"])
def test_a_url_that_is_not_odoo_says_so(protocol: str) -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _NotOdoo)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        with pytest.raises(OdooError) as caught:
            client_for(url, protocol=protocol, api_key=protocol == "json2", retry_attempts=1)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert one_line(caught.value).startswith(f"the server at {url} did not answer like Odoo")
    assert str(caught.value).endswith("check ODOO_URL")


# -- modules and rights -----------------------------------------------------------------------------
def test_without_purchase_the_extraction_goes_on_without_purchase_orders(without_purchase: RunningServer) -> None:
    client = client_for(without_purchase)
    assert not client.has_model("purchase.order") and client.has_model("sale.order")
    snapshot = extract_snapshot(client, as_of=AS_OF)
    assert snapshot.warnings == ["purchase.order is not available on this Odoo (module purchase not installed): "
                                 "no purchase orders in the forecast"]
    assert snapshot.orders and {o.kind for o in snapshot.orders} == {"sale"}
    assert snapshot.installments and snapshot.bank_transactions
    status = inventory(client, as_of=AS_OF)
    assert status.purchase_orders is None and status.sales_orders is not None
    assert status.warnings == snapshot.warnings
    assert open_orders(client, OpenOrdersQuery(kind="purchase")) == []
    seen = stats(without_purchase)["by_model_method"]
    assert not any(key.startswith("purchase.") for key in seen)  # never asked for a model that is not there


def test_a_user_without_rights_on_one_model_is_told_which_groups_grant_them(
        sandbox: RunningServer, no_statement_lines_for_cashbot: None) -> None:
    client = client_for(sandbox)
    with pytest.raises(OdooAccessError) as caught:
        extract_snapshot(client, as_of=AS_OF)
    message = one_line(caught.value)
    assert message.startswith(f"user 'cashbot' may not read account.bank.statement.line on {sandbox.url} "
                              "(database 'demo'): add the user to group Accounting / Billing")
    assert "Settings > Users" in message
    assert caught.value.exit_code == 5


def test_a_bad_request_is_reported_with_the_model_and_odoos_reason(sandbox: RunningServer) -> None:
    client = client_for(sandbox)
    with pytest.raises(OdooBadRequest) as caught:
        client.search_read("account.move", [("no_such_field", "=", 1)], ["name"])
    message = one_line(caught.value)
    assert message.startswith("account.move.search_read refused by Odoo:") and "no_such_field" in message


def test_an_unknown_model_says_which_module_to_install(sandbox: RunningServer) -> None:
    client = client_for(sandbox)
    with pytest.raises(OdooNotFound) as caught:
        client.search_read("hr.expense", [], ["name"])
    assert one_line(caught.value) == (f"model hr.expense does not exist on {sandbox.url} (database 'demo'): "
                                      "install the Odoo module that provides it, or check the model name")


# -- no tracebacks, no secrets ----------------------------------------------------------------------
def test_the_server_traceback_only_reaches_the_debug_log(sandbox: RunningServer,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    client = client_for(sandbox)
    with caplog.at_level(logging.DEBUG, logger="tools.odoo"), pytest.raises(OdooBadRequest) as caught:
        client.search_read("account.move", [("no_such_field", "=", 1)], ["name"])
    assert "Traceback" not in str(caught.value)
    debug = [r for r in caplog.records if r.levelno == logging.DEBUG and "Traceback" in r.getMessage()]
    assert debug, "the traceback is kept for --debug"


def test_passwords_never_reach_messages_or_logs(secret_password: RunningServer,
                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="odoorpc")  # odoorpc logs whole requests, password included
    client = client_for(secret_password, secret=SECRET)
    extract_snapshot(client, as_of=AS_OF)
    messages = []
    for attempt in (lambda: client_for(secret_password, secret=SECRET + "-wrong"),
                    lambda: client.search_read("account.move", [("nope", "=", 1)], ["name"]),
                    lambda: client_for(f"http://127.0.0.1:{closed_port()}", secret=SECRET, retry_attempts=2)):
        with pytest.raises(OdooError) as caught:
            attempt()
        messages.append(str(caught.value))
    assert "(JSON,send)" in caplog.text  # odoorpc did log its requests ...
    assert "**********" in caplog.text  # ... with the password masked
    assert SECRET not in caplog.text and not any(SECRET in m for m in messages)
    assert not any(SECRET in str(r.args) for r in caplog.records)


def test_api_keys_never_reach_messages_or_logs(caplog: pytest.LogCaptureFixture,
                                              no_statement_lines_for_cashbot: None) -> None:
    caplog.set_level(logging.DEBUG)
    with serving(version=19) as odoo19:
        client = client_for(odoo19, secret="cashbot-api-key", api_key=True)
        with pytest.raises(OdooAccessError) as denied:
            extract_snapshot(client, as_of=AS_OF)
        with pytest.raises(OdooAuthError) as refused:
            client_for(odoo19, secret="cashbot-api-key-wrong", api_key=True)
    assert client.protocol == "json2" and "/json/2/account.move.line/search_read" in caplog.text
    for text in (caplog.text, str(denied.value), str(refused.value)):
        assert "cashbot-api-key" not in text
        assert not re.search(r"bearer \S+", text, flags=re.IGNORECASE)


def test_the_connection_spec_never_shows_its_secret(sandbox: RunningServer) -> None:
    client = client_for(sandbox, secret="cashbot")
    assert "secret" not in repr(client.spec)
    reset_stats(sandbox)
