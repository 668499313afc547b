"""Shared fixtures: a real sandbox over real HTTP, no internet, no API keys, isolated state."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.factory import demo_store, service_for
from sandbox.server import RunningServer
from sandbox.store import Store

AS_OF = dt.date(2026, 11, 24)
"""The demo company's 'today' in tests: fixed, so every run sees the same data."""
TEST_SCALE = 0.2

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: Any) -> Any:
    host = address[0] if isinstance(address, tuple) else None
    if host is not None:
        try:
            ip = ipaddress.ip_address(socket.gethostbyname(host))
        except (OSError, ValueError):
            ip = None
        if ip is None or not ip.is_loopback:
            raise OSError(f"tests may not reach the network ({host})")
    return _real_connect(self, address)


@pytest.fixture(scope="session", autouse=True)
def _isolated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No internet, no user config, no real Odoo or LLM: every test runs on a clean slate."""
    home = tmp_path_factory.mktemp("cashflow-home")
    saved = dict(os.environ)
    for key in list(os.environ):
        if key.startswith(("ODOO_", "OPENAI_", "LLM_", "CASHFLOW_", "CHECKPOINT_")):
            del os.environ[key]
    os.environ["CASHFLOW_HOME"] = str(home)
    socket.socket.connect = _loopback_only  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        socket.socket.connect = _real_connect  # type: ignore[method-assign]
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="session")
def demo_base(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The small demo company, generated once per test session (never written to)."""
    return demo_store(seed=7, scale=TEST_SCALE, as_of=AS_OF, cache_dir=tmp_path_factory.mktemp("demo-cache"))


@pytest.fixture(scope="session")
def sandbox(demo_base: Store) -> Iterator[RunningServer]:
    """A running sandbox shared by read-only tests."""
    server = RunningServer(service_for(demo_base.copy_to_memory())).start()
    yield server
    server.stop()


@pytest.fixture
def fresh_sandbox(demo_base: Store) -> Iterator[RunningServer]:
    """A running sandbox of its own, for tests that write."""
    server = RunningServer(service_for(demo_base.copy_to_memory())).start()
    yield server
    server.stop()


@pytest.fixture
def cashflow_home() -> Path:
    return Path(os.environ["CASHFLOW_HOME"])
