"""Shared helpers of the sandbox tests: a tiny hand-made company and raw HTTP clients.

The tiny company ("Bluebird") has few records whose every value is known, so
the specification tests can state exact expectations (which rows a domain
matches, what a group sums to). The demo company, much larger, is used by the
invariant and fuzz tests. This module holds no tests.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
import xmlrpc.client
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import odoorpc

from sandbox.bootstrap import bootstrap
from sandbox.demo.loader import Loader
from sandbox.factory import DEFAULT_MODULES, new_store, service_for
from sandbox.server import RunningServer
from sandbox.store import Store

DB = "demo"
TODAY = "2026-11-24"

# -- the tiny company ---------------------------------------------------------------------------------
USD, EUR, GBP = 1, 2, 3
US, BE, FR = 1, 2, 3
MAIN, EUROPE = 1, 2
"""Companies: Bluebird Inc (USD) and its branch Bluebird Europe (EUR)."""
P_MAIN, P_EUROPE, DECO, AZURE, ADDISON, DOUGLAS, OLD, NOWHERE, GEMINI, RETIRED = range(1, 11)
"""Partners: the two company partners; Deco Addict (BE) with contacts Addison and Douglas;
Azure Interior (US) with an archived contact (Retired Rep); Old Supplier (archived, FR);
Nowhere Ltd (no country); Gemini Furniture (belongs to Bluebird Europe only)."""
RECEIVABLE, INCOME, OUT_RECEIPTS, OUT_PAYMENTS, PAYABLE, EXPENSE, BANK_ACCOUNT, EU_RECEIVABLE = range(1, 9)
SALES_J, PURCHASE_J, BANK_J, MISC_J, EU_SALES_J = 1, 2, 3, 4, 5
IMMEDIATE, THIRTY_DAYS = 1, 2

INVOICES: list[dict[str, Any]] = [
    # id, number, type, state, partner, invoice date, due date, total, residual, payment state, company
    {"id": 1, "name": "INV/2026/00001", "move_type": "out_invoice", "state": "posted", "partner_id": DECO,
     "invoice_date": "2026-10-01", "invoice_date_due": "2026-10-31", "amount_total": 1000.0,
     "amount_residual": 1000.0, "payment_state": "not_paid", "company_id": MAIN, "term": THIRTY_DAYS},
    {"id": 2, "name": "INV/2026/00002", "move_type": "out_invoice", "state": "posted", "partner_id": AZURE,
     "invoice_date": "2026-11-02", "invoice_date_due": "2026-12-02", "amount_total": 250.5,
     "amount_residual": 100.25, "payment_state": "partial", "company_id": MAIN, "term": THIRTY_DAYS},
    {"id": 3, "name": "INV/2026/00003", "move_type": "out_invoice", "state": "posted", "partner_id": ADDISON,
     "invoice_date": "2026-09-15", "invoice_date_due": "2026-09-15", "amount_total": 80.0,
     "amount_residual": 0.0, "payment_state": "paid", "company_id": MAIN, "term": IMMEDIATE},
    {"id": 4, "name": "/", "move_type": "out_invoice", "state": "draft", "partner_id": DECO,
     "invoice_date": None, "invoice_date_due": None, "amount_total": 400.0,
     "amount_residual": 400.0, "payment_state": "not_paid", "company_id": MAIN, "term": None},
    {"id": 5, "name": "BILL/2026/11/0001", "move_type": "in_invoice", "state": "posted", "partner_id": OLD,
     "invoice_date": "2026-11-10", "invoice_date_due": "2026-12-10", "amount_total": 620.0,
     "amount_residual": 620.0, "payment_state": "not_paid", "company_id": MAIN, "term": THIRTY_DAYS},
    {"id": 6, "name": "BILL/2026/11/0002", "move_type": "in_invoice", "state": "posted", "partner_id": NOWHERE,
     "invoice_date": "2026-11-20", "invoice_date_due": "2026-11-20", "amount_total": 99.99,
     "amount_residual": 99.99, "payment_state": "not_paid", "company_id": MAIN, "term": None},
    {"id": 7, "name": "RINV/2026/00001", "move_type": "out_refund", "state": "posted", "partner_id": DECO,
     "invoice_date": "2026-11-05", "invoice_date_due": "2026-11-05", "amount_total": 50.0,
     "amount_residual": 50.0, "payment_state": "not_paid", "company_id": MAIN, "term": None},
    {"id": 8, "name": "MISC/2026/11/0001", "move_type": "entry", "state": "posted", "partner_id": None,
     "invoice_date": None, "invoice_date_due": None, "amount_total": 300.0,
     "amount_residual": 0.0, "payment_state": "not_paid", "company_id": MAIN, "term": None},
    {"id": 9, "name": "EINV/2026/00001", "move_type": "out_invoice", "state": "posted", "partner_id": GEMINI,
     "invoice_date": "2026-11-01", "invoice_date_due": "2026-12-01", "amount_total": 777.0,
     "amount_residual": 777.0, "payment_state": "not_paid", "company_id": EUROPE, "term": None},
    {"id": 10, "name": "INV/2026/00004", "move_type": "out_invoice", "state": "cancel", "partner_id": AZURE,
     "invoice_date": "2026-08-01", "invoice_date_due": "2026-08-31", "amount_total": 10.0,
     "amount_residual": 10.0, "payment_state": "not_paid", "company_id": MAIN, "term": None},
]
"""The journal entries of the tiny company, as the tests expect to read them back."""

SALE_ORDERS: list[dict[str, Any]] = [
    {"id": 1, "name": "S00001", "state": "draft", "partner_id": DECO, "amount_total": 2001.0,
     "date_order": "2026-10-24 23:30:00", "locked": False},
    {"id": 2, "name": "S00002", "state": "sale", "partner_id": AZURE, "amount_total": 1500.0,
     "date_order": "2026-11-03 14:00:00", "locked": False},
    {"id": 3, "name": "S00003", "state": "sale", "partner_id": DECO, "amount_total": 320.0,
     "date_order": "2026-06-12 08:00:00", "locked": True},
    {"id": 4, "name": "S00004", "state": "cancel", "partner_id": NOWHERE, "amount_total": 45.0,
     "date_order": "2026-11-20 17:45:00", "locked": False},
]


def _company_records(load: Loader) -> None:
    load.add("res.currency", {"name": "USD", "symbol": "$", "full_name": "United States dollar",
                              "position": "before", "active": True}, rid=USD)
    load.add("res.currency", {"name": "EUR", "symbol": "€", "full_name": "Euro", "active": True}, rid=EUR)
    load.add("res.currency", {"name": "GBP", "symbol": "£", "full_name": "Pound sterling", "active": False},
             rid=GBP)
    load.add("res.currency.rate", {"name": "2026-01-01", "rate": 0.9, "currency_id": EUR, "company_id": MAIN})
    load.add("res.currency.rate", {"name": "2026-11-01", "rate": 0.92, "currency_id": EUR, "company_id": MAIN})
    for cid, name, code, cur in ((US, "United States", "US", USD), (BE, "Belgium", "BE", EUR),
                                 (FR, "France", "FR", EUR)):
        load.add("res.country", {"name": name, "code": code, "currency_id": cur}, rid=cid)
    partners = [
        (P_MAIN, "Bluebird Inc", None, US, True, None, True),
        (P_EUROPE, "Bluebird Europe", None, BE, True, None, True),
        (DECO, "Deco Addict", None, BE, True, None, True),
        (AZURE, "Azure Interior", None, US, True, None, True),
        (ADDISON, "Addison Olson", DECO, BE, False, None, True),
        (DOUGLAS, "Douglas Fletcher", DECO, BE, False, None, True),
        (OLD, "Old Supplier", None, FR, True, None, False),
        (NOWHERE, "Nowhere Ltd", None, None, True, None, True),
        (GEMINI, "Gemini Furniture", None, FR, True, EUROPE, True),
        (RETIRED, "Retired Rep", AZURE, US, False, None, False),
    ]
    names = {pid: name for pid, name, *_ in partners}
    for pid, name, parent, country, is_company, company, active in partners:
        load.add("res.partner", {
            "name": name, "complete_name": f"{names[parent]}, {name}" if parent else name, "parent_id": parent,
            "commercial_partner_id": parent or pid, "country_id": country, "is_company": is_company,
            "company_id": company, "active": active, "customer_rank": 1 if pid in (DECO, AZURE, GEMINI) else 0,
            "supplier_rank": 1 if pid in (OLD, NOWHERE) else 0, "email": f"{name.split()[0].lower()}@example.com",
        }, rid=pid)
    load.add("res.company", {"name": "Bluebird Inc", "currency_id": USD, "partner_id": P_MAIN, "sequence": 1,
                             "account_opening_date": "2025-01-01"}, rid=MAIN)
    load.add("res.company", {"name": "Bluebird Europe", "currency_id": EUR, "partner_id": P_EUROPE,
                             "parent_id": MAIN, "sequence": 2, "account_opening_date": "2025-01-01"}, rid=EUROPE)
    accounts = [
        (RECEIVABLE, "121000", "Account Receivable", "asset_receivable", MAIN),
        (INCOME, "400000", "Product Sales", "income", MAIN),
        (OUT_RECEIPTS, "101403", "Outstanding Receipts", "asset_current", MAIN),
        (OUT_PAYMENTS, "101404", "Outstanding Payments", "asset_current", MAIN),
        (PAYABLE, "211000", "Account Payable", "liability_payable", MAIN),
        (EXPENSE, "600000", "Expenses", "expense", MAIN),
        (BANK_ACCOUNT, "101401", "Bank", "asset_cash", MAIN),
        (EU_RECEIVABLE, "121000", "Account Receivable", "asset_receivable", EUROPE),
    ]
    for aid, code, name, kind, company in accounts:
        load.add("account.account", {"code": code, "name": name, "account_type": kind, "company_id": company,
                                     "reconcile": kind in ("asset_receivable", "liability_payable")}, rid=aid)
    journals = [(SALES_J, "Customer Invoices", "INV", "sale", MAIN), (PURCHASE_J, "Vendor Bills", "BILL", "purchase",
                MAIN), (BANK_J, "Bank", "BNK1", "bank", MAIN), (MISC_J, "Miscellaneous Operations", "MISC", "general",
                MAIN), (EU_SALES_J, "Customer Invoices", "EINV", "sale", EUROPE)]
    for jid, name, code, kind, company in journals:
        load.add("account.journal", {"name": name, "code": code, "type": kind, "company_id": company,
                                     "default_account_id": BANK_ACCOUNT if kind == "bank" else None}, rid=jid)
    load.add("account.payment.term", {"name": "Immediate Payment", "sequence": 1}, rid=IMMEDIATE)
    load.add("account.payment.term", {"name": "30 Days", "sequence": 2}, rid=THIRTY_DAYS)
    load.add("account.payment.term.line", {"payment_id": IMMEDIATE, "value": "percent", "value_amount": 100.0,
                                           "nb_days": 0})
    load.add("account.payment.term.line", {"payment_id": THIRTY_DAYS, "value": "percent", "value_amount": 100.0,
                                           "nb_days": 30})


def _journal_entries(load: Loader) -> None:
    line_id = 0
    for inv in INVOICES:
        kind = inv["move_type"]
        journal = {"out_invoice": SALES_J, "out_refund": SALES_J, "in_invoice": PURCHASE_J, "entry": MISC_J}[kind]
        if inv["company_id"] == EUROPE:
            journal = EU_SALES_J
        sign = -1.0 if kind in ("in_invoice", "out_refund") else 1.0
        currency = EUR if inv["company_id"] == EUROPE else USD
        load.add("account.move", {
            "name": inv["name"], "move_type": kind, "state": inv["state"],
            "date": inv["invoice_date"] or "2026-11-15", "invoice_date": inv["invoice_date"],
            "invoice_date_due": inv["invoice_date_due"], "partner_id": inv["partner_id"],
            "commercial_partner_id": DECO if inv["partner_id"] == ADDISON else inv["partner_id"],
            "journal_id": journal, "company_id": inv["company_id"], "currency_id": currency,
            "amount_untaxed": inv["amount_total"], "amount_tax": 0.0, "amount_total": inv["amount_total"],
            "amount_residual": inv["amount_residual"], "amount_total_signed": sign * inv["amount_total"],
            "amount_residual_signed": sign * inv["amount_residual"], "payment_state": inv["payment_state"],
            "invoice_payment_term_id": inv["term"], "auto_post": "no",
            "ref": "PO-778" if inv["id"] == 5 else None,
            "to_check": {5: False, 6: True}.get(inv["id"]),
        }, rid=inv["id"])
        counterpart = {"out_invoice": (RECEIVABLE, INCOME), "out_refund": (RECEIVABLE, INCOME),
                       "in_invoice": (PAYABLE, EXPENSE), "entry": (BANK_ACCOUNT, OUT_RECEIPTS)}[kind]
        if inv["company_id"] == EUROPE:
            counterpart = (EU_RECEIVABLE, EU_RECEIVABLE)
        term_balance = sign * inv["amount_total"] if kind != "in_invoice" else -inv["amount_total"]
        if kind == "out_refund":
            term_balance = -inv["amount_total"]
        for account, balance, display, label in (
                (counterpart[0], term_balance, "payment_term", None),
                (counterpart[1], -term_balance, "product", "Chairs")):
            line_id += 1
            residual = inv["amount_residual"] * (1 if balance > 0 else -1) if display == "payment_term" else 0.0
            load.add("account.move.line", {
                "move_id": inv["id"], "move_name": inv["name"], "date": inv["invoice_date"] or "2026-11-15",
                "parent_state": inv["state"], "journal_id": journal, "company_id": inv["company_id"],
                "company_currency_id": currency, "account_id": account, "partner_id": inv["partner_id"],
                "name": label, "debit": max(balance, 0.0), "credit": max(-balance, 0.0), "balance": balance,
                "amount_currency": balance, "currency_id": currency, "amount_residual": residual,
                "amount_residual_currency": residual, "reconciled": display == "payment_term" and residual == 0,
                "date_maturity": inv["invoice_date_due"] if display == "payment_term" else None,
                "display_type": display, "quantity": 1.0, "price_unit": abs(balance),
            }, rid=line_id)


def _orders(load: Loader) -> None:
    for so in SALE_ORDERS:
        load.add("sale.order", {
            "name": so["name"], "state": so["state"], "locked": so["locked"], "partner_id": so["partner_id"],
            "partner_invoice_id": so["partner_id"], "date_order": so["date_order"], "company_id": MAIN,
            "currency_id": USD, "amount_untaxed": so["amount_total"], "amount_tax": 0.0,
            "amount_total": so["amount_total"], "invoice_status": "no", "payment_term_id": THIRTY_DAYS,
            "validity_date": "2026-12-24",
        }, rid=so["id"])
        load.add("sale.order.line", {"order_id": so["id"], "name": "Office chair", "product_uom_qty": 2.0,
                                     "price_unit": so["amount_total"] / 2, "price_subtotal": so["amount_total"],
                                     "price_total": so["amount_total"], "state": so["state"], "currency_id": USD,
                                     "company_id": MAIN, "order_partner_id": so["partner_id"]})
    if load.has_model("purchase.order"):
        load.add("purchase.order", {"name": "P00001", "state": "purchase", "partner_id": OLD, "company_id": MAIN,
                                    "currency_id": USD, "date_order": "2026-11-01 10:00:00",
                                    "amount_total": 620.0, "amount_untaxed": 620.0, "invoice_status": "invoiced"},
                 rid=1)
        load.add("purchase.order", {"name": "P00002", "state": "draft", "partner_id": NOWHERE, "company_id": MAIN,
                                    "currency_id": USD, "date_order": "2026-11-22 10:00:00",
                                    "amount_total": 75.0, "amount_untaxed": 75.0, "invoice_status": "no"}, rid=2)


def build_store(version: int = 17, modules: Iterable[str] = DEFAULT_MODULES) -> Store:
    """A fresh in-memory store holding the tiny company, served as Odoo ``version`` would."""
    store = new_store(version=version, modules=tuple(modules))
    load = Loader(store)
    _company_records(load)
    _journal_entries(load)
    _orders(load)
    load.flush()
    store.execute("UPDATE res_company SET account_journal_payment_debit_account_id = ?, "
                  "account_journal_payment_credit_account_id = ?", (OUT_RECEIPTS, OUT_PAYMENTS))
    bootstrap(store)
    store.set_meta({"as_of": TODAY, "version": version})
    return store


@contextmanager
def serving(store: Store) -> Iterator[RunningServer]:
    """Serve ``store`` over HTTP for the duration of the block."""
    server = RunningServer(service_for(store)).start()
    try:
        yield server
    finally:
        server.stop()


# -- clients ------------------------------------------------------------------------------------------
def host_port(server: RunningServer) -> tuple[str, int]:
    url = urllib.parse.urlparse(server.url)
    return url.hostname or "127.0.0.1", int(url.port or 80)


def odoo(server: RunningServer, login: str = "admin", password: str | None = None) -> odoorpc.ODOO:
    """The real odoorpc client, logged in on the sandbox's database."""
    host, port = host_port(server)
    client = odoorpc.ODOO(host, port=port, timeout=30)
    client.login(DB, login, password or login)
    return client


