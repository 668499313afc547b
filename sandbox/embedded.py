"""The embedded default: the demo company served in-process on a free loopback port.

Its state is a working copy under ``CASHFLOW_HOME`` (one per seed, scale and
date), so what one command writes — an approved draft payment, a note — is
still there for the next command, as on a real Odoo. Delete ``CASHFLOW_HOME/demo``
to start over.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sandbox.factory import DB_NAME, DEFAULT_MODULES, Progress, cache_path, demo_store, service_for
from sandbox.models import ALL_MODELS
from sandbox.schema import build_registry
from sandbox.server import RunningServer
from sandbox.store import Store

EMBEDDED_LOGIN = "cashbot"
EMBEDDED_PASSWORD = "cashbot"


def working_copy(home: Path, *, seed: int, scale: float, as_of: dt.date, progress: Progress | None = None) -> Store:
    """The persistent state of the embedded demo company (created from the cached company on first use)."""
    cached = cache_path(home, seed=seed, scale=scale, as_of=as_of, version=17, modules=DEFAULT_MODULES)
    state = cached.with_name(cached.stem + "-state.sqlite")
    if not state.exists():
        fresh = demo_store(seed=seed, scale=scale, as_of=as_of, cache_dir=home, progress=progress)
        fd, tmp = tempfile.mkstemp(dir=state.parent, suffix=".tmp")
        os.close(fd)
        fresh.save_as(tmp)
        fresh.close()
        os.replace(tmp, state)
    return Store(build_registry(ALL_MODELS, 17, DEFAULT_MODULES), state)


@contextmanager
def embedded_sandbox(home: Path, *, seed: int = 7, scale: float = 1.0, as_of: dt.date | None = None,
                     progress: Progress | None = None) -> Iterator[RunningServer]:
    """Serve the demo company's working copy for the duration of a command."""
    store = working_copy(home, seed=seed, scale=scale, as_of=as_of or dt.date.today(), progress=progress)
    server = RunningServer(service_for(store, DB_NAME)).start()
    try:
        yield server
    finally:
        server.stop()
        store.close()
