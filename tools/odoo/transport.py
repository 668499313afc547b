"""How calls reach Odoo: odoorpc over ``/jsonrpc`` (Odoo 10–19) or JSON-2 (Odoo 19+).

Both transports expose the same three operations (version, authenticate,
execute_kw) and turn every low-level failure into an :class:`OdooError`.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import urllib.error
from typing import Any, Protocol
from urllib.parse import urlparse

import httpx

from tools.odoo.errors import (
    OdooAuthError,
    OdooError,
    OdooNotFound,
    OdooUnavailable,
    Where,
    from_odoo_error,
)

log = logging.getLogger(__name__)
# odoorpc logs whole requests at debug level, password included in execute_kw args: keep it quiet.
logging.getLogger("odoorpc").setLevel(logging.WARNING)


class Transport(Protocol):
    calls: int
    server_version: str

    def authenticate(self) -> int: ...

    def execute_kw(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any: ...

    def close(self) -> None: ...


def version_major(version: str) -> int:
    head = version.split(".")[0]
    digits = "".join(ch for ch in head if ch.isdigit())  # 'saas~17' -> 17
    return int(digits) if digits else 0


def _network_error(exc: BaseException, where: Where, timeout: float) -> OdooError:
    """A failure below HTTP (or an HTTP status) -> OdooError with advice."""
    if isinstance(exc, urllib.error.HTTPError):
        if exc.code in (502, 503, 504):
            return OdooUnavailable(f"Odoo at {where.url} is temporarily unavailable (HTTP {exc.code}); retry later")
        if exc.code == 404:
            return OdooNotFound(f"no Odoo API at {where.url} (HTTP 404): check ODOO_URL")
        return OdooError(f"Odoo at {where.url} answered HTTP {exc.code}: check ODOO_URL")
    if isinstance(exc, (TimeoutError, socket.timeout)) or "timed out" in str(exc):
        return OdooUnavailable(f"Odoo at {where.url} did not answer within {timeout:g} s; retry or raise ODOO_TIMEOUT")
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return OdooUnavailable(
                f"Odoo at {where.url} did not answer within {timeout:g} s; retry or raise ODOO_TIMEOUT")
        if isinstance(reason, socket.gaierror):
            return OdooUnavailable(f"cannot resolve the host of {where.url}: check ODOO_URL")
        text = reason.strerror if isinstance(reason, OSError) and reason.strerror else str(reason)
        return OdooUnavailable(f"cannot reach Odoo at {where.url}: {text}; is the server up and ODOO_URL right?")
    if isinstance(exc, (ConnectionError, http.client.HTTPException, OSError)):
        return OdooUnavailable(f"the connection to Odoo at {where.url} failed ({type(exc).__name__}); retry later")
    if isinstance(exc, (json.JSONDecodeError, ValueError)):
        return OdooError(f"the server at {where.url} did not answer like Odoo: check ODOO_URL")
    return OdooError(f"unexpected failure talking to Odoo at {where.url}: {type(exc).__name__}")


class JsonRpcTransport:
    """odoorpc over ``/jsonrpc``: credentials are sent again with every call (no session)."""

    def __init__(self, url: str, database: str, login: str, secret: str, timeout: float) -> None:
        self.url, self.database, self.login, self._secret, self.timeout = url, database, login, secret, timeout
        self.calls = 0
        self.server_version = ""
        self._odoo: Any = None

    def _where(self, model: str | None = None, method: str | None = None) -> Where:
        return Where(self.url, self.database, self.login, model, method)

    def authenticate(self) -> int:
        import odoorpc

        parsed = urlparse(self.url)
        protocol = "jsonrpc+ssl" if parsed.scheme == "https" else "jsonrpc"
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            self.calls += 1
            odoo = odoorpc.ODOO(parsed.hostname, protocol=protocol, port=port, timeout=self.timeout)
            self.server_version = str(odoo.version or "")
            self.calls += 2  # common.login + res.users.context_get
            odoo.login(self.database, self.login, self._secret)
        except odoorpc.error.RPCError as exc:
            raise self._rpc_error(exc, None, "login") from None
        except odoorpc.error.InternalError as exc:
            raise OdooError(f"odoorpc failed against {self.url}: {exc}") from None
        except Exception as exc:  # noqa: BLE001 - every network failure becomes an OdooError
            raise _network_error(exc, self._where(), self.timeout) from None
        self._odoo = odoo
        return int(odoo.env.uid)

    def _rpc_error(self, exc: Any, model: str | None, method: str | None) -> OdooError:
        info = exc.info if isinstance(getattr(exc, "info", None), dict) else None
        if info is None:
            return OdooAuthError(
                f"Odoo at {self.url} refused the credentials of user '{self.login}' on database '{self.database}': "
                "check ODOO_USER and ODOO_PASSWORD or ODOO_API_KEY")
        return from_odoo_error(info.get("data") or {"message": info.get("message")}, self._where(model, method))

    def execute_kw(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        import odoorpc

        if self._odoo is None:
            self.authenticate()
        self.calls += 1
        try:
            return self._odoo.execute_kw(model, method, args, kwargs)
        except odoorpc.error.RPCError as exc:
            raise self._rpc_error(exc, model, method) from None
        except Exception as exc:  # noqa: BLE001 - every network failure becomes an OdooError
            raise _network_error(exc, self._where(model, method), self.timeout) from None

    def close(self) -> None:
        self._odoo = None


# positional parameters of the model methods we call, for JSON-2's named arguments
SIGNATURES: dict[str, tuple[str, ...]] = {
    "search": ("domain", "offset", "limit", "order"),
    "search_read": ("domain", "fields", "offset", "limit", "order"),
    "search_count": ("domain", "limit"),
    "read": ("fields", "load"),
    "read_group": ("domain", "fields", "groupby", "offset", "limit", "orderby", "lazy"),
    "fields_get": ("allfields", "attributes"),
    "name_search": ("name", "args", "operator", "limit"),
    "create": ("vals_list",),
    "write": ("vals",),
    "unlink": (),
    "check_access_rights": ("operation", "raise_exception"),
    "has_group": ("group_ext_id",),
    "context_get": (),
    "message_post": (),
    "activity_schedule": ("act_type_xmlid", "date_deadline", "summary", "note"),
}
MULTI = {"read", "write", "unlink", "has_group", "message_post", "activity_schedule"}


class Json2Transport:
    """Odoo 19's ``POST /json/2/<model>/<method>`` with a bearer API key and named arguments."""

    def __init__(self, url: str, database: str, login: str, api_key: str, timeout: float) -> None:
        self.url, self.database, self.login, self.timeout = url, database, login, timeout
        self.calls = 0
        self.server_version = ""
        self._http = httpx.Client(base_url=url, timeout=timeout, headers={
            "Authorization": f"bearer {api_key}", "X-Odoo-Database": database,
            "User-Agent": "odoo-cashflow-agent", "Content-Type": "application/json; charset=utf-8"})

    def _where(self, model: str | None = None, method: str | None = None) -> Where:
        return Where(self.url, self.database, self.login, model, method)

    def _post(self, path: str, payload: dict[str, Any], where: Where) -> httpx.Response:
        self.calls += 1
        try:
            return self._http.post(path, json=payload)
        except httpx.TimeoutException:
            raise OdooUnavailable(
                f"Odoo at {self.url} did not answer within {self.timeout:g} s; retry or raise ODOO_TIMEOUT") from None
        except httpx.ConnectError as exc:
            raise OdooUnavailable(f"cannot reach Odoo at {self.url}: {exc}; is the server up and ODOO_URL right?") \
                from None
        except httpx.HTTPError as exc:
            raise _network_error(ConnectionError(str(exc)), where, self.timeout) from None

    def authenticate(self) -> int:
        where = self._where()
        response = self._post("/web/webclient/version_info", {"jsonrpc": "2.0", "method": "call", "params": {}},
                              where)
        try:
            self.server_version = str(response.json()["result"]["server_version"])
        except (ValueError, KeyError, TypeError):
            raise OdooError(f"the server at {self.url} did not answer like Odoo: check ODOO_URL") from None
        context = self.execute_kw("res.users", "context_get", [], {})
        return int(context.get("uid") or 0)

    def execute_kw(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        names = SIGNATURES.get(method)
        if names is None:
            raise OdooError(f"JSON-2 transport does not know the parameters of {model}.{method}")
        payload: dict[str, Any] = {}
        rest = list(args)
        if method in MULTI:
            payload["ids"] = list(rest.pop(0)) if rest else []
        if len(rest) > len(names):
            raise OdooError(f"too many arguments for {model}.{method}")
        payload.update(zip(names, rest, strict=False))
        payload.update(kwargs)
        where = self._where(model, method)
        response = self._post(f"/json/2/{model}/{method}", payload, where)
        if response.status_code == 200:
            return response.json()
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code in (502, 503, 504):
            raise OdooUnavailable(
                f"Odoo at {self.url} is temporarily unavailable (HTTP {response.status_code}); retry later")
        if response.status_code == 401:
            raise OdooAuthError(f"Odoo at {self.url} refused the API key of user '{self.login}' on database "
                                f"'{self.database}': check ODOO_API_KEY")
        if not isinstance(body, dict):
            body = {"message": str(body)}
        if response.status_code == 404 and "does not exist" in str(body.get("message", "")) and \
                "model" in str(body.get("message", "")):
            raise OdooNotFound(f"model {model} does not exist on {self.url} (database '{self.database}'): install the "
                               "Odoo module that provides it, or check the model name")
        raise from_odoo_error(body, where)

    def close(self) -> None:
        self._http.close()