def xmlrpc_proxy(server: RunningServer, service: str) -> xmlrpc.client.ServerProxy:
    return xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/{service}", allow_none=True)


class Response:
    """A raw HTTP answer: status, headers and body (decoded as JSON when it is JSON)."""

    def __init__(self, status: int, headers: dict[str, str], raw: bytes) -> None:
        self.status = status
        self.headers = headers
        self.raw = raw

    @property
    def json(self) -> Any:
        return json.loads(self.raw)

    @property
    def text(self) -> str:
        return self.raw.decode("utf-8", "replace")


def http_request(server: RunningServer, path: str, body: bytes | str | None = None, method: str = "POST",
                 headers: dict[str, str] | None = None, timeout: float = 30) -> Response:
    """One plain HTTP request on a fresh connection (no client library in between)."""
    host, port = host_port(server)
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        data = body.encode() if isinstance(body, str) else body
        conn.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
        answer = conn.getresponse()
        return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read())
    finally:
        conn.close()


def jsonrpc(server: RunningServer, path: str, params: Any, cookie: str | None = None,
            request_id: Any = 1) -> Response:
    """A JSON-RPC 2.0 ``call`` as Odoo's web client and odoorpc send it."""
    payload = {"jsonrpc": "2.0", "method": "call", "params": params, "id": request_id}
    headers = {"Cookie": f"session_id={cookie}"} if cookie else {}
    return http_request(server, path, json.dumps(payload), headers=headers)


