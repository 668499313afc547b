"""Streams generated demo records into a :class:`~sandbox.store.Store`.

The generator decides every id up front (``loader.new_id``) so documents can
reference each other before they are written; rows are buffered per model and
flushed in batches, so even a scale-20 company never sits whole in memory as
Python dicts.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sandbox.store import Store

BATCH = 5000


class Loader:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.registry = store.registry
        self._next: dict[str, int] = defaultdict(lambda: 1)
        self._rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._links: dict[tuple[str, str, str], list[tuple[int, int]]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)
        self._default_cache: dict[str, dict[str, Any]] = {}

    def has_model(self, model: str) -> bool:
        return model in self.registry

    def new_id(self, model: str) -> int:
        """Reserve the next id of ``model``."""
        rid = self._next[model]
        self._next[model] = rid + 1
        return rid

    def add(self, model: str, values: dict[str, Any], rid: int | None = None) -> int:
        """Queue one record; returns its id. Keys this server version lacks are dropped."""
        if model not in self.registry:
            return rid or 0
        values = adapt_to_version(model, values, self.registry.version)
        if rid is None:
            rid = values.get("id") or self.new_id(model)
        elif rid >= self._next[model]:
            self._next[model] = rid + 1
        fields = self.registry[model].fields
        unknown = [k for k in values if k not in fields and k != "id" and not _known_elsewhere(model, k)]
        if unknown:
            raise KeyError(f"{model} has no field(s) {unknown}")
        row = {k: v for k, v in values.items() if k in fields and fields[k].has_column}
        for name, default in self._defaults(model).items():
            row.setdefault(name, default)
        row["id"] = rid
        self._rows[model].append(row)
        self.counts[model] += 1
        for k, v in values.items():
            f = fields.get(k)
            if f is not None and f.type == "many2many" and f.relation_table and v:
                self.link(model, k, rid, v)
        if len(self._rows[model]) >= BATCH:
            self._flush_model(model)
        return rid

    def _defaults(self, model: str) -> dict[str, Any]:
        """Column defaults (``active`` True, selection defaults ...), as Odoo fills them on create."""
        cached = self._default_cache.get(model)
        if cached is None:
            cached = {f.name: f.default for f in self.registry[model].columns if f.default is not None}
            self._default_cache[model] = cached
        return cached

    def link(self, model: str, field: str, rid: int, other_ids: list[int]) -> None:
        f = self.registry[model].fields.get(field) if model in self.registry else None
        if f is None or not f.relation_table or f.relation not in self.registry:
            return
        key = (f.relation_table, f.column1 or "", f.column2 or "")
        self._links[key].extend((rid, oid) for oid in other_ids)

    def flush(self) -> None:
        for model in list(self._rows):
            self._flush_model(model)
        for (table, c1, c2), pairs in self._links.items():
            self.store.insert_links(table, c1, c2, pairs)
        self._links.clear()

    def _flush_model(self, model: str) -> None:
        rows = self._rows.pop(model, [])
        if rows:
            with self.store.transaction():
                self.store.insert_rows(model, rows)


def _known_elsewhere(model: str, field: str) -> bool:
    """Fields that exist in another Odoo version of ``model`` (e.g. sale.order.locked in 16)."""
    from sandbox.models import ALL_MODELS

    return any(spec.name == model and any(f.name == field for f in spec.fields) for spec in ALL_MODELS)


PAYMENT_STATE_18 = {"draft": "draft", "cancel": "canceled"}


def adapt_to_version(model: str, values: dict[str, Any], version: int) -> dict[str, Any]:
    """Express Odoo 17 demo values the way another version stores them."""
    if version <= 16 and model in ("sale.order", "sale.order.line") and values.get("locked"):
        values = {**values, "state": "done"}
    if version >= 18 and model == "account.payment":
        state = values.get("state", "draft")
        if state == "posted":
            state = "paid" if values.get("is_matched") else "in_process"
        else:
            state = PAYMENT_STATE_18.get(state, state)
        values = {**values, "state": state, "memo": values.get("ref")}
    return values
