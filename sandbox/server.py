"""The sandbox's HTTP server: Odoo's external API routes over the standard library's HTTP server.

Routes: ``/jsonrpc``, ``/web/webclient/version_info``, ``/web/version``,
``/web/session/authenticate``, ``/web/session/get_session_info``,
``/web/dataset/call_kw[/...]``, ``/xmlrpc/2/{common,object,db}``,
``/json/2/<model>/<method>`` (JSON-2, served from Odoo 19 on, as in Odoo), plus the
sandbox's own ``GET /sandbox/stats``, ``POST /sandbox/stats/reset``,
``POST /sandbox/faults`` (``{"kind": "502"|"503"|"504"|"drop"|"serialization"|"slow",
"count": N, "path": prefix, "delay": seconds}``: the next N matching requests fail
that way) and ``POST /sandbox/faults/reset``.
Every request gets an answer shaped as Odoo shapes it (malformed JSON: 400 "Invalid
JSON data", as Odoo); nothing crashes the server.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
import traceback
import xmlrpc.client
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sandbox.errors import AccessDenied, OdooServerError, OdooTypeError, SerializationFailure, SessionExpired
from sandbox.service import Fault, SandboxService

log = logging.getLogger(__name__)
JSON = "application/json; charset=utf-8"
JSON2_HINT = "Did you mean POST /json/2/<model>/<method>?"
MAX_BODY = 256 * 1024 * 1024
GATEWAY_ERRORS = {"502": "Bad Gateway", "503": "Service Temporarily Unavailable", "504": "Gateway Time-out"}
FAULT_KINDS = (*GATEWAY_ERRORS, "drop", "serialization", "slow")


def _debug(exc: BaseException) -> str:
    return "Traceback (most recent call last):\n" + "".join(traceback.format_tb(exc.__traceback__)) + \
        f"{type(exc).__module__}.{type(exc).__name__}: {exc}\n"


def error_payload(exc: BaseException) -> dict[str, Any]:
    """The ``data`` of an Odoo JSON-RPC error (and the body of a JSON-2 error)."""
    if isinstance(exc, OdooServerError):
        name, message = exc.odoo_name, exc.message
    else:
        name, message = f"builtins.{type(exc).__name__}", str(exc)
    arguments = list(getattr(exc, "arguments", None) or [message])
    return {"name": name, "debug": _debug(exc), "message": message, "arguments": arguments, "context": {}}


def _xmlrpc_safe(value: Any) -> Any:
    if value is None:
        return False
    if isinstance(value, dict):
        return {str(k): _xmlrpc_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_xmlrpc_safe(v) for v in value]
    return value


class BadBody(Exception):
    """The request body cannot be read (bad Content-Length, too large, broken chunks)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 120
    """Seconds a connection may stay silent (a stalled client does not hold a thread forever)."""
    server: SandboxHTTPServer
    _raw: bytes | None = None

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)

    # -- plumbing -----------------------------------------------------------------------------------
    @property
    def service(self) -> SandboxService:
        return self.server.service

    def _body(self) -> bytes:
        """The request body, read once (Content-Length or chunked), at most ``MAX_BODY`` bytes."""
        if self._raw is not None:
            return self._raw
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self._raw = self._read_chunks()
            return self._raw
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.close_connection = True
            raise BadBody(400, "Bad Content-Length") from None
        if length > MAX_BODY:
            self.close_connection = True
            raise BadBody(413, "Request Entity Too Large")
        self._raw = self.rfile.read(length) if length > 0 else b""
        return self._raw

    def _read_chunks(self) -> bytes:
        parts: list[bytes] = []
        size = 0
        while True:
            line = self.rfile.readline(65537).split(b";")[0].strip()
            try:
                chunk = int(line or b"0", 16)
            except ValueError:
                self.close_connection = True
                raise BadBody(400, "Bad chunked encoding") from None
            if chunk == 0:
                while self.rfile.readline(65537).strip():
                    pass  # trailers
                return b"".join(parts)
            size += chunk
            if size > MAX_BODY:
                self.close_connection = True
                raise BadBody(413, "Request Entity Too Large")
            parts.append(self.rfile.read(chunk))
            self.rfile.readline(3)

    def _send(self, status: int, body: bytes | str, content_type: str = JSON,
              headers: dict[str, str] | None = None) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload, default=str), JSON, headers)

    def _fault(self, path: str) -> bool:
        """Apply an injected fault to this request; True when the request has been answered (or dropped)."""
        fault = self.service.take_fault(path)
        if fault is None:
            return False
        if fault.delay:
            time.sleep(fault.delay)
        if fault.kind in GATEWAY_ERRORS:
            self._body()
            reason = GATEWAY_ERRORS[fault.kind]
            self._send(int(fault.kind), f"<html><head><title>{fault.kind} {reason}</title></head><body><center>"
                                        f"<h1>{fault.kind} {reason}</h1></center><hr><center>nginx</center></body>"
                                        "</html>\n", "text/html; charset=utf-8")
            return True
        if fault.kind == "drop":
            self._body()
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return True
        if fault.kind == "serialization":
            self._serialization_failure(path, self._body())
            return True
        return False  # "slow": the delay only

    def _serialization_failure(self, path: str, raw: bytes) -> None:
        """What Odoo answers when PostgreSQL gave up on a concurrent update, in the request's protocol."""
        exc = SerializationFailure("could not serialize access due to concurrent update")
        if path.startswith("/xmlrpc"):
            body = xmlrpc.client.dumps(xmlrpc.client.Fault(1, _debug(exc)), methodresponse=True)
            self._send(200, body, "text/xml; charset=utf-8")
        elif path.startswith("/json/2"):
            self._send_json(exc.json2_status, error_payload(exc))
        else:
            try:
                request = json.loads(raw or b"null")
            except (ValueError, RecursionError):
                request = None
            request_id = request.get("id") if isinstance(request, dict) else None
            self._send_json(200, {"jsonrpc": "2.0", "id": request_id,
                                  "error": {"code": 200, "message": "Odoo Server Error", "data": error_payload(exc)}})

    # -- HTTP verbs ---------------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._guard(self._get)

    def do_POST(self) -> None:
        self._guard(self._post)

    def do_PUT(self) -> None:
        self._guard(self._other)

    def do_DELETE(self) -> None:
        self._guard(self._other)

    def do_PATCH(self) -> None:
        self._guard(self._other)

    def do_HEAD(self) -> None:
        """Like GET, without the body (as werkzeug answers it)."""
        self._guard(self._get)

    def do_OPTIONS(self) -> None:
        self._body()
        self._send(200, b"", "text/html; charset=utf-8", {"Allow": "GET, HEAD, OPTIONS, POST"})

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors the HTTP layer itself raises; an unknown HTTP method is 405, as werkzeug answers it."""
        if code == 501:
            code = 405
        super().send_error(code, message, explain)

    def _guard(self, handler: Any) -> None:
        self._raw = None
        try:
            path = self.path.split("?")[0]
            if not path.startswith("/sandbox/"):
                self.service.count_request(path if not path.startswith("/json/2/") else "/json/2")
                if self._fault(path):
                    return
            handler(path)
        except BadBody as exc:
            with contextlib.suppress(OSError):
                self._send(exc.status, f"<h1>{exc}</h1>", "text/html; charset=utf-8")
        except Exception as exc:
            log.exception("sandbox request failed")
            with contextlib.suppress(OSError):
                self._send(500, f"<h1>Internal Server Error</h1><p>{type(exc).__name__}</p>", "text/html")

    def _get(self, path: str) -> None:
        if path == "/sandbox/stats":
            self._send_json(200, self.service.stats.as_dict())
        elif path == "/web/version":
            info = self.service.version_info()
            self._send_json(200, {"version_info": info["server_version_info"], "version": info["server_version"]})
        elif path == "/web/webclient/version_info":
            self._send_json(200, {"jsonrpc": "2.0", "id": None, "result": self.service.version_info()})
        elif self._is_json2(path):
            self._json2_error(404, "werkzeug.exceptions.NotFound", JSON2_HINT)
        else:
            self._not_found()

    def _other(self, path: str) -> None:
        if self._is_json2(path):
            self._body()
            self._json2_error(404, "werkzeug.exceptions.NotFound", JSON2_HINT)
        else:
            self._body()
            self._send(405, "<h1>Method Not Allowed</h1>", "text/html; charset=utf-8")

    def _is_json2(self, path: str) -> bool:
        """A JSON-2 route: only Odoo 19 and later have them (older versions answer 404)."""
        return (path == "/json/2" or path.startswith("/json/2/")) and self.service.version >= 19

    def _not_found(self) -> None:
        self._send(404, "<!doctype html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was "
                        "not found on the server.</p>\n", "text/html; charset=utf-8")

    def _post(self, path: str) -> None:
        if path == "/sandbox/stats/reset":
            self._body()
            self.service.reset_stats()
            self._send_json(200, {"ok": True})
        elif path == "/sandbox/faults":
            self._add_fault(self._body())
        elif path == "/sandbox/faults/reset":
            self._body()
            self.service.clear_faults()
            self._send_json(200, {"ok": True})
        elif path.startswith("/xmlrpc/2/") or path.startswith("/xmlrpc/"):
            self._xmlrpc(path.rstrip("/").split("/")[-1])
        elif self._is_json2(path):
            self._json2(path)
        elif path in ("/jsonrpc", "/web/webclient/version_info", "/web/session/authenticate",
                      "/web/session/get_session_info", "/web/session/destroy") or \
                path.startswith("/web/dataset/call_kw"):
            self._jsonrpc(path)
        else:
            self._body()
            self._not_found()

    def _add_fault(self, raw: bytes) -> None:
        """``POST /sandbox/faults {"kind", "count", "path", "delay"}``: the next requests will fail that way."""
        try:
            spec = json.loads(raw or b"{}")
            if not isinstance(spec, dict):
                raise ValueError("expected a JSON object")
            kind = str(spec.get("kind", "503"))
            if kind not in FAULT_KINDS:
                raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(FAULT_KINDS)}")
            count, delay, where = int(spec.get("count", 1)), float(spec.get("delay", 0.0)), spec.get("path")
            if count < 1 or not 0 <= delay <= 60 or not (where is None or isinstance(where, str)):
                raise ValueError("count must be >= 1, delay within 0..60 s and path a string")
        except (TypeError, ValueError, RecursionError) as exc:
            self._send_json(400, {"ok": False, "error": str(exc)})
            return
        self.service.add_fault(Fault(kind=kind, remaining=count, path=where, delay=delay))
        self._send_json(200, {"ok": True})

    # -- JSON-RPC -----------------------------------------------------------------------------------
    def _jsonrpc(self, path: str) -> None:
        raw = self._body()
        try:
            request = json.loads(raw or b"null")
        except (ValueError, RecursionError):
            self._send(400, "Invalid JSON data", "text/html; charset=utf-8")
            return
        if not isinstance(request, dict):
            self._send(400, "Invalid JSON-RPC data", "text/html; charset=utf-8")
            return
        request_id = request.get("id")
        params = request.get("params") or {}
        headers: dict[str, str] = {}
        try:
            if not isinstance(params, dict):
                raise OdooTypeError(f"cannot convert dictionary update sequence element #0 to a sequence: {params!r}")
            result = self._route_jsonrpc(path, params, headers)
            payload: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "result": result}
        except SessionExpired as exc:
            payload = {"jsonrpc": "2.0", "id": None,
                       "error": {"code": 100, "message": "Odoo Session Expired", "data": error_payload(exc)}}
        except Exception as exc:
            if not isinstance(exc, OdooServerError):
                log.exception("unexpected sandbox error")
            payload = {"jsonrpc": "2.0", "id": request_id,
                       "error": {"code": 200, "message": "Odoo Server Error", "data": error_payload(exc)}}
        self._send_json(200, payload, headers)

    def _route_jsonrpc(self, path: str, params: dict[str, Any], headers: dict[str, str]) -> Any:
        svc = self.service
        if path == "/jsonrpc":
            return svc.dispatch(params.get("service"), params.get("method"), params.get("args", []))
        if path == "/web/webclient/version_info":
            return svc.version_info()
        if path == "/web/session/authenticate":
            db_name, login, password = params.get("db"), params.get("login"), params.get("password")
            svc.count_call("web.session.authenticate")
            uid = svc.login(db_name, login, password)
            if not uid:
                raise AccessDenied()
            new_sid = svc.new_session(str(db_name), uid)
            headers["Set-Cookie"] = f"session_id={new_sid}; Max-Age=604800; HttpOnly; Path=/"
            return svc.session_info(svc.database(db_name), uid)
        sid = self._session_id()
        if path == "/web/session/get_session_info":
            db, uid = svc.session(sid)
            return svc.session_info(db, uid)
        if path == "/web/session/destroy":
            svc.sessions.pop(sid or "", None)
            return None
        return svc.call_kw(sid, params.get("model"), params.get("method"), params.get("args", []),
                           params.get("kwargs", {}))

    def _session_id(self) -> str | None:
        cookie = SimpleCookie(self.headers.get("Cookie") or "")
        morsel = cookie.get("session_id")
        return morsel.value if morsel else None

    # -- XML-RPC ------------------------------------------------------------------------------------
    def _xmlrpc(self, service: str) -> None:
        raw = self._body()
        try:
            params, method = xmlrpc.client.loads(raw.decode("utf-8", "replace"))
            result = self.service.dispatch(service, method, list(params))
            body = xmlrpc.client.dumps((_xmlrpc_safe(result),), methodresponse=True, allow_none=False)
        except OdooServerError as exc:
            code = exc.xmlrpc_fault_code
            text = exc.message if code in (2, 3, 4) else _debug(exc)
            body = xmlrpc.client.dumps(xmlrpc.client.Fault(code, text), methodresponse=True)
        except Exception as exc:  # noqa: BLE001 - malformed XML and the like: an application fault
            body = xmlrpc.client.dumps(xmlrpc.client.Fault(1, _debug(exc)), methodresponse=True)
        self._send(200, body, "text/xml; charset=utf-8")

    # -- JSON-2 -------------------------------------------------------------------------------------
    def _json2_error(self, status: int, name: str, message: str, debug: str = "") -> None:
        self._send_json(status, {"name": name, "message": message, "arguments": [message, status],
                                 "context": {}, "debug": debug})

    def _json2(self, path: str) -> None:
        raw = self._body()
        parts = path.split("/")
        if len(parts) != 5 or not parts[3] or not parts[4]:
            self._json2_error(404, "werkzeug.exceptions.NotFound", JSON2_HINT)
            return
        model, method = parts[3], parts[4]
        auth = self.headers.get("Authorization") or ""
        scheme, _, key = auth.partition(" ")
        found = self.service.uid_for_api_key(key.strip()) if scheme.lower() == "bearer" and key else None
        wanted_db = self.headers.get("X-Odoo-Database")
        if found is None or (wanted_db and found[0].name != wanted_db):
            self._json2_error(401, "werkzeug.exceptions.Unauthorized", "Invalid apikey")
            return
        db, uid = found
        try:
            params = json.loads(raw) if raw else {}
        except (ValueError, RecursionError) as exc:
            self._json2_error(400, "werkzeug.exceptions.BadRequest", f"could not parse the body as json: {exc}")
            return
        if not isinstance(params, dict):
            self._json2_error(400, "werkzeug.exceptions.BadRequest", "could not parse the body as a json object")
            return
        if model not in db.registry:
            self._json2_error(404, "werkzeug.exceptions.NotFound", f"the model {model!r} does not exist")
            return
        try:
            result = self.service.call_json2(db, uid, model, method, params)
        except OdooServerError as exc:
            payload = error_payload(exc)
            if isinstance(params.get("context"), dict):
                payload["context"] = params["context"]
            self._send_json(exc.json2_status, payload)
            return
        except Exception as exc:
            log.exception("unexpected sandbox error")
            self._send_json(500, error_payload(exc))
            return
        self._send_json(200, result)


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], service: SandboxService) -> None:
        super().__init__(address, Handler)
        self.service = service

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host if isinstance(host, str) else host.decode()}:{port}"


class RunningServer:
    """A sandbox server running in a background thread (embedded mode, tests)."""

    def __init__(self, service: SandboxService, host: str = "127.0.0.1", port: int = 0) -> None:
        self.httpd = SandboxHTTPServer((host, port), service)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       name="odoo-sandbox", daemon=True)

    @property
    def url(self) -> str:
        return self.httpd.url

    @property
    def service(self) -> SandboxService:
        return self.httpd.service

    def start(self) -> RunningServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