def execute_kw(server: RunningServer, model: str, method: str, args: list[Any] | None = None,
               kwargs: dict[str, Any] | None = None, login: str = "admin", uid: int | None = None) -> Response:
    """``object.execute_kw`` over raw JSON-RPC, to inspect the whole answer (errors included)."""
    uids = {"admin": 2, "cashbot": 6, "controller": 7, "billing": 8}
    params = {"service": "object", "method": "execute_kw",
              "args": [DB, uid or uids.get(login, 2), login, model, method, args or [], kwargs or {}]}
    return jsonrpc(server, "/jsonrpc", params)


def rpc_error(response: Response) -> dict[str, Any]:
    """The ``error`` member of a JSON-RPC answer (fails when the call succeeded)."""
    assert response.status == 200, response.text
    body = response.json
    assert "error" in body, f"expected an error, got {body!r}"
    return body["error"]


def json2(server: RunningServer, model: str, method: str, body: Any = None, key: str | None = "admin-api-key",
          headers: dict[str, str] | None = None) -> Response:
    """Odoo 19's JSON-2: ``POST /json/2/<model>/<method>`` with a bearer API key and named arguments."""
    extra = {"Authorization": f"bearer {key}"} if key else {}
    return http_request(server, f"/json/2/{model}/{method}", json.dumps(body if body is not None else {}),
                        headers={**extra, **(headers or {})})


def session_login(server: RunningServer, login: str = "admin", password: str | None = None) -> str:
    """``/web/session/authenticate``; returns the session cookie value."""
    answer = jsonrpc(server, "/web/session/authenticate", {"db": DB, "login": login, "password": password or login})
    cookie = answer.headers.get("set-cookie", "")
    assert cookie.startswith("session_id="), answer.text
    return cookie.split(";")[0].split("=", 1)[1]


def call(client: odoorpc.ODOO, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
    """``execute_kw`` with positional arguments as a list and keyword arguments as a dict."""
    return client.execute_kw(model, method, list(args), kwargs)


def failure(client: odoorpc.ODOO, model: str, method: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The Odoo error ``data`` of a call that must fail."""
    import pytest

    with pytest.raises(odoorpc.error.RPCError) as caught:
        call(client, model, method, *args, **kwargs)
    return dict(caught.value.info["data"])
