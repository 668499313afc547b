"""Helpers for the Odoo data-layer tests: raw odoorpc access (the independent truth), the sandbox's
request counters and fault injection, and sandbox variants (another Odoo version, fewer modules).

No tests here; the ``test_`` prefix only keeps it next to the tests it serves.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import odoorpc

from sandbox.factory import DEFAULT_MODULES, generate, new_store, service_for
from sandbox.server import RunningServer
from tests.conftest import AS_OF
from tools.odoo.client import ConnectionSpec, OdooClient

DB = "demo"


def port_of(server: RunningServer) -> int:
    return int(server.url.rsplit(":", 1)[1])


def raw(server: RunningServer, login: str = "cashbot", password: str | None = None) -> Any:
    """A plain odoorpc connection: what tests compare the data layer with."""
    odoo = odoorpc.ODOO("127.0.0.1", port=port_of(server))
    odoo.login(DB, login, password or login)
    return odoo


def ek(odoo: Any, model: str, method: str, *args: Any, company: int | None = None, **kwargs: Any) -> Any:
    """execute_kw through odoorpc, in ``company`` when given."""
    if company is not None:
        kwargs["context"] = {"allowed_company_ids": [company]}
    return odoo.execute_kw(model, method, list(args), kwargs)


def _post(server: RunningServer, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    request = urllib.request.Request(server.url + path, data=json.dumps(payload or {}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(json.loads(response.read()))


def stats(server: RunningServer) -> dict[str, Any]:
    with urllib.request.urlopen(server.url + "/sandbox/stats", timeout=10) as response:
        return dict(json.loads(response.read()))


def reset_stats(server: RunningServer) -> None:
    _post(server, "/sandbox/stats/reset")


def inject(server: RunningServer, kind: str, count: int = 1, path: str | None = None, delay: float = 0.0) -> None:
    """The next ``count`` requests (to ``path`` when given) fail as ``kind``."""
    spec: dict[str, Any] = {"kind": kind, "count": count, "delay": delay}
    if path:
        spec["path"] = path
    assert _post(server, "/sandbox/faults", spec)["ok"]


def clear_faults(server: RunningServer) -> None:
    _post(server, "/sandbox/faults/reset")


def spec_for(server: RunningServer | str, login: str = "cashbot", secret: str | None = None,
             **overrides: Any) -> ConnectionSpec:
    """A connection spec with quick retries (tests must not sleep for seconds)."""
    url = server if isinstance(server, str) else server.url
    values: dict[str, Any] = {"url": url, "database": DB, "login": login, "secret": secret or login,
                              "retry_base_seconds": 0.01, "retry_max_seconds": 5.0, "timeout": 10.0}
    values.update(overrides)
    return ConnectionSpec(**values)


def client_for(server: RunningServer | str, login: str = "cashbot", **overrides: Any) -> OdooClient:
    return OdooClient(spec_for(server, login, **overrides)).connect()


def closed_port() -> int:
    """A local port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(version: int = 17, modules: tuple[str, ...] = DEFAULT_MODULES, scale: float = 0.1,
            as_of: dt.date = AS_OF, seed: int = 7) -> Iterator[RunningServer]:
    """A sandbox variant generated for the test (another Odoo version, or without a module)."""
    store = generate(new_store(version=version, modules=modules), seed=seed, scale=scale, as_of=as_of)
    server = RunningServer(service_for(store)).start()
    try:
        yield server
    finally:
        server.stop()
        store.close()


def money(value: float) -> float:
    return round(value + 0.0, 2)
