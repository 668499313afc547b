"""The sandbox's RPC services (``common``, ``object``, ``db``), authentication and request statistics.

Transport-neutral: :mod:`sandbox.server` maps JSON-RPC, XML-RPC, the ``/web``
session routes and JSON-2 onto these calls.
"""

from __future__ import annotations

import secrets
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sandbox import methods
from sandbox.errors import AccessDenied, OdooServerError, OdooTypeError, SessionExpired
from sandbox.orm import Database


class DatabaseMissing(OdooServerError):
    odoo_name = "psycopg2.OperationalError"
    xmlrpc_fault_code = 1
    json2_status = 404


class UnknownService(OdooServerError):
    odoo_name = "builtins.KeyError"
    xmlrpc_fault_code = 1


@dataclass
class Fault:
    """A failure the next requests will suffer (for retry tests): 503, 502, 504, drop, serialization, slow."""

    kind: str
    remaining: int
    path: str | None = None
    delay: float = 0.0


@dataclass
class Stats:
    requests: int = 0
    by_endpoint: Counter[str] = field(default_factory=Counter)
    by_service: Counter[str] = field(default_factory=Counter)
    by_model_method: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "calls": sum(self.by_model_method.values()),
            "by_endpoint": dict(self.by_endpoint),
            "by_service": dict(self.by_service),
            "by_model_method": dict(self.by_model_method),
        }


