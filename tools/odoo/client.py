"""The read client: one authenticated, retrying, version-aware connection to one Odoo company.

It offers reads only (search_read in pages, read in id batches, read_group,
search_count, access checks). Writes live in ``tools.actions`` and are reached
only from the agent's executor node, after approval.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from tools.odoo.errors import OdooAccessError, OdooError, OdooNotFound
from tools.odoo.transport import Json2Transport, JsonRpcTransport, Transport, version_major

log = logging.getLogger(__name__)

PRODUCT_MODELS = (
    "res.company", "res.partner", "res.users", "res.currency", "res.currency.rate", "account.account",
    "account.journal", "account.move", "account.move.line", "account.partial.reconcile", "account.payment",
    "account.payment.term", "account.payment.term.line", "account.bank.statement", "account.bank.statement.line",
    "sale.order", "sale.order.line", "purchase.order", "purchase.order.line", "mail.message", "mail.activity",
    "mail.activity.type", "discuss.channel", "mail.channel", "ir.attachment", "cash.flow.forecast",
)
"""Every model the product reads or writes."""


@dataclass(frozen=True)
class ConnectionSpec:
    """Where and as whom to connect (the secret is never logged nor shown)."""

    url: str
    database: str
    login: str
    secret: str = field(repr=False)
    protocol: str = "auto"
    api_key: bool = False
    timeout: float = 60.0
    retry_attempts: int = 4
    retry_max_seconds: float = 30.0
    page_size: int = 2000
    company: str | None = None


@dataclass(frozen=True)
class FieldInfo:
    name: str
    type: str
    relation: str | None
    store: bool


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    wait = state.next_action.sleep if state.next_action else 0
    log.warning("Odoo call failed (%s); retry %d in %.1f s", exc, state.attempt_number, wait)


class OdooClient:
    """Reads from one Odoo company. Build with :meth:`connect`."""

    def __init__(self, spec: ConnectionSpec, transport: Transport | None = None) -> None:
        self.spec = spec
        self._transport = transport
        self.uid = 0
        self.server_version = ""
        self.company_id = 0
        self.company_ids: list[int] = []
        self._models: set[str] | None = None
        self._fields: dict[str, dict[str, FieldInfo]] = {}
        self._retrying = Retrying(
            retry=retry_if_exception(lambda e: isinstance(e, OdooError) and e.transient),
            stop=stop_after_attempt(spec.retry_attempts) | stop_after_delay(spec.retry_max_seconds),
            wait=wait_random_exponential(multiplier=0.25, max=8),
            before_sleep=_log_retry,
            reraise=True,
        )

    # -- connection ---------------------------------------------------------------------------------
    @property
    def version(self) -> int:
        return version_major(self.server_version)

    @property
    def calls(self) -> int:
        return self._transport.calls if self._transport else 0

    def _new_transport(self) -> Transport:
        s = self.spec
        if s.protocol == "json2" or (s.protocol == "auto" and s.api_key and self.server_version
                                     and version_major(self.server_version) >= 19):
            return Json2Transport(s.url, s.database, s.login, s.secret, s.timeout)
        return JsonRpcTransport(s.url, s.database, s.login, s.secret, s.timeout)

    def connect(self) -> OdooClient:
        """Authenticate, learn the server version, the models and the company (retrying transient failures)."""
        if self._transport is None:
            self._transport = self._new_transport()
        self.uid = self._retrying(self._transport.authenticate)
        self.server_version = self._transport.server_version
        if self.spec.protocol == "auto" and isinstance(self._transport, JsonRpcTransport) and self.spec.api_key \
                and self.version >= 19:
            self._transport = Json2Transport(self.spec.url, self.spec.database, self.spec.login, self.spec.secret,
                                             self.spec.timeout)
            self.uid = self._retrying(self._transport.authenticate)
        self._resolve_company()
        return self

    def _resolve_company(self) -> None:
        user = self._call("res.users", "read", [[self.uid]], {"fields": ["company_id", "company_ids"]}, company=False)
        if not user:
            raise OdooNotFound(f"user '{self.spec.login}' (id {self.uid}) is not readable on {self.spec.url}")
        self.company_id = user[0]["company_id"][0] if user[0]["company_id"] else 1
        self.company_ids = list(user[0].get("company_ids") or [self.company_id])
        wanted = self.spec.company
        if wanted:
            companies = self._call("res.company", "read", [self.company_ids], {"fields": ["name"]}, company=False)
            match = [c for c in companies if str(c["id"]) == wanted.strip() or c["name"].lower() == wanted.lower()]
            if not match:
                names = ", ".join(f"{c['name']} (id {c['id']})" for c in companies)
                raise OdooNotFound(f"company '{wanted}' is not among the companies of user '{self.spec.login}': "
                                   f"{names}; fix ODOO_COMPANY")
            self.company_id = int(match[0]["id"])

    def close(self) -> None:
        if self._transport:
            self._transport.close()

    # -- calls --------------------------------------------------------------------------------------
    def _call(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any] | None = None,
              company: bool = True) -> Any:
        if self._transport is None:
            raise OdooError("not connected to Odoo: call connect() first")
        kwargs = dict(kwargs or {})
        if company and self.company_id:
            kwargs["context"] = {**kwargs.get("context", {}), "allowed_company_ids": [self.company_id]}
        transport = self._transport
        return self._retrying(transport.execute_kw, model, method, args, kwargs)

    def has_model(self, model: str) -> bool:
        if self._models is None:
            rows = self._call("ir.model", "search_read", [[("model", "in", list(PRODUCT_MODELS))]],
                              {"fields": ["model"]})
            self._models = {r["model"] for r in rows}
        return model in self._models

    def fields(self, model: str) -> dict[str, FieldInfo]:
        """The fields of ``model`` on this server (learned once per run, for all product models at once)."""
        if not self._fields:
            try:
                rows = self.search_read("ir.model.fields", [("model", "in", list(PRODUCT_MODELS))],
                                        ["name", "model", "ttype", "relation", "store"], order="id")
                for r in rows:
                    self._fields.setdefault(r["model"], {})[r["name"]] = FieldInfo(
                        r["name"], r["ttype"], r["relation"] or None, bool(r["store"]))
            except OdooAccessError:
                log.info("ir.model.fields is not readable; learning fields per model with fields_get")
        if model not in self._fields:
            described = self._call(model, "fields_get", [], {"attributes": ["type", "relation", "store"]})
            self._fields[model] = {n: FieldInfo(n, d["type"], d.get("relation"), bool(d.get("store", True)))
                                   for n, d in described.items()}
        return self._fields[model]

    def has_field(self, model: str, name: str) -> bool:
        return name in self.fields(model)

    def pick(self, model: str, names: Sequence[str]) -> list[str]:
        """The subset of ``names`` this server's ``model`` has (never ask for a field that is not there)."""
        available = self.fields(model)
        return [n for n in names if n in available]

    def search_count(self, model: str, domain: list[Any]) -> int:
        return int(self._call(model, "search_count", [domain]))

    def iter_search_read(self, model: str, domain: list[Any], fields: Sequence[str], order: str = "id",
                         page_size: int | None = None) -> Iterator[list[dict[str, Any]]]:
        """Pages of ``search_read`` with explicit fields, ordered by a stable key."""
        size = page_size or self.spec.page_size
        offset = 0
        while True:
            page = self._call(model, "search_read", [domain], {"fields": list(fields), "offset": offset,
                                                               "limit": size, "order": order})
            if page:
                yield page
            if len(page) < size:
                return
            offset += size

    def search_read(self, model: str, domain: list[Any], fields: Sequence[str], order: str = "id",
                    limit: int | None = None) -> list[dict[str, Any]]:
        if limit is not None:
            return list(self._call(model, "search_read", [domain], {"fields": list(fields), "limit": limit,
                                                                    "order": order}))
        rows: list[dict[str, Any]] = []
        for page in self.iter_search_read(model, domain, fields, order):
            rows.extend(page)
        return rows

    def read(self, model: str, ids: Sequence[int], fields: Sequence[str]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        unique = list(dict.fromkeys(int(i) for i in ids))
        for start in range(0, len(unique), self.spec.page_size):
            rows.extend(self._call(model, "read", [unique[start:start + self.spec.page_size]],
                                   {"fields": list(fields)}))
        return rows

    def read_group(self, model: str, domain: list[Any], fields: Sequence[str], groupby: Sequence[str],
                   lazy: bool = False, orderby: str | None = None) -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {"lazy": lazy}
        if orderby:
            kwargs["orderby"] = orderby
        return list(self._call(model, "read_group", [domain, list(fields), list(groupby)], kwargs))

    def can(self, model: str, operation: str) -> bool:
        """Whether this user may ``operation`` (read/write/create/unlink) on ``model``."""
        return bool(self._call(model, "check_access_rights", [operation], {"raise_exception": False}))

    def has_group(self, group_xml_id: str, uid: int | None = None) -> bool:
        return bool(self._call("res.users", "has_group", [[uid or self.uid], group_xml_id]))

    def timed(self) -> _Timer:
        return _Timer(self)


class _Timer:
    """Measures calls and seconds spent on a block of reads."""

    def __init__(self, client: OdooClient) -> None:
        self.client = client
        self.calls = 0
        self.seconds = 0.0

    def __enter__(self) -> _Timer:
        self._calls, self._start = self.client.calls, time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.calls = self.client.calls - self._calls
        self.seconds = time.perf_counter() - self._start
