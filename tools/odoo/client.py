"""The read client: one authenticated, retrying, version-aware connection to one Odoo company.

It offers reads only (search_read in pages, read in id batches, read_group,
search_count, access checks). Writes live in ``tools.actions`` and are reached
only from the agent's executor node, after approval.

What it learns once per run: the server version (which picks the transport and
the version-dependent fields and states), the fields of every model the product
uses (one ``ir.model.fields`` query, so no read ever asks for a field the server
lacks), and the company to work in (``allowed_company_ids`` on every call).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_random_exponential,
)

from tools.odoo.errors import OdooAccessError, OdooError, OdooNotFound
from tools.odoo.transport import (
    JSON2_MIN_VERSION,
    Json2Transport,
    JsonRpcTransport,
    Transport,
    probe_version,
    version_major,
)

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
    retry_base_seconds: float = 0.5
    page_size: int = 2000
    company: str | None = None


@dataclass(frozen=True)
class FieldInfo:
    name: str
    type: str
    relation: str | None
    store: bool


def _describe_call(state: RetryCallState) -> str:
    args = state.args
    if len(args) >= 2 and all(isinstance(a, str) for a in args[:2]):
        return f"{args[0]}.{args[1]}"
    return getattr(state.fn, "__name__", "call")


class OdooClient:
    """Reads from one Odoo company. Build with :meth:`connect` (or use as a context manager)."""

    def __init__(self, spec: ConnectionSpec, transport: Transport | None = None) -> None:
        self.spec = spec
        self._transport = transport
        self._probes = 0
        self.page_calls = 0
        """Calls that only fetched a further page of a search_read or a further batch of a read."""
        self.uid = 0
        self.server_version = transport.server_version if transport else ""
        self.company_id = 0
        self.company_ids: list[int] = []
        self._fields: dict[str, dict[str, FieldInfo]] = {}
        self._models: set[str] | None = None
        self._retrying = Retrying(
            retry=retry_if_exception(lambda e: isinstance(e, OdooError) and e.transient),
            stop=stop_after_attempt(max(1, spec.retry_attempts)) | stop_before_delay(spec.retry_max_seconds),
            wait=wait_random_exponential(multiplier=spec.retry_base_seconds, max=max(spec.retry_base_seconds, 8.0)),
            before_sleep=self._log_retry,
            reraise=True,
        )

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning("%s failed (attempt %d of %d): %s; retrying in %.1f s", _describe_call(state),
                    state.attempt_number, self.spec.retry_attempts, exc, wait)

    # -- connection ---------------------------------------------------------------------------------
    @property
    def version(self) -> int:
        """Major version of the server (16, 17, 18, 19 ...)."""
        return version_major(self.server_version)

    @property
    def calls(self) -> int:
        """HTTP requests sent to Odoo so far (login and retries included)."""
        return self._probes + (self._transport.calls if self._transport else 0)

    @property
    def protocol(self) -> str:
        return "json2" if isinstance(self._transport, Json2Transport) else "jsonrpc"

    def _probe(self) -> str:
        self._probes += 1
        return probe_version(self.spec.url, self.spec.timeout)

    def _choose_transport(self) -> Transport:
        """``jsonrpc``: odoorpc; ``json2``: JSON-2; ``auto``: JSON-2 when the server is 19+ and we hold an API key."""
        s = self.spec
        if s.protocol == "jsonrpc" or (s.protocol == "auto" and not s.api_key):
            return JsonRpcTransport(s.url, s.database, s.login, s.secret, s.timeout)
        version = self._retrying(self._probe)
        if s.protocol == "json2" or version_major(version) >= JSON2_MIN_VERSION:
            return Json2Transport(s.url, s.database, s.login, s.secret, s.timeout, version=version)
        return JsonRpcTransport(s.url, s.database, s.login, s.secret, s.timeout, version=version)

    def connect(self) -> OdooClient:
        """Authenticate, learn the server version and the company (retrying transient failures only)."""
        if self._transport is None:
            self._transport = self._choose_transport()
        self.uid = self._retrying(self._transport.authenticate)
        self.server_version = self._transport.server_version
        log.info("connected to Odoo %s at %s (database %s) as %s over %s", self.server_version, self.spec.url,
                 self.spec.database, self.spec.login, self.protocol)
        self._resolve_company()
        return self

    def __enter__(self) -> OdooClient:
        return self if self.uid else self.connect()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _resolve_company(self) -> None:
        user = self._call("res.users", "read", [[self.uid]], {"fields": ["company_id", "company_ids"]}, company=False)
        if not user:
            raise OdooNotFound(f"user '{self.spec.login}' (id {self.uid}) is not readable on {self.spec.url}")
        self.company_id = user[0]["company_id"][0] if user[0]["company_id"] else 1
        self.company_ids = list(user[0].get("company_ids") or [self.company_id])
        wanted = (self.spec.company or "").strip()
        if wanted:
            companies = self._call("res.company", "read", [self.company_ids], {"fields": ["name"]}, company=False)
            match = [c for c in companies if str(c["id"]) == wanted or str(c["name"]).lower() == wanted.lower()]
            if not match:
                names = ", ".join(f"{c['name']} (id {c['id']})" for c in companies)
                raise OdooNotFound(f"company '{wanted}' is not among the companies of user '{self.spec.login}' on "
                                   f"{self.spec.url}: {names}; fix ODOO_COMPANY")
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
        return self._retrying(self._transport.execute_kw, model, method, args, kwargs)

    # -- what this server has -----------------------------------------------------------------------
    def _learn_fields(self) -> None:
        """The fields of every product model, in one paged ``ir.model.fields`` query."""
        try:
            rows = self.search_read("ir.model.fields", [("model", "in", list(PRODUCT_MODELS))],
                                    ["name", "model", "ttype", "relation", "store"], order="id")
        except OdooAccessError:
            log.info("ir.model.fields is not readable; learning fields per model with fields_get")
            self._models = set()
            return
        for r in rows:
            self._fields.setdefault(r["model"], {})[r["name"]] = FieldInfo(
                r["name"], r["ttype"], r["relation"] or None, bool(r["store"]))
        self._models = set(self._fields)

    def fields(self, model: str) -> dict[str, FieldInfo]:
        """The fields of ``model`` on this server (learned once per run)."""
        if self._models is None:
            self._learn_fields()
        if model not in self._fields:
            described = self._call(model, "fields_get", [], {"attributes": ["type", "relation", "store"]})
            self._fields[model] = {n: FieldInfo(n, d["type"], d.get("relation"), bool(d.get("store", True)))
                                   for n, d in described.items()}
        return self._fields[model]

    def has_model(self, model: str) -> bool:
        """Whether the model exists here (e.g. ``purchase.order`` only with the purchase module)."""
        if self._models is None:
            self._learn_fields()
        if model in self._fields:
            return True
        if model in PRODUCT_MODELS and self._models:
            return False  # ir.model.fields answered and this model has no field: it is not installed
        try:
            self.fields(model)
        except OdooNotFound:
            return False
        return True

    def has_field(self, model: str, name: str) -> bool:
        return name in self.fields(model)

    def stored(self, model: str, name: str) -> bool:
        """Whether ``name`` is a stored column (only those can be grouped or summed by read_group)."""
        info = self.fields(model).get(name)
        return bool(info and info.store)

    def pick(self, model: str, names: Sequence[str]) -> list[str]:
        """The subset of ``names`` this server's ``model`` has (never ask for a field that is not there)."""
        available = self.fields(model)
        picked = [n for n in names if n in available]
        if len(picked) < len(names):
            log.debug("%s on Odoo %s lacks %s", model, self.server_version, sorted(set(names) - set(picked)))
        return picked

    # -- version-dependent vocabulary ---------------------------------------------------------------
    def confirmed_states(self, model: str) -> list[str]:
        """States of a confirmed order: Odoo 16 locks sale orders with state 'done', 17+ with the ``locked`` flag."""
        if model == "sale.order":
            return ["sale", "done"] if self.version <= 16 else ["sale"]
        return ["purchase", "done"]

    def posted_payment_domain(self) -> list[Any]:
        """Posted payments: ``state = posted`` up to 17, ``in_process``/``paid`` from 18 (payments of their own)."""
        if self.version >= 18:
            return [("state", "in", ["in_process", "paid"])]
        return [("state", "=", "posted")]

    @property
    def channel_model(self) -> str:
        """Discuss channels: ``mail.channel`` up to Odoo 16, ``discuss.channel`` from 17."""
        if self.has_model("discuss.channel"):
            return "discuss.channel"
        return "mail.channel" if self.version <= 16 or self.has_model("mail.channel") else "discuss.channel"

    # -- reads --------------------------------------------------------------------------------------
    def search_count(self, model: str, domain: list[Any]) -> int:
        return int(self._call(model, "search_count", [domain]))

    def iter_search_read(self, model: str, domain: list[Any], fields: Sequence[str], order: str = "id",
                         page_size: int | None = None) -> Iterator[list[dict[str, Any]]]:
        """Pages of ``search_read`` with explicit fields, ordered by a stable key.

        Ordered by id, a page starts after the last id seen (keyset pagination: every page costs the server
        the same, where an OFFSET makes it skip all the rows before); otherwise pages go by offset."""
        if not fields:
            raise ValueError(f"search_read on {model} must name its fields (never read all fields)")
        size = page_size or self.spec.page_size
        by_id = order.replace(" asc", "").strip() == "id"
        offset, last = 0, 0
        while True:
            page_domain = [*domain, ("id", ">", last)] if by_id and last else domain
            page = self._call(model, "search_read", [page_domain], {
                "fields": list(fields), "offset": 0 if by_id else offset, "limit": size, "order": order})
            if page:
                yield page
            if len(page) < size:
                return
            offset += size
            last = int(page[-1]["id"])
            self.page_calls += 1

    def search_read(self, model: str, domain: list[Any], fields: Sequence[str], order: str = "id",
                    limit: int | None = None) -> list[dict[str, Any]]:
        if limit is not None:
            if not fields:
                raise ValueError(f"search_read on {model} must name its fields (never read all fields)")
            return list(self._call(model, "search_read", [domain], {"fields": list(fields), "limit": limit,
                                                                    "order": order}))
        rows: list[dict[str, Any]] = []
        for page in self.iter_search_read(model, domain, fields, order):
            rows.extend(page)
        return rows

    def read(self, model: str, ids: Sequence[int], fields: Sequence[str]) -> list[dict[str, Any]]:
        """``read`` in batches of ODOO_PAGE_SIZE ids (one call for most uses)."""
        if not fields:
            raise ValueError(f"read on {model} must name its fields (never read all fields)")
        rows: list[dict[str, Any]] = []
        unique = list(dict.fromkeys(int(i) for i in ids))
        for start in range(0, len(unique), self.spec.page_size):
            self.page_calls += start > 0
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
        try:
            return bool(self._call(model, "check_access_rights", [operation], {"raise_exception": False}))
        except OdooNotFound:  # a server that dropped the method deprecated in Odoo 18
            return bool(self._call(model, "has_access", [[], operation]))

    def require(self, model: str, operation: str) -> None:
        """Raise :class:`OdooAccessError` (naming the groups that grant it) unless this user may ``operation``."""
        try:
            self._call(model, "check_access_rights", [operation], {"raise_exception": True})
        except OdooNotFound:  # a server that dropped the method deprecated in Odoo 18
            self._call(model, "check_access", [[], operation])

    def has_group(self, group_xml_id: str, uid: int | None = None) -> bool:
        return bool(self._call("res.users", "has_group", [[uid or self.uid], group_xml_id]))
