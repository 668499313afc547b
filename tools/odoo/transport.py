"""How calls reach Odoo: odoorpc over ``/jsonrpc`` (Odoo 10–19) or JSON-2 (Odoo 19+).

Both transports expose the same operations (authenticate, execute_kw, close),
count the HTTP requests they make, and turn every low-level failure into an
:class:`OdooError`. Secrets never reach a log line: odoorpc logs whole
``/jsonrpc`` requests (password included) at debug level, so its logger gets a
filter that masks them.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from typing import Any, Protocol
from urllib.parse import urlparse

import httpx

from tools.odoo.errors import (
    OdooAuthError,
    OdooBadRequest,
    OdooError,
    OdooNotFound,
    OdooUnavailable,
    Where,
    from_odoo_error,
    redact,
    register_secret,
)

log = logging.getLogger(__name__)
MASK = "**********"
JSON2_MIN_VERSION = 19


# -- secrets never logged ---------------------------------------------------------------------------
def _mask_rpc_params(data: Any) -> Any:
    """odoorpc's request dict with the password positions of ``/jsonrpc`` calls masked."""
    params = data.get("params") if isinstance(data, dict) else None
    if not isinstance(params, dict) or not isinstance(params.get("args"), list):
        return data
    args = list(params["args"])
    service = params.get("service")
    if service in ("common", "object") and len(args) >= 3:
        args[2] = MASK  # (db, login|uid, password, ...)
    elif service == "db" and args:
        args[0] = MASK  # the master password
    return {**data, "params": {**params, "args": args}}


class RedactingFilter(logging.Filter):
    """Masks passwords and API keys in a log record (structurally for odoorpc, then by value)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, dict) and "data" in args:
            args = {**args, "data": _mask_rpc_params(args["data"])}
        try:
            message = record.msg % args if args else str(record.msg)
        except (TypeError, ValueError, KeyError):
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        return True


_FILTER = RedactingFilter()
for _name in ("odoorpc", "odoorpc.rpc.jsonrpclib", "odoorpc.odoo", "httpx", "httpcore.http11",
              "httpcore.connection", "tools.odoo", "tools.odoo.client", "tools.odoo.transport",
              "tools.odoo.errors"):
    logging.getLogger(_name).addFilter(_FILTER)
# odoorpc dumps whole requests and answers at debug level: keep it quiet unless asked for explicitly
logging.getLogger("odoorpc").setLevel(logging.WARNING)


# -- the interface ----------------------------------------------------------------------------------
class Transport(Protocol):
    server_version: str

    @property
    def calls(self) -> int:
        """HTTP requests sent so far."""

    def authenticate(self) -> int: ...

    def execute_kw(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any: ...

    def close(self) -> None: ...


def version_major(version: str) -> int:
    head = version.split(".")[0]
    digits = "".join(ch for ch in head if ch.isdigit())  # 'saas~17' -> 17
    return int(digits) if digits else 0


def _unreachable(url: str, text: str) -> OdooUnavailable:
    return OdooUnavailable(f"cannot reach Odoo at {url}: {text}; is the server up and ODOO_URL right?")


def _timed_out(url: str, timeout: float) -> OdooUnavailable:
    return OdooUnavailable(f"Odoo at {url} did not answer within {timeout:g} s; retry later or raise ODOO_TIMEOUT")


def network_error(exc: BaseException, where: Where, timeout: float) -> OdooError:
    """A failure below Odoo's own error reporting (network, HTTP status, not JSON) -> OdooError with advice."""
    if isinstance(exc, urllib.error.HTTPError):
        return http_status_error(exc.code, where)
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return _timed_out(where.url, timeout)
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return _timed_out(where.url, timeout)
        if isinstance(reason, socket.gaierror):
            return OdooUnavailable(f"cannot resolve the host of {where.url}: check ODOO_URL")
        if isinstance(reason, ConnectionRefusedError):
            return _unreachable(where.url, "connection refused")
        text = reason.strerror if isinstance(reason, OSError) and reason.strerror else str(reason)
        return _unreachable(where.url, redact(text))
    if isinstance(exc, (ConnectionError, http.client.HTTPException)):
        return OdooUnavailable(f"the connection to Odoo at {where.url} was closed or reset "
                               f"({type(exc).__name__}); retry later")
    if isinstance(exc, (json.JSONDecodeError, UnicodeDecodeError)):
        return OdooError(f"the server at {where.url} did not answer like Odoo (not JSON): check ODOO_URL")
    if isinstance(exc, OSError):
        return OdooUnavailable(f"the connection to Odoo at {where.url} failed ({type(exc).__name__}); retry later")
    return OdooError(f"unexpected failure talking to Odoo at {where.url}: {type(exc).__name__}")