class SandboxService:
    """Everything one sandbox server knows: its databases, sessions, statistics and injected faults."""

    def __init__(self, database: Database) -> None:
        self.databases = {database.name: database}
        self.version = database.registry.version
        self.sessions: dict[str, tuple[str, int]] = {}
        self.stats = Stats()
        self.faults: list[Fault] = []
        self._lock = threading.Lock()

    # -- version ------------------------------------------------------------------------------------
    def version_info(self) -> dict[str, Any]:
        serie = f"{self.version}.0"
        return {"server_version": serie, "server_version_info": [self.version, 0, 0, "final", 0, ""],
                "server_serie": serie, "protocol_version": 1}

    # -- bookkeeping --------------------------------------------------------------------------------
    def count_request(self, endpoint: str) -> None:
        with self._lock:
            self.stats.requests += 1
            self.stats.by_endpoint[endpoint] += 1

    def count_call(self, service: str, model: str | None = None, method: str | None = None) -> None:
        with self._lock:
            self.stats.by_service[service] += 1
            if model and method:
                self.stats.by_model_method[f"{model}.{method}"] += 1

    def reset_stats(self) -> None:
        with self._lock:
            self.stats = Stats()

    def add_fault(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def clear_faults(self) -> None:
        with self._lock:
            self.faults = []

    def take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.remaining > 0 and (fault.path is None or path.startswith(fault.path)):
                    fault.remaining -= 1
                    return fault
            self.faults = [f for f in self.faults if f.remaining > 0]
        return None

    # -- authentication -----------------------------------------------------------------------------
    def database(self, name: Any) -> Database:
        db = self.databases.get(name) if isinstance(name, str) else None
        if db is None:
            raise DatabaseMissing(f'connection to server failed: FATAL:  database "{name}" does not exist')
        return db

    def login(self, db_name: Any, login: Any, secret: Any) -> int | None:
        db = self.database(db_name)
        if not isinstance(login, str) or not isinstance(secret, str):
            return None
        row = db.store.execute(
            "SELECT u.id FROM res_users u JOIN sandbox_credentials c ON c.uid = u.id "
            "WHERE u.login = ? AND u.active = 1 AND (c.password = ? OR c.api_key = ?)", (login, secret, secret)
        ).fetchone()
        return int(row[0]) if row else None

    def check_uid(self, db_name: Any, uid: Any, secret: Any) -> Database:
        db = self.database(db_name)
        row = db.store.execute(
            "SELECT 1 FROM res_users u JOIN sandbox_credentials c ON c.uid = u.id "
            "WHERE u.id = ? AND u.active = 1 AND (c.password = ? OR c.api_key = ?)",
            (uid if isinstance(uid, int) else -1, secret if isinstance(secret, str) else "", secret
             if isinstance(secret, str) else ""),
        ).fetchone()
        if not row:
            raise AccessDenied()
        return db

    def uid_for_api_key(self, key: str) -> tuple[Database, int] | None:
        for db in self.databases.values():
            row = db.store.execute(
                "SELECT u.id FROM res_users u JOIN sandbox_credentials c ON c.uid = u.id "
                "WHERE c.api_key = ? AND u.active = 1", (key,)).fetchone()
            if row:
                return db, int(row[0])
        return None

    def new_session(self, db_name: str, uid: int) -> str:
        sid = secrets.token_hex(20)
        with self._lock:
            self.sessions[sid] = (db_name, uid)
        return sid

    def session(self, sid: str | None) -> tuple[Database, int]:
        entry = self.sessions.get(sid or "")
        if not entry:
            raise SessionExpired()
        return self.database(entry[0]), entry[1]

    # -- services -----------------------------------------------------------------------------------
    def dispatch(self, service: Any, method: Any, args: Any) -> Any:
        """``/jsonrpc`` and ``/xmlrpc/2/<service>``: the classic RPC services."""
        if not isinstance(args, (list, tuple)):
            args = [] if args is None else [args]
        if service != "object":
            self.count_call(f"{service}.{method}")
        if service == "common":
            return self._common(method, list(args))
        if service == "object":
            return self._object(method, list(args))
        if service == "db":
            if method == "list":
                return sorted(self.databases)
            if method == "server_version":
                return self.version_info()["server_version"]
            raise AccessDenied()
        raise UnknownService(repr(service))

    def _common(self, method: Any, args: list[Any]) -> Any:
        if method == "version":
            return self.version_info()
        if method == "about":
            return "See http://openerp.com"
        if method in ("login", "authenticate"):
            if len(args) < 3:
                raise OdooTypeError(f"exp_{method}() missing required positional arguments")
            return self.login(args[0], args[1], args[2]) or False
        raise UnknownService(f"'{method}'")

    def _object(self, method: Any, args: list[Any]) -> Any:
        if method not in ("execute", "execute_kw"):
            raise UnknownService(f"'{method}'")
        if len(args) < 5:
            raise OdooTypeError(f"{method}() missing required positional arguments")
        db_name, uid, secret, model, name = args[:5]
        self.count_call(f"object.{method}", model if isinstance(model, str) else None, name
                        if isinstance(name, str) else None)
        db = self.check_uid(db_name, uid, secret)
        if method == "execute":
            return methods.call(db, uid, model, name, list(args[5:]), {})
        call_args = args[5] if len(args) > 5 else []
        call_kwargs = args[6] if len(args) > 6 else {}
        return methods.call(db, uid, model, name, call_args, call_kwargs)

    def call_kw(self, sid: str | None, model: Any, method: Any, args: Any, kwargs: Any) -> Any:
        """``/web/dataset/call_kw``: a model call within a browser-style session."""
        db, uid = self.session(sid)
        self.count_call("web.call_kw", model, method)
        return methods.call(db, uid, model, method, args or [], kwargs or {})

    def call_json2(self, db: Database, uid: int, model: str, method: str, params: dict[str, Any]) -> Any:
        self.count_call("json2", model, method)
        return methods.call_named(db, uid, model, method, params)

    def session_info(self, db: Database, uid: int) -> dict[str, Any]:
        """What ``/web/session/authenticate`` and ``get_session_info`` return, keys in Odoo 17's order."""
        login, name, partner_id, company_id, display = db.store.execute(
            "SELECT u.login, p.name, u.partner_id, u.company_id, COALESCE(p.complete_name, p.name) FROM res_users u "
            "JOIN res_partner p ON p.id = u.partner_id WHERE u.id = ?", (uid,)).fetchone()
        companies = db.store.execute(
            "SELECT c.id, c.name, c.sequence, c.parent_id FROM res_company c "
            "JOIN res_company_users_rel r ON r.cid = c.id WHERE r.user_id = ? ORDER BY c.sequence, c.id",
            (uid,)).fetchall()
        currencies = db.store.execute("SELECT id, symbol, position, decimal_places FROM res_currency WHERE active = 1")
        groups = db.user_groups(uid)
        info = self.version_info()
        return {
            "uid": uid, "is_system": "base.group_system" in groups, "is_admin": "base.group_erp_manager" in groups,
            "is_public": False, "is_internal_user": "base.group_user" in groups,
            "user_context": {"lang": "en_US", "tz": "Europe/Brussels", "uid": uid}, "db": db.name,
            "user_settings": {"id": uid, "user_id": {"id": uid}},
            "server_version": info["server_version"], "server_version_info": info["server_version_info"],
            "support_url": "https://www.odoo.com/buy", "name": name, "username": login,
            "partner_display_name": display, "partner_id": partner_id, "web.base.url": "http://localhost:8069",
            "active_ids_limit": 20000, "profile_session": None, "profile_collectors": None, "profile_params": None,
            "max_file_upload_size": 134217728, "home_action_id": False,
            "cache_hashes": {"translations": "0" * 40, "load_menus": "0" * 64},
            "currencies": {str(cid): {"symbol": symbol, "position": position or "after",
                                      "digits": [69, decimals if decimals is not None else 2]}
                           for cid, symbol, position, decimals in currencies},
            "bundle_params": {"lang": "en_US"},
            "user_companies": {
                "current_company": company_id,
                "allowed_companies": {str(cid): {
                    "id": cid, "name": cname, "sequence": seq or 0,
                    "child_ids": [c[0] for c in companies if c[3] == cid], "parent_id": parent or False,
                } for cid, cname, seq, parent in companies},
                "disallowed_ancestor_companies": {},
            },
            "show_effect": True, "display_switch_company_menu": len(companies) > 1, "user_id": [uid],
            "websocket_worker_version": f"{self.version}.0-1", "web_tours": [], "tour_disable": True,
            "notification_type": "email", "odoobot_initialized": True, "iap_company_enrich": False,
            "is_quick_edit_mode_enabled": False,
        }
