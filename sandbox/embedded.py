"""The embedded default: the demo company served in-process on a free loopback port."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sandbox.factory import DB_NAME, Progress, demo_store, service_for
from sandbox.server import RunningServer

EMBEDDED_LOGIN = "cashbot"
EMBEDDED_PASSWORD = "cashbot"


@contextmanager
def embedded_sandbox(home: Path, *, seed: int = 7, scale: float = 1.0, as_of: dt.date | None = None,
                     progress: Progress | None = None) -> Iterator[RunningServer]:
    """Start the demo company (generated once per day, then read from the cache) and stop it afterwards."""
    store = demo_store(seed=seed, scale=scale, as_of=as_of or dt.date.today(), cache_dir=home, progress=progress)
    server = RunningServer(service_for(store, DB_NAME)).start()
    try:
        yield server
    finally:
        server.stop()
        store.close()
