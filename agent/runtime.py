"""Per-run wiring: settings -> an Odoo read client (a configured server, or the embedded demo company)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

from tools.odoo.client import ConnectionSpec, OdooClient
from tools.settings import Settings

Progress = Callable[[str, float], None]


def spec_from_settings(settings: Settings) -> ConnectionSpec:
    secret = settings.odoo_api_key or settings.odoo_password
    return ConnectionSpec(
        url=settings.odoo_url or "", database=settings.odoo_db or "", login=settings.odoo_user or "",
        secret=secret.get_secret_value() if secret else "", protocol=settings.odoo_protocol,
        api_key=settings.odoo_api_key is not None, timeout=settings.odoo_timeout,
        retry_attempts=settings.odoo_retry_attempts, retry_max_seconds=settings.odoo_retry_max_seconds,
        page_size=settings.odoo_page_size, company=settings.odoo_company)


def as_of_date(settings: Settings, requested: dt.date | None = None) -> dt.date:
    """'Today' for this run: an explicit date, the demo's configured date, or the real date."""
    if requested:
        return requested
    if settings.embedded and settings.cashflow_demo_as_of:
        return settings.cashflow_demo_as_of
    return dt.date.today()


@contextmanager
def open_odoo(settings: Settings, *, progress: Progress | None = None) -> Iterator[OdooClient]:
    """A connected read client; starts the embedded demo company when no Odoo is configured."""
    with ExitStack() as stack:
        if settings.embedded:
            from sandbox.embedded import EMBEDDED_LOGIN, EMBEDDED_PASSWORD, embedded_sandbox

            server = stack.enter_context(embedded_sandbox(
                settings.data_dir, seed=settings.cashflow_demo_seed, scale=settings.cashflow_demo_scale,
                as_of=as_of_date(settings), progress=progress))
            spec = ConnectionSpec(url=server.url, database="demo", login=EMBEDDED_LOGIN, secret=EMBEDDED_PASSWORD,
                                  timeout=settings.odoo_timeout, page_size=settings.odoo_page_size,
                                  company=settings.odoo_company)
        else:
            spec = spec_from_settings(settings)
        client = OdooClient(spec).connect()
        stack.callback(client.close)
        yield client