def http_status_error(status: int, where: Where) -> OdooError:
    if status in (502, 503, 504):
        return OdooUnavailable(f"Odoo at {where.url} is temporarily unavailable (HTTP {status}); retry later")
    if status == 429:
        return OdooUnavailable(f"Odoo at {where.url} is rate-limiting requests (HTTP 429); retry later")
    if status == 404:
        return OdooNotFound(f"no Odoo API at {where.url} (HTTP 404): check ODOO_URL (the server root, no path)")
    return OdooError(f"Odoo at {where.url} answered HTTP {status}: check ODOO_URL")


def probe_version(url: str, timeout: float) -> str:
    """The server version from ``/web/webclient/version_info`` (one request, no login)."""
    where = Where(url)
    try:
        response = httpx.post(f"{url}/web/webclient/version_info", timeout=timeout,
                              json={"jsonrpc": "2.0", "method": "call", "params": {}, "id": 1})
    except httpx.TimeoutException:
        raise _timed_out(url, timeout) from None
    except httpx.ConnectError as exc:
        raise _unreachable(url, _connect_reason(exc)) from None
    except httpx.HTTPError as exc:
        raise network_error(ConnectionError(str(exc)), where, timeout) from None
    if response.status_code != 200:
        raise http_status_error(response.status_code, where)
    try:
        return str(response.json()["result"]["server_version"])
    except (ValueError, KeyError, TypeError):
        raise OdooError(f"the server at {url} did not answer like Odoo: check ODOO_URL") from None


def _connect_reason(exc: httpx.ConnectError) -> str:
    text = str(exc)
    if "refused" in text.lower():
        return "connection refused"
    return redact(text) or "connection failed"


# -- JSON-RPC through odoorpc -----------------------------------------------------------------------
class _RequestCounter(urllib.request.BaseHandler):
    """A urllib handler that counts the HTTP requests odoorpc sends (kept in odoorpc's cookie-aware opener)."""

    handler_order = 100

    def __init__(self) -> None:
        self.requests = 0

    def http_request(self, request: urllib.request.Request) -> urllib.request.Request:
        self.requests += 1
        return request

    https_request = http_request


