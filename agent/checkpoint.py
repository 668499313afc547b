"""Where thread state lives: SQLite under CASHFLOW_HOME by default, Postgres when CHECKPOINT_URL is set."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tools.settings import Settings


class CheckpointUnavailable(Exception):
    exit_code = 2


@contextmanager
def open_checkpointer(settings: Settings) -> Iterator[Any]:
    if settings.checkpoint_url:
        try:
            from langgraph.checkpoint.postgres import PostgresSaver
        except ImportError:
            raise CheckpointUnavailable(
                "CHECKPOINT_URL points to Postgres but langgraph-checkpoint-postgres is not installed: "
                "pip install -e '.[postgres]' (langgraph-checkpoint-postgres and psycopg)") from None
        with PostgresSaver.from_conn_string(settings.checkpoint_url) as saver:
            saver.setup()
            yield saver
        return
    from langgraph.checkpoint.sqlite import SqliteSaver

    conn = sqlite3.connect(str(settings.data_dir / "checkpoints.sqlite"), check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode = WAL")
    saver = SqliteSaver(conn)
    saver.setup()
    try:
        yield saver
    finally:
        conn.close()
