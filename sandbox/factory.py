"""Builds sandbox databases: empty, or with the demo company, cached on disk by seed, scale and date."""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from sandbox.bootstrap import bootstrap
from sandbox.models import ALL_MODELS
from sandbox.orm import Database
from sandbox.schema import build_registry
from sandbox.service import SandboxService
from sandbox.store import Store

log = logging.getLogger(__name__)
DEFAULT_MODULES = ("base", "mail", "account", "sale", "sale_management", "purchase")
DB_NAME = "demo"
CACHE_FORMAT = 2
Progress = Callable[[str, float], None]


def new_store(version: int = 17, modules: Iterable[str] = DEFAULT_MODULES, path: str | Path | None = None) -> Store:
    store = Store(build_registry(ALL_MODELS, version, modules), path)
    store.create_schema()
    return store


def generate(store: Store, *, seed: int, scale: float, as_of: dt.date, progress: Progress | None = None) -> Store:
    """Fill an empty store with the demo company and the technical records."""
    from sandbox.demo.generator import generate_demo_company

    generate_demo_company(store, seed=seed, scale=scale, as_of=as_of, progress=progress)
    bootstrap(store)
    store.set_meta({"seed": seed, "scale": scale, "as_of": as_of.isoformat(), "version": store.registry.version,
                    "modules": sorted(store.registry.modules), "format": CACHE_FORMAT})
    store.analyze()
    return store


def cache_path(home: Path, *, seed: int, scale: float, as_of: dt.date, version: int,
               modules: Iterable[str]) -> Path:
    mods = "-".join(sorted(set(modules) - set(DEFAULT_MODULES))) or "std"
    missing = "-".join(sorted(set(DEFAULT_MODULES) - set(modules)))
    tag = f"v{version}-{mods}" + (f"-no-{missing}" if missing else "")
    return home / "demo" / f"demo-f{CACHE_FORMAT}-s{seed}-x{scale:g}-{as_of.isoformat()}-{tag}.sqlite"


def demo_store(*, seed: int = 7, scale: float = 1.0, as_of: dt.date | None = None, version: int = 17,
               modules: Iterable[str] = DEFAULT_MODULES, cache_dir: Path | None = None,
               progress: Progress | None = None) -> Store:
    """An in-memory demo database, generated once per (seed, scale, date, version) and cached."""
    as_of = as_of or dt.date.today()
    modules = tuple(modules)
    if cache_dir is None:
        return generate(new_store(version, modules), seed=seed, scale=scale, as_of=as_of, progress=progress)
    path = cache_path(cache_dir, seed=seed, scale=scale, as_of=as_of, version=version, modules=modules)
    if path.exists():
        try:
            cached = Store(build_registry(ALL_MODELS, version, modules), path)
            if cached.meta().get("format") == CACHE_FORMAT:
                copy = cached.copy_to_memory()
                cached.close()
                copy.ensure_indexes()
                if not copy.has_statistics():
                    copy.analyze()
                return copy
            cached.close()
        except Exception:  # noqa: BLE001 - a damaged cache is regenerated, never fatal
            log.warning("ignoring unreadable demo cache %s", path)
    store = generate(new_store(version, modules), seed=seed, scale=scale, as_of=as_of, progress=progress)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    store.save_as(tmp)
    os.replace(tmp, path)  # atomic: a concurrent reader never sees a half-written cache
    return store


def persistent_store(path: Path, *, seed: int, scale: float, as_of: dt.date, version: int = 17,
                     modules: Iterable[str] = DEFAULT_MODULES, progress: Progress | None = None) -> Store:
    """``--data PATH``: state kept in SQLite across restarts; generated on first use."""
    modules = tuple(modules)
    store = Store(build_registry(ALL_MODELS, version, modules), path)
    if store.has_schema() and store.meta().get("format") == CACHE_FORMAT:
        store.ensure_indexes()
        if not store.has_statistics():
            store.analyze()
        return store
    store.create_schema()
    return generate(store, seed=seed, scale=scale, as_of=as_of, progress=progress)


def service_for(store: Store, db_name: str = DB_NAME) -> SandboxService:
    meta = store.meta()
    today = dt.date.fromisoformat(meta["as_of"]) if meta.get("as_of") else None
    return SandboxService(Database(db_name, store, today=today))