class JsonRpcTransport:
    """odoorpc over ``/jsonrpc``: the password or API key goes with every call (no session)."""

    def __init__(self, url: str, database: str, login: str, secret: str, timeout: float,
                 version: str | None = None) -> None:
        self.url, self.database, self.login, self._secret, self.timeout = url, database, login, secret, timeout
        self.server_version = version or ""
        self._counter = _RequestCounter()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), self._counter)
        self._odoo: Any = None
        register_secret(secret, login)

    @property
    def calls(self) -> int:
        return self._counter.requests

    def _where(self, model: str | None = None, method: str | None = None) -> Where:
        return Where(self.url, self.database, self.login, model, method)

    def authenticate(self) -> int:
        import odoorpc

        parsed = urlparse(self.url)
        protocol = "jsonrpc+ssl" if parsed.scheme == "https" else "jsonrpc"
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            odoo = odoorpc.ODOO(parsed.hostname, protocol=protocol, port=port, timeout=self.timeout,
                                version=self.server_version or None, opener=self._opener)
            self.server_version = str(odoo.version or "")
            if not self.server_version:
                raise OdooError(f"the server at {self.url} did not report an Odoo version: check ODOO_URL")
            odoo.login(self.database, self.login, self._secret)
        except odoorpc.error.RPCError as exc:
            raise self._rpc_error(exc, None, "login") from None
        except odoorpc.error.InternalError as exc:
            raise OdooError(f"odoorpc failed against {self.url}: {redact(str(exc))}") from None
        except OdooError:
            raise
        except Exception as exc:  # noqa: BLE001 - every network failure becomes an OdooError
            raise network_error(exc, self._where(), self.timeout) from None
        self._odoo = odoo
        return int(odoo.env.uid)

    def _rpc_error(self, exc: Any, model: str | None, method: str | None) -> OdooError:
        info = exc.info if isinstance(getattr(exc, "info", None), dict) else None
        if info is None:  # odoorpc's own "Wrong login ID or password": common.login answered False
            return OdooAuthError(
                f"Odoo at {self.url} refused the credentials of user '{self.login}' on database '{self.database}': "
                "check ODOO_USER and ODOO_PASSWORD or ODOO_API_KEY")
        data = info.get("data") if isinstance(info.get("data"), dict) else {"message": info.get("message")}
        return from_odoo_error(data, self._where(model, method))

    def execute_kw(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        import odoorpc

        if self._odoo is None:
            self.authenticate()
        try:
            return self._odoo.execute_kw(model, method, args, kwargs)
        except odoorpc.error.RPCError as exc:
            raise self._rpc_error(exc, model, method) from None
        except Exception as exc:  # noqa: BLE001 - every network failure becomes an OdooError
            raise network_error(exc, self._where(model, method), self.timeout) from None

    def close(self) -> None:
        self._odoo = None


# -- JSON-2 (Odoo 19+) ------------------------------------------------------------------------------
# positional parameters of the model methods we call, for JSON-2's named arguments
SIGNATURES: dict[str, tuple[str, ...]] = {
    "search": ("domain", "offset", "limit", "order"),
    "search_read": ("domain", "fields", "offset", "limit", "order"),
    "search_count": ("domain", "limit"),
    "read": ("fields", "load"),
    "read_group": ("domain", "fields", "groupby", "offset", "limit", "orderby", "lazy"),
    "fields_get": ("allfields", "attributes"),
    "name_search": ("name", "domain", "operator", "limit"),  # JSON-2 is Odoo 19+, where `args` became `domain`
    "create": ("vals_list",),
    "write": ("vals",),
    "unlink": (),
    "check_access_rights": ("operation", "raise_exception"),
    "check_access": ("operation",),
    "has_access": ("operation",),
    "has_group": ("group_ext_id",),
    "context_get": (),
    "message_post": (),
    "activity_schedule": ("act_type_xmlid", "date_deadline", "summary", "note"),
}
MULTI = {"read", "write", "unlink", "has_group", "message_post", "activity_schedule", "check_access", "has_access"}


class Json2Transport:
    """Odoo 19's ``POST /json/2/<model>/<method>`` with a bearer API key and named arguments."""

    def __init__(self, url: str, database: str, login: str, api_key: str, timeout: float,
                 version: str | None = None) -> None:
        self.url, self.database, self.login, self.timeout = url, database, login, timeout
        self.calls = 0
        self.server_version = version or ""
        register_secret(api_key, login)
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
            raise _timed_out(self.url, self.timeout) from None
        except httpx.ConnectError as exc:
            raise _unreachable(self.url, _connect_reason(exc)) from None
        except httpx.HTTPError as exc:
            raise network_error(ConnectionError(str(exc)), where, self.timeout) from None

    def authenticate(self) -> int:
        where = self._where()
        if not self.server_version:
            response = self._post("/web/webclient/version_info",
                                  {"jsonrpc": "2.0", "method": "call", "params": {}}, where)
            if response.status_code != 200:
                raise http_status_error(response.status_code, where)
            try:
                self.server_version = str(response.json()["result"]["server_version"])
            except (ValueError, KeyError, TypeError):
                raise OdooError(f"the server at {self.url} did not answer like Odoo: check ODOO_URL") from None
        if version_major(self.server_version) < JSON2_MIN_VERSION:
            raise OdooBadRequest(f"Odoo {self.server_version} at {self.url} has no JSON-2 API (Odoo 19 and later): "
                                 "set ODOO_PROTOCOL=auto or jsonrpc")
        context = self.execute_kw("res.users", "context_get", [], {})
        return int(context.get("uid") or 0) if isinstance(context, dict) else 0

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
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code == 200:
            if body is None and response.content.strip() not in (b"null",):
                raise OdooError(f"the server at {self.url} did not answer like Odoo (not JSON): check ODOO_URL")
            return body
        return self._error(response.status_code, body, where)

    def _error(self, status: int, body: Any, where: Where) -> Any:
        if status in (502, 503, 504, 429):
            raise http_status_error(status, where)
        if status == 401:
            raise OdooAuthError(f"Odoo at {self.url} refused the API key of user '{self.login}' on database "
                                f"'{self.database}': check ODOO_API_KEY and ODOO_DB")
        if not isinstance(body, dict):
            if status == 404:
                raise OdooNotFound(f"no JSON-2 API at {self.url} (HTTP 404): it needs Odoo 19 or later; "
                                   "set ODOO_PROTOCOL=auto or jsonrpc, and check ODOO_URL")
            raise http_status_error(status, where)
        message = str(body.get("message", ""))
        if status == 404 and "model" in message and "does not exist" in message:
            raise OdooNotFound(f"model {where.model} does not exist on {self.url} (database '{self.database}'): "
                               "install the Odoo module that provides it, or check the model name")
        raise from_odoo_error(body, where)

    def close(self) -> None:
        self._http.close()
