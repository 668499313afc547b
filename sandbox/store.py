"""SQLite storage of the sandbox: one table per model, one per stored many2many.

Like a real Odoo on PostgreSQL, empty values are NULL, many2ones are integer
columns and many2manys live in relation tables. The store knows nothing of
access rights or RPC; :mod:`sandbox.orm` sits on top of it.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import zoneinfo
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sandbox.schema import Field, Registry

SQL_TYPES = {
    "integer": "INTEGER", "many2one": "INTEGER", "many2one_reference": "INTEGER", "boolean": "INTEGER",
    "float": "REAL", "monetary": "REAL",
}


def sql_type(f: Field) -> str:
    return SQL_TYPES.get(f.type, "TEXT")


def to_sql(f: Field, value: Any) -> Any:
    """Python value (as the ORM caches it) -> SQLite value."""
    if value is None or (value is False and f.type != "boolean"):
        return None
    if f.type == "boolean":
        return 1 if value else 0
    if f.type == "json":
        return json.dumps(value)
    return value


def _ilike(value: Any, pattern: Any) -> bool | None:
    """Case-insensitive LIKE on unicode text (SQLite's own only folds ASCII)."""
    if value is None or pattern is None:
        return None
    return _like_regex(str(pattern).lower()).match(str(value).lower()) is not None


def _like(value: Any, pattern: Any) -> bool | None:
    if value is None or pattern is None:
        return None
    return _like_regex(str(pattern)).match(str(value)) is not None


def order_columns(order: str, columns: Mapping[str, Field]) -> list[str]:
    """The leading plain columns of an ``_order`` ("date desc, name desc, id desc" -> date, name, id)."""
    names: list[str] = []
    for item in order.split(","):
        name = item.strip().split(" ")[0].strip('"')
        f = columns.get(name)
        if f is None or f.type == "many2one":
            break
        names.append(name)
    return names


def _to_timezone(value: Any, tz: Any) -> str | None:
    """A UTC datetime string -> the same moment in timezone ``tz`` (read_group groups datetimes locally)."""
    if value is None:
        return None
    try:
        moment = dt.datetime.strptime(str(value)[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC)
        return moment.astimezone(zoneinfo.ZoneInfo(str(tz))).strftime("%Y-%m-%d %H:%M:%S")
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return str(value)


_LIKE_CACHE: dict[str, Any] = {}


def _like_regex(pattern: str) -> Any:
    import re

    rx = _LIKE_CACHE.get(pattern)
    if rx is None:
        parts = []
        i = 0
        while i < len(pattern):
            ch = pattern[i]
            if ch == "\\" and i + 1 < len(pattern):
                parts.append(re.escape(pattern[i + 1]))
                i += 2
                continue
            parts.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
            i += 1
        rx = re.compile("".join(parts) + r"\Z", re.DOTALL)
        if len(_LIKE_CACHE) > 5000:
            _LIKE_CACHE.clear()
        _LIKE_CACHE[pattern] = rx
    return rx


class Store:
    """The database of one sandbox server."""

    def __init__(self, registry: Registry, path: str | Path | None = None) -> None:
        self.registry = registry
        self.path = str(path) if path else ":memory:"
        self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = MEMORY" if self.path == ":memory:" else "PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = OFF" if self.path == ":memory:" else "PRAGMA synchronous = NORMAL")
        self.conn.execute("PRAGMA temp_store = MEMORY")
        self.conn.create_function("odoo_ilike", 2, _ilike, deterministic=True)
        self.conn.create_function("odoo_like", 2, _like, deterministic=True)
        self.conn.create_function("odoo_tz", 2, _to_timezone, deterministic=True)
        self.lock = threading.RLock()

    # -- schema -------------------------------------------------------------------------------
    def create_schema(self) -> None:
        with self.transaction():
            for model in self.registry.models.values():
                cols = ["id INTEGER PRIMARY KEY"]
                cols += [f'"{f.name}" {sql_type(f)}' for f in model.columns if f.name != "id"]
                self.conn.execute(f'CREATE TABLE IF NOT EXISTS "{model.table}" ({", ".join(cols)})')
                for f in model.columns:
                    if f.index or f.type == "many2one":
                        self.conn.execute(
                            f'CREATE INDEX IF NOT EXISTS "{model.table}__{f.name}" ON "{model.table}" ("{f.name}")'
                        )
            for table, (c1, c2) in self.registry.many2many_tables().items():
                self.conn.execute(f'CREATE TABLE IF NOT EXISTS "{table}" ("{c1}" INTEGER, "{c2}" INTEGER)')
                self.conn.execute(f'CREATE INDEX IF NOT EXISTS "{table}__{c1}" ON "{table}" ("{c1}")')
                self.conn.execute(f'CREATE INDEX IF NOT EXISTS "{table}__{c2}" ON "{table}" ("{c2}")')
            self.conn.execute("CREATE TABLE IF NOT EXISTS sandbox_meta (key TEXT PRIMARY KEY, value TEXT)")
        self.ensure_indexes()

    def ensure_indexes(self) -> None:
        """Indexes on each model's default order (a page of a big table then needs no full sort)."""
        with self.transaction():
            for model in self.registry.models.values():
                columns = order_columns(model.spec.order, {f.name: f for f in model.columns})
                if columns and columns != ["id"]:
                    names = ", ".join(f'"{c}"' for c in columns)
                    self.conn.execute(f'CREATE INDEX IF NOT EXISTS "{model.table}__order" ON "{model.table}" ({names})')

    def analyze(self) -> None:
        """Gather SQLite's planner statistics (a filter on a two-company column then no longer
        hides the index that serves a page of a big table in its default order)."""
        with self.lock:
            self.conn.execute("ANALYZE")

    def has_statistics(self) -> bool:
        row = self.conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()
        return bool(row[0])

    def has_schema(self) -> bool:
        row = self.conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sandbox_meta'"
        ).fetchone()
        return bool(row[0])

    # -- metadata -----------------------------------------------------------------------------
    def set_meta(self, values: Mapping[str, Any]) -> None:
        with self.transaction():
            self.conn.executemany(
                "INSERT OR REPLACE INTO sandbox_meta (key, value) VALUES (?, ?)",
                [(k, json.dumps(v)) for k, v in values.items()],
            )

    def meta(self) -> dict[str, Any]:
        if not self.has_schema():
            return {}
        return {k: json.loads(v) for k, v in self.conn.execute("SELECT key, value FROM sandbox_meta")}

    # -- transactions -------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work: everything or nothing is written (like an Odoo request)."""
        with self.lock:
            if self.conn.in_transaction:
                self.conn.execute("SAVEPOINT sp")
                try:
                    yield self.conn
                except BaseException:
                    self.conn.execute("ROLLBACK TO sp")
                    self.conn.execute("RELEASE sp")
                    raise
                self.conn.execute("RELEASE sp")
                return
            self.conn.execute("BEGIN")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    # -- raw access ---------------------------------------------------------------------------
    def execute(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        with self.lock:
            return self.conn.execute(sql, tuple(params))

    def insert_rows(self, model_name: str, rows: list[dict[str, Any]]) -> list[int]:
        """Insert rows of column values (``id`` optional); returns the ids."""
        if not rows:
            return []
        model = self.registry[model_name]
        columns = {f.name: f for f in model.columns}
        names = sorted({k for row in rows for k in row if k in columns})
        if "id" not in names:
            names.insert(0, "id")
        placeholders = ", ".join("?" for _ in names)
        sql = f'INSERT INTO "{model.table}" ({", ".join(chr(34) + n + chr(34) for n in names)}) VALUES ({placeholders})'
        ids: list[int] = []
        with self.lock:
            cur = self.conn.cursor()
            for row in rows:
                cur.execute(sql, [to_sql(columns[n], row.get(n)) for n in names])
                ids.append(int(cur.lastrowid or row.get("id") or 0))
        return ids

    def insert_links(self, table: str, c1: str, c2: str, pairs: Iterable[tuple[int, int]]) -> None:
        with self.lock:
            self.conn.executemany(f'INSERT INTO "{table}" ("{c1}", "{c2}") VALUES (?, ?)', list(pairs))

    def copy_to_memory(self) -> Store:
        """A private in-memory copy (the cached demo company stays untouched)."""
        clone = Store(self.registry)
        with self.lock:
            self.conn.backup(clone.conn)
        return clone

    def save_as(self, path: str | Path) -> None:
        target = sqlite3.connect(str(path))
        with self.lock:
            self.conn.backup(target)
        target.close()

    def close(self) -> None:
        with self.lock:
            self.conn.close()
